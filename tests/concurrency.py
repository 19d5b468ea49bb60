"""Racing real database connections, for the tests that need PostgreSQL's row locks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connections

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
