"""endpoints.scale.yml as Rasa reads it: with the variables of bot.scaleout.env set,
Rasa builds a SQL tracker store on PostgreSQL and our atomic Redis lock store from
it; with one unset, Rasa refuses to start (so a half-configured replica never runs
on an in-memory store by accident)."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

pytest.importorskip("rasa")
from rasa.core.lock_store import LockStore  # noqa: E402
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore  # noqa: E402
from rasa.core.utils import read_endpoints_from_path  # noqa: E402

from bot.scaleout import env as scale_env_module  # noqa: E402
from tests.harness import services  # noqa: E402
from bot.scaleout.locks import AtomicRedisLockStore  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PROFILE = Path(__file__).resolve().parents[2] / "endpoints.scale.yml"


def test_profile_builds_sql_tracker_and_atomic_lock_store(pg_and_redis, monkeypatch) -> None:
    pg, redis_url = pg_and_redis
    db = services.create_database(pg, "assure_profile")
    prefix = "prof" + secrets.token_hex(4)
    try:
        overrides = {"TRACKER_STORE_URL": db, "REDIS_KEY_PREFIX": prefix,
                     **scale_env_module.redis_parts(redis_url)}
        for key, value in scale_env_module.scale_env(overrides, base={}).items():
            monkeypatch.setenv(key, value)
        endpoints = read_endpoints_from_path(str(PROFILE))
        tracker_store = TrackerStore.create(endpoints.tracker_store)
        lock_store = LockStore.create(endpoints.lock_store)
        assert isinstance(tracker_store, SQLTrackerStore)
        assert tracker_store.engine.dialect.name == "postgresql"
        assert isinstance(lock_store, AtomicRedisLockStore)
        assert lock_store.key_prefix.startswith(prefix + ":")
        ticket = lock_store.issue_ticket("profile-check", 5)
        lock_store.cleanup("profile-check", ticket)
        assert endpoints.action.url == scale_env_module.DEFAULTS["ACTION_ENDPOINT_URL"]
        tracker_store.engine.dispose()
    finally:
        services.drop_database(pg, db)
        services.redis_delete_prefix(redis_url, prefix)


def test_unset_variable_is_refused(monkeypatch) -> None:
    for key in scale_env_module.DEFAULTS:
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(Exception) as err:
        read_endpoints_from_path(str(PROFILE))
    assert "environment variables" in str(err.value) or "ACTION_ENDPOINT_URL" in str(err.value)


def test_env_helper_rejects_a_prefix_rasa_would_ignore() -> None:
    with pytest.raises(ValueError):
        scale_env_module.scale_env({"REDIS_KEY_PREFIX": "not-alnum"}, base={})
