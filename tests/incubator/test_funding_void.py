"""Voiding a funding record entered by mistake: the manager says why, the founders are told, the
record stays in the ledger marked void and leaves every funding total (the startup's ledger, the
overview, the dashboard, the API's summary and the export); its tranches take no more changes."""

import csv
import io
import re
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from incubator.models import FundingRecord
from incubator.selectors import funding_by, funding_totals_by_currency, startup_portfolio
from incubator.services.portfolio import (
    PortfolioError,
    funding_record_create,
    funding_record_void,
    funding_tranche_cancel,
    funding_tranche_mark_paid,
)
from notifications.models import OutboxMessage
from notifications.rendering import render_email
from pipeline.selectors.dashboard import DashboardFilters, manager_dashboard
from tests.concurrency import until_someone_waits_for_a_lock

pytestmark = pytest.mark.django_db

VOID_REFUSAL = re.escape("The funding record is void: its tranches take no more changes.")


@pytest.fixture
def equity(grant, manager):
    """A second record of the same startup, in another currency, raised after its admission."""
    return funding_record_create(
        startup=grant.startup,
        actor=manager,
        kind="equity",
        date=timezone.localdate(),
        amount=Decimal("250000"),
        currency="USD",
        investor_name="Helix Ventures",
    )


def test_a_void_record_leaves_every_total_and_the_founders_are_told_why(grant, equity, manager, founder):
    funding_record_void(record=grant, actor=manager, reason="  Entered twice: see the record of May.  ")

    grant.refresh_from_db()
    assert grant.void_reason == "Entered twice: see the record of May."
    assert grant.voided_by == manager
    assert grant.voided_at is not None
    assert grant.amount == Decimal("5000000")  # what was recorded stays readable
    assert grant.funded == Decimal("0")
    assert funding_totals_by_currency() == {"USD": Decimal("250000")}
    assert [(row.group, row.currency, row.total, row.records) for row in funding_by("call")] == [
        ("Cohort 2026", "USD", Decimal("250000"), 1)
    ]
    assert [
        (row["currency"], row["total"], row["records"])
        for row in manager_dashboard(DashboardFilters()).funding
    ] == [("USD", Decimal("250000"), 1)]
    assert startup_portfolio(grant.startup).funding_totals() == {"USD": Decimal("250000")}

    message = OutboxMessage.objects.filter(kind="funding_recorded", recipient=founder).latest("pk")
    email = render_email(kind=message.kind, context=message.context, recipient=founder)
    assert email.subject == "NeuroRegen: the funding record of 5,000,000 RUB is void"
    assert "was voided and no longer counts in its funding" in email.text
    assert "Entered twice: see the record of May." in email.text
    assert "Entered twice: see the record of May." in email.html


def test_only_a_manager_voids_a_record_once_and_says_why(grant, manager, founder, mentor):
    for person in (founder, mentor):
        with pytest.raises(PermissionDenied):
            funding_record_void(record=grant, actor=person, reason="No.")
    with pytest.raises(PortfolioError, match=r"Write down why the record is void: the founders are told\."):
        funding_record_void(record=grant, actor=manager, reason=" \r\n ")
    with pytest.raises(PortfolioError, match="Say why in at most 2000 characters"):
        funding_record_void(record=grant, actor=manager, reason="x" * 2001)
    grant.refresh_from_db()
    assert grant.voided_at is None

    funding_record_void(record=grant, actor=manager, reason="A duplicate.")
    with pytest.raises(PortfolioError, match=r"This funding record is void already\."):
        funding_record_void(record=grant, actor=manager, reason="Again.")
    assert OutboxMessage.objects.filter(dedup_key__startswith=f"funding-voided:{grant.pk}").count() == 1


def test_a_void_records_planned_tranches_are_cancelled_with_it_and_change_no_more(grant, manager):
    first, tied = grant.tranches.order_by("pk")
    funding_tranche_mark_paid(tranche=first, actor=manager, paid_on=timezone.localdate())
    funding_record_void(record=grant, actor=manager, reason="A duplicate.")

    # What was paid stays paid (as it happened); what was planned will not be paid.
    assert [(t.status, t.cancellation_reason, t.cancelled_by) for t in grant.tranches.order_by("pk")] == [
        ("paid", "", None),
        ("cancelled", "A duplicate.", manager),
    ]
    with pytest.raises(PortfolioError, match=VOID_REFUSAL):
        funding_tranche_cancel(tranche=tied, actor=manager, reason="Missed.")
    with translation.override("ru"), pytest.raises(PortfolioError) as refused:
        funding_tranche_mark_paid(tranche=tied, actor=manager, paid_on=timezone.localdate())
    assert refused.value.message == "Запись о финансировании аннулирована: её транши больше не меняются."
    # One notice tells the founders of the record and its tranches.
    assert not OutboxMessage.objects.filter(dedup_key=f"tranche-cancelled:{tied.pk}").exists()


def test_the_startup_page_voids_a_record_and_shows_it_struck_out_with_why(
    client, grant, equity, manager, founder
):
    url = reverse("funding-void", args=[grant.pk])
    page_url = reverse("startup-detail", args=[grant.startup_id])
    first = grant.tranches.order_by("pk").first()
    client.force_login(founder)
    assert url not in client.get(page_url).content.decode()
    assert client.post(url, {"reason": "Mine."}).status_code == 403

    client.force_login(manager)
    assert f'action="{url}"' in client.get(page_url).content.decode()
    refused = client.post(url, {"reason": ""}, follow=True).content.decode()
    done = client.post(url, {"reason": "Typed 5,000,000 for 500,000."}, follow=True)

    assert "Write down why the record is void: the founders are told." in refused
    assert done.redirect_chain[-1][0] == page_url
    page = done.content.decode()
    assert "The record of 5,000,000 RUB is void and counts in no total; the founders are told why." in page
    assert f'action="{url}"' not in page
    # Its planned tranches lose their buttons; the other record keeps its own.
    assert reverse("tranche-paid", args=[first.pk]) not in page
    assert reverse("funding-void", args=[equity.pk]) in page

    client.force_login(founder)
    page = client.get(page_url).content.decode()
    assert "Typed 5,000,000 for 500,000." in page
    assert "<del>5,000,000 RUB</del>" in page
    assert _total(page) == "Total250,000USD"  # the void record is not in it
    # With every record void, the total says there is none.
    funding_record_void(record=equity, actor=manager, reason="A test entry.")
    assert _total(client.get(page_url).content.decode()) == "Total—"


def _total(page: str) -> str:
    """The text of the ledger's total row, without spaces."""
    return re.sub(r"<[^>]+>|\s", "", re.search(r"<tfoot>.*?</tfoot>", page, re.S).group(0))


def test_the_api_voids_a_record_and_lists_void_ones_apart(grant, equity, manager, founder):
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/funding-records/{grant.pk}/void/"

    blank = api.post(url, {"reason": " "}, format="json")
    done = api.post(url, {"reason": "A duplicate."}, format="json")
    again = api.post(url, {"reason": "A duplicate."}, format="json")

    assert blank.status_code == 400
    assert list(blank.json()["error"]["details"]["fields"]) == ["reason"]
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["amount"], body["funded"], body["void_reason"]) == ("5000000.00", "0.00", "A duplicate.")
    assert body["voided_at"] is not None
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "This funding record is void already."
    voided = api.get("/api/v1/funding-records/", {"voided": "true"}).json()["results"]
    counting = api.get("/api/v1/funding-records/", {"voided": "false"}).json()["results"]
    assert [record["id"] for record in voided] == [grant.pk]
    assert [record["id"] for record in counting] == [equity.pk]
    summary = api.get("/api/v1/funding/summary/").json()
    assert summary["totals"] == [{"currency": "USD", "total": "250000.00"}]
    # Its tranches were cancelled with it and take no more changes.
    [first, _tied] = body["tranches"]
    assert first["status"] == "cancelled"
    paid = api.post(f"/api/v1/funding-tranches/{first['id']}/mark-paid/", {}, format="json")
    assert paid.status_code == 409
    assert paid.json()["error"]["message"] == "The funding record is void: its tranches take no more changes."
    # The founders read why, as on the page.
    api.force_authenticate(founder)
    [mine] = [r for r in api.get("/api/v1/funding-records/").json()["results"] if r["id"] == grant.pk]
    assert mine["void_reason"] == "A duplicate."


def test_the_ledger_export_keeps_a_void_record_marked_and_counting_nothing(client, grant, equity, manager):
    funding_record_void(record=grant, actor=manager, reason="A duplicate.")
    client.force_login(manager)

    content = b"".join(client.get(reverse("funding-export")).streaming_content).decode()
    header, *rows = list(csv.reader(io.StringIO(content[1:])))
    by_kind = {row[header.index("Kind")]: dict(zip(header, row, strict=True)) for row in rows}

    assert header[-2:] == ["Voided on", "Why it was voided"]
    void = by_kind["Grant"]
    assert void["Amount"] == "5000000.00"
    assert void["Funded (less cancelled tranches; nothing once voided)"] == "0.00"
    assert (void["Planned in tranches"], void["Cancelled in tranches"]) == ("0.00", "5000000.00")
    assert void["Voided on"] == timezone.localdate().isoformat()
    assert void["Why it was voided"] == "A duplicate."
    counted = by_kind["Equity round"]
    assert (counted["Follow-on"], counted["Voided on"]) == ("yes", "")


def test_a_milestone_tied_only_to_settled_tranches_can_be_removed(grant, manager):
    from incubator.models import Milestone
    from incubator.services.portfolio import milestone_remove

    tied = grant.tranches.get(milestone__isnull=False)
    with pytest.raises(PortfolioError, match="Funding tranches are tied to this milestone"):
        milestone_remove(milestone=tied.milestone, actor=manager)

    funding_record_void(record=grant, actor=manager, reason="A duplicate.")
    milestone_remove(milestone=tied.milestone, actor=manager)

    assert not Milestone.objects.filter(pk=tied.milestone_id).exists()
    tied.refresh_from_db()
    assert (tied.status, tied.milestone, tied.cancellation_reason) == ("cancelled", None, "A duplicate.")


def test_a_void_record_is_read_only_in_the_admin_and_stays(client, grant, manager):
    from tests import factories

    admin = factories.UserFactory(is_staff=True, is_superuser=True, is_manager=True)
    client.force_login(admin)
    url = reverse("admin:incubator_fundingrecord_change", args=[grant.pk])
    before = client.get(url).content.decode()
    assert 'name="amount"' in before
    assert 'name="void_reason"' not in before  # voided on the startup's page only

    funding_record_void(record=grant, actor=manager, reason="A duplicate.")

    page = client.get(url).content.decode()
    assert 'name="amount"' not in page
    assert 'name="tranches-0-amount"' not in page
    assert "A duplicate." in page
    assert client.get(reverse("admin:incubator_fundingrecord_delete", args=[grant.pk])).status_code == 403
    assert FundingRecord.objects.filter(pk=grant.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_tranche_paid_while_its_record_is_voided_waits_and_is_refused(grant, manager):
    """On PostgreSQL with two connections: the payment waits for the record's row lock that the
    voiding holds, then finds the record void."""
    first = grant.tranches.order_by("pk").first()
    voiding = threading.Event()
    payment_waited: list[bool] = []

    def void():
        try:
            with transaction.atomic():
                funding_record_void(record=grant, actor=manager, reason="A duplicate.")
                voiding.set()
                payment_waited.append(until_someone_waits_for_a_lock())
        finally:
            connections.close_all()

    thread = threading.Thread(target=void)
    thread.start()
    assert voiding.wait(10)
    with pytest.raises(PortfolioError, match=VOID_REFUSAL):
        funding_tranche_mark_paid(tranche=first, actor=manager, paid_on=timezone.localdate())
    thread.join(10)

    assert payment_waited == [True]  # the two really overlapped
    first.refresh_from_db()
    assert (first.status, first.paid_on) == ("cancelled", None)  # with its record, not paid


def test_the_founders_notice_opens_the_startups_ledger(client, grant, manager, founder):
    from notifications.models import Notification

    funding_record_void(record=grant, actor=manager, reason="A duplicate.")
    notice = Notification.objects.filter(recipient=founder, kind="funding_recorded").latest("pk")
    client.force_login(founder)

    opened = client.get(reverse("notifications:open", args=[notice.pk]))

    assert opened.status_code == 302
    assert opened["Location"] == reverse("startup-detail", args=[grant.startup_id]) + "#funding-heading"
