"""bot.scaleout.locks.AtomicRedisLockStore on the real Redis (a unique key prefix):
tickets taken by two "replicas" at the same instant are never duplicated, two
replicas never serve one conversation at once, and a waiter whose predecessor
died is served once the dead ticket expires (the stock store hangs there)."""
from __future__ import annotations

import asyncio
import secrets
import threading
import time

import pytest

pytest.importorskip("rasa.core.lock_store")
from rasa.core.lock_store import RedisLockStore  # noqa: E402
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from tests.harness import services  # noqa: E402
from bot.scaleout.locks import AtomicRedisLockStore  # noqa: E402

pytestmark = pytest.mark.redis


@pytest.fixture
def prefix(pg_and_redis):
    p = "lk" + secrets.token_hex(4)
    yield p
    services.redis_delete_prefix(services.redis_url(), p)


def make(prefix: str, cls=AtomicRedisLockStore):
    settings = services.redis_lock_settings(services.redis_url(), prefix)
    if cls is AtomicRedisLockStore:  # the way Rasa builds it from endpoints.yml
        cfg = EndpointConfig(url=settings["url"], type="bot.scaleout.locks.AtomicRedisLockStore",
                             port=settings["port"], db=settings["db"], key_prefix=prefix)
        return cls(endpoint_config=cfg)
    return cls(host=settings["url"], port=settings["port"], db=settings["db"], key_prefix=prefix)


def test_simultaneous_tickets_from_two_replicas_are_unique(prefix) -> None:
    a, b = make(prefix), make(prefix)
    tickets: list[int] = []
    barrier = threading.Barrier(16)

    def take(store) -> None:
        barrier.wait()
        tickets.append(store.issue_ticket("conv-1", 30))

    threads = [threading.Thread(target=take, args=((a, b)[i % 2],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(tickets) == list(range(16))


async def test_two_replicas_never_serve_one_conversation_at_once(prefix) -> None:
    a, b = make(prefix), make(prefix)
    inside, worst, served = [0], [0], [0]

    async def handle(store) -> None:
        async with store.lock("conv-2", lock_lifetime=30, wait_time_in_seconds=1):
            inside[0] += 1
            worst[0] = max(worst[0], inside[0])
            await asyncio.sleep(0.01)
            inside[0] -= 1
            served[0] += 1

    await asyncio.wait_for(asyncio.gather(*(handle((a, b)[i % 2]) for i in range(20))), 30)
    assert served[0] == 20 and worst[0] == 1


async def test_waiter_behind_a_crashed_replica_is_served_after_expiry(prefix) -> None:
    dead, alive = make(prefix), make(prefix)
    dead.issue_ticket("conv-3", 0.3)  # a replica takes the lock and dies holding it
    await asyncio.sleep(0.1)
    t0 = time.monotonic()
    async with alive.lock("conv-3", lock_lifetime=0.3, wait_time_in_seconds=1):
        waited = time.monotonic() - t0
    assert waited < 1.0


async def test_the_stock_store_hangs_in_that_case(prefix) -> None:
    """Why the class exists: Rasa's own RedisLockStore never serves that waiter."""
    dead, alive = make(prefix, RedisLockStore), make(prefix, RedisLockStore)
    dead.issue_ticket("conv-4", 0.3)
    await asyncio.sleep(0.1)

    async def wait_for_lock() -> None:
        async with alive.lock("conv-4", lock_lifetime=0.3, wait_time_in_seconds=1):
            pass

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(wait_for_lock(), 3)
