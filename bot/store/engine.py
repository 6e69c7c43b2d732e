"""One engine per database URL per process, SQLite made safe for threads, and
Alembic driven from code (`store.migrate()`, `python -m bot.store migrate`)."""
from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker

from .errors import StoreUnavailable

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = REPO_ROOT / "var" / "assurance.db"
ENV_VAR = "DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def database_url() -> str:
    """DATABASE_URL, or the git-ignored SQLite file var/assurance.db."""
    url = os.environ.get(ENV_VAR, "").strip()
    return url or f"sqlite:///{DEFAULT_SQLITE}"


def _json_dumps(value: Any) -> str:
    # Decimals and datetimes inside a decision are written as text, never as floats.
    return json.dumps(value, default=str, sort_keys=True)


def _sqlite_setup(engine: Engine) -> None:
    """pysqlite's own transaction handling cannot BEGIN IMMEDIATE; take it over so
    write transactions lock the file up front (the R3 count-then-insert race)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url` (created once, thread-safe)."""
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        parsed = make_url(url)
        kwargs: dict[str, Any] = {"future": True, "json_serializer": _json_dumps}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
        engine = create_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            _sqlite_setup(engine)
        _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close and forget the engine of `url` (tests, before dropping a database)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


class Sessions:
    """Session factories: reads, and writes that take the write lock at BEGIN."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._read = sessionmaker(bind=engine, future=True, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else engine
        self._write = sessionmaker(bind=writer, future=True, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with unavailable_on_db_errors():
            with self._read() as session:
                yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        with unavailable_on_db_errors():
            with self._write() as session:
                with session.begin():
                    yield session


@contextmanager
def unavailable_on_db_errors() -> Iterator[None]:
    """A database that cannot be reached, drops mid-call or was never migrated →
    StoreUnavailable (callers tell the person the service is down, lose nothing)."""
    try:
        yield
    except exc.DBAPIError as err:
        if _schema_missing(err):
            raise StoreUnavailable(
                "the database has no store schema (or an old one): run `python -m bot.store migrate`"
            ) from err
        if isinstance(err, (exc.OperationalError, exc.InterfaceError)):
            raise StoreUnavailable(f"database unavailable: {err.orig or err}") from err
        if err.connection_invalidated:
            raise StoreUnavailable(f"database connection lost: {err.orig or err}") from err
        raise


def _schema_missing(err: Exception) -> bool:
    text = str(getattr(err, "orig", err)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def alembic_config(url: str) -> Any:
    """An Alembic Config for this package's migrations and `url`."""
    from alembic.config import Config

    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    with unavailable_on_db_errors():
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    from alembic import command

    with unavailable_on_db_errors():
        command.downgrade(alembic_config(url), revision)


def make_url_safe(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)
