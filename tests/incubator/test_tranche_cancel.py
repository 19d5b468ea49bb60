"""Cancelling a planned tranche that will not be paid: the managers say why, the founders are
told, and the amount leaves every funding total (the overview, the dashboard, the startup's
ledger, the API's summary and the export) while the record keeps what was first agreed."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from incubator.models import FundingTranche
from incubator.selectors import funding_by, funding_totals_by_currency
from incubator.services.portfolio import (
    PortfolioError,
    funding_record_create,
    funding_tranche_cancel,
    funding_tranche_mark_paid,
)
from notifications.models import OutboxMessage
from notifications.rendering import render_email
from pipeline.selectors.dashboard import DashboardFilters, manager_dashboard
from tests import factories

pytestmark = pytest.mark.django_db


def _tranches(grant):
    return list(grant.tranches.order_by("pk"))


def test_a_cancelled_tranche_leaves_every_total_and_the_founders_are_told_why(grant, manager, founder):
    _first, tied = _tranches(grant)

    funding_tranche_cancel(tranche=tied, actor=manager, reason="  The toxicology milestone was missed.  ")

    tied.refresh_from_db()
    assert tied.status == FundingTranche.Status.CANCELLED
    assert tied.cancellation_reason == "The toxicology milestone was missed."
    assert tied.cancelled_by == manager
    assert tied.cancelled_at is not None
    assert funding_totals_by_currency() == {"RUB": Decimal("2000000")}
    [row] = funding_by("call")
    assert (row.group, row.total) == ("Cohort 2026", Decimal("2000000"))
    [dashboard] = manager_dashboard(DashboardFilters()).funding
    assert dashboard["total"] == Decimal("2000000")
    message = OutboxMessage.objects.filter(kind="funding_recorded").latest("pk")
    assert message.recipient == founder
    email = render_email(kind=message.kind, context=message.context, recipient=founder)
    assert email.subject == "NeuroRegen: a tranche of 3,000,000 RUB will not be paid"
    assert "The toxicology milestone was missed." in email.text
    assert "The toxicology milestone was missed." in email.html


def test_only_a_planned_tranche_is_cancelled_by_a_manager_who_says_why(grant, manager, founder, mentor):
    first, tied = _tranches(grant)
    funding_tranche_mark_paid(tranche=first, actor=manager, paid_on=timezone.localdate())

    for person in (founder, mentor):
        with pytest.raises(PermissionDenied):
            funding_tranche_cancel(tranche=tied, actor=person, reason="No.")
    with pytest.raises(PortfolioError, match="Write down why the tranche will not be paid"):
        funding_tranche_cancel(tranche=tied, actor=manager, reason="   ")
    with pytest.raises(PortfolioError, match=r"Only a planned tranche can be cancelled\."):
        funding_tranche_cancel(tranche=first, actor=manager, reason="Paid by mistake.")

    assert [t.status for t in _tranches(grant)] == ["paid", "planned"]
    funding_tranche_cancel(tranche=tied, actor=manager, reason="Missed.")
    with pytest.raises(PortfolioError, match=r"Only a planned tranche can be cancelled\."):
        funding_tranche_cancel(tranche=tied, actor=manager, reason="Again.")


def test_the_startup_page_cancels_a_tranche_and_shows_why(client, grant, manager, founder):
    _first, tied = _tranches(grant)
    url = reverse("tranche-cancel", args=[tied.pk])
    page_url = reverse("startup-detail", args=[grant.startup_id])
    client.force_login(founder)
    assert url not in client.get(page_url).content.decode()
    assert client.post(url, {"reason": "Mine."}).status_code == 403

    client.force_login(manager)
    assert f'action="{url}"' in client.get(page_url).content.decode()
    refused = client.post(url, {"reason": ""}, follow=True).content.decode()
    done = client.post(url, {"reason": "The pilot site withdrew."}, follow=True).content.decode()

    assert "Write down why the tranche will not be paid: the founders are told." in refused
    assert "The tranche of 3,000,000 RUB is cancelled; the founders are told why." in done
    client.force_login(founder)
    page = client.get(page_url).content.decode()
    assert "The pilot site withdrew." in page
    assert "2,000,000 RUB after cancelled tranches" in page
    assert url not in page


def test_the_api_cancels_a_tranche_and_the_record_says_what_it_now_funds(grant, manager, founder):
    _first, tied = _tranches(grant)
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/funding-tranches/{tied.pk}/cancel/"

    blank = api.post(url, {"reason": " "}, format="json")
    done = api.post(url, {"reason": "Missed."}, format="json")
    again = api.post(url, {"reason": "Missed."}, format="json")

    assert blank.status_code == 400
    assert list(blank.json()["error"]["details"]["fields"]) == ["reason"]
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["amount"] == "5000000.00"
    assert body["funded"] == "2000000.00"
    assert [(t["status"], t["cancellation_reason"]) for t in body["tranches"]] == [
        ("planned", ""),
        ("cancelled", "Missed."),
    ]
    assert again.status_code == 409
    summary = api.get("/api/v1/funding/summary/").json()
    assert summary["totals"] == [{"currency": "RUB", "total": "2000000.00"}]


def test_the_ledger_export_shows_what_each_record_will_not_pay(client, grant, manager):
    _first, tied = _tranches(grant)
    funding_tranche_cancel(tranche=tied, actor=manager, reason="Missed.")
    client.force_login(manager)

    content = b"".join(client.get(reverse("funding-export")).streaming_content).decode()
    header, row = list(csv.reader(io.StringIO(content[1:])))

    assert header[-7:-2] == [
        "Currency",
        "Funded (less cancelled tranches; nothing once voided)",
        "Paid in tranches",
        "Planned in tranches",
        "Cancelled in tranches",
    ]
    assert row[-7:] == ["RUB", "2000000.00", "0.00", "2000000.00", "3000000.00", "", ""]


def test_ledger_amounts_are_kept_to_the_cent_at_their_largest(manager, founder):
    """The largest amount the ledger takes comes back as typed, on SQLite (the demo's database,
    which keeps decimals as double-precision numbers) as on PostgreSQL: `make test` runs this on
    both. So do its tranches and the totals made of it."""
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    largest = Decimal("9999999999999.99")
    record = funding_record_create(
        startup=startup,
        actor=manager,
        kind="equity",
        date=timezone.localdate(),
        amount=largest,
        currency="USD",
        investor_name="Helix",
        tranches=[{"amount": Decimal("9999999999998.99")}],
    )
    with pytest.raises(PortfolioError, match="A tranche's amount must be more than zero"):
        funding_record_create(
            startup=startup,
            actor=manager,
            kind="grant",
            date=timezone.localdate(),
            amount=Decimal("10"),
            currency="RUB",
            investor_name="Fund",
            tranches=[{"amount": Decimal("0")}],
        )

    record.refresh_from_db()
    assert record.amount == largest
    assert record.tranches.get().amount == Decimal("9999999999998.99")
    assert funding_totals_by_currency() == {"USD": largest}
    assert [row.total for row in funding_by("year")] == [largest]


def test_a_reason_too_long_is_refused_whole_not_cut(grant, manager):
    _first, tied = _tranches(grant)
    # The page's box counts a line break as one character; the browser sends two.
    fits = "\r\n".join(["x" * 999, "y" * 1000])

    with pytest.raises(PortfolioError, match="Say why in at most 2000 characters"):
        funding_tranche_cancel(tranche=tied, actor=manager, reason=fits + "z")
    funding_tranche_cancel(tranche=tied, actor=manager, reason=fits)

    tied.refresh_from_db()
    assert tied.cancellation_reason == fits.replace("\r\n", "\n")
