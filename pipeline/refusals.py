"""A refused state change shown again on its page without losing what the person typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest


def refusal_in_its_form(
    request: HttpRequest, refused: dict[str, Any] | None, options: Iterable[Any], *, kept_message: str
) -> dict[str, Any] | None:
    """``refused`` (the change's name, what was typed as ``reason`` and the ``errors``) if its
    change is still offered among ``options``, for the page to show inside that change's form.
    If it is no longer offered (someone else changed the object meanwhile), the errors go to the
    top of the page, and so does what was typed, in ``kept_message`` (with ``%(reason)s``), so
    nothing is lost; then None."""
    if not refused or refused["name"] in {option.name for option in options}:
        return refused
    for message in refused["errors"]:
        messages.error(request, message)
    if refused["reason"].strip():
        messages.info(request, kept_message % {"reason": refused["reason"].strip()})
    return None
