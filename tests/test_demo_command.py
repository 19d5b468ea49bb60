"""`make demo` as a new user runs it: the script migrates a fresh SQLite database, loads the demo,
starts the Celery worker and beat on the filesystem transport and serves the app. Each printed
login works, and reminders really go out as e-mail files."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {message}")


def _get(opener, url: str) -> str:
    with opener.open(url, timeout=10) as response:
        return response.read().decode()


def _login(base: str, email: str, password: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = _get(opener, base + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": password}
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
    )
    with opener.open(request, timeout=10) as response:
        return response.geturl()


def test_make_demo_serves_the_logins_and_sends_reminders(tmp_path):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PIPELINE_VAR_DIR=str(tmp_path / "var"), DEMO_PORT=str(port))
    log = open(tmp_path / "demo.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run-demo")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def serving():
            try:
                return "Log in" in _get(urllib.request.build_opener(), base + "/accounts/login/")
            except OSError:
                return False

        _wait(serving, 120, "the demo to serve the login page")
        output = (tmp_path / "demo.log").read_text()
        logins = re.findall(r"(\S+@cluster\.demo)\s+(\S+)", output)
        assert len(logins) == 5, output
        landing = {
            "manager@cluster.demo": "/manage/",
            "mentor@cluster.demo": "/mentor/",
            "founder@cluster.demo": "/founder/",
            "incubation@cluster.demo": "/founder/",
            "admin@cluster.demo": "/manage/",
        }
        for email, password in logins:
            assert _login(base, email, password).endswith(landing[email]), email

        # The site as its users see it: styles served, and a missing page is the site's own 404.
        login_page = _get(urllib.request.build_opener(), base + "/accounts/login/")
        stylesheet = re.search(r'<link[^>]+href="(/static/[^"]+\.css)"', login_page).group(1)
        assert _get(urllib.request.build_opener(), base + stylesheet).strip()
        with pytest.raises(urllib.error.HTTPError) as missing:
            _get(urllib.request.build_opener(), base + "/no-such-page/")
        assert missing.value.code == 404
        not_found = missing.value.read().decode()
        assert "There is no such page, or it is not one you may see." in not_found
        assert "DEBUG = True" not in not_found

        # The sweeps run as soon as beat starts: the demo has a review due in two days, drafts in a
        # call closing within the week and stalled startups, so e-mail files appear.
        mail_dir = tmp_path / "var" / "mail"

        # The sweeps send in batches, so wait for the mentor's reminder rather than the first file.
        def mail() -> str:
            if not mail_dir.exists():
                return ""
            return "".join(path.read_text(errors="replace") for path in mail_dir.iterdir())

        _wait(lambda: "To: mentor@cluster.demo" in mail(), 120, "the mentor's reminder in var/mail")
        assert "Content-Type: text/plain" in mail()
        assert base + "/" in mail(), "links in the e-mails point at the demo server"
        assert "Content-Type: text/html" in mail()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
    # Ctrl-C (here SIGTERM) stops the worker too.
    time.sleep(1)
    leftover = subprocess.run(["pgrep", "-f", str(tmp_path / "var")], capture_output=True, text=True)
    assert leftover.stdout.strip() == "", leftover.stdout
