"""The portfolio through the API: milestones and their transitions, evidence PDFs, readiness
changes, investment-readiness reviews, monthly reports, the funding ledger and the cluster's
totals. Each write goes through the portfolio's services, with the pages' rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from incubator.models import (
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    Startup,
)
from incubator.services.portfolio import funding_record_create, milestone_evidence_add
from pipeline.models import TransitionLog
from pipeline.services import application_transition, milestone_transition
from tests import factories
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
# Mid-month, so "this month" and "last month" do not depend on the day the tests run.
TODAY = datetime(2026, 11, 18, 12, 0, tzinfo=timezone.get_fixed_timezone(180))


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pdf(name: str = "evidence.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, make_pdf() if content is None else content, content_type="application/pdf"
    )


@pytest.fixture
def incubating(founder, mentor):
    startup = factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder], trl=3)
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    return startup


@pytest.fixture
def milestone(incubating):
    return factories.MilestoneFactory(startup=incubating, title="GLP toxicology", due_on=date(2027, 3, 1))


@pytest.fixture
def other_founder(db):
    founder = factories.FounderFactory(full_name="Olga Other")
    factories.StartupFactory(name="Other Bio", stage="incubation", founders=[founder])
    return founder


def held_admission(founder, manager) -> Startup:
    """A startup accepted into incubation whose decision managers have not released yet."""
    startup = factories.StartupFactory(name="Held Bio", founders=[founder])
    application = factories.ApplicationFactory(
        startup=startup, status="in_review", submitted_at=timezone.now()
    )
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)
    application_transition(application=application, name="accept", actor=manager)
    startup.refresh_from_db()
    assert startup.stage == "incubation"
    return startup


# Milestones


def test_manager_sets_a_milestone_through_the_service(manager, incubating):
    response = client_for(manager).post(
        f"{V1}/milestones/",
        {
            "startup": incubating.pk,
            "stage": "incubation",
            "title": "  GLP toxicology ",
            "due_on": "2027-03-01",
            "required_evidence": "The study report.",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "GLP toxicology"
    assert body["startup"] == {"id": incubating.pk, "name": "NeuroRegen"}
    assert body["status"] == "planned"
    assert body["due_on"] == "2027-03-01"
    assert body["evidence_count"] == 0
    assert {option["name"] for option in body["transitions"]} == {"start", "miss"}
    assert Milestone.objects.get().created_by == manager


def test_the_startups_mentor_sets_milestones_others_may_not(founder, mentor, incubating):
    body = {"startup": incubating.pk, "stage": "acceleration", "title": "Pilot", "due_on": "2027-06-30"}

    assert client_for(mentor).post(f"{V1}/milestones/", body).status_code == 201
    founder_answer = client_for(founder).post(f"{V1}/milestones/", body)
    assert founder_answer.status_code == 403
    assert founder_answer.json()["error"]["code"] == "permission_denied"
    other_mentor = factories.MentorFactory()
    assert client_for(other_mentor).post(f"{V1}/milestones/", body).status_code == 404
    assert Milestone.objects.count() == 1


def test_milestones_are_set_only_for_startups_in_the_programme(manager, founder):
    applying = factories.StartupFactory(founders=[founder])

    response = client_for(manager).post(
        f"{V1}/milestones/",
        {"startup": applying.pk, "stage": "incubation", "title": "Pilot", "due_on": "2027-06-30"},
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_in_programme"
    assert not Milestone.objects.exists()


def test_milestone_input_is_as_strict_as_the_schema(manager, incubating):
    client = client_for(manager)
    base = {"startup": incubating.pk, "stage": "incubation", "title": "Pilot", "due_on": "2027-06-30"}

    for change in (
        {"due_on": "30.06.2027"},
        {"due_on": "2027-6-30"},
        {"stage": "funding"},
        {"title": "   "},
        {"startup": str(incubating.pk)},
    ):
        response = client.post(f"{V1}/milestones/", {**base, **change})
        assert response.status_code == 400, change
        assert set(response.json()["error"]["details"]["fields"]) == set(change)
    assert client.post(f"{V1}/milestones/", {**base, "startup": 999999}).status_code == 404


def test_milestone_list_filters_and_orders(manager, incubating):
    factories.MilestoneFactory(startup=incubating, title="B", due_on=date(2027, 2, 1))
    factories.MilestoneFactory(startup=incubating, title="A", due_on=date(2027, 4, 1), stage="acceleration")
    other = factories.MilestoneFactory(title="C", due_on=date(2027, 3, 1))
    client = client_for(manager)

    def titles(query: str) -> list[str]:
        response = client.get(f"{V1}/milestones/{query}")
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert titles("") == ["B", "C", "A"]
    assert titles("?ordering=title") == ["A", "B", "C"]
    assert titles(f"?startup={incubating.pk}") == ["B", "A"]
    assert titles(f"?startup={other.startup_id}") == ["C"]
    assert titles("?stage=acceleration") == ["A"]
    assert titles("?status=planned&due_before=2027-03-01") == ["B", "C"]
    assert titles("?due_after=2027-03-02") == ["A"]
    assert titles("?status=accepted") == []
    assert client.get(f"{V1}/milestones/?due_before=tomorrow").status_code == 400
    assert client.get(f"{V1}/milestones/?status=done").status_code == 400


def test_a_founder_cannot_see_another_startups_milestones(founder, other_founder, milestone):
    evidence = milestone_evidence_add(milestone=milestone, actor=founder, note="Report.", upload=pdf())
    other = client_for(other_founder)

    assert other.get(f"{V1}/milestones/").json()["count"] == 0
    assert other.get(f"{V1}/milestones/?startup={milestone.startup_id}").json()["count"] == 0
    for path in (
        f"{V1}/milestones/{milestone.pk}/",
        f"{V1}/milestones/{milestone.pk}/evidence/",
        f"{V1}/milestones/{milestone.pk}/evidence/{evidence.pk}/file/",
    ):
        response = other.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert other.post(f"{V1}/milestones/{milestone.pk}/transitions/start/", {}).status_code == 404
    upload = other.post(f"{V1}/milestones/{milestone.pk}/evidence/", {"note": "Mine."}, format="multipart")
    assert upload.status_code == 404
    assert MilestoneEvidence.objects.count() == 1
    assert client_for(founder).get(f"{V1}/milestones/{milestone.pk}/").status_code == 200


# Transitions


def test_submitting_without_evidence_is_refused_with_the_guards_message(founder, milestone):
    response = client_for(founder).post(
        f"{V1}/milestones/{milestone.pk}/transitions/submit/", {"expected_state": "planned"}
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "guard_failed"
    assert error["details"]["guards"] == ["has_evidence"]
    assert error["details"]["messages"] == [
        "Add the evidence for “GLP toxicology” (a PDF or a note) before submitting it."
    ]
    assert Milestone.objects.get(pk=milestone.pk).status == "planned"
    assert not TransitionLog.objects.filter(milestone=milestone).exists()


def test_detail_says_what_stands_in_the_way(founder, milestone):
    body = client_for(founder).get(f"{V1}/milestones/{milestone.pk}/").json()

    submit = next(option for option in body["transitions"] if option["name"] == "submit")
    assert submit["blocked_by"] == [
        "Add the evidence for “GLP toxicology” (a PDF or a note) before submitting it."
    ]
    assert {option["name"] for option in body["transitions"]} == {"start", "submit"}


def test_milestone_from_evidence_to_acceptance(founder, mentor, milestone):
    team, steering = client_for(founder), client_for(mentor)

    upload = team.post(
        f"{V1}/milestones/{milestone.pk}/evidence/",
        {"note": "The report.", "file": pdf("tox.pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["original_name"] == "tox.pdf"
    assert upload.json()["has_file"] is True
    assert upload.json()["uploaded_by"]["id"] == founder.pk
    submitted = team.post(f"{V1}/milestones/{milestone.pk}/transitions/submit/", {})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["transitions"] == []

    no_comment = steering.post(f"{V1}/milestones/{milestone.pk}/transitions/send_back/", {})
    assert no_comment.status_code == 409
    assert no_comment.json()["error"]["details"]["messages"] == [
        "Tell the founders what is missing before sending the milestone back."
    ]
    sent_back = steering.post(
        f"{V1}/milestones/{milestone.pk}/transitions/send_back/", {"reason": "Add the raw data."}
    )
    assert sent_back.json()["status"] == "in_progress"
    team.post(f"{V1}/milestones/{milestone.pk}/transitions/submit/", {})
    accepted = steering.post(
        f"{V1}/milestones/{milestone.pk}/transitions/accept/", {"expected_state": "submitted"}
    )

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_at"] is not None
    logs = TransitionLog.objects.filter(milestone=milestone).order_by("created_at", "pk")
    assert [(log.transition, log.actor) for log in logs] == [
        ("submit", founder),
        ("send_back", mentor),
        ("submit", founder),
        ("accept", mentor),
    ]
    assert logs[1].reason == "Add the raw data."


def test_transition_answers_404_403_and_409_like_the_other_machines(founder, manager, milestone):
    team = client_for(founder)

    unknown = team.post(f"{V1}/milestones/{milestone.pk}/transitions/finish/", {})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_transition"
    forbidden = client_for(manager).post(f"{V1}/milestones/{milestone.pk}/transitions/submit/", {})
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "transition_forbidden"
    not_now = team.post(f"{V1}/milestones/{milestone.pk}/transitions/reopen/", {})
    assert not_now.status_code == 403  # reopening is the managers' alone
    stale = team.post(f"{V1}/milestones/{milestone.pk}/transitions/start/", {"expected_state": "in_progress"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "concurrent_change"
    unavailable = client_for(manager).post(f"{V1}/milestones/{milestone.pk}/transitions/accept/", {})
    assert unavailable.status_code == 409
    assert unavailable.json()["error"]["code"] == "transition_not_available"
    bad_body = team.post(f"{V1}/milestones/{milestone.pk}/transitions/start/", {"expected_state": "done"})
    assert bad_body.status_code == 400
    assert Milestone.objects.get(pk=milestone.pk).status == "planned"


# Evidence


def test_evidence_must_be_a_readable_pdf(founder, milestone):
    team = client_for(founder)

    not_pdf = team.post(
        f"{V1}/milestones/{milestone.pk}/evidence/",
        {"file": pdf("report.pdf", b"PK\x03\x04 a zip file")},
        format="multipart",
    )
    assert not_pdf.status_code == 400
    assert not_pdf.json()["error"]["details"]["fields"]["file"] == [
        "This file is not a PDF, whatever its name says. Export the document as PDF and upload that."
    ]
    damaged = team.post(
        f"{V1}/milestones/{milestone.pk}/evidence/",
        {"file": pdf("report.pdf", b"%PDF-1.7\n garbage")},
        format="multipart",
    )
    assert damaged.status_code == 400
    assert "could not be read" in damaged.json()["error"]["details"]["fields"]["file"][0]
    empty = team.post(f"{V1}/milestones/{milestone.pk}/evidence/", {"note": "  "}, format="multipart")
    assert empty.status_code == 400
    assert empty.json()["error"]["details"]["fields"]["non_field_errors"] == ["Add a file or write a note."]
    assert not MilestoneEvidence.objects.exists()


def test_evidence_of_a_decided_milestone_is_refused(founder, manager, milestone):
    milestone_transition(milestone=milestone, name="miss", actor=manager, reason="The deadline passed.")

    response = client_for(founder).post(
        f"{V1}/milestones/{milestone.pk}/evidence/", {"note": "Late."}, format="multipart"
    )

    assert response.status_code == 409
    assert (
        response.json()["error"]["message"] == "The milestone is “Missed”; evidence can no longer be added."
    )


def test_evidence_is_uploaded_by_the_team_and_served_only_through_the_checked_download(
    founder, mentor, manager, milestone
):
    note = milestone_evidence_add(milestone=milestone, actor=founder, note="See the report.")
    response = client_for(mentor).post(
        f"{V1}/milestones/{milestone.pk}/evidence/", {"note": "Mine."}, format="multipart"
    )
    assert response.status_code == 403
    filed = client_for(founder).post(
        f"{V1}/milestones/{milestone.pk}/evidence/", {"file": pdf("tox.pdf")}, format="multipart"
    )
    evidence_id = filed.json()["id"]

    listed = client_for(manager).get(f"{V1}/milestones/{milestone.pk}/evidence/").json()
    assert [(row["id"], row["has_file"]) for row in listed["results"]] == [
        (note.pk, False),
        (evidence_id, True),
    ]
    assert "file" not in listed["results"][1]
    download = client_for(mentor).get(f"{V1}/milestones/{milestone.pk}/evidence/{evidence_id}/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="tox.pdf"'
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    no_file = client_for(mentor).get(f"{V1}/milestones/{milestone.pk}/evidence/{note.pk}/file/")
    assert no_file.status_code == 404
    other_milestone = factories.MilestoneFactory(startup=milestone.startup)
    wrong_pair = client_for(founder).get(f"{V1}/milestones/{other_milestone.pk}/evidence/{evidence_id}/file/")
    assert wrong_pair.status_code == 404


def test_the_team_removes_evidence_while_the_milestone_is_open(
    founder, mentor, manager, milestone, django_capture_on_commit_callbacks
):
    cofounder = factories.FounderFactory()
    factories.TeamMembershipFactory(startup=milestone.startup, user=cofounder)
    kept = milestone_evidence_add(milestone=milestone, actor=founder, note="The right report.")
    wrong = milestone_evidence_add(milestone=milestone, actor=founder, upload=pdf("wrong.pdf"))
    stored = wrong.file.name
    url = f"{V1}/milestones/{milestone.pk}/evidence/{wrong.pk}/"

    for steering in (mentor, manager):
        refused = client_for(steering).delete(url)
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == "Only the startup's team removes evidence."
    assert client_for(factories.FounderFactory()).delete(url).status_code == 404
    # The pair must match: evidence through another milestone's address is not found.
    other = factories.MilestoneFactory(startup=milestone.startup)
    assert client_for(founder).delete(f"{V1}/milestones/{other.pk}/evidence/{wrong.pk}/").status_code == 404
    assert wrong.file.storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        removed = client_for(cofounder).delete(url)

    assert removed.status_code == 204
    assert list(MilestoneEvidence.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not wrong.file.storage.exists(stored)
    assert client_for(founder).delete(url).status_code == 404


def test_submitted_evidence_stays(founder, milestone):
    evidence = milestone_evidence_add(milestone=milestone, actor=founder, note="The report.")
    milestone_transition(milestone=milestone, name="submit", actor=founder)

    response = client_for(founder).delete(f"{V1}/milestones/{milestone.pk}/evidence/{evidence.pk}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "milestone_closed"
    assert response.json()["error"]["message"] == (
        "The milestone is “Evidence submitted”; its evidence can no longer be removed."
    )
    assert MilestoneEvidence.objects.filter(pk=evidence.pk).exists()


# Held decisions


def test_a_held_admission_shows_no_portfolio_and_refuses_as_an_application(founder, mentor, manager):
    held = held_admission(founder, manager)
    factories.MentorAssignmentFactory(startup=held, mentor=mentor)
    milestone = factories.MilestoneFactory(startup=held)
    funding_record_create(
        startup=held,
        actor=manager,
        kind="grant",
        date=date(2026, 11, 1),
        amount=Decimal("100.00"),
        currency="RUB",
        investor_name="Fund",
    )
    applying = factories.StartupFactory(name="Applying Bio", founders=[founder])
    factories.MentorAssignmentFactory(startup=applying, mentor=mentor)
    team, steering = client_for(founder), client_for(mentor)

    for path in ("milestones", "kpi-reports", "funding-records", "investment-reviews"):
        assert team.get(f"{V1}/{path}/").json()["count"] == 0, path
        assert steering.get(f"{V1}/{path}/").json()["count"] == 0, path
    assert client_for(manager).get(f"{V1}/milestones/").json()["count"] == 1
    assert team.get(f"{V1}/milestones/{milestone.pk}/").status_code == 404

    def report(startup):
        return team.post(
            f"{V1}/kpi-reports/", {"startup": startup.pk, "period": "2026-10-01", "team_size": 3}
        ).json()["error"]

    def set_milestone(startup):
        body = {"startup": startup.pk, "stage": "incubation", "title": "Pilot", "due_on": "2027-01-31"}
        return steering.post(f"{V1}/milestones/", body).json()["error"]

    def review(startup):
        body = {"startup": startup.pk, "verdict": "ready", "summary": "Ready."}
        return steering.post(f"{V1}/investment-reviews/", body).json()["error"]

    for attempt in (report, set_milestone, review):
        held_error, applying_error = attempt(held), attempt(applying)
        assert held_error["status"] == applying_error["status"] == 409
        assert held_error["code"] == applying_error["code"]
        assert held_error["message"].replace("Held Bio", "X") == applying_error["message"].replace(
            "Applying Bio", "X"
        )
    assert not KpiReport.objects.exists()
    assert Milestone.objects.count() == 1


# Readiness


def test_founder_proposes_a_readiness_change_and_the_mentor_confirms_it(founder, mentor, incubating):
    proposal = client_for(founder).post(
        f"{V1}/readiness-changes/",
        {
            "startup": incubating.pk,
            "trl": 4,
            "development_phase": "preclinical",
            "evidence_note": "Efficacy in two animal models.",
        },
    )

    assert proposal.status_code == 201, proposal.content
    change = proposal.json()
    assert change["state"] == "pending"
    assert (change["trl_from"], change["trl_to"], change["phase_from"], change["phase_to"]) == (
        3,
        4,
        "discovery",
        "preclinical",
    )
    assert Startup.objects.get(pk=incubating.pk).trl == 3
    assert (
        client_for(founder)
        .post(f"{V1}/readiness-changes/{change['id']}/decision/", {"decision": "confirm"})
        .status_code
        == 403
    )
    confirmed = client_for(mentor).post(
        f"{V1}/readiness-changes/{change['id']}/decision/", {"decision": "confirm"}
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "confirmed"
    assert confirmed.json()["decided_by"]["id"] == mentor.pk
    startup = Startup.objects.get(pk=incubating.pk)
    assert (startup.trl, startup.development_phase) == (4, "preclinical")
    again = client_for(mentor).post(
        f"{V1}/readiness-changes/{change['id']}/decision/", {"decision": "reject", "reason": "Too early."}
    )
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "This change was already decided."


def test_the_team_withdraws_a_waiting_proposal_but_not_a_decided_one(founder, mentor, incubating):
    body = {"startup": incubating.pk, "trl": 9, "development_phase": "discovery", "evidence_note": "Oops."}
    change = client_for(founder).post(f"{V1}/readiness-changes/", body).json()

    # Asking what the action takes (OPTIONS) answers too, as for every other action.
    assert client_for(founder).options(f"{V1}/readiness-changes/{change['id']}/withdraw/").status_code == 200
    withdrawn = client_for(founder).post(f"{V1}/readiness-changes/{change['id']}/withdraw/")

    assert withdrawn.status_code == 204
    assert not ReadinessChange.objects.filter(pk=change["id"]).exists()
    assert client_for(founder).post(f"{V1}/readiness-changes/{change['id']}/withdraw/").status_code == 404
    body["trl"], body["development_phase"] = 4, "preclinical"
    decided = client_for(founder).post(f"{V1}/readiness-changes/", body).json()
    client_for(mentor).post(
        f"{V1}/readiness-changes/{decided['id']}/decision/", {"decision": "reject", "reason": "Too early."}
    )
    refused = client_for(founder).post(f"{V1}/readiness-changes/{decided['id']}/withdraw/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "already_decided"


def test_readiness_changes_from_steering_apply_at_once_and_bad_ones_are_refused(manager, incubating):
    client = client_for(manager)
    body = {"startup": incubating.pk, "trl": 4, "development_phase": "preclinical", "evidence_note": "Data."}

    recorded = client.post(f"{V1}/readiness-changes/", body)
    assert recorded.json()["state"] == "confirmed"
    assert Startup.objects.get(pk=incubating.pk).trl == 4
    unchanged = client.post(f"{V1}/readiness-changes/", body)
    assert unchanged.status_code == 409
    assert unchanged.json()["error"]["message"] == (
        "Nothing changes: this is the startup's current level and phase."
    )
    wrong_phase = client.post(f"{V1}/readiness-changes/", {**body, "development_phase": "prototype"})
    assert wrong_phase.status_code == 400
    assert wrong_phase.json()["error"]["details"]["fields"]["development_phase"] == [
        "This phase does not apply to the startup's product type."
    ]
    assert client.post(f"{V1}/readiness-changes/", {**body, "trl": 10}).status_code == 400
    assert client.post(f"{V1}/readiness-changes/", {**body, "evidence_note": ""}).status_code == 400
    assert ReadinessChange.objects.count() == 1
    listed = client.get(f"{V1}/readiness-changes/?state=confirmed&startup={incubating.pk}").json()
    assert listed["count"] == 1
    assert client.get(f"{V1}/readiness-changes/?state=pending").json()["count"] == 0


# Investment-readiness reviews


def test_investment_reviews_by_steering_only(founder, mentor, incubating):
    body = {"startup": incubating.pk, "verdict": "ready", "summary": "A clean data room."}

    assert client_for(founder).post(f"{V1}/investment-reviews/", body).status_code == 403
    response = client_for(mentor).post(f"{V1}/investment-reviews/", body)

    assert response.status_code == 201
    assert response.json()["reviewer"] == {"id": mentor.pk, "full_name": mentor.full_name}
    assert InvestmentReadinessReview.objects.get().verdict == "ready"
    assert client_for(founder).get(f"{V1}/investment-reviews/?verdict=ready").json()["count"] == 1
    blank = client_for(mentor).post(f"{V1}/investment-reviews/", {**body, "summary": " "})
    assert blank.status_code == 400


# Monthly reports


@time_machine.travel(TODAY, tick=False)
def test_one_report_per_month_submitted_again_replaces_it(founder, incubating):
    client = client_for(founder)
    body = {
        "startup": incubating.pk,
        "period": "2026-10-15",
        "team_size": 4,
        "revenue": "150000.50",
        "patents_filed": 1,
    }

    first = client.post(f"{V1}/kpi-reports/", body)
    assert first.status_code == 201, first.content
    assert first.json()["period"] == "2026-10-01"
    assert first.json()["revenue"] == "150000.50"
    again = client.post(f"{V1}/kpi-reports/", {**body, "period": "2026-10-01", "team_size": 5})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    report = KpiReport.objects.get()
    assert (report.team_size, report.revenue, report.patents_filed) == (5, Decimal("150000.50"), 1)
    assert client.post(f"{V1}/kpi-reports/", {**body, "period": "2026-11-01"}).status_code == 201
    listed = client.get(f"{V1}/kpi-reports/?period_after=2026-11-01").json()
    assert [row["period"] for row in listed["results"]] == ["2026-11-01"]


@time_machine.travel(TODAY, tick=False)
def test_report_rules(founder, mentor, manager, incubating):
    client = client_for(founder)
    body = {"startup": incubating.pk, "period": "2026-12-01", "team_size": 4}

    future = client.post(f"{V1}/kpi-reports/", body)
    assert future.status_code == 400
    assert future.json()["error"]["details"]["fields"]["period"] == [
        "A month can be reported on once it has begun."
    ]
    for change in ({"revenue": "-1"}, {"revenue": "1e5"}, {"revenue": 100}, {"team_size": -1}):
        assert (
            client.post(f"{V1}/kpi-reports/", {**body, "period": "2026-11-01", **change}).status_code == 400
        )
    assert client_for(mentor).post(f"{V1}/kpi-reports/", {**body, "period": "2026-11-01"}).status_code == 403
    assert client_for(manager).post(f"{V1}/kpi-reports/", {**body, "period": "2026-11-01"}).status_code == 403
    applying = factories.StartupFactory(founders=[founder])
    refused = client.post(f"{V1}/kpi-reports/", {**body, "startup": applying.pk, "period": "2026-11-01"})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        "Only startups in incubation, acceleration or funding report monthly."
    )
    assert not KpiReport.objects.exists()


# The funding ledger


def test_manager_records_funding_in_tranches_tied_to_milestones(manager, founder, milestone):
    investor = factories.OrganisationFactory(name="KSI Ventures", short_name="KSI")
    response = client_for(manager).post(
        f"{V1}/funding-records/",
        {
            "startup": milestone.startup_id,
            "kind": "equity",
            "date": "2026-10-01",
            "amount": "1000000.00",
            "currency": "USD",
            "investor": investor.pk,
            "tranches": [{"amount": "400000"}, {"amount": "600000.00", "milestone": milestone.pk}],
        },
    )

    assert response.status_code == 201, response.content
    record = response.json()
    assert (record["amount"], record["currency"], record["source"]) == ("1000000.00", "USD", "KSI")
    assert record["investor"] == {"id": investor.pk, "name": "KSI Ventures"}
    assert [(t["amount"], t["milestone"], t["status"]) for t in record["tranches"]] == [
        ("400000.00", None, "planned"),
        ("600000.00", milestone.pk, "planned"),
    ]
    assert client_for(founder).get(f"{V1}/funding-records/").json()["results"] == [record]

    tranche = record["tranches"][1]["id"]
    early = client_for(manager).post(f"{V1}/funding-tranches/{tranche}/mark-paid/", {"paid_on": "2026-11-02"})
    assert early.status_code == 409  # its milestone is not accepted yet
    assert early.json()["error"]["message"] == (
        f"This tranche is tied to the milestone “{milestone.title}”, which is not accepted yet."
    )
    Milestone.objects.filter(pk=milestone.pk).update(status="accepted")
    paid = client_for(manager).post(f"{V1}/funding-tranches/{tranche}/mark-paid/", {"paid_on": "2026-11-02"})
    assert paid.status_code == 200
    assert paid.json()["tranches"][1]["status"] == "paid"
    assert FundingTranche.objects.get(pk=tranche).paid_on == date(2026, 11, 2)
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    first = record["tranches"][0]["id"]
    ahead = client_for(manager).post(f"{V1}/funding-tranches/{first}/mark-paid/", {"paid_on": future})
    assert ahead.status_code == 400
    assert ahead.json()["error"]["details"]["fields"] == {
        "paid_on": ["The payment date cannot be in the future."]
    }
    before = client_for(manager).post(f"{V1}/funding-tranches/{first}/mark-paid/", {"paid_on": "2026-09-30"})
    assert before.status_code == 409
    assert before.json()["error"]["message"] == (
        "The payment date cannot come before the funding itself (1 Oct 2026)."
    )
    twice = client_for(manager).post(f"{V1}/funding-tranches/{tranche}/mark-paid/", {})
    assert twice.status_code == 409
    assert twice.json()["error"]["message"] == "Only a planned tranche can be paid."


def test_funding_input_is_checked_before_anything_is_recorded(manager, founder, incubating):
    client = client_for(manager)
    elsewhere = factories.MilestoneFactory()
    body = {
        "startup": incubating.pk,
        "kind": "grant",
        "date": "2026-10-01",
        "amount": "100.00",
        "currency": "RUB",
        "investor_name": "Fund",
    }

    def fields(change: dict) -> dict:
        response = client.post(f"{V1}/funding-records/", {**body, **change})
        assert response.status_code == 400, change
        return response.json()["error"]["details"]["fields"]

    assert fields({"investor_name": ""}) == {
        "investor_name": ["Name the investor or grantor: a member organisation or another name."]
    }
    assert fields({"tranches": [{"amount": "60"}, {"amount": "50"}]}) == {
        "tranches": ["The tranches add up to more than the amount."]
    }
    assert fields({"tranches": [{"amount": "10", "milestone": elsewhere.pk}]}) == {
        "tranches": ["A tranche can only depend on a milestone of the same startup."]
    }
    assert fields({"tranches": [{"amount": "0"}]}) == {
        "tranches": ["A tranche's amount must be more than zero."]
    }
    assert set(fields({"amount": "1e2"})) == {"amount"}
    assert set(fields({"amount": "-5"})) == {"amount"}
    # As many digits as every database keeps exactly: refused, never rounded.
    assert fields({"amount": "99999999999999.99"}) == {
        "amount": ["At most 13 digits before the decimal point."]
    }
    assert set(fields({"currency": "GBP"})) == {"currency"}
    programme = client.post(f"{V1}/funding-records/", {**body, "investor_name": "", "from_programme": True})
    assert programme.status_code == 201, programme.json()
    FundingRecord.objects.all().delete()
    assert fields({"date": (timezone.localdate() + timedelta(days=1)).isoformat()}) == {
        "date": [
            "The date cannot be in the future: record funding once it is secured, "
            "with later payments as tranches."
        ]
    }
    assert client_for(founder).post(f"{V1}/funding-records/", body).status_code == 403
    assert not FundingRecord.objects.exists()


def test_summary_keeps_currencies_apart(manager, founder):
    seed, late = factories.CallFactory(title="Seed 2025"), factories.CallFactory(title="Seed 2026")
    oncology = factories.TherapeuticAreaFactory(name="Oncology", slug="oncology")
    first = factories.StartupFactory(
        stage="incubation",
        admitted_call=seed,
        admitted_at=timezone.make_aware(datetime(2025, 3, 1)),
        therapeutic_area=oncology,
    )
    second = factories.StartupFactory(stage="incubation", admitted_call=late, therapeutic_area=oncology)

    def record(startup, amount, currency, day, **extra):
        funding_record_create(
            startup=startup,
            actor=manager,
            kind="grant",
            date=day,
            amount=Decimal(amount),
            currency=currency,
            investor_name="Fund",
            **extra,
        )

    record(first, "1000000", "RUB", date(2025, 6, 1))
    record(first, "500000", "RUB", date(2026, 1, 1), from_programme=True)
    record(first, "20000", "USD", date(2026, 2, 1))
    record(second, "300000", "RUB", date(2026, 3, 1))
    record(second, "1000", "EUR", date(2026, 4, 1))

    assert client_for(founder).get(f"{V1}/funding/summary/").status_code == 403
    summary = client_for(manager).get(f"{V1}/funding/summary/").json()

    assert summary["totals"] == [
        {"currency": "EUR", "total": "1000.00"},
        {"currency": "RUB", "total": "1800000.00"},
        {"currency": "USD", "total": "20000.00"},
    ]
    rows = {
        name: [(row["group"], row["currency"], row["total"]) for row in summary[name]]
        for name in ("by_call", "by_field", "by_year")
    }
    assert rows["by_call"] == [
        ("Seed 2025", "RUB", "1500000.00"),
        ("Seed 2025", "USD", "20000.00"),
        ("Seed 2026", "EUR", "1000.00"),
        ("Seed 2026", "RUB", "300000.00"),
    ]
    assert rows["by_field"] == [
        ("Oncology", "EUR", "1000.00"),
        ("Oncology", "RUB", "1800000.00"),
        ("Oncology", "USD", "20000.00"),
    ]
    assert rows["by_year"] == [
        ("2025", "RUB", "1000000.00"),
        ("2026", "EUR", "1000.00"),
        ("2026", "RUB", "800000.00"),
        ("2026", "USD", "20000.00"),
    ]
    seed_rub = summary["by_call"][0]
    # Raised after admission, not counting the programme's own grant.
    assert (seed_rub["follow_on"], seed_rub["records"]) == ("1000000.00", 2)


@time_machine.travel(TODAY, tick=False)
def test_a_report_corrected_since_is_refused_with_the_expected_version(founder, incubating):
    client = client_for(founder)
    body = {"startup": incubating.pk, "period": "2026-10-01", "team_size": 4}
    seen = client.post(f"{V1}/kpi-reports/", {**body, "expected_version": ""}).json()["version"]
    assert seen
    corrected = client.post(f"{V1}/kpi-reports/", {**body, "team_size": 5, "expected_version": seen})
    assert corrected.status_code == 200
    assert corrected.json()["version"] != seen

    stale = client.post(f"{V1}/kpi-reports/", {**body, "team_size": 6, "expected_version": seen})

    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale"
    assert KpiReport.objects.get().team_size == 5
    # Without expected_version a submission replaces the month's report, as documented.
    assert client.post(f"{V1}/kpi-reports/", {**body, "team_size": 7}).status_code == 200
    assert KpiReport.objects.get().team_size == 7


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("revenue", "message"),
    [
        ("-5", "An amount cannot be negative."),
        ("100.123", "At most two digits after the decimal point."),
        ("1234567890123", "At most 12 digits before the decimal point."),
        ("1e5", 'Write the amount as a string of digits, with a point before the kopecks: "1500.50".'),
        (100, 'Write the amount as a string of digits, with a point before the kopecks: "1500.50".'),
    ],
)
def test_an_amount_refused_says_why(founder, incubating, revenue, message):
    body = {"startup": incubating.pk, "period": "2026-11-01", "team_size": 4, "revenue": revenue}

    response = client_for(founder).post(f"{V1}/kpi-reports/", body)

    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"]["revenue"] == [message]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_monthly_report_is_submitted_in_its_own_transaction():
    """Outside a test's transaction, as a request runs: the row lock needs one of its own."""
    founder = factories.FounderFactory()
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    Startup.objects.filter(pk=startup.pk).update(admitted_at=timezone.now() - timedelta(days=70))
    period = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    body = {"startup": startup.pk, "period": period.isoformat(), "team_size": 3}

    first = client_for(founder).post(f"{V1}/kpi-reports/", body)
    again = client_for(founder).post(
        f"{V1}/kpi-reports/", {**body, "team_size": 4, "expected_version": first.json()["version"]}
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert KpiReport.objects.get().team_size == 4


def test_a_rejection_through_the_api_needs_a_reason_and_shows_it(founder, mentor, incubating):
    body = {"startup": incubating.pk, "trl": 4, "development_phase": "preclinical", "evidence_note": "M2."}
    change = client_for(founder).post(f"{V1}/readiness-changes/", body).json()
    url = f"{V1}/readiness-changes/{change['id']}/decision/"

    refused = client_for(mentor).post(url, {"decision": "reject"})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["fields"]["reason"] == [
        "Say why the change is not confirmed: the team reads it with the decision."
    ]
    rejected = client_for(mentor).post(url, {"decision": "reject", "reason": "Show the histology."})
    assert rejected.status_code == 200
    assert rejected.json()["rejection_reason"] == "Show the histology."
    seen = client_for(founder).get(f"{V1}/readiness-changes/?startup={incubating.pk}").json()["results"][0]
    assert (seen["state"], seen["rejection_reason"]) == ("rejected", "Show the histology.")


def test_a_milestone_is_corrected_and_one_set_by_mistake_removed_through_the_api(manager, mentor, incubating):
    milestone = factories.MilestoneFactory(startup=incubating, title="FTO analyis", status="in_progress")
    mistake = factories.MilestoneFactory(startup=incubating, title="Duplicate")
    url = f"{V1}/milestones/{milestone.pk}/"

    past = client_for(mentor).patch(url, {"due_on": "2020-01-01"})
    assert past.status_code == 400
    assert past.json()["error"]["details"]["fields"]["due_on"] == ["A new due date is today or later."]
    fixed = client_for(mentor).patch(url, {"title": "FTO analysis", "due_on": "2030-06-30"})
    assert fixed.status_code == 200
    assert (fixed.json()["title"], fixed.json()["due_on"], fixed.json()["stage"]) == (
        "FTO analysis",
        "2030-06-30",
        "incubation",
    )

    assert client_for(manager).delete(f"{V1}/milestones/{mistake.pk}/").status_code == 204
    started = client_for(manager).delete(url)
    assert started.status_code == 409
    assert started.json()["error"]["code"] == "started"
    assert list(Milestone.objects.filter(startup=incubating)) == [Milestone.objects.get(pk=milestone.pk)]


def test_a_reports_earlier_versions_come_with_it(founder, incubating):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    body = {
        "startup": incubating.pk,
        "period": last_month.isoformat(),
        "team_size": 4,
        "grants_received": "3000000",
    }
    first = client_for(founder).post(f"{V1}/kpi-reports/", body).json()
    corrected = client_for(founder).post(
        f"{V1}/kpi-reports/", {**body, "grants_received": "0", "expected_version": first["version"]}
    )

    [earlier] = corrected.json()["earlier_versions"]
    assert earlier["figures"]["grants_received"] == "3000000.00"
    assert earlier["submitted_by"]["id"] == founder.pk
    assert earlier["corrected_by"]["id"] == founder.pk
    listed = client_for(founder).get(f"{V1}/kpi-reports/").json()["results"][0]
    assert listed["earlier_versions"] == corrected.json()["earlier_versions"]


def test_marking_a_milestone_as_missed_needs_the_reason_for_the_founders(founder, manager, milestone):
    steering = client_for(manager)
    offered = {
        option["name"]: option
        for option in steering.get(f"{V1}/milestones/{milestone.pk}/").json()["transitions"]
    }
    assert offered["miss"]["needs_reason"] is True

    no_reason = steering.post(f"{V1}/milestones/{milestone.pk}/transitions/miss/", {})
    assert no_reason.status_code == 409
    assert no_reason.json()["error"]["details"]["messages"] == [
        "Tell the founders why the milestone counts as missed."
    ]
    missed = steering.post(f"{V1}/milestones/{milestone.pk}/transitions/miss/", {"reason": "No pilot site."})

    assert missed.status_code == 200, missed.content
    assert missed.json()["status"] == "missed"
    assert TransitionLog.objects.get(milestone=milestone, transition="miss").reason == "No pilot site."


def test_the_recorder_sends_a_readiness_changes_evidence_file_once(founder, mentor, manager, incubating):
    """A change is recorded as JSON, then its PDF is sent to its file: by the person who
    recorded it, once; the file is checked as every upload is, and a bad one leaves none."""
    team = client_for(founder)
    change = team.post(
        f"{V1}/readiness-changes/",
        {
            "startup": incubating.pk,
            "trl": 4,
            "development_phase": "preclinical",
            "evidence_note": "Efficacy.",
        },
    ).json()
    url = f"{V1}/readiness-changes/{change['id']}/file/"
    content = make_pdf(pages=2)

    assert team.get(url).status_code == 404  # none yet
    bad = team.put(url, {"file": pdf("notes.pdf", b"<html>not a pdf</html>")}, format="multipart")
    assert bad.status_code == 400
    assert list(bad.json()["error"]["details"]["fields"]) == ["file"]
    assert client_for(mentor).put(url, {"file": pdf()}, format="multipart").status_code == 403
    sent = team.put(url, {"file": pdf("Efficacy data.pdf", content)}, format="multipart")
    again = team.put(url, {"file": pdf("other.pdf")}, format="multipart")

    assert sent.status_code == 200, sent.content
    assert sent.json()["has_evidence_file"] is True
    assert sent.json()["evidence_file_name"] == "Efficacy data.pdf"
    download = client_for(mentor).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "has_file"
    # A manager's change applies at once; its recorder still sends the file afterwards.
    steering = client_for(manager)
    applied = steering.post(
        f"{V1}/readiness-changes/",
        {"startup": incubating.pk, "trl": 5, "development_phase": "preclinical", "evidence_note": "GLP tox."},
    )
    assert applied.status_code == 201, applied.content
    assert applied.json()["state"] == "confirmed"
    file_url = f"{V1}/readiness-changes/{applied.json()['id']}/file/"
    assert steering.put(file_url, {"file": pdf()}, format="multipart").status_code == 200


def test_a_rejected_changes_evidence_stays_as_it_was(founder, incubating):
    from incubator.services.portfolio import (
        PortfolioError,
        readiness_change_record,
        readiness_evidence_attach,
    )

    change = readiness_change_record(
        startup=incubating, actor=founder, trl=4, phase="preclinical", evidence_note="Efficacy."
    )
    ReadinessChange.objects.filter(pk=change.pk).update(rejected_at=timezone.now())

    with pytest.raises(PortfolioError, match="This change was rejected"):
        readiness_evidence_attach(change=change, actor=founder, upload=pdf())
    assert not ReadinessChange.objects.get(pk=change.pk).evidence_file
    # One withdrawn while its file was on the way is gone, said as such.
    ReadinessChange.objects.filter(pk=change.pk).delete()
    with pytest.raises(PortfolioError, match="already withdrawn"):
        readiness_evidence_attach(change=change, actor=founder, upload=pdf())
