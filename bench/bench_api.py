"""Benchmark: an authenticated 50-row API list against a bare Django view, both served by gunicorn.

Seeds a throwaway database with startups that have a therapeutic area, a team, affiliations and
mentors, and a manager with a personal API token. Then starts gunicorn (2 sync workers, the bench
settings, 127.0.0.1 on a free port) and drives, with a fixed number of client threads for a fixed
time, in alternating rounds:
- the list: ``GET /api/v1/startups/?page_size=50`` with ``Authorization: Bearer <token>``;
- a bare view (``bench/urls.py``: a tiny ``HttpResponse`` behind the same middleware).
Reports requests per second of both, their ratio, median and 95th-percentile latency, and the
workers' CPU time per request (target: the list reaches at least a quarter of the bare view's
requests per second). Results are printed and written to bench/results/api.json.

The API's throttle is raised for this run through ``API_THROTTLE_TOKEN`` (which
``config/settings/base.py`` reads), so the measurement is of the view, not of refusals; the
throttle classes still run. The rate is per second on purpose: DRF keeps every request of the
window in the throttle's cache entry, so a huge per-minute rate would make that entry (and the
cost of each request) grow through the run.

Run by `make bench` (DATABASE_URL from scripts/with-test-services).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

from bench import databases, http_load  # noqa: E402  (needs BASE_DIR on the path when run as a script)

STARTUPS = int(os.environ.get("BENCH_API_STARTUPS", "200"))
CLIENTS = int(os.environ.get("BENCH_API_CLIENTS", "4"))
ROUND_SECONDS = float(os.environ.get("BENCH_API_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_API_ROUNDS", "3"))
WARMUP_SECONDS = float(os.environ.get("BENCH_API_WARMUP_SECONDS", "2"))
THROTTLE_RATE = os.environ.get("BENCH_API_THROTTLE", "100000/second")
WORKERS = 2
PAGE_SIZE = 50
TARGET_RATIO = 0.25
LIST_PATH = f"/api/v1/startups/?page_size={PAGE_SIZE}"
BARE_PATH = "/bench/bare/"
RESULTS = BASE_DIR / "bench" / "results" / "api.json"


def seed() -> str:
    """Startups across the pipeline with nested data, and a manager; returns the manager's token."""
    from incubator.services.tokens import api_token_create
    from pipeline.machines import PIPELINE_STAGES
    from tests.factories import (
        FounderFactory,
        ManagerFactory,
        MentorAssignmentFactory,
        MentorFactory,
        OrganisationFactory,
        StartupFactory,
        TherapeuticAreaFactory,
    )

    rng = random.Random(2026)
    areas = [TherapeuticAreaFactory() for _ in range(8)]
    organisations = [OrganisationFactory() for _ in range(10)]
    mentors = [MentorFactory() for _ in range(20)]
    for n in range(STARTUPS):
        startup = StartupFactory(
            stage=rng.choice(PIPELINE_STAGES),
            therapeutic_area=rng.choice(areas),
            founders=[FounderFactory() for _ in range(rng.randint(1, 3))],
        )
        startup.affiliations.add(*rng.sample(organisations, rng.randint(1, 2)))
        MentorAssignmentFactory(startup=startup, mentor=mentors[n % len(mentors)])
    manager = ManagerFactory(email="manager@bench.example")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return api_token_create(user=manager, name="bench")[1]


def list_query_count(headers: dict[str, str]) -> int:
    """The list's SQL queries, through Django's test client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers=headers)
    client.get(LIST_PATH)  # the token's first use records it; later ones within a minute do not
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_PATH)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def check_list(server: http_load.Gunicorn, headers: dict[str, str]) -> dict:
    """The list answers 50 startups with their nested data, before anything is measured."""
    status, connection_header, body = http_load.get(server.port, LIST_PATH, headers)
    assert status == 200, (status, body[:500])
    rows = json.loads(body)["results"]
    assert len(rows) == PAGE_SIZE, len(rows)
    assert all(row["therapeutic_area"] and row["team"] and row["affiliations"] for row in rows)
    return {
        "rows": len(rows),
        "bytes": len(body),
        "team_members": sum(len(row["team"]) for row in rows),
        "transitions": sum(len(row["transitions"]) for row in rows),
        "server_keeps_connections": connection_header.lower() != "close",
    }


def measure(key: str, database_url: str) -> dict:
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    queries = list_query_count(headers)
    from django.db import connections

    connections.close_all()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "API_THROTTLE_TOKEN": THROTTLE_RATE,
        "API_THROTTLE_ANON": THROTTLE_RATE,
    }
    paths = {"bare": BARE_PATH, "list": LIST_PATH}
    loads = {name: http_load.Load() for name in paths}
    load_average_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        server = http_load.Gunicorn(
            port=http_load.free_port(),
            env=env,
            log=Path(folder) / "gunicorn.log",
            workers=WORKERS,
            ready_path=BARE_PATH,
        )
        try:
            server.wait_ready()
            page = check_list(server, headers)
            print(f"  gunicorn on 127.0.0.1:{server.port}, {WORKERS} sync workers; warming up")
            for path in paths.values():
                http_load.drive(server, path, headers=headers, clients=CLIENTS, seconds=WARMUP_SECONDS)
            for round_ in range(ROUNDS):
                # Alternate which goes first, so drift in the machine's load hits both alike.
                order = list(paths) if round_ % 2 == 0 else list(reversed(paths))
                for name in order:
                    load = http_load.drive(
                        server, paths[name], headers=headers, clients=CLIENTS, seconds=ROUND_SECONDS
                    )
                    loads[name].add(load)
                    print(
                        f"  round {round_ + 1}/{ROUNDS} {name:4}: "
                        f"{load.requests / load.seconds:8.1f} requests/s"
                    )
            log = server.log_tail()
        finally:
            server.stop()
    bare, listing = loads["bare"].summary(), loads["list"].summary()
    return {
        "workers": WORKERS,
        "worker_class": "sync",
        "clients": CLIENTS,
        "rounds": ROUNDS,
        "round_seconds": ROUND_SECONDS,
        "throttle_rate_for_this_run": THROTTLE_RATE,
        "startups": STARTUPS,
        "list_path": LIST_PATH,
        "list_page": page,
        "list_queries": queries,
        "bare": bare,
        "list": listing,
        "ratio": round(listing["requests_per_second"] / (bare["requests_per_second"] or float("nan")), 3),
        # The same comparison by the workers' CPU time: less sensitive to what else the machine runs.
        "worker_cpu_ratio": round(
            bare["worker_cpu_ms_per_request"] / listing["worker_cpu_ms_per_request"], 3
        ),
        "target_ratio": TARGET_RATIO,
        # Everything shares this machine's CPUs: other work running at the same time shows here.
        "cpus": os.cpu_count(),
        "load_average_1min": {"before": load_average_before, "after": os.getloadavg()[0]},
        "gunicorn_log_tail": log,
    }


def report(result: dict) -> None:
    page = result["list_page"]
    print(
        f"API list against a bare view: gunicorn, {result['workers']} sync workers, "
        f"{result['clients']} client threads, {result['rounds']} rounds of {result['round_seconds']:g} s each"
    )
    print(
        f"  throttle raised for this run to {result['throttle_rate_for_this_run']} "
        "(API_THROTTLE_TOKEN, API_THROTTLE_ANON); its classes still run"
    )
    print(
        f"  list: {result['list_path']} as a manager with a token: {page['rows']} rows, "
        f"{page['bytes'] / 1024:.1f} KiB, {page['team_members']} team members, "
        f"{result['list_queries']} SQL queries"
    )
    load = result["load_average_1min"]
    print(
        f"  the server, PostgreSQL and the clients share {result['cpus']} CPUs; "
        f"1-minute load average {load['before']:.2f} before, {load['after']:.2f} after"
    )
    if not page["server_keeps_connections"]:
        print("  the sync workers close every connection: each request opens a new one (both alike)")
    print("              requests/s   median ms   p95 ms   worker CPU ms/req   client CPU ms/req")
    for name in ("bare", "list"):
        row = result[name]
        print(
            f"  {name:4}        {row['requests_per_second']:9.1f}   {row['median_ms']:9.2f}"
            f"   {row['p95_ms']:6.2f}   {row['worker_cpu_ms_per_request']:17.2f}"
            f"   {row['client_cpu_ms_per_request']:17.2f}"
        )
    print(f"  ratio list/bare: {result['ratio']:.3f}   target >= {result['target_ratio']}")
    print(f"  by worker CPU per request, bare/list: {result['worker_cpu_ratio']:.3f} (not the target)")
    errors = {name: result[name]["statuses"] for name in ("bare", "list")}
    if any(set(statuses) != {"200"} for statuses in errors.values()):
        print(f"  NOT ALL ANSWERS WERE 200: {errors}")
        print(result["gunicorn_log_tail"])
    print(f"  written to {RESULTS.relative_to(BASE_DIR)}")


def main() -> int:
    # `make bench` may be interrupted: turn SIGTERM into an exception so gunicorn is stopped and
    # the database dropped on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    with databases.throwaway_database("bench_api") as bench_url:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        print(f"  seeding {STARTUPS} startups with teams, affiliations and mentors")
        key = seed()
        result = measure(key, bench_url)
    all_answered = all(set(result[name]["statuses"]) == {"200"} for name in ("bare", "list"))
    result["met"] = all_answered and result["ratio"] >= TARGET_RATIO
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)
    print("API benchmark:", "target met" if result["met"] else "TARGET MISSED")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
