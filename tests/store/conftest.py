"""Every store test runs twice: on a SQLite file and on the real PostgreSQL server.

PostgreSQL comes from TEST_POSTGRES_URL (default the local `test` database); the
session creates a fresh, uniquely named database and drops it afterwards. When
the server is unreachable the PostgreSQL half FAILS under CI=true and is skipped
with a loud reason only on a developer machine.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.future import create_engine

from bot.clock import CST
from bot.store import Store
from bot.store.engine import dispose_engine
from bot.store.models import Base
from bot.store.seed import seed

PG_DEFAULT = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
#: The pinned instant every store test runs at (ASSURANCE_NOW).
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=CST)


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _admin(url: str) -> Any:
    return create_engine(url, isolation_level="AUTOCOMMIT", future=True)


class PgServer:
    """A reachable PostgreSQL server, or the reason it is not."""

    def __init__(self) -> None:
        self.url = os.environ.get("TEST_POSTGRES_URL", PG_DEFAULT)
        self.error: str | None = None
        self.created: list[str] = []
        try:
            engine = _admin(self.url)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except SQLAlchemyError as err:
            self.error = f"PostgreSQL at {make_url(self.url).render_as_string(hide_password=True)} unreachable: {err}"

    def require(self) -> None:
        if self.error is None:
            return
        if _ci():
            pytest.fail(f"CI=true and {self.error}", pytrace=False)
        pytest.skip(f"!!! NOT TESTED ON POSTGRESQL !!! {self.error} (CI unset, so skipping)")

    def create_database(self) -> str:
        """A fresh database named uniquely for this run; its URL."""
        self.require()
        name = f"store_test_{uuid.uuid4().hex[:12]}"
        engine = _admin(self.url)
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        engine = _admin(self.url)
        with engine.connect() as conn:
            for name in self.created:
                dispose_engine(make_url(self.url).set(database=name).render_as_string(hide_password=False))
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    yield server
    if server.error is None:
        server.drop_all()


@pytest.fixture(scope="session")
def pg_migrated(pg_server: PgServer) -> str:
    """One migrated PostgreSQL database for the session (tests empty it first)."""
    url = pg_server.create_database()
    Store(url).migrate()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("store-template") / "template.db"
    url = f"sqlite:///{path}"
    Store(url).migrate()
    dispose_engine(url)
    return path


def _empty(url: str) -> None:
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    engine = _admin(url)
    with engine.connect() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setenv("ASSURANCE_NOW", NOW.isoformat())
    return NOW


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        yield url
        dispose_engine(url)
    else:
        request.getfixturevalue("pg_server").require()
        url = request.getfixturevalue("pg_migrated")
        _empty(url)
        yield url


@pytest.fixture
def store(db_url: str) -> Store:
    return Store(db_url)


@pytest.fixture
def demo(store: Store) -> Store:
    """The store with the demo accounts seeded at NOW."""
    with store._db.write() as session:
        seed(session)
    return store
