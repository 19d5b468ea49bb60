"""The notification centre, the unread badge, preferences, one-click unsubscribe and the managers'
list of undelivered e-mail: access, behaviour, and a fixed number of queries at two sizes."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationPreference
from notifications.tokens import unsubscribe_token_make
from tests import factories

pytestmark = pytest.mark.django_db

CENTRE = reverse("notifications:centre")


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in [
        CENTRE,
        reverse("notifications:preferences"),
        reverse("notifications:unread-badge"),
        reverse("notifications:outbox-problems"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    response = client.post(reverse("notifications:mark-all-read"))
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("size", [1, 4])
def test_centre_lists_only_my_notifications_with_a_fixed_query_count(
    client, founder, size, django_assert_num_queries
):
    mine = factories.NotificationFactory.create_batch(size, recipient=founder)
    others = factories.NotificationFactory(context={"startup": "Someone Else", "target_label": "X"})
    client.force_login(founder)

    # session, user, count for the page, the page, unread count for the heading
    with django_assert_num_queries(5):
        response = client.get(CENTRE)

    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert listed == sorted(mine, key=lambda n: (n.created_at, n.pk), reverse=True)
    assert others not in listed
    assert "Startup: stage changed to Acceleration" in response.content.decode()


def test_mark_one_read(client, founder):
    notification = factories.NotificationFactory(recipient=founder)
    client.force_login(founder)

    response = client.post(reverse("notifications:mark-read", args=[notification.pk]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_one_read_with_htmx_returns_the_row(client, founder):
    notification = factories.NotificationFactory(recipient=founder)
    client.force_login(founder)

    response = client.post(reverse("notifications:mark-read", args=[notification.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-read"
    body = response.content.decode()
    assert f'id="notification-{notification.pk}"' in body
    assert "Mark as read" not in body


def test_mark_read_with_htmx_updates_the_centres_unread_count(client, founder):
    first, second = factories.NotificationFactory.create_batch(2, recipient=founder)
    client.force_login(founder)
    assert "2 unread" in client.get(CENTRE).content.decode()

    body = client.post(
        reverse("notifications:mark-read", args=[first.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    oob = body[body.index('<span id="centre-unread"') :]
    assert 'hx-swap-oob="true"' in oob
    assert "1 unread" in oob

    body = client.post(
        reverse("notifications:mark-read", args=[second.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert '<span id="centre-unread" hx-swap-oob="true"></span>' in body


def test_another_persons_notification_is_not_found(client, founder):
    other = factories.NotificationFactory()
    client.force_login(founder)

    response = client.post(reverse("notifications:mark-read", args=[other.pk]))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_following_a_notifications_link_marks_it_read(client, founder):
    unread = factories.NotificationFactory(recipient=founder, url="/startups/7/")
    read = factories.NotificationFactory(recipient=founder, url="/founder/", read_at=timezone.now())
    elsewhere = factories.NotificationFactory(recipient=founder, url="https://evil.example/")
    client.force_login(founder)
    page = client.get(reverse("notifications:centre")).content.decode()
    assert f'href="{reverse("notifications:open", args=[unread.pk])}"' in page
    assert 'href="/founder/"' in page  # already read: straight to the page

    response = client.get(reverse("notifications:open", args=[unread.pk]))

    assert response.url == "/startups/7/"
    assert Notification.objects.get(pk=unread.pk).read_at is not None
    assert client.get(reverse("notifications:open", args=[read.pk])).url == "/founder/"
    # Only links to this site are followed.
    assert client.get(reverse("notifications:open", args=[elsewhere.pk])).url == reverse(
        "notifications:centre"
    )
    client.force_login(factories.FounderFactory())
    assert client.get(reverse("notifications:open", args=[unread.pk])).status_code == 404


def test_mark_read_needs_post(client, founder):
    notification = factories.NotificationFactory(recipient=founder)
    client.force_login(founder)

    assert client.get(reverse("notifications:mark-read", args=[notification.pk])).status_code == 405


def test_mark_all_read_touches_only_mine(client, founder):
    factories.NotificationFactory.create_batch(3, recipient=founder)
    other = factories.NotificationFactory()
    client.force_login(founder)

    client.post(reverse("notifications:mark-all-read"))

    assert not Notification.objects.filter(recipient=founder, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


@pytest.mark.parametrize("size", [0, 3])
def test_unread_badge_costs_one_query(client, founder, size, django_assert_num_queries):
    factories.NotificationFactory.create_batch(size, recipient=founder)
    factories.NotificationFactory(recipient=founder, read_at=timezone.now())
    client.force_login(founder)

    with django_assert_num_queries(3):  # session, user, count
        response = client.get(reverse("notifications:unread-badge"))

    assert (f">{size}<" in response.content.decode()) == bool(size)


def test_pages_load_the_badge_without_a_query_of_their_own(client, founder):
    client.force_login(founder)

    body = client.get(CENTRE).content.decode()

    assert f'hx-get="{reverse("notifications:unread-badge")}"' in body


def test_preferences_show_the_kinds_of_my_roles_and_mandatory_ones_as_locked(client, founder):
    client.force_login(founder)

    body = client.get(reverse("notifications:preferences")).content.decode()

    assert "Your startup changed stage" in body
    assert "Decision on your application" in body
    assert "cannot be turned off" in body
    assert "New review assignment" not in body  # not a reviewer
    assert 'name="decision_released"' in body
    assert "disabled" in body


def test_a_mentor_can_turn_off_the_mentors_e_mails_too(client, mentor):
    client.force_login(mentor)

    body = client.get(reverse("notifications:preferences")).content.decode()
    assert "As a reviewer" in body
    assert "As a mentor" in body
    for kind in ("milestone_submitted", "readiness_proposed"):
        assert f'name="{kind}"' in body

    client.post(reverse("notifications:preferences"), {})
    off = set(
        NotificationPreference.objects.filter(user=mentor, email_enabled=False).values_list("kind", flat=True)
    )
    assert {"milestone_submitted", "readiness_proposed"} <= off


def test_saving_preferences_turns_optional_kinds_off_but_never_mandatory_ones(client, founder):
    client.force_login(founder)

    response = client.post(
        reverse("notifications:preferences"), {"application_status": "on", "draft_closing": "on"}
    )

    assert response.status_code == 302
    off = set(
        NotificationPreference.objects.filter(user=founder, email_enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert off == {
        "stage_changed",
        "readiness_decided",
        "investment_reviewed",
        "funding_recorded",
        "milestone_decided",
        "milestone_due_soon",
        "kpi_report_due",
        "kpi_report_overdue",
        "mentor_assigned",
        "mentor_left",
        "team_joined",
    }
    assert not NotificationPreference.objects.filter(kind="decision_released").exists()


def test_unsubscribe_link_asks_then_turns_the_kind_off(client, founder):
    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token_make(user_id=founder.pk, kind="stage_changed")]
    )

    response = client.get(url)
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()  # link checkers only look

    response = client.post(url)  # no session, no CSRF token: one click from the mail client
    assert response.status_code == 200
    assert "no longer receive" in response.content.decode()
    assert NotificationPreference.objects.get(user=founder, kind="stage_changed").email_enabled is False


@pytest.mark.parametrize("tamper", ["user", "kind", "signature"])
def test_tampered_unsubscribe_links_are_refused(client, founder, tamper):
    other = factories.FounderFactory()
    token = unsubscribe_token_make(user_id=founder.pk, kind="stage_changed")
    forged_payload = unsubscribe_token_make(
        user_id=other.pk if tamper == "user" else founder.pk,
        kind="application_status" if tamper == "kind" else "stage_changed",
    )
    if tamper == "signature":
        forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    else:
        # Someone else's payload with this token's signature.
        forged = forged_payload.rsplit(":", 1)[0] + ":" + token.rsplit(":", 1)[1]

    for method in (client.get, client.post):
        response = method(reverse("notifications:unsubscribe", args=[forged]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_validly_signed_link_for_a_mandatory_kind_is_refused(client, founder):
    url = reverse(
        "notifications:unsubscribe",
        args=[unsubscribe_token_make(user_id=founder.pk, kind="decision_released")],
    )

    response = client.post(url)

    assert response.status_code == 400
    assert "cannot be turned off" in response.content.decode()
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("size", [1, 4])
def test_undelivered_email_page_for_managers_with_a_fixed_query_count(
    client, manager, size, django_assert_num_queries
):
    failed = factories.OutboxMessageFactory.create_batch(size, status="failed", last_error="550 No such user")
    retrying = factories.OutboxMessageFactory(last_error="421 Try later")
    factories.OutboxMessageFactory(status="sent")
    client.force_login(manager)

    with django_assert_num_queries(4):  # session, user, count, page with recipients
        response = client.get(reverse("notifications:outbox-problems"))

    assert set(response.context["page"].object_list) == {*failed, retrying}
    with django_assert_num_queries(4):
        response = client.get(reverse("notifications:outbox-problems") + "?status=failed")
    assert set(response.context["page"].object_list) == set(failed)


def test_undelivered_email_page_is_for_managers_only(client, founder):
    client.force_login(founder)

    assert client.get(reverse("notifications:outbox-problems")).status_code == 403


@pytest.mark.parametrize(
    ("language", "unread", "words"), [("en", 1, "1 unread"), ("ru", 3, "3 непрочитанных")]
)
def test_centre_counts_unread_notices_in_each_language(client, founder, language, unread, words):
    for n in range(unread):
        factories.NotificationFactory(recipient=founder, dedup_key=f"unread-{n}")
    client.force_login(founder)

    response = client.get(reverse("notifications:centre"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert words in response.content.decode()


@pytest.mark.parametrize(
    ("unread", "words"),
    [
        (1, "1 непрочитанное уведомление"),
        (3, "3 непрочитанных уведомления"),
        (5, "5 непрочитанных уведомлений"),
    ],
)
def test_the_bells_count_reads_as_a_phrase_for_screen_readers(client, founder, unread, words):
    for n in range(unread):
        factories.NotificationFactory(recipient=founder, dedup_key=f"unread-{n}")
    client.force_login(founder)

    badge = client.get(reverse("notifications:unread-badge"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert re.sub(r"<[^>]+>", "", badge).strip() == words


def test_mark_all_as_read_is_offered_only_with_something_unread(client, founder):
    client.force_login(founder)
    button = re.compile(r"<button[^>]*>Mark all as read")
    assert "disabled" in button.search(client.get(CENTRE).content.decode()).group()

    factories.NotificationFactory(recipient=founder)
    assert "disabled" not in button.search(client.get(CENTRE).content.decode()).group()
