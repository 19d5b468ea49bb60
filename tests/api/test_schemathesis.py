"""Schema-driven fuzzing of the whole API with Schemathesis, in process through the WSGI app, on
PostgreSQL.

Schemathesis runs all its phases (examples, coverage, fuzzing, stateful sequences) three times,
sending everything as founder A, then as the assigned reviewer, then as the manager; the other
people of a Web Fuzzing Commons auth document are loaded for the probes. Every check must pass:
no 5xx, every response conforming to the schema (status, content type, headers, body),
schema-valid input accepted and schema-violating input refused, ``ignored_auth`` (each request is
replayed without credentials and must be refused) and ``object_level_authorization`` (each read of
a person's own object is replayed as the other peers — founder A, founder B and a reviewer of a
third startup, who share nothing — and must be refused unless the peer may list it too).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.db import connections
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.transport.wsgi import WSGITransport

from config.wsgi import application
from tests.api.conftest import build_world

MIN_REQUESTS = 1000
# In the order Schemathesis tries them for each operation.
IDENTITIES = ["founder_a", "founder_b", "unassigned_reviewer", "assigned_reviewer", "manager"]
# Each run sends every operation as one of them: a founder, a reviewer, a manager.
RUN_AS = ["founder_a", "assigned_reviewer", "manager"]
# People who must never read each other's objects (the assigned reviewer shares founder A's
# application, so is not one of them).
PEERS = ["founder_a", "founder_b", "unassigned_reviewer"]
AUTH_CHECKS = {"ignored_auth", "object_level_authorization"}

# Operations whose rules go beyond what a schema can say (a development phase must fit the
# product type; scores must name the call's own criteria; an upload must be a readable PDF; a
# month is reported on once it has begun; funding names its source and its tranches fit the
# amount): for them, a schema-valid request may also be refused with 400.
BUSINESS_RULES = [
    ("POST", "/api/v1/startups/"),
    ("PATCH", "/api/v1/startups/{id}/"),
    ("PUT", "/api/v1/review-assignments/{id}/review/"),
    ("PUT", "/api/v1/applications/{id}/pitch-deck/"),
    ("POST", "/api/v1/applications/{id}/documents/"),
    ("POST", "/api/v1/milestones/{id}/evidence/"),
    ("POST", "/api/v1/readiness-changes/"),
    ("PUT", "/api/v1/readiness-changes/{id}/file/"),
    ("POST", "/api/v1/kpi-reports/"),
    ("POST", "/api/v1/funding-records/"),
]


def _operations() -> str:
    return "\n".join(
        f"""
[[operations]]
include-method = "{method}"
include-path = "{path}"
checks.positive_data_acceptance.expected-statuses = ["2xx", 400, 401, 403, 404, 409, 429]
"""
        for method, path in BUSINESS_RULES
    )


def _config(auth_path: str, user: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_str(
        f"""
seed = 20261127
workers = 1
max-failures = 25
[cache]
enabled = false
[generation]
max-examples = 6
deterministic = true
database = "none"
[auth.wfc]
path = "{auth_path}"
user = "{user}"
peers = {json.dumps(PEERS)}
[phases.stateful]
max-steps = 8
{_operations()}
"""
    )


class CountingApp:
    """The WSGI app, counting requests per credential, and closing the database connection of
    whichever thread served each request (the test database cannot be dropped while one is open)."""

    def __init__(self, roles_by_header: dict[str, str]):
        self.roles_by_header = roles_by_header
        self.requests: Counter = Counter()

    def __call__(self, environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        self.requests[self.roles_by_header.get(header, "other" if header else "anonymous")] += 1
        response = application(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
            connections.close_all()


@pytest.fixture
def _in_process_transport(monkeypatch):
    """Schemathesis hands socket-level options (``max_redirects``, ``verify``...) to the in-process
    WSGI client when it re-sends a request for a check, and the client does not take them; drop
    them there."""
    original = WSGITransport.send

    def send(self, case, *, session=None, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send)


def _run(app: CountingApp, auth_path: str, user: str) -> tuple[list[str], Counter, Counter]:
    """One engine run with every operation sent as ``user``; the other identities are loaded for
    the object-level probes."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/?format=json", app, config=_config(auth_path, user)
    )
    failures: list[str] = []
    statuses: Counter = Counter()
    checks_run: Counter = Counter()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    statuses[interaction.response.status_code] += 1
            for checks in event.recorder.checks.values():
                for check in checks:
                    checks_run[check.name] += 1
                    if check.status == Status.FAILURE:
                        failures.append(
                            f"as {user}: {event.recorder.label}: {check.name}: {check.failure_info}"
                        )
        elif isinstance(event, events.NonFatalError):
            failures.append(f"as {user}: {event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            failures.append(f"as {user}: fatal: {event.exception!r}")
    return failures, statuses, checks_run


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.usefixtures("_in_process_transport")
def test_the_api_conforms_to_its_schema_under_fuzzing(tmp_path, settings):
    # The generated traffic would otherwise be throttled after a few dozen requests.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "token": "100000/minute"},
    }
    world = build_world()
    headers = {role: f"Bearer {world.tokens[role]}" for role in IDENTITIES}
    auth_path = tmp_path / "auth.json"
    auth_path.write_text(
        json.dumps(
            {
                "auth": [
                    {"name": role, "fixedHeaders": [{"name": "Authorization", "value": headers[role]}]}
                    for role in IDENTITIES
                ]
            }
        )
    )
    app = CountingApp({header: role for role, header in headers.items()})

    failures: list[str] = []
    statuses: Counter = Counter()
    checks_run: Counter = Counter()
    for user in RUN_AS:
        run_failures, run_statuses, run_checks = _run(app, str(auth_path), user)
        failures += run_failures
        statuses += run_statuses
        checks_run += run_checks

    total = sum(app.requests.values())
    print(f"{total} requests by {dict(app.requests)}; statuses {dict(sorted(statuses.items()))}")
    assert failures == [], "\n".join(failures)
    assert total >= MIN_REQUESTS
    assert statuses[500] == 0
    assert set(checks_run) >= AUTH_CHECKS
    # Requests without credentials (ignored_auth) and as every peer (object-level probes) were sent.
    assert app.requests["anonymous"] > 0
    assert all(app.requests[peer] > 0 for peer in PEERS)
