"""What the notification tests look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from notifications.models import Notification, OutboxMessage
from pipeline.models import Application
from tests import factories


def notice_state(kind: str) -> dict[int, tuple[bool, str]]:
    """Per recipient of ``kind``: whether the notice is read, and its e-mail's status."""
    mails = dict(OutboxMessage.objects.filter(kind=kind).values_list("dedup_key", "status"))
    return {
        notice.recipient_id: (notice.read_at is not None, mails[notice.dedup_key])
        for notice in Notification.objects.filter(kind=kind)
    }


@dataclass
class ClosingDraft:
    draft: Application
    founders: list
    someone_else: object


def closing_draft() -> ClosingDraft:
    """A two-founder startup's draft to a call closing in five days, and another founder's draft
    to the same call, both started well before their reminders are due."""
    founders = [factories.FounderFactory(), factories.FounderFactory()]
    call = factories.CallFactory(closes_at=timezone.now() + timedelta(days=5))
    earlier = timezone.now() - timedelta(days=10)
    draft = factories.ApplicationFactory(
        startup=factories.StartupFactory(founders=founders), call=call, created_at=earlier
    )
    someone_else = factories.FounderFactory()
    factories.ApplicationFactory(
        call=call, startup=factories.StartupFactory(founders=[someone_else]), created_at=earlier
    )
    return ClosingDraft(draft=draft, founders=founders, someone_else=someone_else)
