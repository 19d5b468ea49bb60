"""Racing real database connections, for the tests that need PostgreSQL's row locks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections

from pipeline import events


def race(*calls: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run each callable in its own thread (its own database connection), all released
    together; each outcome is its result or the exception it raised. The first transition to
    write holds its row locks a moment longer, so the others really wait on them."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def hold_locks(sender, log, **kwargs):
        time.sleep(0.3)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connections.close_all()

    events.transition_recorded.connect(hold_locks)
    try:
        threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=timeout)
    finally:
        events.transition_recorded.disconnect(hold_locks)
    return outcomes


def until_someone_waits_for_a_lock(timeout: float = 10) -> bool:
    """Wait (on this connection) until another connection to this database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False
