"""Signed one-click unsubscribe tokens: who and which kind, tamper-proof, without a database row."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeRequest:
    user_id: int
    kind: str


def unsubscribe_token_make(*, user_id: int, kind: str) -> str:
    """A URL-safe token that lets its holder turn off one kind of e-mail for one person. It does
    not expire: an old e-mail's link must still work."""
    return signing.dumps({"u": user_id, "k": kind}, salt=_SALT, compress=False)


def unsubscribe_token_read(token: str) -> UnsubscribeRequest:
    """Decode a token; raises ``django.core.signing.BadSignature`` when it was altered."""
    data = signing.loads(token, salt=_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        raise signing.BadSignature("Malformed unsubscribe token.")
    return UnsubscribeRequest(user_id=data["u"], kind=data["k"])
