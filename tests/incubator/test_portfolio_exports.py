"""The managers' exports of the portfolio: the funding ledger and the monthly reports, as CSV
files a spreadsheet opens as typed (Cyrillic intact, formulas quoted)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.models import FundingRecord, FundingTranche, KpiReport, KpiReportRevision
from incubator.services.portfolio import funding_record_create, funding_tranche_mark_paid
from tests import factories

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def test_the_overview_links_both_exports(client, manager):
    client.force_login(manager)

    page = client.get(reverse("portfolio-overview")).content.decode()

    assert f'href="{reverse("funding-export")}"' in page
    assert f'href="{reverse("kpi-reports-export")}"' in page


@pytest.mark.parametrize("name", ["funding-export", "kpi-reports-export"])
def test_only_managers_export(client, founder, mentor, name):
    for person in (founder, mentor):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).url.startswith(reverse("login"))


def test_the_funding_ledger_lists_each_record_with_its_tranches(client, manager):
    call = factories.CallFactory(title="Cohort 2026")
    startup = factories.StartupFactory(
        name="НейроРеген",
        stage="incubation",
        admitted_call=call,
        admitted_at=timezone.now() - timedelta(days=90),
    )
    milestone = factories.MilestoneFactory(startup=startup, status="accepted")
    programme = funding_record_create(
        startup=startup,
        actor=manager,
        kind="grant",
        title='=HYPERLINK("http://evil.example")',
        date=timezone.localdate() - timedelta(days=60),
        amount=Decimal("1000000.50"),
        currency="RUB",
        from_programme=True,
        tranches=[{"amount": Decimal("400000")}, {"amount": Decimal("600000.50"), "milestone": milestone}],
    )
    funding_tranche_mark_paid(
        tranche=programme.tranches.order_by("pk").first(), actor=manager, paid_on=timezone.localdate()
    )
    funding_record_create(
        startup=startup,
        actor=manager,
        kind="equity",
        title="Seed",
        date=timezone.localdate() - timedelta(days=10),
        amount=Decimal("250000"),
        currency="USD",
        investor_name="Helix Ventures",
    )
    client.force_login(manager)

    header, *rows = _csv(client.get(reverse("funding-export")))

    assert header == [
        "Date",
        "Startup",
        "Field",
        "Admitted by call",
        "Kind",
        "Round or programme",
        "Investor or grantor",
        "The programme's own funding",
        "Follow-on",
        "Amount",
        "Currency",
        "Funded (less cancelled tranches; nothing once voided)",
        "Paid in tranches",
        "Planned in tranches",
        "Cancelled in tranches",
        "Voided on",
        "Why it was voided",
    ]
    area = str(startup.therapeutic_area)
    assert rows == [
        [
            (timezone.localdate() - timedelta(days=60)).isoformat(),
            "НейроРеген",
            area,
            "Cohort 2026",
            "Grant",
            '\'=HYPERLINK("http://evil.example")',
            "The cluster's programme",
            "yes",
            "",
            "1000000.50",
            "RUB",
            "1000000.50",
            "400000.00",
            "600000.50",
            "0.00",
            "",
            "",
        ],
        [
            (timezone.localdate() - timedelta(days=10)).isoformat(),
            "НейроРеген",
            area,
            "Cohort 2026",
            "Equity round",
            "Seed",
            "Helix Ventures",
            "",
            "yes",
            "250000.00",
            "USD",
            "250000.00",
            "0.00",
            "0.00",
            "0.00",
            "",
            "",
        ],
    ]


def test_the_monthly_reports_export_lists_each_report_and_its_corrections(client, manager, founder):
    startup = factories.StartupFactory(name="CardioSense", stage="incubation", founders=[founder])
    report = KpiReport.objects.create(
        startup=startup,
        period=date(2026, 9, 1),
        team_size=5,
        revenue=Decimal("120000.00"),
        patents_filed=1,
        clinical_regulatory_progress="-1 day to the ethics committee",
        submitted_by=founder,
    )
    KpiReportRevision.objects.create(
        report=report, figures={"team_size": 4}, submitted_by=founder, submitted_at=timezone.now()
    )
    KpiReport.objects.create(startup=startup, period=date(2026, 8, 1), team_size=4, submitted_by=None)
    client.force_login(manager)

    header, *rows = _csv(client.get(reverse("kpi-reports-export")))

    assert header[:2] == ["Startup", "Month"]
    assert header[2:9] == [
        "Team size",
        "Revenue (RUB)",
        "Grants received (RUB)",
        "Patent applications filed",
        "Publications",
        "Clinical or regulatory progress",
        "Anything else",
    ]
    assert header[9:] == ["Submitted by", "Submitted at", "Corrections"]
    assert [row[:2] + row[9:10] + row[11:] for row in rows] == [
        ["CardioSense", "2026-08", "", "0"],
        ["CardioSense", "2026-09", founder.full_name, "1"],
    ]
    assert rows[1][2:9] == ["5", "120000.00", "0.00", "1", "0", "'-1 day to the ethics committee", ""]


@pytest.mark.parametrize("size", [2, 12])
def test_the_exports_read_a_fixed_number_of_queries(client, django_assert_max_num_queries, size, manager):
    organisation = factories.OrganisationFactory()
    for n in range(size):
        startup = factories.StartupFactory(stage="incubation")
        record = FundingRecord.objects.create(
            startup=startup,
            kind="grant",
            date=date(2025, 1, 1),
            amount=10,
            currency="RUB",
            investor=organisation if n % 2 else None,
            investor_name="" if n % 2 else "X",
        )
        record.tranches.create(amount=4, status=FundingTranche.Status.PAID)
        record.tranches.create(amount=6)
        report = KpiReport.objects.create(startup=startup, period=date(2025, 1, 1), team_size=3)
        KpiReportRevision.objects.create(report=report, figures={}, submitted_at=timezone.now())
    client.force_login(manager)

    with django_assert_max_num_queries(4):
        funding = _csv(client.get(reverse("funding-export")))
    with django_assert_max_num_queries(4):
        reports = _csv(client.get(reverse("kpi-reports-export")))

    assert len(funding) == len(reports) == size + 1
    assert {tuple(row[-5:]) for row in funding[1:]} == {("4.00", "6.00", "0.00", "", "")}
