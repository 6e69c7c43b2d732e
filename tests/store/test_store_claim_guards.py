"""One standing claim per target (docs/STORE.md "One standing claim"):
per (customer, incident) for compensation, per (customer, order) for refunds, per
(customer, filing) for the ICP reward; released by rejection or withdrawal; held by
the database (claim_guards primary key), not only by the friendly check."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.policy import decide
from bot.store import ClaimExists, NotEligible, Store
from bot.store import guards as guards_module
from bot.store.models import Claim, ClaimGuard

from store_helpers import eligible_refund_orders, file_refund


def outage(store: Store, cid: str = "C1001") -> str:
    """C1001's platform outage of the website host (STORE.md: 316.67, eligible)."""
    return [i for i in store.incidents(cid) if i.cause == "platform" and i.scenario == "service_unavailable"][0].incident_id


def file_compensation(store: Store, incident_id: str, key: str, cid: str = "C1001") -> Any:
    case = store.compensation_case(cid, incident_id=incident_id)
    return store.submit_claim(cid, "compensation", case, decide(case), key, details={"incident_id": incident_id})


def file_icp(store: Store, key: str, cid: str = "C1001") -> Any:
    case = store.icp_case(cid)
    return store.submit_claim(cid, "icp_reward", case, decide(case), key)


def guard_rows(store: Store) -> int:
    with store._db.read() as s:
        return s.execute(select(func.count()).select_from(ClaimGuard)).scalar_one()


def test_second_compensation_for_one_incident_names_the_first(demo: Store, pinned_now: datetime) -> None:
    incident = outage(demo)
    first = file_compensation(demo, incident, "conv-a:compensation")
    with pytest.raises(ClaimExists) as caught:
        file_compensation(demo, incident, "conv-b:compensation")
    err = caught.value
    assert (err.reference, err.status, err.kind, err.target) == (first.reference, "submitted", "compensation", incident)
    assert err.created_at == first.created_at == pinned_now
    assert isinstance(err, NotEligible)  # callers catching NotEligible keep working
    assert [c.reference for c in demo.claims("C1001", "compensation")] == [first.reference]


def test_same_idempotency_key_still_returns_the_same_claim(demo: Store) -> None:
    incident = outage(demo)
    first = file_compensation(demo, incident, "same")
    assert file_compensation(demo, incident, "same").reference == first.reference
    order_id = eligible_refund_orders(demo, "C1001")[0]
    refund = file_refund(demo, "C1001", [order_id], "same-refund")
    assert file_refund(demo, "C1001", [order_id], "same-refund").reference == refund.reference


@pytest.mark.parametrize("path", [("withdrawn",), ("under_review", "rejected")])
def test_withdrawn_or_rejected_claim_gives_the_incident_back(demo: Store, path: tuple) -> None:
    incident = outage(demo)
    first = file_compensation(demo, incident, "k1")
    for status in path:
        demo.transition("C1001", first.reference, status, "finance")
    second = file_compensation(demo, incident, "k2")
    assert second.reference != first.reference
    assert demo.open_claim("C1001", "compensation", incident).reference == second.reference


@pytest.mark.parametrize("path", [("under_review",), ("under_review", "approved"), ("under_review", "approved", "credited")])
def test_reviewed_approved_or_credited_compensation_still_blocks(demo: Store, path: tuple) -> None:
    incident = outage(demo)
    first = file_compensation(demo, incident, "k1")
    for status in path:
        demo.transition("C1001", first.reference, status, "finance")
    with pytest.raises(ClaimExists, match=first.reference):
        file_compensation(demo, incident, "k2")


def test_an_order_in_a_standing_refund_cannot_be_claimed_again(demo: Store) -> None:
    order_id = eligible_refund_orders(demo, "C1001")[0]
    first = file_refund(demo, "C1001", [order_id], "a")
    with pytest.raises(ClaimExists) as caught:
        file_refund(demo, "C1001", [order_id], "b")
    assert (caught.value.reference, caught.value.target) == (first.reference, order_id)
    assert set(demo.open_claims("C1001", "refund")) == {order_id}
    demo.transition("C1001", first.reference, "withdrawn", "customer:C1001")
    assert demo.open_claims("C1001", "refund") == {}
    assert file_refund(demo, "C1001", [order_id], "c").status == "submitted"


def test_completed_refunds_of_the_seed_hold_their_orders(demo: Store) -> None:
    held = demo.open_claims("C1003", "refund")
    statuses = {c.reference: c.status for c in demo.claims("C1003", "refund")}
    assert {c.reference for c in held.values()} == {r for r, s in statuses.items() if s == "completed"}


def test_one_standing_icp_reward_claim_per_filing(demo: Store) -> None:
    first = file_icp(demo, "icp-1")
    with pytest.raises(ClaimExists, match=first.reference):
        file_icp(demo, "icp-2")
    assert demo.open_claim("C1001", "icp_reward").reference == first.reference  # the filing icp_case picks
    assert demo.open_claim("C1002", "icp_reward") is None  # never another account's


def test_the_database_refuses_a_second_guard_without_the_friendly_check(demo: Store, monkeypatch) -> None:
    incident = outage(demo)
    first = file_compensation(demo, incident, "k1")
    real = guards_module.conflict
    calls: list[int] = []

    def skipped_once(*args: Any) -> Any:  # the check inside the transaction is skipped...
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(guards_module, "conflict", skipped_once)
    with pytest.raises(ClaimExists, match=first.reference):  # ...the primary key still holds
        file_compensation(demo, incident, "k2")
    assert len(demo.claims("C1001", "compensation")) == 1
    with pytest.raises(IntegrityError):
        with demo._db.write() as s:
            claim_id = s.execute(select(Claim.id).where(Claim.reference == first.reference)).scalar_one()
            s.add(ClaimGuard(customer_id="C1001", kind="compensation", target_id=incident, claim_id=claim_id))


def test_migration_0003_backfills_the_oldest_standing_claim(demo: Store) -> None:
    incident = outage(demo)
    first = file_compensation(demo, incident, "k1")
    demo.downgrade("0002")
    with demo._db.write() as s:  # a duplicate filed before the guarantee existed
        later = first.created_at + timedelta(minutes=5)
        s.execute(text(
            "INSERT INTO claims (reference, kind, owner_key, customer_id, idempotency_key, status, created_at, "
            "updated_at, incident_id, rules_failed, details) SELECT 'CP-DUP001', kind, owner_key, customer_id, 'k2', "
            "status, :later, :later, incident_id, rules_failed, details FROM claims WHERE reference = :ref"),
            {"later": Claim.__table__.c.created_at.type.process_bind_param(later, s.bind.dialect),
             "ref": first.reference})
    demo.migrate()
    assert demo.open_claim("C1001", "compensation", incident).reference == first.reference
    with pytest.raises(ClaimExists, match=first.reference):
        file_compensation(demo, incident, "k3")
    held = demo.open_claims("C1003", "refund")
    assert held and all(c.status == "completed" for c in held.values())
    assert guard_rows(demo) == len(held) + 1
