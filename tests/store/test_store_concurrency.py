"""R3 under truly concurrent submissions, and duplicate submissions racing each
other: threads hitting the same database at once (PostgreSQL: customer row lock;
SQLite: BEGIN IMMEDIATE)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Callable

from bot.policy import decide
from bot.store import ClaimExists, LimitReached, Store

from store_helpers import add_common_customer, refund_limit

THREADS = 8


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call at the same instant; return results or raised exceptions."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as err:  # noqa: BLE001 - collected and asserted on
            return err

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_concurrent_refunds_never_pass_the_yearly_limit(store: Store, pinned_now: datetime) -> None:
    limit = refund_limit()
    room = 2
    fresh = add_common_customer(store, "C2001", pinned_now, fresh_orders=THREADS, past_refunds=limit - room)
    # Every thread was shown "eligible" (the count was limit - room when it looked).
    shown = []
    for order_id in fresh:
        case = store.refund_case("C2001", [order_id])
        decision = decide(case)
        assert decision["decision"] == "eligible"
        shown.append((case, decision))

    results = _race([
        (lambda c=c, d=d, n=n: store.submit_claim("C2001", "refund", c, d, f"key-{n}"))
        for n, (c, d) in enumerate(shown)
    ])
    filed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(filed) == room, results
    assert all(isinstance(r, LimitReached) for r in refused), refused
    assert store.refund_case("C2001", fresh[:1])["customer"]["refunds_this_year"] == limit
    assert len({c.reference for c in filed}) == room


def test_concurrent_duplicate_submissions_create_one_claim(store: Store, pinned_now: datetime) -> None:
    (order_id,) = add_common_customer(store, "C2002", pinned_now, fresh_orders=1, past_refunds=0)
    case = store.refund_case("C2002", [order_id])
    decision = decide(case)
    results = _race([lambda: store.submit_claim("C2002", "refund", case, decision, "double-click")] * THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.reference for r in results}) == 1
    assert len(store.claims("C2002")) == 1


def test_concurrent_guest_tickets_with_one_key_create_one_ticket(store: Store) -> None:
    # No customer row to lock here: the unique (owner, key) constraint decides.
    results = _race([lambda: store.open_ticket(None, "conv-race", "refund", "help", "handoff")] * THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r.reference for r in results}) == 1
    assert len(store.claims(None, conversation_id="conv-race")) == 1


def _file_c1001_outage_at_once(demo: Store, key: str) -> list:
    """THREADS conversations (idempotency keys `key` with {n}) file compensation for
    C1001's platform outage at the same moment; each one's claim or error."""
    incident = [i for i in demo.incidents("C1001")
                if i.cause == "platform" and i.scenario == "service_unavailable"][0].incident_id
    case = demo.compensation_case("C1001", incident_id=incident)
    decision = decide(case)
    return _race([
        (lambda n=n: demo.submit_claim("C1001", "compensation", case, decision, key.format(n=n),
                                       details={"incident_id": incident}))
        for n in range(THREADS)
    ])


def test_concurrent_compensation_filings_for_one_incident_create_one_claim(demo: Store) -> None:
    # Two conversations (distinct idempotency keys) file for the same incident at once.
    results = _file_c1001_outage_at_once(demo, "conv-{n}:compensation")
    filed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(filed) == 1, results
    assert all(isinstance(r, ClaimExists) and r.reference == filed[0].reference for r in refused), refused
    assert [c.reference for c in demo.claims("C1001", "compensation")] == [filed[0].reference]


def test_concurrent_refunds_of_one_order_create_one_claim(store: Store, pinned_now: datetime) -> None:
    (order_id,) = add_common_customer(store, "C2003", pinned_now, fresh_orders=1, past_refunds=0)
    case = store.refund_case("C2003", [order_id])
    decision = decide(case)
    results = _race([
        (lambda n=n: store.submit_claim("C2003", "refund", case, decision, f"conv-{n}:refund"))
        for n in range(THREADS)
    ])
    filed = [r for r in results if not isinstance(r, Exception)]
    assert len(filed) == 1, results
    assert all(isinstance(r, ClaimExists) for r in results if isinstance(r, Exception)), results
    assert len(store.claims("C2003", "refund")) == 1


def test_without_the_customer_lock_the_database_still_allows_one_claim(demo: Store, monkeypatch) -> None:
    # The customer row lock and the check inside the transaction both taken away:
    # the claim_guards primary key alone decides between simultaneous filings.
    from bot.store import cases, guards

    real_get, real_conflict = cases.get_customer, guards.conflict
    monkeypatch.setattr(cases, "get_customer", lambda s, cid, lock=False: real_get(s, cid))
    checks = threading.local()

    def conflict_after_the_race(*args: Any) -> Any:  # only the IntegrityError path asks
        checks.n = getattr(checks, "n", 0) + 1
        return None if checks.n == 1 else real_conflict(*args)

    monkeypatch.setattr(guards, "conflict", conflict_after_the_race)
    results = _file_c1001_outage_at_once(demo, "nolock-{n}")
    filed = [r for r in results if not isinstance(r, Exception)]
    assert len(filed) == 1, results
    assert all(isinstance(r, ClaimExists) for r in results if isinstance(r, Exception)), results
    assert len(demo.claims("C1001", "compensation")) == 1
