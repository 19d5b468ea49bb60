"""Limits on the pages that check a password or send e-mail, so that nobody can guess passwords
at leisure or use the site to send mail to anyone, as often as they like.

- Logging in (the admin's login is the site's): failed attempts, per address typed and per
  client (a correct password is never counted, so people who log in often are not held up). The
  count per address starts again when the account's password changes (a reset by e-mail, say),
  so its owner gets in at once with the new password while guesses at the old one were stopped.
- Password reset, sign-up and a new confirmation link: per address asked for and per client.
- Invitations to a team: per person sending them (they carry the sender's words).

The counting is django-ratelimit's, in the default cache (Redis in production, so all web
processes count together). When the cache cannot be reached the page works unlimited rather
than failing. ``RATELIMIT_ENABLE = False`` turns every limit off.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def _typed_address(field: str):
    def key(group: str, request: HttpRequest) -> str:
        return request.POST.get(field, "").strip().lower()

    return key


def _login_address(group: str, request: HttpRequest) -> str:
    """The account the address typed names (however it is written: the login form reads it in
    NFKC and any case), with a mark of its password hash, so that a new password starts a new
    count; an address of no account counts as typed. The mark tells nothing of the password (a
    digest of its salted hash, cut short)."""
    if not hasattr(request, "_login_limit_key"):
        typed = request.POST.get("username", "")
        # As the login form: no address that long is an account's, so it is not normalised.
        address = (unicodedata.normalize("NFKC", typed) if len(typed) <= 254 else typed).strip()
        try:
            account = get_user_model().objects.get_by_natural_key(address)
        except get_user_model().DoesNotExist:
            request._login_limit_key = f"address:{address.lower()}"
        else:
            mark = hashlib.sha256(account.password.encode()).hexdigest()[:16]
            request._login_limit_key = f"account:{account.pk}:{mark}"
    return request._login_limit_key


def _client(group: str, request: HttpRequest) -> str:
    """The client's address, as the API's throttle finds it: with ``REST_FRAMEWORK["NUM_PROXIES"]``
    proxies in front, the address the outermost of them saw; else the connection's."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = forwarded.split(",")
        return addresses[-min(proxies, len(addresses))].strip()
    return request.META.get("REMOTE_ADDR", "")


def _sender(group: str, request: HttpRequest) -> str:
    return str(request.user.pk)


@dataclass(frozen=True)
class Limit:
    key: object
    rate: str


@dataclass(frozen=True)
class Rule:
    limits: tuple[Limit, ...]
    message: Promise


RULES = {
    "login": Rule(
        (Limit(_login_address, "10/15m"), Limit(_client, "50/15m")),
        _(
            "Too many failed attempts to log in. Wait 15 minutes and try again, or set a new "
            "password with “Forgot your password?” below: it works at once."
        ),
    ),
    "password_reset": Rule(
        (Limit(_typed_address("email"), "3/h"), Limit(_client, "20/h")),
        _("Too many e-mails asked for in a short time. Wait an hour and try again."),
    ),
    "signup": Rule(
        (Limit(_typed_address("email"), "3/h"), Limit(_client, "20/h")),
        _("Too many e-mails asked for in a short time. Wait an hour and try again."),
    ),
    "invitation": Rule(
        (Limit(_sender, "30/h"),),
        _("You sent many invitations in a short time. Wait an hour before sending more."),
    ),
}


def _usage(request: HttpRequest, name: str, index: int, *, increment: bool) -> dict | None:
    limit = RULES[name].limits[index]
    try:
        return get_usage(
            request, group=f"{name}:{index}", key=limit.key, rate=limit.rate, increment=increment
        )
    except Exception:  # the cache is down: better unlimited than no login at all
        logger.warning("Rate limit %s not counted: the cache cannot be reached", name, exc_info=True)
        return None


def count(request: HttpRequest, name: str) -> bool:
    """Count this request against the limits of ``name``; whether one of them is now exceeded."""
    usages = [_usage(request, name, n, increment=True) for n in range(len(RULES[name].limits))]
    return any(usage is not None and usage["should_limit"] for usage in usages)


def reached(request: HttpRequest, name: str) -> bool:
    """Whether a limit of ``name`` is used up already, without counting this request (for
    failures counted afterwards with ``count``)."""
    usages = [_usage(request, name, n, increment=False) for n in range(len(RULES[name].limits))]
    return any(usage is not None and usage["count"] >= usage["limit"] for usage in usages)


def message(name: str) -> str:
    return str(RULES[name].message)
