"""Every error of the API in one JSON shape::

    {"error": {"status": 409, "code": "guard_failed", "message": "...", "details": {...}}}

for invalid input (400), missing or dead credentials (401), refused operations (403), unknown or
hidden objects and unknown addresses (404), wrong methods (405), refused state changes (409),
unacceptable media types (406, 415) and throttling (429)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import World

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


def error_of(response, status: int) -> dict[str, Any]:
    """The error of a response in the API's error shape (and nothing else), with its status."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    error = body["error"]
    assert sorted(error) == ["code", "details", "message", "status"]
    assert error["status"] == status
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"].strip()
    assert isinstance(error["details"], dict)
    return error


def _throttle_rates(settings, **rates: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000/minute", "token": "1000/minute", **rates},
    }


# 400


def test_invalid_fields_answer_400_with_each_fields_errors(world: World):
    response = world.client("founder_a").post(f"{V1}/startups/", {"trl": "high"}, format="json")

    error = error_of(response, 400)
    assert error["code"] == "invalid"
    assert sorted(error["details"]["fields"]) == ["name", "therapeutic_area", "trl"]
    assert error["details"]["fields"]["name"] == ["This field is required."]


def test_a_rule_across_fields_answers_400_under_the_field_it_concerns(world: World):
    body = {
        "name": "Delta Devices",
        "therapeutic_area": world.startup_a.therapeutic_area_id,
        "product_type": "device",
        "development_phase": "phase_2",
    }

    response = world.client("founder_a").post(f"{V1}/startups/", body, format="json")

    assert list(error_of(response, 400)["details"]["fields"]) == ["development_phase"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("-5000", "An amount cannot be negative."),
        ("1e6", 'Write the amount as a string of digits, with a point before the kopecks: "1500.50".'),
        ("12.345", "At most two digits after the decimal point."),
        ("1234567890123", "At most 12 digits before the decimal point."),
    ],
)
def test_an_applications_funding_needed_is_a_plain_amount_in_roubles(world: World, given, message):
    url = f"{V1}/applications/{world.application_b.pk}/"
    client = world.client("founder_b")

    refused = client.patch(url, {"funding_needed": given}, format="json")
    taken = client.patch(url, {"funding_needed": "5000000.50"}, format="json")
    cleared = client.patch(url, {"funding_needed": None}, format="json")

    assert error_of(refused, 400)["details"]["fields"] == {"funding_needed": [message]}
    assert taken.json()["funding_needed"] == "5000000.50"
    assert cleared.json()["funding_needed"] is None


def test_a_line_break_counts_once_in_the_apis_text_as_in_the_pages_box(world: World):
    """4,000 characters as the page's box counts them, with browser line breaks (CR LF)."""
    url = f"{V1}/applications/{world.application_b.pk}/"
    fits = "\r\n".join(["x" * 1999, "y" * 2000])

    taken = world.client("founder_b").patch(url, {"problem": fits}, format="json")
    refused = world.client("founder_b").patch(url, {"problem": fits + "z"}, format="json")

    assert taken.status_code == 200, taken.content
    assert taken.json()["problem"] == fits.replace("\r\n", "\n")
    assert list(error_of(refused, 400)["details"]["fields"]) == ["problem"]


def test_a_body_that_is_not_an_object_answers_400_as_a_non_field_error(world: World):
    response = world.client("founder_a").post(f"{V1}/startups/", [], format="json")

    assert list(error_of(response, 400)["details"]["fields"]) == ["non_field_errors"]


def test_malformed_json_answers_400(world: World):
    response = world.client("founder_a").post(f"{V1}/startups/", "{not json", content_type="application/json")

    assert error_of(response, 400)["code"] == "parse_error"


@pytest.mark.parametrize("depth", [33, 5000])
def test_json_nested_too_deeply_answers_400_not_a_server_error(world: World, depth: int):
    body = "[" * depth + "]" * depth

    for method, path in [
        ("post", f"{V1}/startups/"),
        ("patch", f"{V1}/startups/{world.startup_a.pk}/"),
    ]:
        response = getattr(world.client("founder_a"), method)(path, body, content_type="application/json")
        error = error_of(response, 400)
        assert error["code"] == "parse_error"
        assert error["message"] == "The JSON nests more than 32 levels deep."


def test_json_nested_within_the_bound_is_read(world: World):
    body = {"name": "Delta", "therapeutic_area": [[[[1]]]]}

    response = world.client("founder_a").post(f"{V1}/startups/", body, format="json")

    assert list(error_of(response, 400)["details"]["fields"]) == ["therapeutic_area"]


def test_an_invalid_filter_answers_400_with_the_filters_error(world: World):
    response = world.client("founder_a").get(f"{V1}/startups/", {"trl_min": "three"})

    assert list(error_of(response, 400)["details"]["fields"]) == ["trl_min"]


def test_a_number_no_column_can_hold_matches_nothing_on_every_list(world: World):
    """Every integer filter of every list, with a number beyond 64 bits either way: an empty
    list for an id, as for any id that matches nothing, and the bound's meaning for a range
    (SQLite refuses to compare with such a number)."""
    client = world.client("manager")
    schema = client.get(f"{V1}/schema/?format=json").json()
    checked = 0
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if "{" in path or operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or parameter["schema"].get("type") != "integer":
                continue
            if parameter["name"] in ("page", "page_size"):
                continue
            everything = client.get(path).json()["count"]
            for value in (10**20, -(10**20)):
                response = client.get(path, {parameter["name"]: str(value)})
                assert response.status_code == 200, (path, parameter["name"], response.content[:300])
                # Nothing equals such a number; an upper bound above every value keeps everything,
                # a lower bound below every value too.
                keeps_all = parameter["name"].endswith("_max") == (value > 0)
                is_bound = parameter["name"].endswith(("_min", "_max"))
                expected = everything if is_bound and keeps_all else 0
                assert response.json()["count"] == expected, (path, parameter["name"], value)
            checked += 1
    assert checked > 20


def test_a_review_due_in_the_past_answers_400_under_its_field(world: World):
    body = {"application": world.application_a.pk, "reviewer": world.users["unassigned_reviewer"].pk}
    response = world.client("manager").post(
        f"{V1}/review-assignments/", {**body, "due_at": "2020-11-01T18:00:00Z"}
    )

    assert error_of(response, 400)["details"]["fields"]["due_at"] == [
        "The review must be due later than now."
    ]


def test_an_unknown_ordering_answers_400_naming_the_fields(world: World):
    client = world.client("manager")
    response = client.get(f"{V1}/startups/", {"ordering": "-name,secret_field"})

    message = error_of(response, 400)["details"]["fields"]["ordering"][0]
    assert message.startswith("Order by one of: created_at, id, name, trl")
    assert client.get(f"{V1}/startups/", {"ordering": "-trl,name"}).status_code == 200
    assert client.get(f"{V1}/applications/", {"ordering": "nope"}).status_code == 400
    assert client.get(f"{V1}/startups/", {"ordering": ""}).status_code == 200  # the default order


def test_an_invalid_page_size_answers_400(world: World):
    response = world.client("founder_a").get(f"{V1}/startups/", {"page_size": "0"})

    assert list(error_of(response, 400)["details"]["fields"]) == ["page_size"]


def test_a_page_beyond_the_last_answers_404(world: World):
    response = world.client("founder_a").get(f"{V1}/startups/", {"page": "999"})

    assert error_of(response, 404)["code"] == "not_found"


def test_a_body_beyond_the_size_limit_answers_400_in_the_error_shape(world: World, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = world.client("founder_a").post(
        f"{V1}/startups/", json.dumps({"name": "x" * 2000}), content_type="application/json"
    )

    assert error_of(response, 400)["code"] == "request_too_large"


def test_a_form_with_too_many_fields_answers_400_in_the_error_shape(world: World, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    fields = {f"field{number}": "x" for number in range(10)}

    response = world.client("founder_b").put(
        f"{V1}/applications/{world.application_b.pk}/pitch-deck/", fields, format="multipart"
    )

    assert error_of(response, 400)["code"] == "request_too_large"


def test_an_unsupported_charset_answers_400(world: World):
    response = world.client("founder_a").post(
        f"{V1}/startups/", b"{}", content_type="application/json; charset=bz2_codec"
    )

    assert error_of(response, 400)["code"] == "parse_error"


# 401


def test_no_credentials_answer_401_with_a_challenge(world: World):
    response = world.client("anonymous").get(f"{V1}/me/")

    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_unknown_token_answers_401(world: World):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer cpl_this-token-was-never-issued")

    response = client.get(f"{V1}/me/")

    assert error_of(response, 401)["code"] == "authentication_failed"


def test_a_token_with_spaces_answers_401_saying_how_to_send_it(world: World):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens['founder_a']} extra")

    response = client.get(f"{V1}/me/")

    assert "Authorization: Bearer <token>" in error_of(response, 401)["message"]


def test_a_token_that_is_not_ascii_answers_401(world: World):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer cpl_caf\u00e9")

    response = client.get(f"{V1}/me/")

    assert error_of(response, 401)["code"] == "authentication_failed"


# 403


def test_an_operation_of_another_role_answers_403_saying_who_may(world: World):
    response = world.client("founder_a").get(f"{V1}/reviews/")

    error = error_of(response, 403)
    assert error["code"] == "permission_denied"
    assert error["message"] == "Only reviewers and cluster managers may see reviews."


def test_a_change_by_someone_outside_the_team_answers_403(world: World):
    response = world.client("assigned_reviewer").patch(
        f"{V1}/applications/{world.application_a.pk}/", {"problem": "Rewritten."}, format="json"
    )

    assert error_of(response, 403)["message"] == "Only the startup's team changes its application."


# 404


def test_someone_elses_object_answers_404(world: World):
    response = world.client("founder_b").get(f"{V1}/applications/{world.application_a.pk}/")

    assert error_of(response, 404)["code"] == "not_found"


def test_someone_elses_object_answers_exactly_as_a_missing_one(world: World):
    client = world.client("founder_b")

    hidden = client.get(f"{V1}/applications/{world.application_a.pk}/")
    missing = client.get(f"{V1}/applications/987654/")

    assert hidden.json() == missing.json()


def test_an_unknown_id_in_a_body_answers_404(world: World):
    response = world.client("manager").post(
        f"{V1}/review-assignments/",
        {"application": 987654, "reviewer": world.users["unassigned_reviewer"].pk},
        format="json",
    )

    error = error_of(response, 404)
    assert error["code"] == "related_not_found"
    assert error["message"] == "application 987654: no such object."


def test_an_unknown_id_in_a_list_in_a_body_names_the_list(world: World):
    response = world.client("founder_a").patch(
        f"{V1}/startups/{world.startup_a.pk}/", {"affiliations": [987654]}, format="json"
    )

    assert error_of(response, 404)["message"] == "affiliations 987654: no such object."


def test_a_missing_file_answers_404_in_json_even_to_a_pdf_client(world: World):
    world.application_b.pitch_deck = ""
    world.application_b.save(update_fields=["pitch_deck"])

    response = world.client("founder_b").get(
        f"{V1}/applications/{world.application_b.pk}/pitch-deck/", HTTP_ACCEPT="application/pdf"
    )

    assert error_of(response, 404)["message"] == "This application has no pitch deck yet."


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_address_under_the_api_answers_404(world: World, method: str):
    response = getattr(world.client("founder_a"), method)(f"{V1}/no-such-thing/")

    assert error_of(response, 404)["code"] == "not_found"


@pytest.mark.parametrize("path", ["startups/first/", "startups/1%0A/", "no-such%0Athing/", "startups/1%0D/"])
def test_an_address_with_a_malformed_id_answers_404(world: World, path: str):
    response = world.client("founder_a").get(f"{V1}/{path}")

    assert error_of(response, 404)["code"] == "not_found"


def test_an_unknown_address_answers_404_to_anonymous_posts_without_csrf(world: World):
    response = world.client("anonymous").post(f"{V1}/no-such-thing/", {"a": 1}, format="json")

    assert error_of(response, 404)["code"] == "not_found"


def test_an_unknown_address_under_the_api_is_not_the_sites_html_page(world: World):
    response = world.client("founder_a").get(f"{V1}/no-such-thing/", HTTP_ACCEPT="text/html")

    error_of(response, 404)


# 405


def test_an_unsupported_method_answers_405_with_the_allowed_ones(world: World):
    response = world.client("founder_a").delete(f"{V1}/me/")

    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


# 406 and 415


def test_an_unacceptable_response_type_answers_406_in_json(world: World):
    response = world.client("founder_a").get(f"{V1}/me/", HTTP_ACCEPT="text/csv")

    assert error_of(response, 406)["code"] == "not_acceptable"


def test_an_unsupported_body_type_answers_415(world: World):
    response = world.client("founder_a").post(f"{V1}/startups/", "name=Delta", content_type="text/plain")

    assert error_of(response, 415)["code"] == "unsupported_media_type"


# 409


def test_a_transition_the_state_does_not_allow_answers_409_in_words(world: World):
    # Application A is in review already.
    path = f"{V1}/applications/{world.application_a.pk}/transitions/start_review/"

    response = world.client("manager").post(path, {}, format="json")

    error = error_of(response, 409)
    assert error["code"] == "transition_not_available"
    assert error["details"]["messages"] == [error["message"]]


def test_a_stale_edit_answers_409(world: World):
    path = f"{V1}/applications/{world.application_b.pk}/"

    response = world.client("founder_b").patch(
        path, {"problem": "New words.", "expected_version": "an-old-version"}, format="json"
    )

    error = error_of(response, 409)
    assert error["code"] == "stale"
    assert "expected_version" in error["message"]
    assert "page" not in error["message"]
    world.application_b.refresh_from_db()
    assert world.application_b.problem != "New words."


def test_an_edit_that_changes_nothing_keeps_the_version(world: World):
    path = f"{V1}/applications/{world.application_b.pk}/"
    client = world.client("founder_b")
    seen = client.get(path).json()["version"]

    unchanged = client.patch(path, {}, format="json")
    same = client.patch(path, {"problem": world.application_b.problem}, format="json")

    assert unchanged.json()["version"] == seen
    assert same.json()["version"] == seen
    # A co-founder's form opened before is still current.
    saved = client.patch(path, {"problem": "New words.", "expected_version": seen}, format="json")
    assert saved.status_code == 200
    assert saved.json()["version"] != seen


def test_a_refused_assignment_answers_409_with_the_reason(world: World):
    response = world.client("manager").post(
        f"{V1}/review-assignments/",
        {"application": world.application_a.pk, "reviewer": world.users["conflicted_reviewer"].pk},
        format="json",
    )

    assert error_of(response, 409)["code"] == "assignment_refused"


# 429


def test_anonymous_clients_are_throttled_with_429(world: World, settings):
    _throttle_rates(settings, anon="2/minute")
    client = world.client("anonymous")
    client.get(f"{V1}/calls/")
    client.get(f"{V1}/calls/")

    response = client.get(f"{V1}/calls/")

    assert error_of(response, 429)["code"] == "throttled"


def test_throttling_says_when_to_retry(world: World, settings):
    _throttle_rates(settings, anon="1/minute")
    client = world.client("anonymous")
    client.get(f"{V1}/calls/")

    response = client.get(f"{V1}/calls/")

    retry_after = error_of(response, 429)["details"]["retry_after"]
    assert 0 < retry_after <= 60
    assert response["Retry-After"] == str(retry_after)


def test_anonymous_clients_are_counted_by_address(world: World, settings):
    _throttle_rates(settings, anon="1/minute")
    APIClient(REMOTE_ADDR="192.0.2.1").get(f"{V1}/calls/")

    response = APIClient(REMOTE_ADDR="192.0.2.2").get(f"{V1}/calls/")

    assert response.status_code == 200


def test_anonymous_clients_cannot_escape_the_limit_with_a_forwarded_for_header(world: World, settings):
    # Without a proxy in front, X-Forwarded-For is whatever the client writes.
    _throttle_rates(settings, anon="1/minute")
    APIClient(REMOTE_ADDR="192.0.2.1").get(f"{V1}/calls/", HTTP_X_FORWARDED_FOR="198.51.100.1")

    response = APIClient(REMOTE_ADDR="192.0.2.1").get(f"{V1}/calls/", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert error_of(response, 429)["code"] == "throttled"


def test_behind_proxies_anonymous_clients_are_counted_by_the_address_they_forward(world: World, settings):
    _throttle_rates(settings, anon="1/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")
    proxy.get(f"{V1}/calls/", HTTP_X_FORWARDED_FOR="198.51.100.1")

    other_client = proxy.get(f"{V1}/calls/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    same_client = proxy.get(f"{V1}/calls/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1")

    assert (other_client.status_code, same_client.status_code) == (200, 429)


def test_token_clients_are_throttled_with_429(world: World, settings):
    _throttle_rates(settings, token="2/minute")
    client = world.client("founder_a")
    client.get(f"{V1}/me/")
    client.get(f"{V1}/me/")

    response = client.get(f"{V1}/me/")

    assert error_of(response, 429)["code"] == "throttled"


def test_token_clients_are_counted_by_token(world: World, settings):
    _throttle_rates(settings, token="1/minute")
    world.client("founder_a").get(f"{V1}/me/")

    response = world.client("founder_b").get(f"{V1}/me/")

    assert response.status_code == 200


def test_token_clients_do_not_use_the_anonymous_allowance(world: World, settings):
    _throttle_rates(settings, anon="1/minute")
    client = world.client("founder_a")
    client.get(f"{V1}/me/")

    response = client.get(f"{V1}/me/")

    assert response.status_code == 200


def test_browser_sessions_are_not_throttled(world: World, settings):
    _throttle_rates(settings, anon="1/minute", token="1/minute")
    client = APIClient()
    client.force_login(world.users["founder_a"])
    client.get(f"{V1}/me/")

    response = client.get(f"{V1}/me/")

    assert response.status_code == 200


def test_an_unexpected_failure_answers_500_in_the_error_shape(monkeypatch, client, founder):
    from incubator.api import me

    def boom(self, request):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(me.MeView, "get", boom)
    client.raise_request_exception = False
    client.force_login(founder)

    response = client.get("/api/v1/me/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "unexpected" not in response.content.decode()


def test_a_list_without_filters_skips_the_filter_form_but_a_bad_filter_is_still_refused(founder):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(founder)

    assert client.get("/api/v1/startups/", {"page_size": 5}).status_code == 200
    refused = client.get("/api/v1/startups/", {"page_size": 5, "trl_min": "high"})
    assert refused.status_code == 400
    assert "trl_min" in refused.json()["error"]["details"]["fields"]


def test_a_field_the_request_does_not_take_is_refused_by_name_and_nothing_is_saved(world: World):
    """A read-only or misspelt field is not dropped in silence: the client learns it was not
    taken, and nothing of the request is saved."""
    startup = world.client("founder_a").patch(
        f"{V1}/startups/{world.startup_a.pk}/", {"summary": "New words.", "trl": 9}, format="json"
    )
    application = world.client("founder_b").patch(
        f"{V1}/applications/{world.application_b.pk}/",
        {"problem": "Changed.", "status": "accepted", "probem": "typo"},
        format="json",
    )
    transition = world.client("manager").post(
        f"{V1}/applications/{world.application_a.pk}/transitions/reject/",
        {"reason": "Weak data.", "notify": True},
        format="json",
    )

    assert error_of(startup, 400)["details"]["fields"] == {
        "trl": ["This request takes no such field; nothing was saved."]
    }
    assert sorted(error_of(application, 400)["details"]["fields"]) == ["probem", "status"]
    assert list(error_of(transition, 400)["details"]["fields"]) == ["notify"]
    world.startup_a.refresh_from_db()
    world.application_b.refresh_from_db()
    world.application_a.refresh_from_db()
    assert world.startup_a.summary != "New words."
    assert world.application_b.problem != "Changed."
    assert world.application_b.status == "draft"
    assert world.application_a.status == "in_review"


def test_a_body_sent_to_an_action_that_takes_none_is_refused_and_nothing_is_done(world: World):
    """Releasing a call's decisions takes no body: {"application": 5} does not narrow it to one
    application, it is refused before anything is released or marked."""
    manager = world.client("manager")
    release = manager.post(
        f"{V1}/calls/{world.call.pk}/release-decisions/",
        {"application": world.application_a.pk},
        format="json",
    )
    read_all = world.client("founder_a").post(
        f"{V1}/notifications/read-all/", {"kind": "stage_changed"}, format="json"
    )
    plain = manager.post(f"{V1}/calls/{world.call.pk}/release-decisions/", format="json")

    assert error_of(release, 400)["details"]["fields"] == {
        "application": ["This operation takes no body; nothing was done."]
    }
    assert list(error_of(read_all, 400)["details"]["fields"]) == ["kind"]
    world.notification_a.refresh_from_db()
    assert world.notification_a.read_at is None
    assert plain.status_code == 200
