"""Real processes for the notifications tests: Celery workers started as subprocesses against a
real Redis and the test database, and a private redis-server a test may stop and start."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from config.celery_app import app as celery_app

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


def read_mail(folder: Path) -> list[email.message.Message]:
    """Every message the file-based backend wrote into ``folder``."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk, policy=email.policy.default))
    return messages


def outbox_ids_sent(folder: Path) -> Counter:
    return Counter(int(message["X-Outbox-Message"]) for message in read_mail(folder))


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and everything it started: no clean-up of any kind."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class WorkerFactory:
    mail_dir: Path
    log_dir: Path
    broker_url: str
    workers: list[Worker] = field(default_factory=list)

    def start(self, *, slow: float | None = None, env: dict[str, str] | None = None) -> Worker:
        """A real ``celery -A config worker`` on the test database and ``broker_url``, writing
        mail into ``mail_dir``; returns once it consumes."""
        log = self.log_dir / f"worker-{len(self.workers)}.log"
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "REDIS_URL": self.broker_url,
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
            **(env or {}),
        }
        if slow is not None:
            worker_env["TEST_EMAIL_BACKEND"] = "tests.notifications.slow_email_backend.EmailBackend"
            worker_env["TEST_EMAIL_DELAY"] = str(slow)
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            f"--hostname=test-{len(self.workers)}-{os.getpid()}@localhost",
        ]
        with log.open("w") as output:
            process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=worker_env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process=process, log=log)
        self.workers.append(worker)

        def ready():
            if process.poll() is not None:
                raise AssertionError(f"The worker exited:\n{log.read_text()}")
            return " ready." in log.read_text()

        wait_for(ready, timeout=60, message="the worker to start")
        return worker


def _reset_publisher(monkeypatch, broker_url: str) -> None:
    # Celery reads CELERY_BROKER_URL from the environment before its configuration, and keeps a
    # connection pool: point both at this broker for the test.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def test_redis_url(monkeypatch):
    """The Redis of the test session, emptied, and this process publishing to it."""
    url = os.environ.get("REDIS_URL")
    assert url, "run under scripts/with-test-services (make test)"
    assert url.startswith("redis://")
    import redis

    redis.Redis.from_url(url).flushdb()
    _reset_publisher(monkeypatch, url)
    yield url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@dataclass
class RedisServer:
    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(answers, timeout=10, message="redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    """A redis-server of this test's own, on a free port, that the test may stop and start."""
    server = RedisServer(port=free_port(), folder=tmp_path)
    server.start()
    _reset_publisher(monkeypatch, server.url)
    yield server
    server.stop()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def _workers(transactional_db, tmp_path, mail_dir, broker_url):
    factory = WorkerFactory(mail_dir=mail_dir, log_dir=tmp_path, broker_url=broker_url)
    yield factory
    # Before the test database is flushed: a worker must not hold connections or write into it.
    for worker in factory.workers:
        worker.stop()


@pytest.fixture
def workers(transactional_db, tmp_path, mail_dir, test_redis_url):
    yield from _workers(transactional_db, tmp_path, mail_dir, test_redis_url)


@pytest.fixture
def private_workers(transactional_db, tmp_path, mail_dir, private_redis):
    yield from _workers(transactional_db, tmp_path, mail_dir, private_redis.url)
