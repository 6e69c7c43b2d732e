"""Property: any amount and any aware instant survive a write and a read unchanged
on both databases (SQLite has neither decimals nor zones: the TypeDecorators must
make up for it), and references survive being read out and typed back."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store import Store
from bot.store.models import Customer, Order
from bot.store.refs import KIND_OF_PREFIX, PATTERN, PREFIX, new_reference, normalize

amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
instants = st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2099, 12, 30), timezones=offsets)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=amounts, moment=instants)
def test_money_and_time_round_trip(store: Store, amount: Decimal, moment: datetime) -> None:
    with store._db.write() as s:
        customer = s.get(Customer, "C3000")
        if customer is None:
            s.add(Customer(customer_id="C3000", name="p", tier="vip", currency="CNY",
                           accumulated_recharge=Decimal("0"), icp_reward_received=False))
            s.flush()
        order = s.get(Order, "CS0001010001")
        if order is None:
            order = Order(order_id="CS0001010001", customer_id="C3000", resource_id="ecs-0000abcd", product="ECS",
                          billing="yearly", resource_state="active", invoice="none", daily_cost=Decimal("0"))
            s.add(order)
        order.amount_paid = amount
        order.purchased_at = moment
    got = store.find_order("C3000", "CS0001010001")
    assert got.amount_paid == amount and got.amount_paid.as_tuple().exponent == -2
    assert got.purchased_at == moment and got.purchased_at.utcoffset() == timedelta(hours=8)


@given(kind=st.sampled_from(sorted(PREFIX)), sep=st.sampled_from(["-", " ", "", "_"]), lower=st.booleans())
def test_references_survive_being_read_out(kind: str, sep: str, lower: bool) -> None:
    ref = new_reference(kind)
    assert PATTERN.match(ref) and KIND_OF_PREFIX[ref[:2]] == kind
    spoken = ref.replace("-", sep)
    assert normalize(spoken.lower() if lower else spoken) == ref
