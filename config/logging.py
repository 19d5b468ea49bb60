"""Logging helpers named by the ``LOGGING`` setting."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """Drop the traceback Django attaches to a 403 ("Forbidden (Permission denied)"): a refusal
    is the permission rules at work, and its stack would bury real errors in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
