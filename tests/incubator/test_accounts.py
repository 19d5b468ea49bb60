import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_login_page_and_login_by_email(client):
    factories.ManagerFactory(email="maria@example.org")

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "E-mail address" in page.content.decode()

    response = client.post(
        reverse("login"), {"username": "maria@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("manager-home")


def test_login_takes_the_address_however_it_is_capitalised(client):
    factories.FounderFactory(email="fyodor@example.org")

    response = client.post(
        reverse("login"), {"username": " Fyodor@Example.ORG", "password": "correct-horse-battery"}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("founder-home")


def test_an_address_typed_in_capitals_is_kept_in_lower_case():
    user = factories.FounderFactory(email="fyodor@example.org")
    user.email = "Fyodor@Example.org"
    user.full_clean()
    assert user.email == "fyodor@example.org"


def test_wrong_password_says_so_and_keeps_the_email(client):
    factories.FounderFactory(email="fyodor@example.org")
    response = client.post(reverse("login"), {"username": "fyodor@example.org", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct e-mail address and password." in body
    assert 'value="fyodor@example.org"' in body


def test_logout_needs_post_and_logs_out(client, founder):
    client.force_login(founder)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You are logged out." in response.content.decode()
    assert client.get(reverse("founder-home")).status_code == 302
    # Only once, and not for a visitor who was not logged in.
    assert "You are logged out." not in client.get(reverse("login")).content.decode()
    assert "You are logged out." not in client.post(reverse("logout"), follow=True).content.decode()


def test_password_reset_round_trip(client):
    user = factories.FounderFactory(email="anna@example.org")

    client.post(reverse("password_reset"), {"email": "anna@example.org"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.alternatives[0][1] == "text/html"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")


def test_a_password_reset_links_to_the_sites_address_and_revokes_the_api_tokens(client, settings):
    from incubator.models import ApiToken
    from incubator.services.tokens import api_token_create

    settings.SITE_URL = "https://pipeline.example.org"
    user = factories.FounderFactory(email="anna@example.org")
    api_token_create(user=user, name="laptop")
    api_token_create(user=user, name="script")
    other = factories.FounderFactory()
    api_token_create(user=other, name="theirs")

    client.post(reverse("password_reset"), {"email": "anna@example.org"}, HTTP_HOST="testserver")
    link = re.search(r"https://pipeline\.example\.org(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
        follow=True,
    )

    assert "Your 2 API tokens were revoked with the old password" in done.content.decode()
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert ApiToken.objects.filter(user=other, revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("factory", "home"),
    [
        (factories.ManagerFactory, "manager-home"),
        (factories.MentorFactory, "mentor-home"),
        (factories.FounderFactory, "founder-home"),
    ],
)
def test_each_role_lands_on_its_home(client, factory, home):
    client.force_login(factory())
    response = client.get(reverse("home"))
    assert response.url == reverse(home)
    assert client.get(response.url).status_code == 200


def test_anonymous_home_lists_open_calls_only(client):
    open_call = factories.CallFactory(title="Open call")
    closed = factories.CallFactory(title="Closed call")
    closed.closes_at = closed.opens_at
    closed.opens_at = closed.opens_at.replace(year=2020)
    closed.save()

    body = client.get(reverse("home")).content.decode()
    assert "Open call" in body
    assert "Closed call" not in body
    # A newcomer is shown the way in: sign up, and each open call's page.
    assert f'href="{reverse("signup")}"' in body
    assert f'href="{reverse("call-detail", args=[open_call.slug])}"' in body


@pytest.mark.parametrize("url_name", ["manager-home", "mentor-home", "founder-home"])
def test_role_pages_send_anonymous_users_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_manager_page_is_forbidden_to_founders(client, founder):
    client.force_login(founder)
    assert client.get(reverse("manager-home")).status_code == 403


# A person's language: chosen with the switch, kept on the account, used for e-mails and logins.


def _login(client, email: str):
    return client.post(reverse("login"), {"username": email, "password": "correct-horse-battery"})


def test_the_language_switch_is_remembered_on_the_account_and_used_for_emails(client, founder):
    from notifications.rendering import render_email

    client.force_login(founder)
    client.post(reverse("set_language"), {"language": "ru", "next": reverse("home")})

    founder.refresh_from_db()
    assert founder.language == "ru"
    email = render_email(
        kind="stage_changed",
        context={"startup": "CardioGene", "source": "incubation", "target": "acceleration", "path": "/"},
        recipient=founder,
    )
    assert "Акселерация" in email.subject


def test_an_unknown_language_changes_nothing(client, founder):
    client.force_login(founder)
    client.post(reverse("set_language"), {"language": "de", "next": reverse("home")})

    founder.refresh_from_db()
    assert founder.language == ""  # still not chosen


def test_someone_who_never_chose_a_language_keeps_the_browsers_after_logging_in(client):
    factories.FounderFactory(email="olga@example.org")

    response = client.post(
        reverse("login"),
        {"username": "olga@example.org", "password": "correct-horse-battery"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    page = client.get(reverse("founder-home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru">' in page


def test_logging_in_from_a_new_browser_brings_back_the_persons_language(client):
    factories.FounderFactory(email="olga@example.org", language="ru")

    response = _login(client, "olga@example.org")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(reverse("home"), follow=True).content.decode()
    assert '<html lang="ru">' in page


def test_a_language_chosen_before_logging_in_becomes_the_persons(client):
    person = factories.FounderFactory(email="olga@example.org", language="en")
    client.post(reverse("set_language"), {"language": "ru", "next": reverse("login")})

    response = _login(client, "olga@example.org")

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies  # the choice just made stands
    person.refresh_from_db()
    assert person.language == "ru"


def test_an_earlier_visitors_language_does_not_become_the_next_persons(client):
    factories.FounderFactory(email="anna@example.org", language="ru")
    bob = factories.FounderFactory(email="bob@example.org", language="en")
    _login(client, "anna@example.org")
    client.post(reverse("logout"))
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"  # Anna's, left in the browser

    response = _login(client, "bob@example.org")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    bob.refresh_from_db()
    assert bob.language == "en"


# The person's own account page.


def test_the_account_page_is_for_signed_in_people(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_person_changes_their_name_position_and_language(client, founder):
    organisation = factories.OrganisationFactory(name="Sechenov University")
    client.force_login(founder)

    response = client.post(
        reverse("account"),
        {
            "full_name": " Larisa Orlova ",
            "position": "CEO",
            # The organisation is the managers' to record: one posted here is ignored.
            "organisation": organisation.pk,
            "language": "ru",
        },
        follow=True,
    )

    recorded = founder.organisation
    founder.refresh_from_db()
    assert (founder.full_name, founder.position, founder.organisation, founder.language) == (
        "Larisa Orlova",
        "CEO",
        recorded,
        "ru",
    )
    assert recorded != organisation
    body = response.content.decode()
    assert '<html lang="ru">' in body  # the page follows the language at once
    assert "Ваши данные сохранены." in body


def test_an_empty_name_is_refused_and_nothing_typed_is_lost(client, founder):
    client.force_login(founder)
    name = founder.full_name

    response = client.post(
        reverse("account"), {"full_name": "  ", "position": "Chief scientist", "language": "en"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Write your name as colleagues know it." in body
    assert 'value="Chief scientist"' in body
    assert f'title="{name}"' in body  # the menu still shows the saved name
    founder.refresh_from_db()
    assert (founder.full_name, founder.position) == (name, "")


def test_a_person_changes_their_password_and_stays_logged_in(client, founder):
    client.force_login(founder)

    wrong = client.post(
        reverse("account-password"),
        {
            "old_password": "not-it",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly." in wrong.content.decode()

    response = client.post(
        reverse("account-password"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("account")
    assert "Your password is changed." in response.content.decode()
    assert client.get(reverse("home")).url == reverse("founder-home")  # still logged in
    client.logout()
    assert client.login(username=founder.email, password="a-new-long-passphrase")


def test_the_account_page_explains_the_organisation_to_each_role_in_its_terms(client, founder, mentor):
    client.force_login(mentor)
    assert "which startups you may review" in client.get(reverse("account")).content.decode()
    client.force_login(founder)
    page = client.get(reverse("account")).content.decode()
    assert "which startups you may review" not in page
    assert "The cluster's managers record it." in page


def test_a_form_address_opened_as_a_page_answers_with_the_sites_page(client, founder):
    client.force_login(founder)
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    assert "go back to the page with the form" in response.content.decode()


def test_the_login_page_asks_for_an_e_mail_address_in_valid_html(client):
    page = client.get(reverse("login")).content.decode()
    [field] = re.findall(r"<input[^>]*name=\"username\"[^>]*>", page)

    assert re.findall(r"\btype=\"([^\"]*)\"", field) == ["email"]
    assert 'autocomplete="email"' in field
