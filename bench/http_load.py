"""Load a server over HTTP for the benchmarks: gunicorn in its own process group, and client
threads that send GETs back to back for a fixed time and record what they saw (requests,
latencies, statuses, and the CPU time the server's workers and the clients spent meanwhile).

Standard library only, plus /proc for the workers' CPU time (Linux)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
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

    def __init__(self, *, port: int, env: dict[str, str], log: Path, workers: int, ready_path: str) -> None:
        self.port = port
        self.log = log
        self.workers = workers
        # A path that answers 200 without credentials once the application is loaded.
        self.ready_path = ready_path
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                f"--config={BASE_DIR / 'config' / 'gunicorn.conf.py'}",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
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
                if get(self.port, self.ready_path, {})[0] == 200 and len(self.worker_pids()) == self.workers:
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


def cpu_seconds(pids: list[int]) -> float:
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


def drive(server: Gunicorn, path: str, *, headers: dict[str, str], clients: int, seconds: float) -> Load:
    """``clients`` threads, each with its own connection, send GETs back to back for ``seconds``."""
    results = [Load() for _ in range(clients)]
    start = threading.Barrier(clients + 1)
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
    worker_cpu, client_cpu = cpu_seconds(pids), time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    start.wait()
    for thread in threads:
        thread.join()
    total = Load(
        seconds=time.perf_counter() - started,
        worker_cpu_seconds=cpu_seconds(pids) - worker_cpu,
        client_cpu_seconds=time.process_time() - client_cpu,
    )
    for load in results:
        total.requests += load.requests
        total.latencies += load.latencies
        total.statuses.update(load.statuses)
    return total
