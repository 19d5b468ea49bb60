"""Founder sign-up with e-mail confirmation by a signed link."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from ..emails import send_account_email
from ..models import User

CONFIRM_SALT = "incubator.signup-confirmation"


class SignupLinkError(Exception):
    """The confirmation link is broken, expired or already used; the message says which."""


def _safe_next(next_url: str | None) -> str:
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return next_url
    return ""


def confirmation_token(user: User, next_url: str = "") -> str:
    return signing.dumps(
        {"user": user.pk, "email": user.email, "next": _safe_next(next_url)}, salt=CONFIRM_SALT
    )


def _send_confirmation(user: User, next_url: str) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "signup-confirm", args=[confirmation_token(user, next_url)]
    )
    send_account_email(
        to=user.email,
        template="confirm",
        context={"user": user, "link": link, "days": settings.SIGNUP_CONFIRMATION_MAX_AGE_DAYS},
    )


@transaction.atomic
def user_sign_up(
    *, email: str, full_name: str, password: str, next_url: str = "", language: str = ""
) -> User | None:
    """Create an inactive founder account and e-mail the confirmation link. ``language`` (the
    page's) is the one its e-mails will be written in.

    For an address already registered nothing is created and the page answers as for a new one,
    so that it does not tell who has an account; the address gets the confirmation link again if
    the account still waits for it, and otherwise a note that it already has an account (with
    links to log in and to reset the password). Returns the new account, or None."""
    email = User.objects.normalize_email(email).strip().lower()
    # Hashed whether or not the address is registered: skipping the (slow, on purpose) hash for a
    # registered one would tell by the answer's time what the page does not say.
    hashed = make_password(password)
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise IntegrityError("registered")
            user = User(
                email=email,
                full_name=full_name.strip(),
                is_founder=True,
                is_active=False,
                language=supported_language(language),
            )
            user.password = hashed
            user.save()
    except IntegrityError:
        _tell_registered_address(email, next_url)
        return None
    _send_confirmation(user, next_url)
    return user


def _tell_registered_address(email: str, next_url: str) -> None:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return
    if not user.is_active and not user.email_confirmed:
        _send_confirmation(user, next_url)
        return
    site = settings.SITE_URL.rstrip("/")
    send_account_email(
        to=user.email,
        template="already_registered",
        context={"user": user, "login": site + reverse("login"), "reset": site + reverse("password_reset")},
        language=user.language or None,
    )


def user_resend_confirmation(*, email: str) -> None:
    """Send the link again to an account still waiting for confirmation; silent otherwise, so the
    form does not reveal which addresses are registered."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=False, email_confirmed=False).first()
    if user is not None:
        _send_confirmation(user, "")


@transaction.atomic
def user_confirm_email(*, token: str) -> tuple[User, str, bool]:
    """Activate the account the link was made for; return it, where to go next, and whether this
    use of the link confirmed it (only the first use may log the person in: a link that leaks
    later must not work as a password)."""
    max_age = settings.SIGNUP_CONFIRMATION_MAX_AGE_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise SignupLinkError(_("This confirmation link has expired. Ask for a new one below.")) from exc
    except signing.BadSignature as exc:
        raise SignupLinkError(
            _("This confirmation link is not valid. Check that you copied all of it.")
        ) from exc
    user = User.objects.select_for_update().filter(pk=payload["user"], email=payload["email"]).first()
    if user is None:
        raise SignupLinkError(_("This confirmation link is not valid. Check that you copied all of it."))
    if user.email_confirmed:
        return user, _safe_next(payload.get("next")), False
    user.email_confirmed = True
    user.is_active = True
    user.save(update_fields=["email_confirmed", "is_active"])
    return user, _safe_next(payload.get("next")), True


def supported_language(code: str | None) -> str:
    """``code`` if the site speaks it, else the default language."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a person chose: their pages open in it when they log in, and their
    e-mails are written in it. An unknown code changes nothing."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def user_account_update(*, user: User, full_name: str, position: str, language: str) -> User:
    """Save what a person says about themselves and the language they read in."""
    user.full_name = full_name.strip()
    user.position = position.strip()
    user.language = language if language in dict(settings.LANGUAGES) else ""  # blank: as the browser asks
    user.save(update_fields=["full_name", "position", "language"])
    return user
