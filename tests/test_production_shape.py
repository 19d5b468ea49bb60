"""The production shape without a container engine: the commands of docker-compose.yml, with the
production settings, against the PostgreSQL and Redis of the test run. The web service migrates,
creates the periodic schedules and serves through gunicorn; the worker answers a ping and runs a
task; beat starts with the database scheduler."""

import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture
def production_env(settings, tmp_path):
    from django.db import connection

    database = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="production-shape-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        PATH=f"{BIN}:{env.get('PATH', '')}",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _command(compose, service: str) -> list[str]:
    command = compose["services"][service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def _start(args, env, log_path):
    log = open(log_path, "w")  # noqa: SIM115
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def test_compose_services_are_the_expected_five(compose):
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "beat"}
    assert _command(compose, "web") == ["scripts/serve-web"]
    assert _command(compose, "worker")[:4] == ["celery", "-A", "config", "worker"]
    assert _command(compose, "beat")[:4] == ["celery", "-A", "config", "beat"]


def test_web_worker_and_beat_run_with_the_production_settings(compose, production_env, tmp_path):
    from django_celery_beat.models import PeriodicTask

    # What the image's build does (Dockerfile): collect the static files with their hashed names.
    subprocess.run(
        [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=production_env,
        check=True,
    )
    port = _free_port()
    web_env = dict(
        production_env,
        BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        API_THROTTLE_ANON="5/minute",
        PYTHON=str(BIN / "python"),
        GUNICORN=str(BIN / "gunicorn"),
    )
    web = _start(_command(compose, "web"), web_env, tmp_path / "web.log")
    worker = _start(
        [*_command(compose, "worker"), "--concurrency=1", "--hostname=shape@%h"],
        production_env,
        tmp_path / "worker.log",
    )
    beat = _start(
        [*_command(compose, "beat"), f"--pidfile={tmp_path / 'beat.pid'}"],
        production_env,
        tmp_path / "beat.log",
    )
    try:

        def login_page():
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as response:
                    return response.status == 200 and b"Log in" in response.read()
            except OSError:
                return False

        _wait(login_page, 90, "gunicorn to serve the login page")
        # The API throttle counts in Redis, across both workers: five anonymous calls a minute.
        statuses = []
        for _ in range(12):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/calls/", timeout=5) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses.count(200) == 5, statuses
        assert statuses[5:] == [429] * 7, statuses
        # The web service applied the schedules (idempotently) before serving.
        assert PeriodicTask.objects.filter(name__startswith="notifications:").count() >= 3

        def worker_answers():
            result = subprocess.run(
                [str(BIN / "celery"), "-A", "config", "inspect", "ping", "--timeout=2"],
                cwd=ROOT,
                env=production_env,
                capture_output=True,
                text=True,
            )
            return "pong" in result.stdout

        _wait(worker_answers, 60, "the worker to answer a ping")
        _wait(lambda: "beat: Starting" in (tmp_path / "beat.log").read_text(), 60, "beat to start")
        assert (
            "DatabaseScheduler" in (tmp_path / "beat.log").read_text()
            or "django_celery_beat" in (tmp_path / "beat.log").read_text()
        )
    finally:
        for process in (beat, worker, web):
            _stop(process)
        for name in ("web", "worker", "beat"):
            print(f"--- {name}.log ---\n" + (tmp_path / f"{name}.log").read_text()[-3000:])
