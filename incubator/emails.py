"""Account e-mail (confirmation, co-founder invitations): sent directly, like password resets,
because the person is waiting for it and can ask again. Three templates per message."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def render_account_email(template: str, context: dict) -> tuple[str, str, str]:
    base = f"incubator/email/{template}"
    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    return (
        subject,
        render_to_string(f"{base}_body.txt", context),
        render_to_string(f"{base}_body.html", context),
    )


def send_account_email(*, to: str, template: str, context: dict, language: str | None = None) -> None:
    """Send after the surrounding transaction commits; a failure is logged, not raised, so the
    person's action stands and they can ask for the e-mail again. Written in ``language`` (the
    recipient's, when they have an account), else in the language of the page that sends it."""
    with translation.override(language or translation.get_language()):
        subject, text, html = render_account_email(template, context)

    def send() -> None:
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception:
            logger.exception("could not send %s e-mail to %s", template, to)

    transaction.on_commit(send)
