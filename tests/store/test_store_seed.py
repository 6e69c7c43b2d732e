"""The demo seed: idempotent, relative to the clock, and showing what
docs/STORE.md promises for C1001..C1005."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.store import Store
from bot.store.models import Base
from bot.store.seed import DEMO_CUSTOMERS, seed

from store_helpers import late_days, refund_limit


def _snapshot(store: Store) -> dict[str, int]:
    with store._db.read() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def test_seeding_twice_is_harmless(demo: Store) -> None:
    before = _snapshot(demo)
    orders = {cid: demo.orders(cid) for cid in DEMO_CUSTOMERS}
    with demo._db.write() as s:
        seed(s)
    assert _snapshot(demo) == before
    assert {cid: demo.orders(cid) for cid in DEMO_CUSTOMERS} == orders


def test_reseeding_keeps_other_accounts_and_guest_tickets(demo: Store) -> None:
    ticket = demo.open_ticket(None, "conv-1", "refund", "hi", "k")
    demo.open_ticket("C1001", "conv-2", "refund", "hi", "k")  # a demo account's claim is reset
    with demo._db.write() as s:
        seed(s)
    assert demo.claim(None, ticket.reference, conversation_id="conv-1") == ticket
    assert demo.claims("C1001") == []


def test_seed_is_relative_to_the_clock(demo: Store, pinned_now: datetime, monkeypatch) -> None:
    later = pinned_now + timedelta(days=40)  # another day, another year even
    monkeypatch.setenv("ASSURANCE_NOW", later.isoformat())
    with demo._db.write() as s:
        seed(s)
    recent = [o for o in demo.orders("C1001") if o.description.endswith("bought 2 days ago")][0]
    assert later - recent.purchased_at == timedelta(days=2)
    assert recent.order_id == f"CS{(later - timedelta(days=2)):%y%m%d}0001"
    c3 = demo.refund_case("C1003", [])
    assert c3["customer"]["refunds_this_year"] == refund_limit()


def test_demo_accounts_show_what_the_docs_say(demo: Store, pinned_now: datetime) -> None:
    c1 = {o.description: o for o in demo.orders("C1001")}
    assert pinned_now - c1["web server, bought 2 days ago"].purchased_at == timedelta(days=2)
    late = late_days()
    assert pinned_now - c1[f"data disk, bought {late} days ago"].purchased_at == timedelta(days=late)
    assert c1["object storage, pay-per-use"].billing == "pay_per_use"
    assert c1["database, expired, in grace period"].resource_state == "grace"
    assert c1["CDN, invoice issued and not returned"].invoice == "issued"
    billing = {o.billing for cid in DEMO_CUSTOMERS for o in demo.orders(cid)}
    assert billing == {"hourly", "monthly", "yearly", "pay_per_use", "pay_per_use_package"}
    states = {o.resource_state for cid in DEMO_CUSTOMERS for o in demo.orders(cid)}
    assert states == {"active", "grace", "reservation"}
    causes = {i.cause for cid in DEMO_CUSTOMERS for i in demo.incidents(cid)}
    assert {"platform", "carrier_fault", "scheduled_maintenance", "unknown"} <= causes
    assert any(i.rectified_at is None for cid in DEMO_CUSTOMERS for i in demo.incidents(cid))
    assert {demo.customer(c).tier for c in DEMO_CUSTOMERS} == {"common", "vip"}
    assert demo.refund_case("C1003", [])["customer"]["refunds_this_year"] == refund_limit()
    for cid in DEMO_CUSTOMERS:
        for o in demo.orders(cid):
            assert o.order_id == f"CS{o.purchased_at:%y%m%d}{o.order_id[-4:]}"
        for i in demo.incidents(cid):
            assert i.incident_id.startswith(f"INC{i.started_at:%y%m%d}")
