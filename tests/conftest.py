"""Shared fixtures for the full-stack suites (scaleout, faults, fuzz): PostgreSQL + Redis + HAProxy + the trained model.

With CI=true a missing service or model FAILS the test (the issue requires it);
locally they are skipped with the reason."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness import haproxy, services

ROOT = Path(__file__).resolve().parents[1]


def require(what: str, ok: bool, why: str) -> None:
    if ok:
        return
    message = f"{what} unavailable: {why}"
    if services.in_ci():
        pytest.fail(message + " (CI=true: this must not be skipped)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def model_path() -> Path:
    path = Path(os.environ.get("ASSURANCE_TEST_MODEL", ROOT / "models" / "assistant.tar.gz"))
    require("trained model", path.exists(), f"{path} missing (run `make train`)")
    return path


@pytest.fixture(scope="session")
def pg_and_redis() -> tuple[str, str]:
    for name, check in (("PostgreSQL", services.check_postgres), ("Redis", services.check_redis)):
        try:
            check()
        except services.ServiceMissing as err:
            require(name, False, str(err))
    return services.postgres_url(), services.redis_url()


@pytest.fixture(scope="session")
def haproxy_binary() -> str:
    exe = haproxy.binary()
    require("HAProxy", exe is not None, "haproxy is not installed (apt-get install -y haproxy)")
    assert exe is not None
    return exe
