"""PostgreSQL and Redis plumbing for the scale-out and fault tests and the bench.

Why here and not in a conftest: the tests in tests/scaleout and tests/faults and
scripts/bench.py all need the same "fresh database / unique Redis prefix" steps.
"""
from __future__ import annotations

import os
import secrets
from typing import Optional
from urllib.parse import urlsplit

DEFAULT_PG = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


class ServiceMissing(RuntimeError):
    """PostgreSQL or Redis is not reachable."""


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or DEFAULT_PG


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def check_postgres(url: Optional[str] = None) -> str:
    """Connect once; the URL, or ServiceMissing naming what failed."""
    from sqlalchemy import create_engine, text

    url = url or postgres_url()
    try:
        eng = create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
        raise ServiceMissing(f"PostgreSQL at {url.split('@')[-1]} unreachable: {exc}") from exc
    return url


def check_redis(url: Optional[str] = None) -> str:
    import redis

    url = url or redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        raise ServiceMissing(f"Redis at {url} unreachable: {exc}") from exc
    return url


def create_database(base_url: str, prefix: str) -> str:
    """CREATE DATABASE <prefix>_<random> on the server of ``base_url``; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, db_url: str) -> None:
    """DROP DATABASE of ``db_url`` (terminating leftover connections first)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(db_url).database
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as c:
        c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


ATOMIC_LOCK_STORE = "bot.scaleout.locks.AtomicRedisLockStore"


def redis_lock_settings(url: str, prefix: str, lock_type: str = ATOMIC_LOCK_STORE) -> dict:
    """Rasa lock_store endpoint settings for ``url`` with key prefix ``prefix``
    (our atomic lock store by default; ``lock_type="redis"`` for Rasa's own)."""
    parts = urlsplit(url)
    return {"type": lock_type, "url": parts.hostname or "127.0.0.1", "port": parts.port or 6379,
            "db": int((parts.path or "/0").lstrip("/") or 0), "key_prefix": prefix}


def redis_delete_prefix(url: str, prefix: str) -> None:
    """Remove every key the lock store wrote under ``prefix``."""
    import redis

    r = redis.Redis.from_url(url)
    for key in r.scan_iter(match=f"{prefix}:*", count=500):
        r.delete(key)
