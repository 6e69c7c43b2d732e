"""Small builders shared by the store tests (a unique module name: tests/ is no package)."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.policy import decide, load_policy
from bot.store import Store
from bot.store.refs import new_reference
from bot.store.models import Claim, ClaimEvent, ClaimItem, Customer, Order


def refund_limit() -> int:
    """R3's yearly limit, read from the policy (never retyped in a test)."""
    return int(load_policy().figures()["refund_limit"])


def figure(name: str) -> str:
    """A policy figure (R2 days, I4 minimum, ...), read, never retyped."""
    return load_policy().figures()[name]


def late_days() -> int:
    """A day past the R2 window: the seed's "bought N days ago" ineligible order."""
    return int(figure("refund_days")) + 1


def eligible_refund_orders(store: Store, cid: str) -> list[str]:
    """The customer's orders the policy, on stored facts, says are refundable now."""
    ids = [o.order_id for o in store.orders(cid)]
    decision = decide(store.refund_case(cid, ids))
    return [i["id"] for i in decision["items"] if i["decision"] == "eligible"]


def add_common_customer(store: Store, cid: str, now: datetime, *, fresh_orders: int, past_refunds: int) -> list[str]:
    """A common customer with `past_refunds` refund items filed this year and
    `fresh_orders` refundable monthly ECS orders bought an hour ago."""
    fresh: list[str] = []
    with store._db.write() as s:
        s.add(Customer(customer_id=cid, name="test", tier="common", currency="CNY",
                       accumulated_recharge=Decimal("0.00"), icp_reward_received=False))
        s.flush()
        day = now.strftime("%y%m%d")
        for n in range(fresh_orders + past_refunds):
            oid = f"CS{day}{int(cid[1:]) % 100:02d}{n:02d}"
            s.add(Order(order_id=oid, customer_id=cid, resource_id=f"ecs-{int(cid[1:]):04x}{n:04x}",
                        product="ECS", billing="monthly", purchased_at=now - timedelta(hours=1),
                        amount_paid=Decimal("50.00"), daily_cost=Decimal("1.60"),
                        resource_state="active", invoice="none"))
            s.flush()
            if n < past_refunds:
                filed = now - timedelta(minutes=30)
                claim = Claim(reference=new_reference("refund"), kind="refund", owner_key=cid,
                              customer_id=cid, idempotency_key=f"past-{n}", status="completed",
                              created_at=filed, updated_at=filed, rules_failed=[], details={})
                claim.items = [ClaimItem(order_id=oid, decision="eligible", amount=Decimal("50.00"))]
                claim.events = [ClaimEvent(at=filed, to_status="submitted", actor="test")]
                s.add(claim)
            else:
                fresh.append(oid)
    return fresh


def file_refund(store: Store, cid: str, order_ids: list[str], key: str) -> Any:
    case = store.refund_case(cid, order_ids)
    return store.submit_claim(cid, "refund", case, decide(case), key)
