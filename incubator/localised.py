"""Reference data kept in two languages: a ``<field>_ru`` column beside the field itself, read in
the language of the page (or e-mail) and falling back to the field when it is blank."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

# The languages that have a column of their own; the field itself holds the default language's.
SECOND_LANGUAGES = ("ru",)


def _second_language() -> str | None:
    language = (get_language() or "").split("-")[0]
    return language if language in SECOND_LANGUAGES else None


def localised(obj: Any, field: str) -> str:
    """``obj.<field>`` in the active language, or the field itself when that column is blank."""
    language = _second_language()
    if language:
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return value
    return getattr(obj, field)


def localised_column(path: str):
    """The database expression of ``path`` (``startup__therapeutic_area__name``) in the active
    language, falling back to the column itself: for ``values()`` and ``annotate()``."""
    language = _second_language()
    if not language:
        return F(path)
    return Coalesce(NullIf(F(f"{path}_{language}"), Value("")), F(path))
