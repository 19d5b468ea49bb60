"""The authorization matrix: every endpoint and method of the API against the seven people of the
test pipeline, with the exact status each gets. The rules are the pages': founders reach only
their own startups, applications and files; reviewers only their live assignments; mentors their
mentees' portfolio; managers everything; another person's object is 404, an operation of another
role on a visible object 403.

Each request runs in a savepoint that is rolled back, so every person meets the same pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from pipeline.models import TransitionLog
from tests.api.conftest import ROLES, World, pdf_upload
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db

A, FA, FB, AR, UR, CR, M = ROLES


@dataclass
class Endpoint:
    method: str
    # The operation's path as the schema writes it.
    template: str
    expected: dict[str, int]
    ids: Callable[[World], dict[str, Any]] = lambda world: {}
    body: Callable[[World], Any] | None = None
    multipart: bool = False

    def call(self, world: World, role: str):
        client = world.client(role)
        data = self.body(world) if self.body else None
        kwargs = {"format": "multipart"} if self.multipart else {"format": "json"}
        path = self.template.format(**self.ids(world))
        return getattr(client, self.method.lower())(path, data, **kwargs)


def everyone(status: int, anonymous: int = 401) -> dict[str, int]:
    return {role: (anonymous if role == A else status) for role in ROLES}


def only(allowed: dict[str, int], others: int, anonymous: int = 401) -> dict[str, int]:
    return {role: allowed.get(role, anonymous if role == A else others) for role in ROLES}


def _today() -> str:
    return timezone.localdate().isoformat()


def _submit_log(world: World) -> int:
    return TransitionLog.objects.get(application=world.application_a, transition="submit").pk


V1 = "/api/v1"
ENDPOINTS = {
    "me": Endpoint("GET", f"{V1}/me/", everyone(200)),
    "organisation list": Endpoint("GET", f"{V1}/organisations/", everyone(200)),
    "organisation detail": Endpoint(
        "GET", f"{V1}/organisations/{{id}}/", everyone(200), ids=lambda w: {"id": w.organisation.pk}
    ),
    "area list": Endpoint("GET", f"{V1}/therapeutic-areas/", everyone(200)),
    "area detail": Endpoint(
        "GET",
        f"{V1}/therapeutic-areas/{{id}}/",
        everyone(200),
        ids=lambda w: {"id": w.startup_a.therapeutic_area_id},
    ),
    "call list": Endpoint("GET", f"{V1}/calls/", everyone(200, anonymous=200)),
    "call detail": Endpoint(
        "GET", f"{V1}/calls/{{id}}/", everyone(200, anonymous=200), ids=lambda w: {"id": w.call.pk}
    ),
    "call auto-assign": Endpoint(
        "POST", f"{V1}/calls/{{id}}/auto-assign/", only({M: 200}, 403), ids=lambda w: {"id": w.call.pk}
    ),
    "call release": Endpoint(
        "POST", f"{V1}/calls/{{id}}/release-decisions/", only({M: 200}, 403), ids=lambda w: {"id": w.call.pk}
    ),
    "startup list": Endpoint("GET", f"{V1}/startups/", everyone(200)),
    "startup create": Endpoint(
        "POST",
        f"{V1}/startups/",
        everyone(201),
        body=lambda w: {"name": "Epsilon Bio", "therapeutic_area": w.startup_a.therapeutic_area_id},
    ),
    "startup detail": Endpoint(
        "GET", f"{V1}/startups/{{id}}/", only({FA: 200, M: 200}, 404), ids=lambda w: {"id": w.startup_a.pk}
    ),
    "startup edit": Endpoint(
        "PATCH",
        f"{V1}/startups/{{id}}/",
        only({FA: 200, M: 403}, 404),
        ids=lambda w: {"id": w.startup_a.pk},
        body=lambda w: {"summary": "A new summary."},
    ),
    # The manager may move startups, but not one still applying: 409, not 403.
    "startup transition": Endpoint(
        "POST",
        f"{V1}/startups/{{id}}/transitions/{{name}}/",
        only({FA: 403, M: 409}, 404),
        ids=lambda w: {"id": w.startup_a.pk, "name": "accelerate"},
        body=lambda w: {},
    ),
    # The portfolio startup: founder A's team, mentored by the assigned reviewer.
    "mentor list": Endpoint(
        "GET",
        f"{V1}/startups/{{id}}/mentors/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.startup.pk},
    ),
    "mentor add": Endpoint(
        "POST",
        f"{V1}/startups/{{id}}/mentors/",
        only({FA: 403, AR: 403, M: 201}, 404),
        ids=lambda w: {"id": w.portfolio.startup.pk},
        body=lambda w: {"mentor": w.users[UR].pk},
    ),
    "mentor remove": Endpoint(
        "DELETE",
        f"{V1}/startups/{{id}}/mentors/{{mentor_id}}/",
        only({FA: 403, AR: 403, M: 204}, 404),
        ids=lambda w: {"id": w.portfolio.startup.pk, "mentor_id": w.users[AR].pk},
    ),
    "application list": Endpoint("GET", f"{V1}/applications/", everyone(200)),
    # Founder A applied already: the existing application comes back (200, not 201).
    "application create": Endpoint(
        "POST",
        f"{V1}/applications/",
        only({FA: 200}, 404),
        body=lambda w: {"startup": w.startup_a.pk, "call": w.call.pk},
    ),
    "application detail": Endpoint(
        "GET",
        f"{V1}/applications/{{id}}/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.application_a.pk},
    ),
    # The team edits answers, but not once submitted: 409 for founder A.
    "application edit (in review)": Endpoint(
        "PATCH",
        f"{V1}/applications/{{id}}/",
        only({FA: 409, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.application_a.pk},
        body=lambda w: {"problem": "Changed."},
    ),
    "application edit (draft)": Endpoint(
        "PATCH",
        f"{V1}/applications/{{id}}/",
        only({FB: 200, M: 403}, 404),
        ids=lambda w: {"id": w.application_b.pk},
        body=lambda w: {"problem": "Changed."},
    ),
    "pitch deck download": Endpoint(
        "GET",
        f"{V1}/applications/{{id}}/pitch-deck/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.application_a.pk},
    ),
    "pitch deck upload": Endpoint(
        "PUT",
        f"{V1}/applications/{{id}}/pitch-deck/",
        only({FB: 200, M: 403}, 404),
        ids=lambda w: {"id": w.application_b.pk},
        body=lambda w: {"file": SimpleUploadedFile("deck.pdf", make_pdf(), content_type="application/pdf")},
        multipart=True,
    ),
    "document add": Endpoint(
        "POST",
        f"{V1}/applications/{{id}}/documents/",
        only({FB: 201, M: 403}, 404),
        ids=lambda w: {"id": w.application_b.pk},
        body=lambda w: {
            "title": "Letter of intent",
            "file": SimpleUploadedFile("letter.pdf", make_pdf(), content_type="application/pdf"),
        },
        multipart=True,
    ),
    "document download": Endpoint(
        "GET",
        f"{V1}/applications/{{id}}/documents/{{document_id}}/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.application_a.pk, "document_id": w.document.pk},
    ),
    "document remove": Endpoint(
        "DELETE",
        f"{V1}/applications/{{id}}/documents/{{document_id}}/",
        # The call is open and lets documents change after submission.
        only({FA: 204, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.application_a.pk, "document_id": w.document.pk},
    ),
    "application withdraw": Endpoint(
        "POST",
        f"{V1}/applications/{{id}}/transitions/{{name}}/",
        only({FA: 200, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.application_a.pk, "name": "withdraw"},
        body=lambda w: {"reason": "We pivot."},
    ),
    "application reject": Endpoint(
        "POST",
        f"{V1}/applications/{{id}}/transitions/{{name}}/",
        only({FA: 403, AR: 403, M: 200}, 404),
        ids=lambda w: {"id": w.application_a.pk, "name": "reject"},
        body=lambda w: {},
    ),
    "assignment list": Endpoint(
        "GET", f"{V1}/review-assignments/", only({AR: 200, UR: 200, CR: 200, M: 200}, 403)
    ),
    "assignment create": Endpoint(
        "POST",
        f"{V1}/review-assignments/",
        only({M: 201}, 403),
        body=lambda w: {"application": w.application_a.pk, "reviewer": w.users[UR].pk},
    ),
    "assignment detail": Endpoint(
        "GET",
        f"{V1}/review-assignments/{{id}}/",
        only({FA: 403, FB: 403, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.assignment.pk},
    ),
    # Declined: gone for the reviewer who declined it.
    "assignment detail (declined)": Endpoint(
        "GET",
        f"{V1}/review-assignments/{{id}}/",
        only({FA: 403, FB: 403, M: 200}, 404),
        ids=lambda w: {"id": w.declined_assignment.pk},
    ),
    "assignment remove": Endpoint(
        "DELETE",
        f"{V1}/review-assignments/{{id}}/",
        only({FA: 403, FB: 403, AR: 403, M: 204}, 404),
        ids=lambda w: {"id": w.assignment.pk},
    ),
    "assignment decline": Endpoint(
        "POST",
        f"{V1}/review-assignments/{{id}}/decline/",
        only({FA: 403, FB: 403, AR: 204, M: 403}, 404),
        ids=lambda w: {"id": w.assignment.pk},
        body=lambda w: {"reason": "No time this month."},
    ),
    "review save": Endpoint(
        "PUT",
        f"{V1}/review-assignments/{{id}}/review/",
        only({FA: 403, FB: 403, AR: 200, M: 403}, 404),
        ids=lambda w: {"id": w.assignment.pk},
        body=lambda w: {"comment_for_founders": "Promising.", "submit": False},
    ),
    "review list": Endpoint("GET", f"{V1}/reviews/", only({AR: 200, UR: 200, CR: 200, M: 200}, 403)),
    "review detail": Endpoint(
        "GET",
        f"{V1}/reviews/{{id}}/",
        only({FA: 403, FB: 403, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.review.pk},
    ),
    "audit list": Endpoint("GET", f"{V1}/transition-logs/", everyone(200)),
    "audit detail": Endpoint(
        "GET",
        f"{V1}/transition-logs/{{id}}/",
        only({FA: 200, M: 200}, 404),
        ids=lambda w: {"id": _submit_log(w)},
    ),
    "notification list": Endpoint("GET", f"{V1}/notifications/", everyone(200)),
    "notification detail": Endpoint(
        "GET", f"{V1}/notifications/{{id}}/", only({FA: 200}, 404), ids=lambda w: {"id": w.notification_a.pk}
    ),
    "notification read": Endpoint(
        "POST",
        f"{V1}/notifications/{{id}}/read/",
        only({FA: 200}, 404),
        ids=lambda w: {"id": w.notification_a.pk},
    ),
    "notifications read all": Endpoint("POST", f"{V1}/notifications/read-all/", everyone(200)),
    # The portfolio of founder A's incubating startup, which the assigned reviewer mentors.
    "milestone list": Endpoint("GET", f"{V1}/milestones/", everyone(200)),
    # Managers and the startup's mentors set milestones; a mentor of others does not see it.
    "milestone create": Endpoint(
        "POST",
        f"{V1}/milestones/",
        only({AR: 201, M: 201, UR: 404, CR: 404}, 403),
        body=lambda w: {
            "startup": w.portfolio.startup.pk,
            "stage": "incubation",
            "title": "Pilot batch",
            "due_on": "2030-01-31",
        },
    ),
    "milestone detail": Endpoint(
        "GET",
        f"{V1}/milestones/{{id}}/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk},
    ),
    # Its managers and mentors correct it; the team does not.
    "milestone update": Endpoint(
        "PATCH",
        f"{V1}/milestones/{{id}}/",
        only({FA: 403, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk},
        body=lambda w: {"title": "GLP toxicology (rat and dog)"},
    ),
    # Removal is theirs too, but this one has evidence and funding tied to it: 409.
    "milestone delete": Endpoint(
        "DELETE",
        f"{V1}/milestones/{{id}}/",
        only({FA: 403, AR: 409, M: 409}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk},
    ),
    "milestone start": Endpoint(
        "POST",
        f"{V1}/milestones/{{id}}/transitions/{{name}}/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk, "name": "start"},
        body=lambda w: {},
    ),
    # The team submits the evidence; the mentor and managers may never.
    "milestone submit": Endpoint(
        "POST",
        f"{V1}/milestones/{{id}}/transitions/{{name}}/",
        only({FA: 200, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk, "name": "submit"},
        body=lambda w: {"expected_state": "planned"},
    ),
    # Acceptance is theirs, but not before the evidence is submitted: 409.
    "milestone accept": Endpoint(
        "POST",
        f"{V1}/milestones/{{id}}/transitions/{{name}}/",
        only({FA: 403, AR: 409, M: 409}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk, "name": "accept"},
        body=lambda w: {},
    ),
    "evidence list": Endpoint(
        "GET",
        f"{V1}/milestones/{{id}}/evidence/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk},
    ),
    "evidence upload": Endpoint(
        "POST",
        f"{V1}/milestones/{{id}}/evidence/",
        only({FA: 201, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk},
        body=lambda w: {"note": "The final report.", "file": pdf_upload("final.pdf")},
        multipart=True,
    ),
    # The team takes back evidence while the milestone is open; mentors and managers never.
    "evidence remove": Endpoint(
        "DELETE",
        f"{V1}/milestones/{{id}}/evidence/{{evidence_id}}/",
        only({FA: 204, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk, "evidence_id": w.portfolio.evidence.pk},
    ),
    "evidence download": Endpoint(
        "GET",
        f"{V1}/milestones/{{id}}/evidence/{{evidence_id}}/file/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.milestone.pk, "evidence_id": w.portfolio.evidence.pk},
    ),
    "readiness list": Endpoint("GET", f"{V1}/readiness-changes/", everyone(200)),
    "readiness record": Endpoint(
        "POST",
        f"{V1}/readiness-changes/",
        # Founder A may propose, but the world's proposal still waits: one at a time (409).
        only({FA: 409, AR: 201, M: 201}, 404),
        body=lambda w: {
            "startup": w.portfolio.startup.pk,
            "trl": 5,
            "development_phase": "preclinical",
            "evidence_note": "A GLP-compliant pilot study.",
        },
    ),
    "readiness decision": Endpoint(
        "POST",
        f"{V1}/readiness-changes/{{id}}/decision/",
        only({FA: 403, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.readiness_change.pk},
        body=lambda w: {"decision": "confirm"},
    ),
    "readiness withdraw": Endpoint(
        "POST",
        f"{V1}/readiness-changes/{{id}}/withdraw/",
        only({FA: 204, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.portfolio.readiness_change.pk},
    ),
    "readiness file": Endpoint(
        "GET",
        f"{V1}/readiness-changes/{{id}}/file/",
        only({FA: 200, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.readiness_change.pk},
    ),
    "readiness file upload": Endpoint(
        "PUT",
        f"{V1}/readiness-changes/{{id}}/file/",
        # Founder A recorded it, with its file already: the file stays as it was.
        only({FA: 409, AR: 403, M: 403}, 404),
        ids=lambda w: {"id": w.portfolio.readiness_change.pk},
        body=lambda w: {"file": SimpleUploadedFile("data.pdf", make_pdf(), content_type="application/pdf")},
        multipart=True,
    ),
    "investment review list": Endpoint("GET", f"{V1}/investment-reviews/", everyone(200)),
    "investment review create": Endpoint(
        "POST",
        f"{V1}/investment-reviews/",
        only({AR: 201, M: 201, UR: 404, CR: 404}, 403),
        body=lambda w: {"startup": w.portfolio.startup.pk, "verdict": "ready", "summary": "Ready."},
    ),
    "report list": Endpoint("GET", f"{V1}/kpi-reports/", everyone(200)),
    # Founder B is on a team, but not on this one.
    "report submit": Endpoint(
        "POST",
        f"{V1}/kpi-reports/",
        only({FA: 201, FB: 404}, 403),
        body=lambda w: {"startup": w.portfolio.startup.pk, "period": _today(), "team_size": 5},
    ),
    "funding list": Endpoint("GET", f"{V1}/funding-records/", everyone(200)),
    "funding record": Endpoint(
        "POST",
        f"{V1}/funding-records/",
        only({M: 201}, 403),
        body=lambda w: {
            "startup": w.portfolio.startup.pk,
            "kind": "equity",
            "date": _today(),
            "amount": "1000000.00",
            "currency": "USD",
            "investor": w.organisation.pk,
        },
    ),
    "funding void": Endpoint(
        "POST",
        f"{V1}/funding-records/{{id}}/void/",
        only({FA: 403, AR: 403, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.funding_record.pk},
        body=lambda w: {"reason": "Entered twice."},
    ),
    # Founder A's portfolio startup, mentored by the assigned reviewer; the manager wrote the note.
    "note list": Endpoint(
        "GET",
        f"{V1}/startups/{{id}}/notes/",
        only({FA: 403, AR: 200, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.startup.pk},
    ),
    "note add": Endpoint(
        "POST",
        f"{V1}/startups/{{id}}/notes/",
        only({FA: 403, AR: 201, M: 201}, 404),
        ids=lambda w: {"id": w.portfolio.startup.pk},
        body=lambda w: {"body": "Called their CSO."},
    ),
    "note remove": Endpoint(
        "DELETE",
        f"{V1}/startups/{{id}}/notes/{{note_id}}/",
        only({FA: 403, AR: 403, M: 204}, 404),
        ids=lambda w: {"id": w.portfolio.startup.pk, "note_id": w.portfolio.note.pk},
    ),
    # The team's startup in review: no mentor yet; its reviewers see its application, not it.
    "note list (startup in review)": Endpoint(
        "GET",
        f"{V1}/startups/{{id}}/notes/",
        only({FA: 403, M: 200}, 404),
        ids=lambda w: {"id": w.startup_a.pk},
    ),
    "tranche paid": Endpoint(
        "POST",
        f"{V1}/funding-tranches/{{id}}/mark-paid/",
        only({FA: 403, AR: 403, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.funding_record.tranches.first().pk},
        body=lambda w: {},
    ),
    "tranche cancel": Endpoint(
        "POST",
        f"{V1}/funding-tranches/{{id}}/cancel/",
        only({FA: 403, AR: 403, M: 200}, 404),
        ids=lambda w: {"id": w.portfolio.funding_record.tranches.last().pk},
        body=lambda w: {"reason": "The milestone was missed."},
    ),
    "funding summary": Endpoint("GET", f"{V1}/funding/summary/", only({M: 200}, 403)),
    "schema": Endpoint("GET", f"{V1}/schema/", everyone(200, anonymous=200)),
    "swagger ui": Endpoint("GET", f"{V1}/docs/", everyone(200, anonymous=200)),
    "redoc": Endpoint("GET", f"{V1}/redoc/", everyone(200, anonymous=200)),
    "root": Endpoint("GET", f"{V1}/", everyone(200, anonymous=200)),
}


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_person_gets_exactly_the_expected_status(world, name):
    endpoint = ENDPOINTS[name]
    statuses = {}
    for role in ROLES:
        with transaction.atomic():
            statuses[role] = endpoint.call(world, role).status_code
            transaction.set_rollback(True)
    assert statuses == endpoint.expected


def test_every_operation_of_the_schema_is_in_the_matrix(client):
    """A new endpoint joins the matrix before it ships."""
    schema = client.get("/api/v1/schema/?format=json").json()
    documented = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    covered = {(endpoint.method, endpoint.template) for endpoint in ENDPOINTS.values()}
    assert documented - covered == set()
