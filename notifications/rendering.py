"""Turning a notice (kind + context) into an e-mail or an in-app title.

The context is plain JSON written when the notice was created; datetimes travel as ISO strings
in keys ending in ``_at`` and are turned back into datetimes here, so templates format them in
the reader's language and the project's time zone. Likewise the names of stages and statuses are
looked up here from their codes, in the reader's language: the labels stored with the notice are
in whatever language was active when it was created (the person who made the change, say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.dateparse import parse_date, parse_datetime

from .kinds import is_optional, spec_for
from .tokens import unsubscribe_token_make

_TEMPLATE_DIR = "notifications/email"
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def absolute_url(path: str) -> str:
    """A link for an e-mail: the site's public address and a path of this project."""
    return settings.SITE_URL.rstrip("/") + path


def _state_labels() -> dict[str, tuple[Any, list[tuple[str, str]]]]:
    """Per kind: the choices its codes come from, and which context key names which code."""
    from incubator.models import FundingRecord, InvestmentReadinessReview
    from pipeline.machines import MilestoneStatus, Stage
    from pipeline.models import ApplicationStatus

    moved = [("source", "source_label"), ("target", "target_label")]
    return {
        "stage_changed": (Stage, moved),
        "startup_dropped": (Stage, moved),
        "mentee_stage_changed": (Stage, moved),
        "application_status": (ApplicationStatus, moved),
        "decision_released": (ApplicationStatus, [("status", "status_label")]),
        "milestone_decided": (MilestoneStatus, moved),
        "milestone_submitted": (MilestoneStatus, moved),
        "startup_stalled": (Stage, [("stage", "stage_label")]),
        "investment_reviewed": (InvestmentReadinessReview.Verdict, [("verdict", "verdict_label")]),
        "funding_recorded": (FundingRecord.Kind, [("funding_kind", "funding_kind_label")]),
    }


def _parsed(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    parsed = dict(context)
    choices, keys = _state_labels().get(kind, (None, []))
    for code_key, label_key in keys:
        code = context.get(code_key)
        if code in choices.values:
            parsed[label_key] = choices(code).label
    for key, value in context.items():
        if key.endswith("_at") and isinstance(value, str):
            parsed[key] = parse_datetime(value) or value
        elif (key.endswith("_on") or key == "period") and isinstance(value, str):
            parsed[key] = parse_date(value) or value
    # A name given in the reader's language too (``in_russian``) is read in it.
    language = (translation.get_language() or "").split("-")[0]
    for key in list(context):
        translated = context.get(f"{key}_{language}")
        if translated:
            parsed[key] = translated
    return parsed


def _single_line(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def render_title(*, kind: str, context: dict[str, Any]) -> str:
    """The one-line title of a notice in the current language (the e-mail's subject)."""
    return _single_line(render_to_string(f"{_TEMPLATE_DIR}/{kind}_subject.txt", _parsed(kind, context)))


def render_email(*, kind: str, context: dict[str, Any], recipient: Any) -> RenderedEmail:
    """Subject, text and HTML parts of an e-mail to ``recipient``, in their language, with the
    link to the page concerned and, for optional kinds, a signed one-click unsubscribe link."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        template_context = _parsed(kind, context)
        template_context.update(
            recipient=recipient,
            kind_label=spec_for(kind).label,
            link=absolute_url(context.get("path") or reverse("notifications:centre")),
            preferences_url=absolute_url(reverse("notifications:preferences")),
            site_url=settings.SITE_URL.rstrip("/"),
            unsubscribe_url="",
        )
        headers: dict[str, str] = {}
        if is_optional(kind) and getattr(recipient, "pk", None):
            token = unsubscribe_token_make(user_id=recipient.pk, kind=kind)
            unsubscribe_url = absolute_url(reverse("notifications:unsubscribe", args=[token]))
            template_context["unsubscribe_url"] = unsubscribe_url
            # RFC 8058: mail clients offer their own one-click button and POST to this address.
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        subject = _single_line(render_to_string(f"{_TEMPLATE_DIR}/{kind}_subject.txt", template_context))
        text = render_to_string(f"{_TEMPLATE_DIR}/{kind}_body.txt", template_context).strip() + "\n"
        html = render_to_string(f"{_TEMPLATE_DIR}/{kind}_body.html", template_context)
    return RenderedEmail(subject=subject[:300], text=text, html=html, headers=headers)
