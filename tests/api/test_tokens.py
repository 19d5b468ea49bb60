"""Personal API tokens end to end: created on the account's token page (shown once, only a hash
stored), used as ``Authorization: Bearer``, revoked from the same page, and refused from then on.
The page is a browser form like any other: signed-in people only, CSRF checked."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from incubator.models import ApiToken
from incubator.services.tokens import api_token_create, api_token_revoke
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = "/account/tokens/"
NEW_KEY = re.compile(r'id="new-token"[^>]*value="([^"]+)"')
FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')
MOMENT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _browser(user) -> Client:
    """A signed-in browser that sends CSRF tokens as a real one does (and is checked for them)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(PAGE)
    return client


def _form_id(client: Client) -> str:
    """The one-time id of the token form, as the page hands it out."""
    return FORM_ID.search(client.get(PAGE).content.decode()).group(1)


def _post(client: Client, path: str, data: dict | None = None):
    data = dict(data or {})
    if path == PAGE:
        data.setdefault("form_id", _form_id(client))
    return client.post(path, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def _create(client: Client, name: str = "reporting script") -> str:
    response = _post(client, PAGE, {"name": name})
    assert response.status_code == 200
    return NEW_KEY.search(response.content.decode()).group(1)


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _revoke_path(token: ApiToken) -> str:
    return reverse("api-token-revoke", args=[token.pk])


@pytest.fixture
def founder_browser(founder) -> Client:
    return _browser(founder)


def test_creating_a_token_shows_its_secret(founder_browser):
    key = _create(founder_browser)

    assert key.startswith("cpl_")
    assert len(key) > 40


def test_creating_a_token_stores_only_its_hash(founder, founder_browser):
    key = _create(founder_browser)

    token = ApiToken.objects.get(user=founder)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert [value for value in stored if key in value] == []


def test_the_page_that_shows_the_secret_is_not_cached(founder_browser):
    response = _post(founder_browser, PAGE, {"name": "laptop"})

    assert "no-store" in response["Cache-Control"]


def test_the_secret_is_not_shown_again_on_the_token_page(founder_browser):
    key = _create(founder_browser)

    body = founder_browser.get(PAGE).content.decode()

    assert key not in body
    assert key[:12] in body


def test_the_secret_is_not_kept_in_the_session(founder_browser):
    key = _create(founder_browser)

    session_key = founder_browser.cookies["sessionid"].value
    assert key not in str(Session.objects.get(session_key=session_key).get_decoded())


def test_the_secret_is_not_kept_in_a_cookie(founder_browser):
    key = _create(founder_browser)

    assert [name for name, morsel in founder_browser.cookies.items() if key in morsel.value] == []


def test_the_token_page_lists_the_token_by_name(founder_browser):
    _create(founder_browser, name="Monthly KPI upload")

    assert "Monthly KPI upload" in founder_browser.get(PAGE).content.decode()


def test_the_token_page_lists_only_the_persons_own_tokens(founder_browser):
    api_token_create(user=factories.FounderFactory(), name="Somebody else's script")

    assert "Somebody else's script" not in founder_browser.get(PAGE).content.decode()


def test_sending_the_same_form_again_creates_no_second_token(founder, founder_browser):
    # What a browser does when the page that shows the new secret is refreshed.
    form = {"name": "laptop", "form_id": _form_id(founder_browser)}
    _post(founder_browser, PAGE, form)

    again = _post(founder_browser, PAGE, form)

    assert list(ApiToken.objects.filter(user=founder).values_list("name", flat=True)) == ["laptop"]
    assert again.status_code == 302
    assert again["Location"] == PAGE
    page = founder_browser.get(PAGE).content.decode()
    assert "That form has already created its token" in page
    assert NEW_KEY.search(page) is None


def test_each_showing_of_the_form_creates_one_token(founder, founder_browser):
    _post(founder_browser, PAGE, {"name": "laptop"})
    _post(founder_browser, PAGE, {"name": "desktop"})

    assert ApiToken.objects.filter(user=founder).count() == 2


def test_a_second_live_token_of_the_same_name_is_refused(founder, founder_browser):
    _create(founder_browser, "laptop")

    response = _post(founder_browser, PAGE, {"name": " Laptop "})

    assert response.status_code == 400
    assert "You already have a token called “Laptop”" in response.content.decode()
    assert ApiToken.objects.filter(user=founder).count() == 1
    # Once that one is revoked, the name is free again.
    api_token_revoke(token=ApiToken.objects.get(), actor=founder)
    _create(founder_browser, "laptop")
    assert ApiToken.objects.filter(user=founder, revoked_at__isnull=True).count() == 1


def test_the_page_with_a_new_secret_hands_out_a_new_form(founder_browser):
    form_id = _form_id(founder_browser)

    response = _post(founder_browser, PAGE, {"name": "laptop", "form_id": form_id})

    assert FORM_ID.search(response.content.decode()).group(1) != form_id


def test_a_form_without_its_id_keeps_the_name_and_asks_again(founder, founder_browser):
    response = founder_browser.post(
        PAGE, {"name": "laptop", "csrfmiddlewaretoken": founder_browser.cookies["csrftoken"].value}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The form was out of date" in page
    assert 'value="laptop"' in page
    assert not ApiToken.objects.filter(user=founder).exists()
    # The page answering it carries a fresh id: sending it again works.
    assert (
        _post(founder_browser, PAGE, {"name": "laptop", "form_id": FORM_ID.search(page).group(1)}).status_code
        == 200
    )


def test_a_token_needs_a_name(founder, founder_browser):
    response = _post(founder_browser, PAGE, {"name": "  "})

    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=founder).exists()


def test_a_new_token_authenticates_as_its_owner(founder, founder_browser):
    key = _create(founder_browser)

    response = _api(key).get("/api/v1/me/")

    assert response.status_code == 200
    assert response.json()["email"] == founder.email


def test_the_token_keyword_is_accepted_too(founder, founder_browser):
    key = _create(founder_browser)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/v1/me/")

    assert response.json()["email"] == founder.email


def test_a_token_writes_without_a_csrf_token(founder, founder_browser):
    key = _create(founder_browser)

    response = _api(key).post(
        "/api/v1/startups/",
        {"name": "Delta Therapeutics", "therapeutic_area": factories.TherapeuticAreaFactory().pk},
        format="json",
    )

    assert response.status_code == 201


def test_a_browser_session_cannot_write_to_the_api_without_a_csrf_token(founder_browser):
    response = founder_browser.post(
        "/api/v1/startups/",
        {"name": "Delta Therapeutics", "therapeutic_area": factories.TherapeuticAreaFactory().pk},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_browser_session_writes_to_the_api_with_a_csrf_token(founder_browser):
    response = founder_browser.post(
        "/api/v1/startups/",
        {"name": "Delta Therapeutics", "therapeutic_area": factories.TherapeuticAreaFactory().pk},
        content_type="application/json",
        headers={"X-CSRFToken": founder_browser.cookies["csrftoken"].value},
    )

    assert response.status_code == 201


def test_a_token_never_used_shows_never(founder_browser):
    _create(founder_browser)

    assert '<td class="text-nowrap">never</td>' in founder_browser.get(PAGE).content.decode()


def test_using_a_token_records_when(founder, founder_browser):
    key = _create(founder_browser)

    with time_machine.travel(MOMENT, tick=False):
        _api(key).get("/api/v1/me/")

    assert ApiToken.objects.get(user=founder).last_used_at == MOMENT


def test_using_a_token_again_within_a_minute_keeps_the_first_time(founder, founder_browser):
    key = _create(founder_browser)
    with time_machine.travel(MOMENT, tick=False):
        _api(key).get("/api/v1/me/")

    with time_machine.travel(MOMENT + timedelta(seconds=50), tick=False):
        _api(key).get("/api/v1/me/")

    assert ApiToken.objects.get(user=founder).last_used_at == MOMENT


def test_using_a_token_a_minute_later_records_the_new_time(founder, founder_browser):
    key = _create(founder_browser)
    with time_machine.travel(MOMENT, tick=False):
        _api(key).get("/api/v1/me/")

    with time_machine.travel(MOMENT + timedelta(minutes=2), tick=False):
        _api(key).get("/api/v1/me/")

    assert ApiToken.objects.get(user=founder).last_used_at == MOMENT + timedelta(minutes=2)


def test_revoking_from_the_page_returns_to_it(founder, founder_browser):
    _create(founder_browser)
    token = ApiToken.objects.get(user=founder)

    response = _post(founder_browser, _revoke_path(token))

    assert response.status_code == 302
    assert response["Location"] == PAGE


def test_revoking_from_the_page_marks_the_token_revoked(founder, founder_browser):
    _create(founder_browser)
    token = ApiToken.objects.get(user=founder)

    _post(founder_browser, _revoke_path(token))

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_revoked_token_is_refused_with_401_in_the_error_shape(founder, founder_browser):
    key = _create(founder_browser)
    _post(founder_browser, _revoke_path(ApiToken.objects.get(user=founder)))

    response = _api(key).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "status": 401,
            "code": "authentication_failed",
            "message": "The token is not valid, or it was revoked.",
            "details": {},
        }
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_not_treated_as_anonymous(founder, founder_browser):
    # Calls are public: a dead token must still be refused, not quietly ignored.
    key = _create(founder_browser)
    _post(founder_browser, _revoke_path(ApiToken.objects.get(user=founder)))

    assert _api(key).get("/api/v1/calls/").status_code == 401


def test_revoking_one_token_leaves_the_others_working(founder, founder_browser):
    first = _create(founder_browser, name="laptop")
    second = _create(founder_browser, name="server")
    _post(founder_browser, _revoke_path(ApiToken.objects.get(user=founder, name="laptop")))

    assert _api(first).get("/api/v1/me/").status_code == 401
    assert _api(second).get("/api/v1/me/").status_code == 200


def test_a_revoked_token_is_shown_as_revoked_without_a_revoke_button(founder, founder_browser):
    _create(founder_browser)
    token = ApiToken.objects.get(user=founder)
    _post(founder_browser, _revoke_path(token))

    body = founder_browser.get(PAGE).content.decode()

    assert re.search(r"revoked \d", body)
    assert _revoke_path(token) not in body


def test_another_persons_token_cannot_be_revoked(founder_browser):
    other, _key = api_token_create(user=factories.FounderFactory(), name="theirs")

    response = _post(founder_browser, _revoke_path(other))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_token_of_a_deactivated_person_is_refused(founder, founder_browser):
    key = _create(founder_browser)
    founder.is_active = False
    founder.save(update_fields=["is_active"])

    assert _api(key).get("/api/v1/me/").status_code == 401


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={PAGE}"


def test_anonymous_visitors_cannot_create_tokens(client):
    response = client.post(PAGE, {"name": "sneaky"})

    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_anonymous_visitors_cannot_revoke_tokens(client):
    token, _key = api_token_create(user=factories.FounderFactory(), name="theirs")

    response = client.post(_revoke_path(token))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None


def test_creating_a_token_needs_the_csrf_token(founder, founder_browser):
    response = founder_browser.post(PAGE, {"name": "forged"})

    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=founder).exists()


def test_revoking_a_token_needs_the_csrf_token(founder, founder_browser):
    _create(founder_browser)
    token = ApiToken.objects.get(user=founder)

    response = founder_browser.post(_revoke_path(token))

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(founder, founder_browser):
    _create(founder_browser)
    token = ApiToken.objects.get(user=founder)

    response = founder_browser.get(_revoke_path(token))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
