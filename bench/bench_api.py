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

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

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


def _admin(url: str, sql: str) -> None:
    import psycopg

    config = environ.Env.db_url_config(url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"],
        user=config["USER"],
        password=config.get("PASSWORD") or None,
        dbname=config["NAME"],
        autocommit=True,
    ) as connection:
        connection.execute(sql)


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """One GET on a connection of its own: the status, the Connection header and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Connection") or "", response.read()
    finally:
        connection.close()


class Gunicorn:
    """gunicorn in its own process group, so stopping it stops its workers too."""

    def __init__(self, *, port: int, env: dict[str, str], log: Path) -> None:
        self.port = port
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={WORKERS}",
                "--worker-class=sync",
                "--timeout=60",
                "--log-level=warning",
                f"--chdir={BASE_DIR}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: the fields follow the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if _get(self.port, BARE_PATH, {})[0] == 200 and len(self.worker_pids()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        self._log_file.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log_file.close()


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of ``pids`` so far, from /proc."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """What the clients saw while driving one path."""

    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    worker_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    def add(self, other: Load) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.worker_cpu_seconds += other.worker_cpu_seconds
        self.client_cpu_seconds += other.client_cpu_seconds

    def summary(self) -> dict:
        ms = [latency * 1000 for latency in self.latencies] or [float("nan")] * 2
        requests = self.requests or float("nan")
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "requests_per_second": round(self.requests / self.seconds, 1),
            "median_ms": round(statistics.median(ms), 2),
            "p95_ms": round(statistics.quantiles(ms, n=20, method="inclusive")[18], 2),
            "worker_cpu_ms_per_request": round(self.worker_cpu_seconds * 1000 / requests, 2),
            "client_cpu_ms_per_request": round(self.client_cpu_seconds * 1000 / requests, 2),
            # HTTP statuses, and the names of errors that left no answer.
            "statuses": {str(status): count for status, count in self.statuses.items()},
        }


def drive(server: Gunicorn, path: str, headers: dict[str, str], seconds: float) -> Load:
    """``CLIENTS`` threads, each with its own connection, send GETs back to back for ``seconds``."""
    results = [Load() for _ in range(CLIENTS)]
    start = threading.Barrier(CLIENTS + 1)
    deadline = 0.0

    def client(load: Load) -> None:
        # http.client keeps the connection alive when the server does, and reconnects when it
        # closes it (gunicorn's sync workers close after every response).
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        start.wait()
        try:
            while (sent := time.perf_counter()) < deadline:
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    # Counted, so the run fails; the next request opens a new connection.
                    load.statuses[type(error).__name__] += 1
                    connection.close()
                    continue
                load.latencies.append(time.perf_counter() - sent)
                load.statuses[response.status] += 1
                load.requests += 1
        finally:
            connection.close()

    # Daemon threads: an interrupted run stops gunicorn and exits without waiting for them.
    threads = [threading.Thread(target=client, args=(load,), daemon=True) for load in results]
    for thread in threads:
        thread.start()
    pids = server.worker_pids()
    worker_cpu, client_cpu = _cpu_seconds(pids), time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    start.wait()
    for thread in threads:
        thread.join()
    total = Load(
        seconds=time.perf_counter() - started,
        worker_cpu_seconds=_cpu_seconds(pids) - worker_cpu,
        client_cpu_seconds=time.process_time() - client_cpu,
    )
    for load in results:
        total.requests += load.requests
        total.latencies += load.latencies
        total.statuses.update(load.statuses)
    return total


def check_list(server: Gunicorn, headers: dict[str, str]) -> dict:
    """The list answers 50 startups with their nested data, before anything is measured."""
    status, connection_header, body = _get(server.port, LIST_PATH, headers)
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
    loads = {name: Load() for name in paths}
    load_average_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        server = Gunicorn(port=_free_port(), env=env, log=Path(folder) / "gunicorn.log")
        try:
            server.wait_ready()
            page = check_list(server, headers)
            print(f"  gunicorn on 127.0.0.1:{server.port}, {WORKERS} sync workers; warming up")
            for path in paths.values():
                drive(server, path, headers, WARMUP_SECONDS)
            for round_ in range(ROUNDS):
                # Alternate which goes first, so drift in the machine's load hits both alike.
                order = list(paths) if round_ % 2 == 0 else list(reversed(paths))
                for name in order:
                    load = drive(server, paths[name], headers, ROUND_SECONDS)
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
    admin_url = os.environ["DATABASE_URL"]
    name = f"bench_api_{os.getpid()}"
    bench_url = admin_url.rsplit("/", 1)[0] + "/" + name
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        print(f"  seeding {STARTUPS} startups with teams, affiliations and mentors")
        key = seed()
        result = measure(key, bench_url)
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    all_answered = all(set(result[name]["statuses"]) == {"200"} for name in ("bare", "list"))
    result["met"] = all_answered and result["ratio"] >= TARGET_RATIO
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    report(result)
    print("API benchmark:", "target met" if result["met"] else "TARGET MISSED")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
