"""The demo portfolio: milestone evidence, readiness history, investment-readiness reviews,
funding and monthly reports, consistent with each startup's stage and dates."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from ..models import (
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    MilestoneEvidence,
    Organisation,
    ReadinessChange,
    Startup,
    StartupNote,
    User,
)

FOLLOW_ON_INVESTORS = ["Baltic Life Science Fund", "Skolkovo Foundation", "RVC Biofund"]


def demo_pdf(title: str) -> ContentFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return ContentFile(buffer.getvalue(), name="evidence.pdf")


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    return months


def seed_portfolio(
    *,
    startup: Startup,
    stage: str,
    admitted: datetime,
    funded: datetime | None,
    mentor: User,
    manager: User,
    fund: Organisation,
    rng: random.Random,
    now: datetime,
) -> None:
    lead = startup.memberships.order_by("joined_at").first().user
    for milestone in startup.milestones.filter(status__in=["accepted", "submitted"]):
        evidence = MilestoneEvidence(
            milestone=milestone,
            startup=startup,
            note=f"{milestone.title}: report attached, reviewed with the mentor.",
            uploaded_by=lead,
            uploaded_at=timezone.make_aware(datetime.combine(milestone.due_on, datetime.min.time()))
            - timedelta(days=3),
        )
        if startup.name == "NeuroRegen" or milestone.status == "submitted":
            evidence.original_name = f"{milestone.title}.pdf"
            evidence.file.save("evidence.pdf", demo_pdf(milestone.title), save=False)
        evidence.save()

    # Readiness went up by one level during the programme, with evidence, confirmed by the mentor.
    if startup.trl > 1:
        ReadinessChange.objects.create(
            startup=startup,
            trl_from=startup.trl - 1,
            trl_to=startup.trl,
            phase_from=startup.development_phase,
            phase_to=startup.development_phase,
            evidence_note="Efficacy confirmed in a second animal model; study report attached.",
            evidence_file=demo_pdf("Study report") if startup.name == "NeuroRegen" else "",
            evidence_file_name="study-report.pdf" if startup.name == "NeuroRegen" else "",
            recorded_by=lead,
            recorded_at=admitted + timedelta(days=90),
            confirmed_by=mentor,
            confirmed_at=admitted + timedelta(days=92),
        )

    if startup.name == "NeuroRegen":
        # What the programme's people say to each other about it, never shown to the team.
        StartupNote.objects.create(
            startup=startup,
            author=manager,
            body="Kick-off meeting: strong preclinical data; the patent position needs a second look.",
            created_at=admitted + timedelta(days=10),
        )
        StartupNote.objects.create(
            startup=startup,
            author=mentor,
            body="Introduced the team to the Sechenov GLP lab; toxicology can start next quarter.",
            created_at=now - timedelta(days=6),
        )

    if stage in ("acceleration", "funding", "alumni"):
        ready = stage != "acceleration" or startup.name == "ThromboStop"
        InvestmentReadinessReview.objects.create(
            startup=startup,
            reviewer=mentor,
            verdict="ready" if ready else "not_ready",
            summary=(
                "Clear regulatory plan, data room complete, valuation realistic."
                if ready
                else "Needs a signed clinical site agreement and a cleaner cap table."
            ),
            # The review that let the startup into Funding came before that move.
            created_at=(funded or now) - timedelta(days=rng.randint(5, 40)),
        )

    # The programme's seed grant on admission, then follow-on funding for those further along.
    grant = FundingRecord.objects.create(
        startup=startup,
        kind="grant",
        title="Cluster seed grant",
        date=(admitted + timedelta(days=14)).date(),
        amount=Decimal("3000000"),
        currency="RUB",
        investor_name="Cluster incubation programme",
        from_programme=True,
        recorded_by=manager,
    )
    first = startup.milestones.filter(stage="incubation").order_by("due_on").first()
    FundingTranche.objects.create(record=grant, amount=Decimal("1500000"), status="paid", paid_on=grant.date)
    FundingTranche.objects.create(
        record=grant,
        amount=Decimal("1500000"),
        milestone=first,
        status="paid" if first is not None and first.status == "accepted" else "planned",
        paid_on=first.due_on if first is not None and first.status == "accepted" else None,
    )
    if stage in ("funding", "alumni"):
        FundingRecord.objects.create(
            startup=startup,
            kind="equity",
            title="Seed round",
            date=(now - timedelta(days=rng.randint(40, 100))).date(),
            amount=Decimal(rng.choice([25, 40, 60])) * 1_000_000,
            currency="RUB",
            investor=fund,
            recorded_by=manager,
        )
        FundingRecord.objects.create(
            startup=startup,
            kind="equity",
            title="Seed extension",
            date=(now - timedelta(days=rng.randint(10, 35))).date(),
            amount=Decimal(rng.choice([500, 750, 1000])) * 1_000,
            currency="USD",
            investor_name=rng.choice(FOLLOW_ON_INVESTORS),
            recorded_by=manager,
        )
    elif stage == "acceleration":
        FundingRecord.objects.create(
            startup=startup,
            kind="grant",
            title="Innovation Promotion Fund «Start-2»",
            date=(now - timedelta(days=rng.randint(30, 120))).date(),
            amount=Decimal("5000000"),
            currency="RUB",
            investor_name="Innovation Promotion Fund",
            recorded_by=manager,
        )

    # Monthly reports since admission; the last month or two are missing for some startups.
    if stage in ("incubation", "acceleration", "funding"):
        today = timezone.localdate(now)
        months = _months(timezone.localdate(admitted), today.replace(day=1) - timedelta(days=1))
        skip = rng.choice([0, 0, 1, 2])
        team = 3
        for period in months[: len(months) - skip]:
            team += rng.choice([0, 0, 1])
            KpiReport.objects.create(
                startup=startup,
                period=period,
                team_size=team,
                revenue=Decimal(rng.choice([0, 0, 0, 250_000, 800_000])),
                grants_received=Decimal("3000000") if period == months[0] else Decimal("0"),
                patents_filed=1 if rng.random() < 0.08 else 0,
                publications=1 if rng.random() < 0.1 else 0,
                clinical_regulatory_progress="Study on track." if rng.random() < 0.5 else "",
                submitted_by=lead,
                submitted_at=timezone.make_aware(datetime.combine(period, datetime.min.time()))
                + timedelta(days=35),
            )
