"""A person's choices: which optional e-mails they get, and the in-app notices they have read."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.signing import BadSignature
from django.db import transaction
from django.utils import timezone

from incubator.models import User

from ..kinds import OPTIONAL_KINDS, SPECS
from ..models import Notification, NotificationPreference
from ..tokens import unsubscribe_token_read


class MandatoryKind(ValueError):
    """Raised when someone tries to turn off a kind that cannot be turned off."""


def preference_set(*, user: User, kind: str, email_enabled: bool) -> NotificationPreference:
    """Turn the e-mail of one optional kind on or off for ``user``."""
    if kind not in SPECS:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if kind not in OPTIONAL_KINDS:
        raise MandatoryKind(kind)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email_enabled": email_enabled}
    )
    return preference


@transaction.atomic
def preferences_update(*, user: User, shown_kinds: Iterable[str], enabled_kinds: Iterable[str]) -> None:
    """Apply the preferences page: of the optional kinds shown, those in ``enabled_kinds`` are on,
    the rest off. Mandatory kinds are ignored, whatever was sent."""
    enabled = set(enabled_kinds)
    for kind in sorted(set(shown_kinds) & OPTIONAL_KINDS):
        preference_set(user=user, kind=kind, email_enabled=kind in enabled)


def unsubscribe_apply(*, token: str) -> tuple[User, str]:
    """Turn off the kind named by a signed unsubscribe token. Raises ``BadSignature`` for an
    altered or unknown token and ``MandatoryKind`` for a kind that cannot be turned off."""
    request = unsubscribe_token_read(token)
    user = User.objects.filter(pk=request.user_id).first()
    if user is None or request.kind not in SPECS:
        raise BadSignature("The token names no known person or kind.")
    preference_set(user=user, kind=request.kind, email_enabled=False)
    return user, request.kind


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read. Raises ``Notification.DoesNotExist`` for an id
    that is not theirs."""
    notification = Notification.objects.get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
