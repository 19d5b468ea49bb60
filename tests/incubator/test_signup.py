import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incubator.models import User
from tests import factories

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Anna Petrova",
    "email": "Anna.Petrova@Example.org",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def _confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm/\S+/)", message.body).group(1)


def test_sign_up_confirm_and_land_on_the_founder_home(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), SIGNUP)
    assert response.url == reverse("signup-done")
    user = User.objects.get(email="anna.petrova@example.org")
    assert (user.is_founder, user.is_active, user.email_confirmed) == (True, False, False)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna.petrova@example.org"]
    assert message.alternatives[0][1] == "text/html"
    link = _confirmation_link(message)

    response = client.get(link)
    assert response.url == reverse("founder-home")
    user.refresh_from_db()
    assert (user.is_active, user.email_confirmed) == (True, True)
    page = client.get(reverse("founder-home")).content.decode()
    assert "Create your startup" in page


def test_a_link_opened_in_another_browser_opens_the_pages_in_the_language_of_the_signup(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP, headers={"accept-language": "ru"})
    link = _confirmation_link(mail.outbox[0])

    other_browser = Client()
    response = other_browser.get(link, follow=True)
    assert other_browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert "Ваш адрес электронной почты подтверждён" in response.content.decode()


def test_a_used_confirmation_link_does_not_log_in_again(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)
    link = _confirmation_link(mail.outbox[0])
    client.get(link)
    client.logout()

    response = client.get(link)
    assert response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_used_confirmation_link_opened_while_logged_in_does_not_ask_to_log_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)
    link = _confirmation_link(mail.outbox[0])
    client.get(link)

    response = client.get(link, follow=True)

    assert response.redirect_chain[0][0] == reverse("home")
    page = response.content.decode()
    assert "Your e-mail address is already confirmed." in page
    assert "Log in to continue" not in page


def test_signing_up_with_a_registered_address_tells_only_that_address(
    client, django_capture_on_commit_callbacks
):
    existing = factories.FounderFactory(email="anna.petrova@example.org", full_name="Anna Petrova")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), {**SIGNUP, "email": "Anna.Petrova@example.org"})

    # The page answers as for a new address: it does not tell who has an account.
    assert response.url == reverse("signup-done")
    assert User.objects.filter(email__iexact="anna.petrova@example.org").count() == 1
    existing.refresh_from_db()
    assert existing.full_name == "Anna Petrova"
    [message] = mail.outbox
    assert message.to == ["anna.petrova@example.org"]
    assert message.subject == "You already have an account on the cluster pipeline"
    site = settings.SITE_URL.rstrip("/")
    assert f"{site}/accounts/login/" in message.body
    assert f"{site}/accounts/password-reset/" in message.body
    assert "/accounts/confirm/" not in message.body


@pytest.mark.parametrize("registered", [False, True])
def test_signing_up_hashes_the_password_whether_or_not_the_address_is_registered(
    client, monkeypatch, registered
):
    # Skipping the slow hash for a registered address would tell by the time of the answer.
    from incubator.services import accounts

    hashed = []
    monkeypatch.setattr(accounts, "make_password", lambda password: hashed.append(password) or "x")
    if registered:
        factories.FounderFactory(email="anna.petrova@example.org")

    client.post(reverse("signup"), SIGNUP)

    assert hashed == ["a-long-enough-passphrase"]


def test_signing_up_again_before_confirming_sends_the_link_again(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)
        client.post(reverse("signup"), SIGNUP)

    assert User.objects.count() == 1
    assert len(mail.outbox) == 2
    assert all("/accounts/confirm/" in message.body for message in mail.outbox)


def test_weak_or_mismatched_passwords_are_refused(client):
    response = client.post(reverse("signup"), {**SIGNUP, "password2": "something-else-entirely"})
    assert "The two passwords differ." in response.content.decode()
    response = client.post(reverse("signup"), {**SIGNUP, "password1": "12345678", "password2": "12345678"})
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_login_before_confirmation_says_what_to_do(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)
    response = client.post(
        reverse("login"), {"username": "anna.petrova@example.org", "password": SIGNUP["password1"]}
    )
    body = response.content.decode()
    assert "Confirm your e-mail address first" in body
    assert reverse("signup-resend") in body


def test_expired_and_tampered_links_are_refused(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)
    link = _confirmation_link(mail.outbox[0])

    tampered = client.get(link[:-3] + "xx/")
    assert tampered.status_code == 400
    assert "not valid" in tampered.content.decode()

    with time_machine.travel(timezone.now() + timezone.timedelta(days=4)):
        expired = client.get(link)
    assert expired.status_code == 400
    assert "expired" in expired.content.decode()
    assert not User.objects.get().is_active


def test_resend_sends_a_new_link_only_to_pending_accounts(client, django_capture_on_commit_callbacks):
    factories.FounderFactory(email="active@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)
        client.post(reverse("signup-resend"), {"email": "anna.petrova@example.org"})
        response = client.post(reverse("signup-resend"), {"email": "active@example.org"})
    assert response.url == reverse("signup-done")
    assert [m.to for m in mail.outbox] == [["anna.petrova@example.org"], ["anna.petrova@example.org"]]


def test_an_account_signed_up_in_russian_gets_its_emails_in_russian(
    client, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "ru"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), SIGNUP)

    assert User.objects.get(email="anna.petrova@example.org").language == "ru"
