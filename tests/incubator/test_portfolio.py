"""The life-sciences portfolio: milestones with evidence, stage gates, readiness history,
investment-readiness reviews, monthly reports and the funding ledger."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incubator.models import (
    DevelopmentPhase,
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    Startup,
    StartupNote,
)
from incubator.selectors import funding_by, funding_totals_by_currency, missing_reports
from incubator.services.portfolio import (
    PortfolioError,
    funding_record_create,
    kpi_report_submit,
    milestone_create,
    milestone_evidence_add,
    milestone_evidence_remove,
    milestone_update,
    readiness_change_confirm,
    readiness_change_record,
)
from pipeline.exceptions import GuardFailed, TransitionForbidden
from pipeline.models import TransitionLog
from pipeline.services import milestone_transition, startup_transition
from tests import factories
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db


def pdf(name="evidence.pdf", content=None):
    return SimpleUploadedFile(
        name, make_pdf() if content is None else content, content_type="application/pdf"
    )


@pytest.fixture
def incubating(founder, mentor):
    startup = factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder], trl=3)
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    return startup


def test_milestone_flow_from_plan_to_acceptance_opens_the_gate(client, manager, founder, mentor, incubating):
    client.force_login(manager)
    client.post(
        reverse("milestone-new", args=[incubating.pk]),
        {
            "stage": "incubation",
            "title": "GLP toxicology",
            "due_on": "2027-03-01",
            "required_evidence": "Study report",
        },
    )
    milestone = Milestone.objects.get()
    assert milestone.created_by == manager
    with pytest.raises(GuardFailed) as info:
        startup_transition(startup=incubating, name="accelerate", actor=manager)
    assert "1 of 1 incubation milestones of NeuroRegen are not accepted yet." in info.value.message

    client.force_login(founder)
    with pytest.raises(GuardFailed, match="Add the evidence for “GLP toxicology”"):
        milestone_transition(milestone=milestone, name="submit", actor=founder)
    client.post(
        reverse("milestone-detail", args=[milestone.pk]), {"note": "Report attached.", "file": pdf("tox.pdf")}
    )
    evidence = MilestoneEvidence.objects.get()
    assert evidence.original_name == "tox.pdf"
    client.post(
        reverse("milestone-transition", args=[milestone.pk]),
        {"transition": "submit", "expected_state": "planned"},
    )
    assert Milestone.objects.get(pk=milestone.pk).status == "submitted"

    with pytest.raises(TransitionForbidden):
        milestone_transition(milestone=milestone, name="accept", actor=founder)
    client.force_login(mentor)
    response = client.post(
        reverse("milestone-transition", args=[milestone.pk]),
        {"transition": "send_back", "expected_state": "submitted"},
        follow=True,
    )
    assert "Tell the founders what is missing" in response.content.decode()
    client.post(
        reverse("milestone-transition", args=[milestone.pk]),
        {"transition": "accept", "expected_state": "submitted"},
    )
    assert Milestone.objects.get(pk=milestone.pk).status == "accepted"
    assert TransitionLog.objects.filter(milestone=milestone).count() == 2

    moved = startup_transition(startup=incubating, name="accelerate", actor=manager)
    assert moved.stage == "acceleration"


def test_evidence_added_after_a_refused_submission_is_saved(client, founder, incubating):
    """The refusal is shown at the transition's address; the evidence form still posts to the
    milestone, not to the transition."""
    milestone = factories.MilestoneFactory(startup=incubating, status="in_progress")
    client.force_login(founder)
    refused = client.post(
        reverse("milestone-transition", args=[milestone.pk]),
        {"transition": "submit", "expected_state": "in_progress"},
    ).content.decode()
    assert "was not done" in refused
    evidence_form = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data"', refused)
    assert evidence_form is not None
    client.post(evidence_form.group(1), {"note": "The signed report.", "file": pdf("report.pdf")})
    assert MilestoneEvidence.objects.get(milestone=milestone).note == "The signed report."


def test_a_new_milestone_is_due_ahead_and_for_a_stage_the_startup_has_not_left(client, manager, incubating):
    client.force_login(manager)
    url = reverse("milestone-new", args=[incubating.pk])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    errors = (
        client.post(url, {"stage": "incubation", "title": "GLP toxicology", "due_on": past})
        .context["form"]
        .errors
    )
    assert errors["due_on"] == ["A new milestone is due today or later."]

    Startup.objects.filter(pk=incubating.pk).update(stage="acceleration")
    page = client.get(url).content.decode()
    assert 'value="incubation"' not in page
    ahead = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = {"startup": incubating.pk, "stage": "incubation", "title": "Pilot", "due_on": ahead}
    response = client.post("/api/v1/milestones/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"]["stage"] == [
        "NeuroRegen is past incubation: set its milestones for acceleration."
    ]
    assert not Milestone.objects.exists()
    response = client.post(
        "/api/v1/milestones/", {**body, "stage": "acceleration"}, content_type="application/json"
    )
    assert response.status_code == 201


def test_a_line_break_counts_as_one_character_as_the_browser_counts_it(client, manager, incubating):
    client.force_login(manager)
    url = reverse("milestone-new", args=[incubating.pk])
    # 3,999 characters as the text area counts them (against its maxlength), 4,098 as sent.
    description = "\r\n".join(["x" * 39] * 100)
    ahead = (timezone.localdate() + timedelta(days=30)).isoformat()

    response = client.post(
        url, {"stage": "incubation", "title": "GLP toxicology", "due_on": ahead, "description": description}
    )

    assert response.status_code == 302, response.context["form"].errors
    saved = Milestone.objects.get().description
    assert len(saved) == 3999
    assert saved == description.replace("\r\n", "\n")
    too_long = client.post(
        url, {"stage": "incubation", "title": "Pilot", "due_on": ahead, "description": description + "xx"}
    )
    assert too_long.context["form"].errors["description"] == [
        "Ensure this value has at most 4000 characters (it has 4001)."
    ]


def test_an_overdue_milestone_and_this_months_report_are_shown_as_they_are(client, founder, incubating):
    factories.MilestoneFactory(startup=incubating, title="GLP toxicology", due_on=date(2026, 1, 31))
    client.force_login(founder)
    url = reverse("startup-detail", args=[incubating.pk])
    page = client.get(url).content.decode()
    assert '<span class="badge text-bg-danger">overdue</span>' in page
    assert "Report on this month" in page

    kpi_report_submit(
        startup=incubating, actor=founder, period=timezone.localdate().replace(day=1), team_size=4
    )
    page = client.get(url).content.decode()
    assert "Update this month's report" in page
    assert "Report on this month" not in page


def test_mentor_of_another_startup_cannot_accept(incubating, founder):
    milestone = factories.MilestoneFactory(startup=incubating, status="submitted")
    stranger = factories.MentorFactory()
    with pytest.raises(TransitionForbidden):
        milestone_transition(milestone=milestone, name="accept", actor=stranger)


def test_sent_back_milestone_carries_the_comment(client, founder, mentor, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, status="submitted")
    client.force_login(mentor)
    client.post(
        reverse("milestone-transition", args=[milestone.pk]),
        {"transition": "send_back", "expected_state": "submitted", "reason": "The report is unsigned."},
    )
    client.force_login(founder)
    page = client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    assert "The report is unsigned." in page
    assert Milestone.objects.get(pk=milestone.pk).status == "in_progress"


def test_evidence_must_be_a_pdf(founder, incubating):
    milestone = factories.MilestoneFactory(startup=incubating)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not a PDF"):
        milestone_evidence_add(milestone=milestone, actor=founder, upload=pdf(content=b"GIF89a fake"))
    assert not MilestoneEvidence.objects.exists()


def test_evidence_is_served_only_to_team_mentors_and_managers(client, founder, mentor, manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating)
    evidence = milestone_evidence_add(milestone=milestone, actor=founder, upload=pdf("trial.pdf"))
    url = reverse("evidence-download", args=[evidence.pk])
    for user in (founder, mentor, manager):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="trial.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
    reviewer = factories.MentorFactory()
    factories.ReviewAssignmentFactory(application__startup=incubating, reviewer=reviewer)
    for user in (factories.FounderFactory(), factories.MentorFactory(), reviewer):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("milestone-detail", args=[milestone.pk])).status_code == 404
    client.logout()
    assert client.get(url).url.startswith(reverse("login"))


def test_the_team_removes_evidence_added_by_mistake(
    client, founder, incubating, django_capture_on_commit_callbacks
):
    milestone = factories.MilestoneFactory(startup=incubating)
    wrong = milestone_evidence_add(milestone=milestone, actor=founder, upload=pdf("wrong-study.pdf"))
    note = milestone_evidence_add(milestone=milestone, actor=founder, note="A note in the wrong place.")
    stored, storage = wrong.file.name, wrong.file.storage
    cofounder = factories.FounderFactory()
    factories.TeamMembershipFactory(startup=incubating, user=cofounder)
    client.force_login(cofounder)
    page = client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    assert reverse("evidence-remove", args=[wrong.pk]) in page
    assert "Remove “wrong-study.pdf” from the evidence?" in page

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("evidence-remove", args=[wrong.pk]))
    # The file leaves storage only once the removal is committed.
    assert storage.exists(stored)
    for callback in callbacks:
        callback()
    assert not storage.exists(stored)
    assert response.url == reverse("milestone-detail", args=[milestone.pk])
    page = client.get(response.url).content.decode()
    assert "“wrong-study.pdf” is removed from the evidence." in page
    assert "wrong-study.pdf</a>" not in page

    response = client.post(reverse("evidence-remove", args=[note.pk]), follow=True)
    assert "The note is removed from the evidence." in response.content.decode()
    assert not MilestoneEvidence.objects.exists()


def test_only_the_team_removes_evidence_and_only_while_it_is_open(
    client, founder, mentor, manager, incubating
):
    milestone = factories.MilestoneFactory(startup=incubating)
    evidence = milestone_evidence_add(milestone=milestone, actor=founder, note="The study report.")
    url = reverse("evidence-remove", args=[evidence.pk])
    for steering in (mentor, manager):
        client.force_login(steering)
        assert client.post(url).status_code == 403
        assert url not in client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    for outsider in (factories.FounderFactory(), factories.MentorFactory()):
        client.force_login(outsider)
        assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).url.startswith(reverse("login"))
    assert MilestoneEvidence.objects.filter(pk=evidence.pk).exists()

    milestone_transition(milestone=milestone, name="submit", actor=founder)
    client.force_login(founder)
    assert url not in client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    response = client.post(url, follow=True)
    refusal = "The milestone is “Evidence submitted”; its evidence can no longer be removed."
    assert refusal in response.content.decode()
    assert MilestoneEvidence.objects.filter(pk=evidence.pk).exists()


def test_a_refused_status_change_keeps_the_comment(client, founder, mentor, manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, status="submitted")
    url = reverse("milestone-transition", args=[milestone.pk])
    client.force_login(mentor)
    # Without the comment it needs: refused inside its own form (the browser asks first).
    response = client.post(url, {"transition": "send_back", "expected_state": "submitted", "reason": " "})
    assert response.status_code == 409
    page = response.content.decode()
    assert "“Send back” was not done:" in page
    assert 'id="refused-send_back"' in page

    # Accepted by a manager in the meantime: the move is gone, the comment typed is shown.
    milestone_transition(milestone=milestone, name="accept", actor=manager)
    response = client.post(
        url, {"transition": "send_back", "expected_state": "submitted", "reason": "The report is unsigned."}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "The comment you wrote: The report is unsigned." in page
    assert Milestone.objects.get(pk=milestone.pk).status == "accepted"


def test_funding_gate_needs_an_investment_ready_review(manager, founder):
    startup = factories.StartupFactory(name="CardioSense", stage="acceleration", founders=[founder])
    factories.MilestoneFactory(startup=startup, stage="acceleration", status="accepted")

    with pytest.raises(GuardFailed) as info:
        startup_transition(startup=startup, name="fund", actor=manager)
    assert info.value.codes == ["investment_ready"]
    assert "has had no investment-readiness review yet" in info.value.message

    review = InvestmentReadinessReview.objects.create(
        startup=startup, verdict="not_ready", summary="Cap table."
    )
    InvestmentReadinessReview.objects.filter(pk=review.pk).update(
        created_at=datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    )
    with pytest.raises(GuardFailed, match="found it not ready yet") as info:
        startup_transition(startup=startup, name="fund", actor=manager)
    # The date as pages show dates, not as 2026-03-04.
    assert "(4 March 2026)" in info.value.message

    startup_transition(
        startup=startup, name="fund", actor=manager, override=True, reason="Investor term sheet signed."
    )
    log = TransitionLog.objects.get(transition="fund")
    assert log.is_override
    assert log.reason == "Investor term sheet signed."


def test_funding_gate_passes_with_a_ready_review(client, manager, founder, mentor):
    startup = factories.StartupFactory(stage="acceleration", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    factories.MilestoneFactory(startup=startup, stage="acceleration", status="accepted")
    client.force_login(mentor)
    client.post(
        reverse("investment-review-new", args=[startup.pk]),
        {"verdict": "ready", "summary": "Data room complete."},
    )
    assert startup_transition(startup=startup, name="fund", actor=manager).stage == "funding"
    assert not TransitionLog.objects.get(transition="fund").is_override


def test_founder_proposes_readiness_mentor_confirms(client, founder, mentor, incubating):
    client.force_login(founder)
    client.post(
        reverse("readiness-new", args=[incubating.pk]),
        {"trl": 4, "phase": "preclinical", "note": "Second animal model.", "file": pdf("study.pdf")},
    )
    change = ReadinessChange.objects.get()
    assert change.is_pending
    assert Startup.objects.get(pk=incubating.pk).trl == 3

    client.force_login(mentor)
    client.post(reverse("readiness-confirm", args=[change.pk]), {"decision": "confirm"})
    change.refresh_from_db()
    assert (change.trl_from, change.trl_to, change.confirmed_by) == (3, 4, mentor)
    startup = Startup.objects.get(pk=incubating.pk)
    assert (startup.trl, startup.development_phase) == (4, "preclinical")
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "3 → 4" in page
    assert "→ Preclinical" in page  # the phase by its name, not its code
    assert reverse("readiness-file", args=[change.pk]) in page


def test_a_proposal_waits_alone_and_is_confirmed_only_from_the_level_it_started_at(
    client, founder, mentor, manager, incubating
):
    client.force_login(founder)
    url = reverse("readiness-new", args=[incubating.pk])
    client.post(url, {"trl": 4, "phase": "preclinical", "note": "Second animal model."})
    assert "waits for confirmation" in client.get(url).content.decode()
    response = client.post(url, {"trl": 2, "phase": "discovery", "note": "Back to the bench."})
    [refusal] = response.context["form"].non_field_errors()
    assert "waits for confirmation" in refusal
    body = {"startup": incubating.pk, "trl": 2, "development_phase": "discovery", "evidence_note": "Bench."}
    api = client.post("/api/v1/readiness-changes/", body, content_type="application/json")
    assert (api.status_code, api.json()["error"]["code"]) == (409, "proposal_waiting")
    assert ReadinessChange.objects.count() == 1
    proposal = ReadinessChange.objects.get()

    # A manager records a change meanwhile: the proposal no longer starts where the startup is.
    readiness_change_record(
        startup=incubating, actor=manager, trl=5, phase="clinical_1", evidence_note="IND approved."
    )
    client.force_login(mentor)
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "outdated: the readiness changed since" in page
    assert 'value="confirm"' not in page
    response = client.post(
        reverse("readiness-confirm", args=[proposal.pk]), {"decision": "confirm"}, follow=True
    )
    assert "changed after this was proposed" in response.content.decode()
    assert Startup.objects.get(pk=incubating.pk).trl == 5
    assert ReadinessChange.objects.get(pk=proposal.pk).is_pending

    api = client.post(
        f"/api/v1/readiness-changes/{proposal.pk}/decision/",
        {"decision": "confirm"},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api.json()["error"]["code"] == "outdated"
    client.post(
        reverse("readiness-confirm", args=[proposal.pk]), {"decision": "reject", "reason": "Outdated."}
    )
    assert ReadinessChange.objects.get(pk=proposal.pk).rejected_at is not None

    client.force_login(founder)
    client.post(url, {"trl": 6, "phase": "clinical_1", "note": "Phase I enrolled."})
    assert ReadinessChange.objects.filter(trl_to=6).exists()


def test_the_team_withdraws_its_waiting_proposal_and_may_propose_again(
    client, founder, mentor, incubating, django_capture_on_commit_callbacks
):
    client.force_login(founder)
    url = reverse("readiness-new", args=[incubating.pk])
    client.post(url, {"trl": 9, "phase": "discovery", "note": "Typed the wrong level.", "file": pdf("x.pdf")})
    proposal = ReadinessChange.objects.get()
    stored = proposal.evidence_file.name
    assert reverse("readiness-withdraw", args=[proposal.pk]) in client.get(url).content.decode()
    # Only the startup's team withdraws it: not its mentor, not another founder.
    client.force_login(mentor)
    assert client.post(reverse("readiness-withdraw", args=[proposal.pk])).status_code == 403
    client.force_login(factories.FounderFactory())
    assert client.post(reverse("readiness-withdraw", args=[proposal.pk])).status_code == 404
    assert ReadinessChange.objects.filter(pk=proposal.pk).exists()

    client.force_login(founder)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("readiness-withdraw", args=[proposal.pk]), follow=True)

    assert "Your proposal is withdrawn; you can propose another." in response.content.decode()
    assert not ReadinessChange.objects.exists()
    assert not default_storage.exists(stored)
    assert Startup.objects.get(pk=incubating.pk).trl == 3
    client.post(url, {"trl": 4, "phase": "preclinical", "note": "Second animal model."})
    assert ReadinessChange.objects.get().trl_to == 4
    # The mentor's page, opened before the withdrawal, says what happened.
    client.force_login(mentor)
    stale = client.post(
        reverse("readiness-confirm", args=[proposal.pk]), {"decision": "confirm"}, follow=True
    )
    assert "This proposed change is no longer there: the team withdrew it." in stale.content.decode()


def test_manager_records_readiness_at_once_and_bad_changes_are_refused(client, manager, incubating):
    client.force_login(manager)
    response = client.post(reverse("readiness-new", args=[incubating.pk]), {"trl": 3, "phase": "discovery"})
    body = response.content.decode()
    assert "Say what shows the progress" in body or "Add a file or write a note." in body
    response = client.post(
        reverse("readiness-new", args=[incubating.pk]), {"trl": 3, "phase": "discovery", "note": "n"}
    )
    assert "Nothing changes" in response.content.decode()
    response = client.post(
        reverse("readiness-new", args=[incubating.pk]), {"trl": 5, "phase": "prototype", "note": "n"}
    )
    assert "Select a valid choice." in response.content.decode()
    client.post(
        reverse("readiness-new", args=[incubating.pk]),
        {"trl": 5, "phase": "clinical_1", "note": "IND approved."},
    )
    assert Startup.objects.get(pk=incubating.pk).trl == 5
    assert ReadinessChange.objects.get().confirmed_by == manager


def test_readiness_history_shows_an_arrow_only_for_what_changed(client, manager, incubating):
    client.force_login(manager)
    client.post(
        reverse("readiness-new", args=[incubating.pk]),
        {"trl": 4, "phase": incubating.development_phase, "note": "Second animal model."},
    )

    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()

    assert "3 → 4" in page
    phase = str(DevelopmentPhase(incubating.development_phase).label)
    assert f"{phase} → {phase}" not in page
    assert f"<td>{phase}</td>" in page


def test_profile_edit_cannot_change_readiness_directly(client, founder, incubating):
    client.force_login(founder)
    client.post(
        reverse("startup-edit", args=[incubating.pk]),
        {
            "name": "NeuroRegen",
            "therapeutic_area": incubating.therapeutic_area_id,
            "product_type": "drug",
            "trl": 9,
            "development_phase": "market",
        },
    )
    startup = Startup.objects.get(pk=incubating.pk)
    assert (startup.trl, startup.development_phase) == (3, "discovery")


def test_monthly_report_submission_and_rules(client, founder, incubating):
    client.force_login(founder)
    with time_machine.travel(datetime(2026, 11, 15, 12, tzinfo=timezone.get_current_timezone())):
        url = reverse("kpi-report", args=[incubating.pk, 2026, 10])
        client.post(
            url,
            {
                "team_size": 5,
                "revenue": "0",
                "grants_received": "3000000",
                "patents_filed": 1,
                "publications": 0,
            },
        )
        report = KpiReport.objects.get()
        assert (report.period, report.team_size, report.patents_filed) == (date(2026, 10, 1), 5, 1)
        client.post(
            url,
            {"team_size": 6, "revenue": "0", "grants_received": "0", "patents_filed": 1, "publications": 2},
        )
        assert KpiReport.objects.get().team_size == 6  # a correction, not a second report
        future = client.post(
            reverse("kpi-report", args=[incubating.pk, 2027, 1]),
            {"team_size": 6, "revenue": "0", "grants_received": "0", "patents_filed": 0, "publications": 0},
        )
        assert "A month can be reported on once it has begun." in future.content.decode()
        negative = client.post(
            url,
            {"team_size": 6, "revenue": "-5", "grants_received": "0", "patents_filed": 0, "publications": 0},
        )
        assert "The amount cannot be negative." in negative.content.decode()
    client.force_login(factories.FounderFactory())
    assert client.get(url).status_code == 404


def test_a_month_before_the_admission_or_not_yet_begun_cannot_be_reported(client, founder, incubating):
    admitted = datetime(2026, 8, 20, 10, tzinfo=timezone.get_current_timezone())
    Startup.objects.filter(pk=incubating.pk).update(admitted_at=admitted)
    client.force_login(founder)
    figures = {"team_size": 6, "revenue": "0", "grants_received": "0", "patents_filed": 0, "publications": 0}
    with time_machine.travel(datetime(2026, 11, 15, 12, tzinfo=timezone.get_current_timezone())):
        before = client.get(reverse("kpi-report", args=[incubating.pk, 2024, 1])).content.decode()
        future = client.get(reverse("kpi-report", args=[incubating.pk, 2027, 1])).content.decode()
        posted = client.post(reverse("kpi-report", args=[incubating.pk, 2024, 1]), figures)
        saved = client.post(reverse("kpi-report", args=[incubating.pk, 2026, 8]), figures, follow=True)

    # Said up front, with no form to fill in first.
    assert f"{incubating.name} reports from August 2026 on, the month it was admitted." in before
    assert "A month can be reported on once it has begun." in future
    assert 'name="team_size"' not in before + future
    assert posted.status_code == 200
    assert KpiReport.objects.filter(period=date(2024, 1, 1)).count() == 0
    # The admission month itself is reported, and the message names the month in words.
    assert "The report for August 2026 is saved." in saved.content.decode()


def test_a_startup_that_does_not_report_gets_no_report_form(client, founder):
    applying = factories.StartupFactory(stage="application", name="CardioGene", founders=[founder])
    client.force_login(founder)

    page = client.get(reverse("kpi-report", args=[applying.pk, 2026, 10])).content.decode()

    assert "Only startups in incubation, acceleration or funding report monthly." in page
    assert 'name="team_size"' not in page


def test_a_report_reads_its_figures_as_reported(client, mentor, incubating):
    KpiReport.objects.create(
        startup=incubating,
        period=date(2026, 10, 1),
        team_size=4,
        revenue=Decimal("150000.50"),
        grants_received=0,
    )
    client.force_login(mentor)

    page = client.get(reverse("kpi-report", args=[incubating.pk, 2026, 10])).content.decode()

    assert ">150,000.50</dd>" in page
    assert ">0</dd>" in page  # nothing received is 0, not "not reported"
    # The startup's table of reports shows the kopecks too.
    startup_page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert '<td class="num">150,000.50</td>' in startup_page


def test_missing_reports_with_frozen_time(incubating):
    admitted = datetime(2026, 8, 20, 10, tzinfo=timezone.get_current_timezone())
    Startup.objects.filter(pk=incubating.pk).update(admitted_at=admitted)
    KpiReport.objects.create(startup=incubating, period=date(2026, 9, 1), team_size=3)
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=timezone.get_current_timezone())):
        # August is due by 10 September: missing. September is due by 10 October: not late yet.
        [item] = missing_reports()
        assert item.periods == [date(2026, 8, 1)]
    with time_machine.travel(datetime(2026, 11, 11, 12, tzinfo=timezone.get_current_timezone())):
        [item] = missing_reports()
        assert item.periods == [date(2026, 10, 1), date(2026, 8, 1)]


def test_ledger_sums_per_currency_without_conversion(manager, founder):
    area = factories.TherapeuticAreaFactory(name="Oncology")
    startup = factories.StartupFactory(stage="funding", founders=[founder], therapeutic_area=area)
    call = factories.CallFactory(title="Cohort 2025")
    factories.ApplicationFactory(startup=startup, call=call, status="accepted")
    Startup.objects.filter(pk=startup.pk).update(
        admitted_at=datetime(2025, 6, 1, tzinfo=timezone.get_current_timezone()), admitted_call=call
    )
    fund = factories.OrganisationFactory(name="KSI Ventures", kind="fund")
    before = funding_record_create(
        startup=startup,
        actor=manager,
        kind="grant",
        date=date(2025, 3, 1),
        amount=Decimal("1000000"),
        currency="RUB",
        investor_name="University prize",
    )
    funding_record_create(
        startup=startup,
        actor=manager,
        kind="grant",
        date=date(2025, 6, 15),
        amount=Decimal("3000000"),
        currency="RUB",
        investor_name="Cluster programme",
        from_programme=True,
    )
    funding_record_create(
        startup=startup,
        actor=manager,
        kind="equity",
        date=date(2026, 2, 1),
        amount=Decimal("25000000"),
        currency="RUB",
        investor=fund,
    )
    funding_record_create(
        startup=startup,
        actor=manager,
        kind="equity",
        date=date(2026, 3, 1),
        amount=Decimal("750000"),
        currency="USD",
        investor_name="Baltic Fund",
    )

    assert funding_totals_by_currency() == {"RUB": Decimal("29000000"), "USD": Decimal("750000")}
    by_call = {(r.group, r.currency): (r.total, r.follow_on) for r in funding_by("call")}
    assert by_call == {
        ("Cohort 2025", "RUB"): (Decimal("29000000"), Decimal("25000000")),
        ("Cohort 2025", "USD"): (Decimal("750000"), Decimal("750000")),
    }
    by_year = {(r.group, r.currency): r.total for r in funding_by("year")}
    assert by_year == {
        ("2025", "RUB"): Decimal("4000000"),
        ("2026", "RUB"): Decimal("25000000"),
        ("2026", "USD"): Decimal("750000"),
    }
    assert {(r.group, r.currency) for r in funding_by("field")} == {("Oncology", "RUB"), ("Oncology", "USD")}
    assert before.source == "University prize"


def test_funding_needs_a_source_and_tranches_within_the_amount(manager, incubating):
    with pytest.raises(PortfolioError, match="Name the investor"):
        funding_record_create(
            startup=incubating,
            actor=manager,
            kind="grant",
            date=date(2026, 1, 1),
            amount=Decimal("10"),
            currency="RUB",
        )
    with pytest.raises(PortfolioError, match="add up to more than the amount"):
        funding_record_create(
            startup=incubating,
            actor=manager,
            kind="grant",
            date=date(2026, 1, 1),
            amount=Decimal("10"),
            currency="RUB",
            investor_name="X",
            tranches=[{"amount": Decimal("6")}, {"amount": Decimal("5")}],
        )
    with pytest.raises(PortfolioError, match="The date cannot be in the future"):
        funding_record_create(
            startup=incubating,
            actor=manager,
            kind="grant",
            date=timezone.localdate() + timedelta(days=1),
            amount=Decimal("10"),
            currency="RUB",
            investor_name="X",
        )
    assert not FundingRecord.objects.exists()


def test_the_programmes_own_funding_needs_no_other_source(client, manager, incubating):
    client.force_login(manager)
    response = client.post(
        reverse("funding-new", args=[incubating.pk]),
        {
            "kind": "grant",
            "date": "2026-05-01",
            "amount": "3000000",
            "currency": "RUB",
            "from_programme": "on",
        },
    )
    assert response.status_code == 302
    record = FundingRecord.objects.get()
    assert (record.investor, record.investor_name, record.from_programme) == (None, "", True)
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "The cluster&#x27;s programme" in page


def test_funding_is_a_positive_amount_dated_after_the_founding(client, manager, incubating):
    incubating.founded_on = date(2024, 3, 1)
    incubating.save()
    client.force_login(manager)
    url = reverse("funding-new", args=[incubating.pk])
    form = {"kind": "grant", "date": "2026-05-01", "currency": "RUB", "from_programme": "on"}

    for amount in ("-5000", "0"):
        errors = client.post(url, {**form, "amount": amount}).context["form"].errors
        assert errors["amount"] == ["The amount must be more than zero."]
    errors = client.post(url, {**form, "amount": "100", "date": "1900-01-01"}).context["form"].errors
    assert errors["date"] == ["The startup was founded on 1 March 2024; its funding cannot be dated earlier."]
    assert not FundingRecord.objects.exists()
    body = {"startup": incubating.pk, "kind": "grant", "date": "2026-05-01", "currency": "RUB"}
    body["from_programme"] = True
    response = client.post(
        "/api/v1/funding-records/", {**body, "amount": "0.00"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"]["amount"] == ["The amount must be more than zero."]
    response = client.post(
        "/api/v1/funding-records/",
        {**body, "amount": "100", "date": "2000-01-01"},
        content_type="application/json",
    )
    assert list(response.json()["error"]["details"]["fields"]) == ["date"]
    # The model says so too (the admin's forms ask it).
    with pytest.raises(ValidationError) as refused:
        FundingRecord(
            startup=incubating, kind="grant", date=date(2000, 1, 1), amount=0, currency="RUB"
        ).full_clean()
    assert {"amount", "date"} <= set(refused.value.message_dict)
    with pytest.raises(PortfolioError, match="more than zero"):
        funding_record_create(
            startup=incubating,
            actor=manager,
            kind="grant",
            date=date(2026, 5, 1),
            amount=Decimal("0"),
            currency="RUB",
            from_programme=True,
        )


def test_a_founding_date_in_the_future_is_refused(client, founder, incubating):
    client.force_login(founder)
    response = client.patch(
        f"/api/v1/startups/{incubating.pk}/",
        {"founded_on": (timezone.localdate() + timedelta(days=30)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "A founding date cannot be in the future." in response.content.decode()


def test_funding_page_records_tranches_tied_to_milestones(client, manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, title="First patient dosed")
    client.force_login(manager)
    client.post(
        reverse("funding-new", args=[incubating.pk]),
        {
            "kind": "grant",
            "title": "Start-2",
            "date": "2026-05-01",
            "amount": "5000000",
            "currency": "RUB",
            "investor_name": "Innovation Promotion Fund",
            "tranche_1_amount": "2000000",
            "tranche_2_amount": "3000000",
            "tranche_2_milestone": milestone.pk,
        },
    )
    record = FundingRecord.objects.get()
    assert [(t.amount, t.milestone) for t in record.tranches.order_by("pk")] == [
        (Decimal("2000000"), None),
        (Decimal("3000000"), milestone),
    ]
    client.force_login(incubating.memberships.first().user)
    assert client.post(reverse("funding-new", args=[incubating.pk]), {}).status_code == 403


def test_portfolio_overview_shows_funding_by_call(client, manager):
    from django.core.management import call_command

    call_command("load_demo")
    client.force_login(manager)
    body = client.get(reverse("portfolio-overview")).content.decode()
    assert "Cohort 2025: incubation call" in body
    assert "By call" in body
    assert "USD" in body


@pytest.mark.parametrize("size", [1, 6])
def test_startup_page_query_count_is_fixed(client, django_assert_num_queries, size, manager, incubating):
    for n in range(size):
        milestone = factories.MilestoneFactory(startup=incubating, status="submitted")
        MilestoneEvidence.objects.create(milestone=milestone, startup=incubating, note=f"n{n}")
        KpiReport.objects.create(startup=incubating, period=date(2025, n + 1, 1), team_size=3)
        record = FundingRecord.objects.create(
            startup=incubating,
            kind="grant",
            date=date(2025, 1, 1),
            amount=1,
            currency="RUB",
            investor_name="X",
        )
        record.tranches.create(amount=1, milestone=milestone)
        ReadinessChange.objects.create(
            startup=incubating, trl_to=4, phase_to="preclinical", evidence_note="x"
        )
        mentor = factories.MentorFactory(organisation=factories.OrganisationFactory())
        factories.MentorAssignmentFactory(startup=incubating, mentor=mentor)
        StartupNote.objects.create(startup=incubating, author=mentor, body=f"Note {n}")
        factories.MentorFactory()  # one more the manager may choose
    client.force_login(manager)
    with django_assert_num_queries(20):
        page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert page.count(f'action="{reverse("mentor-add", args=[incubating.pk])}"') == 1
    assert page.count('action="/mentorships/') == size + 1
    assert page.count('action="/notes/') == size


@pytest.mark.parametrize("size", [1, 6])
def test_portfolio_overview_query_count_is_fixed(client, django_assert_num_queries, size, manager):
    for _ in range(size):
        startup = factories.StartupFactory(stage="incubation")
        FundingRecord.objects.create(
            startup=startup, kind="grant", date=date(2025, 1, 1), amount=1, currency="RUB", investor_name="X"
        )
        KpiReport.objects.create(startup=startup, period=date(2025, 1, 1), team_size=3)
    client.force_login(manager)
    with django_assert_num_queries(9):
        client.get(reverse("portfolio-overview"))


def test_a_manager_marks_a_tranche_paid_from_the_startup_page(client, manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, title="GLP toxicology")
    record = funding_record_create(
        startup=incubating,
        actor=manager,
        kind="grant",
        date=date(2026, 10, 1),
        amount=Decimal("1000000"),
        currency="RUB",
        investor_name="Skolkovo Foundation",
        tranches=[{"amount": Decimal("400000")}, {"amount": Decimal("600000"), "milestone": milestone}],
    )
    first, tied = record.tranches.order_by("pk")
    client.force_login(manager)

    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=timezone.get_current_timezone())):
        page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
        assert 'data-confirm="Record the tranche of 400,000 RUB as paid on the date given?' in page
        assert (
            f'id="paid-on-{first.pk}" name="paid_on" value="2026-11-02" min="2026-10-01" max="2026-11-02"'
        ) in page
        # The tranche tied to a milestone not yet accepted offers no "mark paid" yet.
        assert reverse("tranche-paid", args=[tied.pk]) not in page
        assert "payable once the milestone is accepted" in page
        url = reverse("tranche-paid", args=[first.pk])
        future = client.post(url, {"paid_on": "2026-11-03"}, follow=True).content.decode()
        before = client.post(url, {"paid_on": "2026-09-30"}, follow=True).content.decode()
        garbled = client.post(url, {"paid_on": "yesterday"}, follow=True).content.decode()
        paid = client.post(url, {"paid_on": "2026-10-20"}, follow=True).content.decode()
        early = client.post(reverse("tranche-paid", args=[tied.pk]), follow=True).content.decode()

    assert "The payment date cannot be in the future." in future
    assert "The payment date cannot come before the funding itself (1 Oct 2026)." in before
    assert "Give the payment date as a date." in garbled
    assert "The tranche of 400,000 RUB is recorded as paid on 20 Oct 2026." in paid
    assert "Paid 20 Oct 2026" in paid
    assert "tied to the milestone “GLP toxicology”, which is not accepted yet." in early
    assert FundingTranche.objects.get(pk=tied.pk).status == "planned"


def test_the_funding_page_names_every_problem_at_once_and_keeps_the_input(client, manager, incubating):
    member = factories.OrganisationFactory(name="KSI Ventures", is_member=True)
    client.force_login(manager)

    response = client.post(
        reverse("funding-new", args=[incubating.pk]),
        {
            "kind": "equity",
            "title": "Seed round",
            "date": "2026-05-01",
            "amount": "1000000",
            "currency": "RUB",
            "investor": member.pk,
            "investor_name": "Some Fund",
            "tranche_1_amount": "600000",
            "tranche_2_amount": "500000",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a member organisation or type another name, not both" in body
    assert "The tranches add up to more than the amount." in body
    assert 'value="Seed round"' in body
    assert 'value="600000"' in body
    assert not FundingRecord.objects.exists()


def test_an_empty_funding_form_says_what_each_field_needs(client, manager, incubating):
    client.force_login(manager)

    form = client.post(reverse("funding-new", args=[incubating.pk]), {"currency": "RUB"}).context["form"]

    assert form.errors["kind"] == ["Choose the kind: a grant, an equity round or a loan."]
    assert form.errors["date"] == ["Give the date the funding was secured."]
    assert form.errors["amount"] == ["Give the amount."]


def test_a_tranche_needs_a_positive_amount_and_its_milestone_is_not_dropped(client, manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, title="GLP toxicology")
    client.force_login(manager)

    response = client.post(
        reverse("funding-new", args=[incubating.pk]),
        {
            "kind": "grant",
            "date": "2026-05-01",
            "amount": "1000000",
            "currency": "RUB",
            "investor_name": "Fund",
            "tranche_1_amount": "-5",
            "tranche_2_milestone": milestone.pk,
        },
    )

    form = response.context["form"]
    assert form.errors["tranche_1_amount"] == [
        "A tranche's amount must be more than zero; leave it empty for no tranche."
    ]
    assert form.errors["tranche_2_amount"] == [
        "Give this tranche's amount, or clear the milestone it is paid on reaching."
    ]
    assert 'value="-5"' in response.content.decode()
    assert not FundingRecord.objects.exists()


@time_machine.travel(datetime(2026, 11, 18, 12, 0, tzinfo=UTC), tick=False)
def test_funding_is_recorded_once_secured_not_ahead(client, manager, incubating):
    client.force_login(manager)
    url = reverse("funding-new", args=[incubating.pk])
    assert 'max="2026-11-18"' in client.get(url).content.decode()
    data = {
        "kind": "grant",
        "date": "2026-11-19",
        "amount": "500000",
        "currency": "RUB",
        "investor_name": "Fund",
    }

    body = client.post(url, data).content.decode()

    assert "The date cannot be in the future: record funding once it is secured" in body
    assert not FundingRecord.objects.exists()
    client.post(url, {**data, "date": "2026-11-18"})
    assert FundingRecord.objects.get().date == date(2026, 11, 18)


def test_the_startup_page_gives_the_moves_a_column_only_for_managers(client, manager, founder, incubating):
    url = reverse("startup-detail", args=[incubating.pk])
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "Move this startup" in page
    assert '<div class="col-lg-7">' in page
    client.force_login(founder)
    page = client.get(url).content.decode()
    assert "Move this startup" not in page
    assert '<div class="col-12">' in page
    assert '<div class="col-lg-7">' not in page


def test_a_step_back_in_readiness_is_marked_for_the_mentor(client, founder, mentor, incubating):
    client.force_login(founder)
    form = client.get(reverse("readiness-new", args=[incubating.pk])).content.decode()
    assert "is recorded as a step back" in form
    client.post(
        reverse("readiness-new", args=[incubating.pk]),
        {"trl": 2, "phase": "discovery", "note": "The lead compound failed in the animal model."},
    )
    change = ReadinessChange.objects.get()
    assert change.is_step_back

    client.force_login(mentor)
    assert "NeuroRegen reports TRL 2 (a step back)" in client.get(reverse("mentor-home")).content.decode()
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "3 → 2" in page
    assert "a step back" in page


@pytest.mark.parametrize(
    ("trl_from", "trl_to", "phase_from", "phase_to", "back"),
    [
        (3, 4, "preclinical", "preclinical", False),
        (3, 3, "preclinical", "clinical_1", False),
        (3, 2, "preclinical", "preclinical", True),
        (5, 5, "clinical_1", "preclinical", True),
        (4, 5, "verification", "prototype", True),
        (None, 3, "", "preclinical", False),
    ],
)
def test_which_readiness_changes_are_a_step_back(trl_from, trl_to, phase_from, phase_to, back):
    change = ReadinessChange(trl_from=trl_from, trl_to=trl_to, phase_from=phase_from, phase_to=phase_to)
    assert change.is_step_back is back


def test_a_report_corrected_in_another_tab_is_not_overwritten_silently(client, founder, incubating):
    cofounder = factories.FounderFactory(full_name="Chen Cofounder")
    factories.TeamMembershipFactory(startup=incubating, user=cofounder)
    figures = {"revenue": "0", "grants_received": "0", "patents_filed": 0, "publications": 0}
    with time_machine.travel(datetime(2026, 11, 15, 12, tzinfo=timezone.get_current_timezone())):
        url = reverse("kpi-report", args=[incubating.pk, 2026, 10])
        client.force_login(founder)
        first_tab = client.get(url).context["version"]
        assert first_tab == ""
        client.post(url, {**figures, "team_size": 5, "version": first_tab})
        other = Client()
        other.force_login(cofounder)
        stale_tab = other.get(url).context["version"]
        second_tab = client.get(url).context["version"]
        client.post(url, {**figures, "team_size": 10, "version": second_tab})

        response = other.post(url, {**figures, "team_size": 11, "version": stale_tab})

        assert KpiReport.objects.get().team_size == 10
        body = response.content.decode()
        assert "saved this month&#x27;s report at" in body
        assert "Nothing was saved" in body
        assert 'value="11"' in body  # what they typed is kept
        # Saving again, having seen the report, replaces it.
        other.post(url, {**figures, "team_size": 11, "version": response.context["version"]})
        assert KpiReport.objects.get().team_size == 11


def _propose(client, founder, startup) -> ReadinessChange:
    """The founder proposes TRL 4, preclinical, on the readiness page."""
    client.force_login(founder)
    client.post(
        reverse("readiness-new", args=[startup.pk]),
        {"trl": 4, "phase": "preclinical", "note": "Second animal model."},
    )
    return ReadinessChange.objects.get()


@pytest.mark.parametrize("decision", ["confirm", "reject"])
def test_the_team_is_told_how_its_readiness_proposal_was_decided(
    client, founder, mentor, incubating, decision
):
    from notifications.models import Notification, OutboxMessage
    from notifications.rendering import render_title

    cofounder = factories.FounderFactory()
    factories.TeamMembershipFactory(startup=incubating, user=cofounder)
    change = _propose(client, founder, incubating)
    client.force_login(mentor)
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "Reject the proposed TRL 4? The readiness stays as it was, and the team is told." in page

    client.post(reverse("readiness-confirm", args=[change.pk]), {"decision": decision, "reason": "No model."})

    notices = Notification.objects.filter(kind="readiness_decided")
    assert set(notices.values_list("recipient_id", flat=True)) == {founder.pk, cofounder.pk}
    title = render_title(kind="readiness_decided", context=notices.first().context)
    expected = (
        "NeuroRegen: TRL 4 confirmed"
        if decision == "confirm"
        else ("NeuroRegen: the proposed TRL 4 was not confirmed")
    )
    assert title == expected
    assert OutboxMessage.objects.filter(kind="readiness_decided").count() == 2
    assert not Notification.objects.filter(kind="readiness_decided", recipient=mentor).exists()


def test_portfolio_pages_name_the_startup_in_their_title(client, manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, title="GLP toxicology")
    client.force_login(manager)
    for url in [
        reverse("milestone-new", args=[incubating.pk]),
        reverse("readiness-new", args=[incubating.pk]),
        reverse("funding-new", args=[incubating.pk]),
        reverse("investment-review-new", args=[incubating.pk]),
        reverse("milestone-detail", args=[milestone.pk]),
    ]:
        title = re.search(r"<title>(.*?)</title>", client.get(url).content.decode(), re.S).group(1)
        assert "NeuroRegen" in title, url


def test_a_rejection_says_why_and_the_team_reads_it(client, founder, mentor, incubating):
    from notifications.models import OutboxMessage
    from notifications.rendering import render_email

    change = _propose(client, founder, incubating)
    client.force_login(mentor)
    url = reverse("readiness-confirm", args=[change.pk])

    refused = client.post(url, {"decision": "reject", "reason": "  "}, follow=True)
    assert "Say why the change is not confirmed" in refused.content.decode()
    assert ReadinessChange.objects.get().is_pending

    client.post(url, {"decision": "reject", "reason": "Show the second model's histology."})

    change = ReadinessChange.objects.get()
    assert change.rejection_reason == "Show the second model's histology."
    message = OutboxMessage.objects.get(kind="readiness_decided", recipient=founder)
    email = render_email(kind=message.kind, context=message.context, recipient=founder)
    assert "Why: Show the second model's histology." in email.text
    assert "Ask the startup's mentor" not in email.text
    client.force_login(founder)
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "Why: Show the second model&#x27;s histology." in page


@pytest.mark.parametrize("stage", ["application", "alumni"])
def test_a_proposal_outside_the_programme_can_be_decided(client, founder, manager, stage):
    startup = factories.StartupFactory(stage=stage, founders=[founder], trl=3)
    change = _propose(client, founder, startup)

    client.force_login(manager)
    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert 'name="decision" value="confirm"' in page
    assert 'name="decision" value="reject"' in page
    client.post(reverse("readiness-confirm", args=[change.pk]), {"decision": "confirm"})
    assert Startup.objects.get(pk=startup.pk).trl == 4


@pytest.mark.parametrize("stage", ["exited", "rejected", "withdrawn"])
def test_the_team_of_a_startup_that_left_the_pipeline_proposes_nothing(client, founder, stage):
    startup = factories.StartupFactory(stage=stage, founders=[founder], trl=3)
    client.force_login(founder)
    assert (
        reverse("readiness-new", args=[startup.pk])
        not in client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    )

    response = client.post(
        reverse("readiness-new", args=[startup.pk]),
        {"trl": 4, "phase": "preclinical", "note": "Second animal model."},
    )

    assert "has left the pipeline; its readiness is no longer followed" in response.content.decode()
    assert not ReadinessChange.objects.exists()


def test_the_founders_are_told_who_was_asked_to_confirm(client, founder, incubating, mentor):
    url = reverse("readiness-new", args=[incubating.pk])
    client.force_login(founder)
    response = client.post(url, {"trl": 4, "phase": "preclinical", "note": "Model 2."}, follow=True)
    assert "Sent for confirmation to the startup&#x27;s mentor." in response.content.decode()

    ReadinessChange.objects.all().delete()
    incubating.mentor_assignments.all().delete()
    response = client.post(url, {"trl": 4, "phase": "preclinical", "note": "Model 2."}, follow=True)
    assert "Sent for confirmation to the cluster managers." in response.content.decode()


@pytest.mark.parametrize("stage", ["exited", "alumni"])
def test_a_startup_that_left_the_programme_takes_no_more_milestone_work(client, founder, mentor, stage):
    from notifications.models import Notification

    startup = factories.StartupFactory(name="AntibioTech", stage="incubation", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    open_one = factories.MilestoneFactory(startup=startup, title="FTO analysis", status="in_progress")
    submitted = factories.MilestoneFactory(startup=startup, title="Tox study", status="submitted")
    MilestoneEvidence.objects.create(milestone=submitted, startup=startup, note="Report attached.")
    Startup.objects.filter(pk=startup.pk).update(stage=stage)
    client.force_login(founder)
    url = reverse("milestone-detail", args=[open_one.pk])

    page = client.get(url).content.decode()
    assert "Add evidence" not in page
    with pytest.raises(PortfolioError, match="has left the programme"):
        milestone_evidence_add(milestone=open_one, actor=founder, note="Late work.")
    MilestoneEvidence.objects.create(milestone=open_one, startup=startup, note="Added before.")
    with pytest.raises(GuardFailed, match="its milestones take no more work"):
        milestone_transition(milestone=open_one, name="submit", actor=founder)
    assert not Notification.objects.filter(kind="milestone_submitted").exists()

    # What was submitted in the programme can still be accepted, not sent back for more work.
    with pytest.raises(GuardFailed):
        milestone_transition(milestone=submitted, name="send_back", actor=mentor, reason="More data.")
    milestone_transition(milestone=submitted, name="accept", actor=mentor)
    assert Milestone.objects.get(pk=submitted.pk).status == "accepted"


def test_funding_figures_keep_their_cents(client, manager, incubating):
    record = funding_record_create(
        startup=incubating,
        actor=manager,
        kind="equity",
        date=date(2026, 10, 1),
        amount=Decimal("250000.50"),
        currency="USD",
        investor_name="KSI Ventures",
        tranches=[{"amount": Decimal("1000.50")}],
    )
    factories.FundingRecordFactory(startup=incubating, amount=Decimal("3000000"), currency="RUB")
    client.force_login(manager)

    overview = client.get(reverse("portfolio-overview")).content.decode()
    dashboard = client.get(reverse("manager-home")).content.decode()
    paid = client.post(
        reverse("tranche-paid", args=[record.tranches.get().pk]), {"paid_on": "2026-10-20"}, follow=True
    ).content.decode()

    assert "250,000.50 USD" in overview
    assert "3,000,000 RUB" in overview  # whole amounts show no zeros after the point
    assert '<td class="num">250,000.50</td>' in dashboard
    assert "The tranche of 1,000.50 USD is recorded as paid" in paid


def test_a_manager_reschedules_a_reopened_milestone_and_corrects_its_title(
    client, manager, founder, incubating
):
    milestone = factories.MilestoneFactory(
        startup=incubating, title="FTO analyis", status="in_progress", due_on=date(2026, 4, 1)
    )
    url = reverse("milestone-edit", args=[milestone.pk])
    client.force_login(founder)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert (
        reverse("milestone-edit", args=[milestone.pk])
        in client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    )

    data = {"title": "FTO analysis", "due_on": "2026-05-01", "description": "", "required_evidence": ""}
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC)):
        past = client.post(url, data)
        # The past due date it has may stay while other fields change.
        kept = client.post(url, {**data, "due_on": "2026-04-01"})
        assert Milestone.objects.get(pk=milestone.pk).title == "FTO analysis"
        moved = client.post(url, {**data, "due_on": "2026-12-15"})

    assert past.status_code == 400
    assert "A new due date is today or later." in past.content.decode()
    assert (kept.status_code, moved.status_code) == (302, 302)
    assert Milestone.objects.get(pk=milestone.pk).due_on == date(2026, 12, 15)


def test_an_accepted_milestone_cannot_be_edited(manager, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, status="accepted")
    with pytest.raises(PortfolioError, match="stays as it was accepted"):
        milestone_update(
            milestone=milestone,
            actor=manager,
            title="New",
            due_on=milestone.due_on,
            description="",
            required_evidence="",
        )


def test_a_milestone_set_by_mistake_is_removed_and_opens_the_gate(client, manager, mentor, incubating):
    done = factories.MilestoneFactory(startup=incubating, status="accepted")
    mistake = factories.MilestoneFactory(startup=incubating, title="Duplicate")
    client.force_login(mentor)

    client.post(reverse("milestone-remove", args=[mistake.pk]))

    assert list(Milestone.objects.filter(startup=incubating)) == [done]
    startup_transition(startup=incubating, name="accelerate", actor=manager)
    assert Startup.objects.get(pk=incubating.pk).stage == "acceleration"


def test_a_milestone_with_work_or_funding_on_it_is_not_removed(client, manager, incubating):
    started = factories.MilestoneFactory(startup=incubating, status="in_progress")
    with_note = factories.MilestoneFactory(startup=incubating)
    MilestoneEvidence.objects.create(milestone=with_note, startup=incubating, note="Draft.")
    funded = factories.MilestoneFactory(startup=incubating)
    record = factories.FundingRecordFactory(startup=incubating)
    record.tranches.create(amount=Decimal("5"), milestone=funded)
    client.force_login(manager)

    for milestone in (started, with_note):
        page = client.post(reverse("milestone-remove", args=[milestone.pk]), follow=True).content.decode()
        assert "Only a milestone still planned, without evidence, can be removed" in page
    page = client.post(reverse("milestone-remove", args=[funded.pk]), follow=True).content.decode()
    assert "Funding tranches are tied to this milestone" in page
    assert Milestone.objects.filter(startup=incubating).count() == 3


def test_only_the_startups_mentors_and_managers_edit_or_remove_its_milestones(client, founder, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, title="GLP toxicology")
    edit = reverse("milestone-edit", args=[milestone.pk])
    remove = reverse("milestone-remove", args=[milestone.pk])
    data = {"title": "Hijacked", "due_on": "2030-01-01"}

    assert client.get(edit).url.startswith(reverse("login"))
    for person, status in [
        (factories.FounderFactory(), 404),  # another team: the startup is not there for them
        (factories.MentorFactory(), 404),  # a mentor of other startups
        (founder, 403),  # the team sees the milestone, but does not set it
    ]:
        client.force_login(person)
        assert client.get(edit).status_code == status
        assert client.post(edit, data).status_code == status
        assert client.post(remove).status_code == status
    assert Milestone.objects.get(pk=milestone.pk).title == "GLP toxicology"


def test_a_corrected_report_keeps_what_it_said_before(client, founder, mentor, incubating):
    from incubator.models import KpiReportRevision

    figures = {
        "team_size": 5,
        "revenue": "0",
        "grants_received": "3000000",
        "patents_filed": 0,
        "publications": 0,
    }
    url = reverse("kpi-report", args=[incubating.pk, 2026, 10])
    client.force_login(founder)
    with time_machine.travel(datetime(2026, 11, 5, 12, tzinfo=timezone.get_current_timezone())):
        client.post(url, {**figures, "version": ""})
    with time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=timezone.get_current_timezone())):
        version = client.get(url).context["version"]
        client.post(url, {**figures, "version": version})  # saved again unchanged: nothing to keep
        assert not KpiReportRevision.objects.exists()
        version = client.get(url).context["version"]
        client.post(url, {**figures, "grants_received": "0", "team_size": 6, "version": version})

        client.force_login(mentor)
        page = re.sub(r"\s+", " ", client.get(url).content.decode())
        startup_page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()

    assert KpiReport.objects.get().grants_received == 0
    [revision] = KpiReportRevision.objects.all()
    assert revision.figures["grants_received"] == "3000000.00"
    assert revision.submitted_by == founder
    assert "Corrected" in page
    assert "Team size: 5 → 6" in page
    assert "Grants received (RUB): 3,000,000 → 0" in page
    assert "Revenue" not in page.split("Corrections")[1]  # only what changed
    assert ">corrected</span>" in startup_page


def test_after_leaving_the_programme_no_milestone_is_set_and_no_evidence_removed(
    manager, founder, incubating
):
    milestone = factories.MilestoneFactory(startup=incubating)
    evidence = MilestoneEvidence.objects.create(milestone=milestone, startup=incubating, note="Draft.")
    Startup.objects.filter(pk=incubating.pk).update(stage="exited")

    with pytest.raises(PortfolioError, match="has left the programme"):
        milestone_evidence_remove(evidence=evidence, actor=founder)
    with pytest.raises(PortfolioError, match="has left the programme"):
        milestone_create(
            startup=incubating, actor=manager, stage="incubation", title="Late", due_on=date(2030, 1, 1)
        )
    assert MilestoneEvidence.objects.filter(pk=evidence.pk).exists()


def test_saving_a_report_again_unchanged_keeps_who_submitted_it(client, founder, incubating):
    cofounder = factories.FounderFactory()
    factories.TeamMembershipFactory(startup=incubating, user=cofounder)
    figures = {"team_size": 5, "revenue": "0", "grants_received": "0", "patents_filed": 0, "publications": 0}
    kpi_report_submit(startup=incubating, actor=founder, period=date(2026, 10, 1), **figures)

    kpi_report_submit(startup=incubating, actor=cofounder, period=date(2026, 10, 1), **figures)
    assert KpiReport.objects.get().submitted_by == founder
    kpi_report_submit(
        startup=incubating, actor=cofounder, period=date(2026, 10, 1), **{**figures, "team_size": 6}
    )

    from incubator.models import KpiReportRevision

    assert KpiReportRevision.objects.get().submitted_by == founder
    assert KpiReport.objects.get().submitted_by == cofounder


def test_a_rejection_reason_is_bounded(founder, mentor, incubating):
    change = readiness_change_record(
        startup=incubating, actor=founder, trl=4, phase="preclinical", evidence_note="Model 2."
    )
    with pytest.raises(PortfolioError, match="at most 2000 characters"):
        readiness_change_confirm(change=change, actor=mentor, accept=False, reason="x" * 2001)
    assert ReadinessChange.objects.get().is_pending


def test_a_milestone_is_marked_as_missed_only_with_the_reason_for_the_founders(
    client, founder, manager, incubating
):
    milestone = factories.MilestoneFactory(startup=incubating, status="in_progress")
    url = reverse("milestone-transition", args=[milestone.pk])
    client.force_login(manager)
    page = client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    assert 'id="reason-miss"' in page  # the box for the reason, before anyone is refused

    with pytest.raises(GuardFailed) as info:
        milestone_transition(milestone=milestone, name="miss", actor=manager, reason="  ")
    assert info.value.codes == ["reason_given"]
    response = client.post(url, {"transition": "miss", "expected_state": "in_progress", "reason": ""})
    assert response.status_code == 409
    assert "Tell the founders why the milestone counts as missed." in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).status == "in_progress"

    response = client.post(
        url, {"transition": "miss", "expected_state": "in_progress", "reason": "The pilot site withdrew."}
    )
    assert response.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).status == "missed"
    client.force_login(founder)
    assert (
        "The pilot site withdrew."
        in client.get(reverse("milestone-detail", args=[milestone.pk])).content.decode()
    )


def test_follow_on_funding_starts_on_the_moscow_day_of_admission_in_python_and_in_sql(manager):
    """The overview (in Python) and the dashboard (in SQL) agree on which funding is follow-on,
    even for a startup admitted late in the evening by UTC, already the next day in Moscow."""
    from pipeline.selectors.dashboard import DashboardFilters, manager_dashboard

    call = factories.CallFactory(title="Cohort 2025")
    startup = factories.StartupFactory(
        stage="incubation", admitted_call=call, admitted_at=datetime(2025, 3, 10, 22, 30, tzinfo=UTC)
    )
    for day, amount in ((date(2025, 3, 10), "100"), (date(2025, 3, 11), "20")):
        funding_record_create(
            startup=startup,
            actor=manager,
            kind="grant",
            date=day,
            amount=Decimal(amount),
            currency="RUB",
            investor_name="Fund",
        )

    [row] = funding_by("call")
    [panel] = manager_dashboard(DashboardFilters()).funding
    assert (row.total, row.follow_on) == (Decimal("120"), Decimal("20"))
    assert (panel["total"], panel["follow_on"]) == (Decimal("120"), Decimal("20"))
