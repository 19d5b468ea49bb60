"""A throwaway PostgreSQL database for one benchmark, next to the one in DATABASE_URL (which
`make bench` points at the private server of scripts/with-test-services)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import environ


def admin_sql(url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE and DROP DATABASE need that)."""
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


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """Create ``<prefix>_<pid>``, point DATABASE_URL at it for the block, then close every
    connection and drop it (kept with BENCH_KEEP_DATABASE=1). Yields its URL."""
    admin_url = os.environ["DATABASE_URL"]
    name = f"{prefix}_{os.getpid()}"
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    try:
        yield url
    finally:
        os.environ["DATABASE_URL"] = admin_url
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if not os.environ.get("BENCH_KEEP_DATABASE"):
            admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
