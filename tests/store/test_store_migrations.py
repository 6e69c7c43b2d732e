"""Alembic: upgrade from an empty database, the migration matches the models,
downgrade to base, upgrade again — on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.store import Store
from bot.store.engine import dispose_engine, get_engine
from bot.store.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/empty.db"
    else:
        url = request.getfixturevalue("pg_server").create_database()
    yield url
    dispose_engine(url)


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url)).get_table_names())


def test_upgrade_from_empty_then_downgrade_to_base_and_up_again(empty_url: str) -> None:
    store = Store(empty_url)
    wanted = set(Base.metadata.tables)
    store.migrate()
    assert wanted <= _tables(empty_url)
    with get_engine(empty_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migration differ: {diff}"
    store.downgrade()
    assert _tables(empty_url) - {"alembic_version"} == set()
    store.migrate()
    assert wanted <= _tables(empty_url)
    with store._db.write() as s:  # usable after the round trip
        from bot.store.seed import seed

        counts = seed(s)
    assert counts["C1001"]["orders"] > 0


def test_migrate_is_idempotent(empty_url: str) -> None:
    store = Store(empty_url)
    store.migrate()
    store.migrate()
    assert set(Base.metadata.tables) <= _tables(empty_url)
