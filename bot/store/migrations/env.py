"""Alembic environment: the URL comes from the Config (set by bot.store.engine),
from `-x url=...`, or from DATABASE_URL / the default SQLite file."""
from __future__ import annotations

import sys
from pathlib import Path

# The alembic CLI does not put the project on sys.path; `python -m bot.store` does.
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from alembic import context  # noqa: E402
from sqlalchemy import pool  # noqa: E402
from sqlalchemy.future import create_engine  # noqa: E402

from bot.store.engine import database_url  # noqa: E402
from bot.store.models import Base  # noqa: E402

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    ) or database_url()


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = create_engine(url, poolclass=pool.NullPool, future=True)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=connection.dialect.name == "sqlite",
                              transaction_per_migration=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
