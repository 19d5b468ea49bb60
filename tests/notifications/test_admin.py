"""The outbox in the admin: every e-mail readable (subject, text and HTML), filterable by status,
failed ones sent again by an action; a fixed number of queries at two sizes."""

import pytest
from django.urls import reverse

from notifications.models import OutboxMessage
from notifications.services import outbox_message_send
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("size", [1, 4])
def test_outbox_list_with_a_status_filter(admin_client, size, django_assert_max_num_queries):
    factories.OutboxMessageFactory.create_batch(size, status="failed")
    factories.OutboxMessageFactory(status="sent")

    with django_assert_max_num_queries(8):
        response = admin_client.get(
            reverse("admin:notifications_outboxmessage_changelist") + "?status__exact=failed"
        )

    assert response.status_code == 200
    assert response.context["cl"].result_count == size


@pytest.mark.parametrize("size", [1, 4])
def test_outbox_list_query_count_is_fixed(admin_client, size, django_assert_num_queries):
    factories.OutboxMessageFactory.create_batch(size)
    url = reverse("admin:notifications_outboxmessage_changelist")
    admin_client.get(url)  # warm the content-type cache of the first request

    with django_assert_num_queries(7):
        admin_client.get(url)


def test_a_sent_email_is_readable_in_the_admin(admin_client):
    message = factories.OutboxMessageFactory()
    outbox_message_send(message_id=message.pk)

    body = admin_client.get(
        reverse("admin:notifications_outboxmessage_change", args=[message.pk])
    ).content.decode()

    assert "Startup: stage changed to Acceleration" in body
    assert "moved from Incubation to Acceleration" in body
    assert "srcdoc=" in body
    assert "sandbox" in body


def test_failed_emails_are_sent_again_by_the_admin_action(admin_client):
    failed = factories.OutboxMessageFactory(status="failed", attempts=6)

    admin_client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxMessage.Status.PENDING, 0)


def test_the_admin_action_leaves_cancelled_emails_and_says_so(admin_client):
    failed = factories.OutboxMessageFactory(status="failed", attempts=6)
    settled = factories.OutboxMessageFactory(status="cancelled", attempts=0)

    response = admin_client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk, settled.pk]},
        follow=True,
    )

    failed.refresh_from_db()
    settled.refresh_from_db()
    assert failed.status == OutboxMessage.Status.PENDING
    assert settled.status == OutboxMessage.Status.CANCELLED
    texts = [str(message) for message in response.context["messages"]]
    assert texts == [
        "1 e-mail will be sent again by the next relay sweep.",
        "1 selected e-mail has not failed and was left as it is: only failed e-mails are sent again.",
    ]
