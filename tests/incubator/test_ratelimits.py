"""Limits on logging in and on the pages that send e-mail: refused with a clear message (429),
what was typed kept, and nothing sent or checked once a limit is reached."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from incubator.models import Invitation
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-passphrase"


def _log_in(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def test_failed_logins_are_limited_per_address_and_a_right_password_then_waits(client):
    factories.FounderFactory(email="anna@example.org", password=PASSWORD)
    for _ in range(10):
        assert _log_in(client, "anna@example.org", "guess").status_code == 200

    refused = _log_in(client, "Anna@Example.org", PASSWORD)  # the same address, however typed

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed attempts to log in. Wait 15 minutes and try again, or set a new password" in page
    assert 'value="Anna@Example.org"' in page  # what was typed is kept
    assert "_auth_user_id" not in client.session
    # Another address from elsewhere is not held up.
    factories.FounderFactory(email="boris@example.org", password=PASSWORD)
    assert _log_in(client, "boris@example.org", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def _reset_password(client, email, new_password):
    client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR="10.0.0.7")
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR="10.0.0.7",
    )


def test_a_password_reset_lets_the_locked_out_owner_in_with_the_new_password(client):
    user = factories.FounderFactory(email="anna@example.org", password=PASSWORD)
    for _ in range(10):
        _log_in(client, "anna@example.org", "guess")
    assert _log_in(client, "anna@example.org", PASSWORD).status_code == 429

    _reset_password(Client(), "anna@example.org", "a-new-long-passphrase")
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")

    # From another client (this one has its own limit, untouched by the reset)...
    owner = Client(REMOTE_ADDR="10.0.0.8")
    assert _log_in(owner, "anna@example.org", "a-new-long-passphrase").status_code == 302
    # ...and guesses at the new password are counted from the start again.
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(10):
        assert _log_in(guesser, "anna@example.org", "guess").status_code == 200
    assert _log_in(guesser, "anna@example.org", "a-new-long-passphrase").status_code == 429


def test_a_password_changed_on_the_account_page_starts_a_new_count_too(client):
    user = factories.FounderFactory(email="anna@example.org", password=PASSWORD)
    for _ in range(10):
        _log_in(Client(REMOTE_ADDR="10.0.0.9"), "anna@example.org", "guess")
    assert _log_in(client, "anna@example.org", PASSWORD).status_code == 429

    # Still logged in elsewhere, the owner changes the password there.
    elsewhere = Client()
    elsewhere.force_login(user)
    changed = elsewhere.post(
        reverse("account-password"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert changed.status_code == 302

    assert _log_in(client, "anna@example.org", "a-new-long-passphrase").status_code == 302


def test_failed_logins_count_against_the_account_however_its_address_is_written(client):
    factories.FounderFactory(email="anna@example.org", password=PASSWORD)
    variants = ["ａnna@example.org", "ANNA@example.org", " anna@EXAMPLE.org", "anna@example.org"]
    for n in range(10):
        guesser = Client(REMOTE_ADDR=f"10.0.1.{n}")
        assert _log_in(guesser, variants[n % len(variants)], "guess").status_code == 200
    # The login form takes each of them for Anna's address...
    assert _log_in(Client(REMOTE_ADDR="10.0.2.1"), "ａnna@example.org", PASSWORD).status_code == 429
    # ...while another address is counted on its own.
    factories.FounderFactory(email="boris@example.org", password=PASSWORD)
    assert _log_in(Client(REMOTE_ADDR="10.0.2.2"), "boris@example.org", PASSWORD).status_code == 302


def test_logging_in_successfully_is_never_counted(client):
    factories.FounderFactory(email="anna@example.org", password=PASSWORD)
    for _ in range(15):
        assert _log_in(client, "anna@example.org", PASSWORD).status_code == 302
        client.post(reverse("logout"))


def test_failed_logins_from_one_client_are_limited_across_addresses(client):
    for n in range(50):
        _log_in(client, f"person{n}@example.org", "guess")
    factories.FounderFactory(email="anna@example.org", password=PASSWORD)

    assert _log_in(client, "anna@example.org", PASSWORD).status_code == 429
    assert _log_in(client, "anna@example.org", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_password_reset_mails_are_limited_per_address(client):
    factories.FounderFactory(email="anna@example.org")
    for _ in range(3):
        client.post(reverse("password_reset"), {"email": "anna@example.org"})
    refused = client.post(reverse("password_reset"), {"email": "anna@example.org"})

    assert refused.status_code == 429
    assert (
        "Too many e-mails asked for in a short time. Wait an hour and try again." in refused.content.decode()
    )
    assert len(mail.outbox) == 3


def test_sign_up_and_new_confirmation_links_are_limited_per_address(
    client, django_capture_on_commit_callbacks
):
    data = {
        "full_name": "Anna Petrova",
        "email": "anna@example.org",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup"), data)
        client.post(reverse("signup-resend"), {"email": "anna@example.org"})
        client.post(reverse("signup-resend"), {"email": "anna@example.org"})
        refused = client.post(reverse("signup-resend"), {"email": "anna@example.org"})
        again = client.post(reverse("signup"), data)

    assert (refused.status_code, again.status_code) == (429, 429)
    assert 'value="Anna Petrova"' in again.content.decode()
    assert len(mail.outbox) == 3  # the sign-up and two new links; nothing for the refused ones


def test_invitations_are_limited_per_sender(client, founder, startup):
    client.force_login(founder)
    url = reverse("startup-team", args=[startup.pk])
    for n in range(30):
        client.post(url, {"email": f"cofounder{n}@example.org"})

    refused = client.post(url, {"email": "one-more@example.org"})

    assert refused.status_code == 429
    assert "You sent many invitations in a short time." in refused.content.decode()
    assert not Invitation.objects.filter(email="one-more@example.org").exists()
    assert Invitation.objects.filter(startup=startup).count() == 30


def test_a_cache_that_cannot_be_reached_leaves_logging_in_open(client, monkeypatch):
    from incubator import ratelimits

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimits, "get_usage", down)
    factories.FounderFactory(email="anna@example.org", password=PASSWORD)

    assert _log_in(client, "anna@example.org", PASSWORD).status_code == 302


def test_the_admin_login_is_the_sites_so_its_failures_are_limited_too(client):
    factories.ManagerFactory(email="admin@example.org", password=PASSWORD, is_staff=True, is_superuser=True)

    guess = client.post(
        "/admin/login/?next=/admin/incubator/", {"username": "admin@example.org", "password": "x"}
    )
    assert guess.status_code == 302
    assert guess.url == f"{reverse('login')}?next=/admin/incubator/"
    assert "_auth_user_id" not in client.session
    # The admin sends people there too, by way of its own address.
    chain = client.get("/admin/", follow=True).redirect_chain
    assert chain[-1][0] == f"{reverse('login')}?next=/admin/"

    for _ in range(10):
        _log_in(client, "admin@example.org", "guess")
    assert _log_in(client, "admin@example.org", PASSWORD).status_code == 429
