"""Personal API tokens: created and revoked by their owner from the profile page, used by the API's
token authentication.

A token is a random secret shown once, when it is created. Only its SHA-256 hash is stored (a
token has 256 bits of entropy, so a fast hash is enough: there is nothing to brute-force), with
its first characters as a ``prefix`` that identifies it in lists without revealing it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ApiToken, User

# Tokens start with this marker so secret scanners and people recognise them.
TOKEN_MARKER = "cpl_"
PREFIX_LENGTH = 12
# ``last_used_at`` is written at most this often per token: an API client sending many requests
# a second should not turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_hash(key: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(key.encode()).hexdigest()


class TokenNameTaken(Exception):
    """The person already has a live token of this name."""


class TokenFormUsed(Exception):
    """The form has already created its token."""


def api_token_create(*, user: User, name: str, form_id: str = "") -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is never stored and
    cannot be shown again. With ``form_id`` (the creating form's one-time id), a second request
    from the same form, even at the same moment, raises ``TokenFormUsed`` and creates nothing."""
    key = TOKEN_MARKER + secrets.token_urlsafe(32)
    live_names = ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("name", flat=True)
    if name.strip()[:100].casefold() in {live.casefold() for live in live_names}:
        # The form's own token, created by a first click an instant ago, is not a second name.
        if form_id and ApiToken.objects.filter(user=user, form_id=form_id).exists():
            raise TokenFormUsed
        # Two live tokens of one name could not be told apart when one is to be revoked.
        raise TokenNameTaken(name.strip())
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name.strip()[:100],
                prefix=key[:PREFIX_LENGTH],
                key_hash=api_token_hash(key),
                form_id=form_id,
            )
    except IntegrityError:
        if form_id and ApiToken.objects.filter(user=user, form_id=form_id).exists():
            raise TokenFormUsed from None
        raise
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Revoke ``token`` at once; requests that present it are refused from then on. Only its
    owner may revoke it; revoking twice keeps the first time."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    now = timezone.now()
    # Conditional, so two revocations at once keep the first timestamp.
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    return token


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user`` (after a password reset); returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_for_key(*, key: str) -> ApiToken | None:
    """The live token with this secret and its (active) user, in one query; ``None`` for an
    unknown, revoked or deactivated one."""
    if not key.startswith(TOKEN_MARKER) or len(key) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=api_token_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_token_touch(*, token: ApiToken) -> None:
    """Record that ``token`` was used, at most once a minute; no query at all in between."""
    now = timezone.now()
    threshold = now - LAST_USED_PRECISION
    if token.last_used_at is not None and token.last_used_at >= threshold:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=threshold), pk=token.pk).update(
        last_used_at=now
    )
    token.last_used_at = now
