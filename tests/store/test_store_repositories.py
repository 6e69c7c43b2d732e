"""Repositories: customers, orders, incidents, filings; money and time integrity;
every lookup scoped to its account."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.exc import StatementError

from bot.clock import CST
from bot.store import NotFound, Store, StoreUnavailable
from bot.store.models import Customer, Order
from bot.store.types import to_money




def test_customer_view(demo: Store) -> None:
    c = demo.customer("C1001")
    assert c is not None and c.customer_id == "C1001" and c.tier == "common"
    assert isinstance(c.accumulated_recharge, Decimal) and c.accumulated_recharge.as_tuple().exponent == -2
    assert demo.customer("c1002").tier == "vip"  # ids are case-insensitive
    assert demo.customer("C9999") is None
    assert demo.customer("") is None


def test_orders_plain_values_aware_times(demo: Store, pinned_now: datetime) -> None:
    orders = demo.orders("C1001")
    assert len(orders) == 6
    for o in orders:
        assert o.purchased_at.tzinfo is not None and o.purchased_at.utcoffset() == timedelta(hours=8)
        assert isinstance(o.amount_paid, Decimal) and o.amount_paid == o.amount_paid.quantize(Decimal("0.01"))
    assert [o.purchased_at for o in orders] == sorted((o.purchased_at for o in orders), reverse=True)
    recent = [o for o in orders if o.product == "ECS" and o.billing == "monthly"][0]
    assert recent.unrecoverable_discounts == Decimal("20.00")  # only the unrecoverable coupon (R7)
    assert pinned_now - recent.purchased_at == timedelta(days=2)


def test_find_order_by_order_or_resource_id_only_on_own_account(demo: Store) -> None:
    mine = demo.orders("C1001")[0]
    assert demo.find_order("C1001", mine.order_id) == mine
    assert demo.find_order("C1001", mine.resource_id.upper()) == mine
    assert demo.find_order("C1001", f"  {mine.order_id.lower()} ") == mine
    assert demo.find_order("C1002", mine.order_id) is None  # another account's order
    assert demo.find_order("C1002", mine.resource_id) is None
    assert demo.find_order("C1001", "CS0000000000") is None
    assert demo.orders("C9999") == []


def test_incidents_are_scoped_to_the_customers_resources(demo: Store) -> None:
    incidents = demo.incidents("C1001")
    assert {i.cause for i in incidents} == {"platform", "carrier_fault"}
    mine = {o.order_id for o in demo.orders("C1001")}
    for i in incidents:
        assert set(i.order_ids) <= mine
        assert i.started_at.tzinfo is not None
    c3 = demo.incidents("C1003")
    assert any(i.rectified_at is None for i in c3)  # an open fault
    assert any(i.cause == "unknown" for i in c3)
    assert not {i.incident_id for i in c3} & {i.incident_id for i in incidents}
    with pytest.raises(NotFound):
        demo.compensation_case("C1002", incident_id=incidents[0].incident_id)


def test_filings_in_every_status_across_demo_accounts(demo: Store) -> None:
    statuses = {f.status for cid in ("C1001", "C1002", "C1003", "C1004", "C1005") for f in demo.filings(cid)}
    assert statuses == {"not_submitted", "in_progress", "submitted_to_authority", "approved", "rejected"}
    f = demo.filings("C1001")[0]
    assert f.host_subscription == "yearly" and f.host_resource_id and f.approved_at.tzinfo is not None
    assert demo.filings("C9999") == []


def test_money_is_exact_and_times_round_trip_as_utc(store: Store) -> None:
    moment = datetime(2026, 3, 1, 23, 59, 59, 123456, tzinfo=timezone(timedelta(hours=-5)))
    with store._db.write() as s:
        s.add(Customer(customer_id="C2001", name="t", tier="common", currency="CNY",
                       accumulated_recharge=Decimal("0.10") + Decimal("0.20"), icp_reward_received=False))
        s.add(Order(order_id="CS2603010001", customer_id="C2001", resource_id="ecs-00000001", product="ECS",
                    billing="monthly", purchased_at=moment, amount_paid="12345678901.99", daily_cost="0.01",
                    resource_state="active", invoice="none"))
    o = store.find_order("C2001", "CS2603010001")
    assert o.purchased_at == moment and o.purchased_at.utcoffset() == timedelta(hours=8)
    assert o.amount_paid == Decimal("12345678901.99")
    assert store.customer("C2001").accumulated_recharge == Decimal("0.30")


def test_naive_times_and_float_money_are_refused(store: Store) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        with store._db.write() as s:
            s.add(Customer(customer_id="C2002", name="t", tier="vip", currency="CNY",
                           accumulated_recharge=Decimal("1"), icp_reward_received=False))
            s.flush()
            s.add(Order(order_id="CS2603010002", customer_id="C2002", resource_id="ecs-00000002", product="ECS",
                        billing="monthly", purchased_at=datetime(2026, 3, 1), amount_paid="1", daily_cost="1",
                        resource_state="active", invoice="none"))
    assert store.customer("C2002") is None  # the whole transaction rolled back
    with pytest.raises(TypeError):
        to_money(0.1)


def test_case_builders_refuse_naive_now(demo: Store) -> None:
    with pytest.raises(ValueError, match="aware"):
        demo.refund_case("C1001", [demo.orders("C1001")[0].order_id], datetime(2026, 11, 27, 10, 0))


def test_unreachable_database_raises_store_unavailable(tmp_path) -> None:
    bad = Store("postgresql+psycopg2://nobody@127.0.0.1:1/nothing?connect_timeout=1")
    with pytest.raises(StoreUnavailable):
        bad.customer("C1001")
    missing_dir = Store(f"sqlite:///{tmp_path}/absent/deeper/x.db?mode=ro")
    with pytest.raises(StoreUnavailable):
        missing_dir.orders("C1001")


def test_from_env_defaults_to_a_migrated_sqlite_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/var/assurance.db"
    monkeypatch.setenv("DATABASE_URL", url)
    store = Store.from_env()
    assert store.url == url and (tmp_path / "var" / "assurance.db").exists()
    assert store.customer("C1001") is None  # created and migrated, not seeded
    monkeypatch.delenv("DATABASE_URL")
    from bot.store.engine import REPO_ROOT, database_url

    assert database_url() == f"sqlite:///{REPO_ROOT / 'var' / 'assurance.db'}"


def test_views_are_frozen(demo: Store) -> None:
    o = demo.orders("C1001")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.amount_paid = Decimal("0")  # type: ignore[misc]
    assert CST.utcoffset(None) == timedelta(hours=8)


def test_unmigrated_database_says_to_migrate(tmp_path, pg_server) -> None:
    sqlite = Store(f"sqlite:///{tmp_path}/never-migrated.db")
    with pytest.raises(StoreUnavailable, match="bot.store migrate"):
        sqlite.customer("C1001")
    pg_server.require()
    with pytest.raises(StoreUnavailable, match="bot.store migrate"):
        Store(pg_server.create_database()).claims("C1001")
