"""Policy cases built from stored facts give the same decisions as the same facts
typed by hand, and the builders scope to the account. The worked examples named
below are those of docs/POLICY_RULES.md."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bot.clock import CST
from bot.policy import decide
from bot.store import NotFound, Store

from store_helpers import figure, late_days, refund_limit


def _by_description(store: Store, cid: str) -> dict[str, str]:
    return {o.description: o.order_id for o in store.orders(cid)}


def _iso(moment: datetime) -> str:
    return moment.astimezone(CST).isoformat()


def _same_decision(built: dict, typed: dict) -> dict:
    assert built == typed, "the store built different facts than the ones typed by hand"
    a, b = decide(built), decide(typed)
    assert a == b
    return a


def test_refund_case_c1001_every_refund_rule(demo: Store, pinned_now: datetime) -> None:
    ids = _by_description(demo, "C1001")
    late = late_days()
    names = ["web server, bought 2 days ago", f"data disk, bought {late} days ago", "object storage, pay-per-use",
             "database, expired, in grace period", "CDN, invoice issued and not returned"]
    typed = {
        "kind": "refund", "now": _iso(pinned_now),
        "customer": {"tier": "common", "refunds_this_year": 0},
        "items": [
            {"id": ids[names[0]], "billing": "monthly", "purchased_at": _iso(pinned_now - timedelta(days=2)),
             "amount_paid": "300.00", "resource_state": "active", "invoice": "none",
             "unrecoverable_discounts": "20.00"},
            {"id": ids[names[1]], "billing": "yearly", "purchased_at": _iso(pinned_now - timedelta(days=late)),
             "amount_paid": "1200.00", "resource_state": "active", "invoice": "none",
             "unrecoverable_discounts": "0.00"},
            {"id": ids[names[2]], "billing": "pay_per_use", "purchased_at": _iso(pinned_now - timedelta(days=30)),
             "amount_paid": "57.30", "resource_state": "active", "invoice": "none",
             "unrecoverable_discounts": "0.00"},
            {"id": ids[names[3]], "billing": "monthly", "purchased_at": _iso(pinned_now - timedelta(days=40)),
             "amount_paid": "450.00", "resource_state": "grace", "invoice": "none",
             "unrecoverable_discounts": "0.00"},
            {"id": ids[names[4]], "billing": "yearly", "purchased_at": _iso(pinned_now - timedelta(days=1)),
             "amount_paid": "600.00", "resource_state": "active", "invoice": "issued",
             "unrecoverable_discounts": "0.00"},
        ],
    }
    # Ask by order id and by resource id: the same facts either way.
    resource_of_first = demo.find_order("C1001", ids[names[0]]).resource_id
    built = demo.refund_case("C1001", [resource_of_first] + [ids[n] for n in names[1:]], pinned_now)
    decision = _same_decision(built, typed)
    by_item = {i["id"]: i for i in decision["items"]}
    assert by_item[ids[names[0]]]["decision"] == "eligible"
    assert by_item[ids[names[0]]]["refund_amount"] == "280.00"  # R7, as in worked example r1
    for name, rule in zip(names[1:], ("R2", "R5", "R6", "R4"), strict=True):
        assert rule in by_item[ids[name]]["rules_failed"], name
    assert decision["decision"] == "partially_eligible"


def test_refund_case_c1003_full_year_and_c1002_vip(demo: Store, pinned_now: datetime) -> None:
    fresh = _by_description(demo, "C1003")["bought yesterday"]
    typed = {"kind": "refund", "now": _iso(pinned_now),
             "customer": {"tier": "common", "refunds_this_year": refund_limit()},
             "items": [{"id": fresh, "billing": "monthly", "purchased_at": _iso(pinned_now - timedelta(days=1)),
                        "amount_paid": "99.00", "resource_state": "active", "invoice": "none",
                        "unrecoverable_discounts": "0.00"}]}
    assert "R3" in _same_decision(demo.refund_case("C1003", [fresh], pinned_now), typed)["rules_failed"]

    hourly = _by_description(demo, "C1002")["hourly server"]
    typed = {"kind": "refund", "now": _iso(pinned_now), "customer": {"tier": "vip", "refunds_this_year": 0},
             "items": [{"id": hourly, "billing": "hourly", "purchased_at": _iso(pinned_now - timedelta(days=1)),
                        "amount_paid": "24.00", "resource_state": "active", "invoice": "none",
                        "unrecoverable_discounts": "0.00"}]}
    assert _same_decision(demo.refund_case("C1002", [hourly], pinned_now), typed)["decision"] == "eligible"


def test_refund_case_without_items_and_foreign_ids(demo: Store, pinned_now: datetime) -> None:
    assert "items" not in demo.refund_case("C1001", [], pinned_now)
    theirs = demo.orders("C1002")[0].order_id
    with pytest.raises(NotFound):
        demo.refund_case("C1001", [theirs], pinned_now)
    with pytest.raises(NotFound):
        demo.refund_case("C9999", [], pinned_now)


def _incident(store: Store, cid: str, **match: object):
    return [i for i in store.incidents(cid) if all(getattr(i, k) == v for k, v in match.items())][0]


def test_compensation_case_from_incident_and_order(demo: Store, pinned_now: datetime) -> None:
    incident = _incident(demo, "C1001", cause="platform", scenario="service_unavailable")
    yesterday = (pinned_now - timedelta(days=1)).date()
    typed = {"kind": "compensation", "now": _iso(pinned_now), "scenario": "service_unavailable",
             "cause": "platform", "daily_cost": "48.00",
             "fault_start": _iso(datetime.combine(yesterday, datetime.min.time(), CST).replace(hour=14)),
             "fault_end": _iso(datetime.combine(yesterday, datetime.min.time(), CST).replace(hour=15, minute=35))}
    built = demo.compensation_case("C1001", incident_id=incident.incident_id.lower(), now=pinned_now)
    decision = _same_decision(built, typed)
    assert decision["decision"] == "eligible" and decision["compensation"] == "316.67"  # worked example c1
    # A record beats what a person typed; typed facts only fill gaps.
    assert demo.compensation_case("C1001", incident_id=incident.incident_id, now=pinned_now,
                                  cause="unknown", daily_cost="1.00") == built


def test_compensation_case_open_unknown_excluded(demo: Store, pinned_now: datetime) -> None:
    open_one = _incident(demo, "C1003", rectified_at=None)
    case = demo.compensation_case("C1003", incident_id=open_one.incident_id, now=pinned_now)
    assert case["fault_end"] is None and "fault_rectified" in decide(case)["waiting_for"]
    unknown = _incident(demo, "C1003", cause="unknown")
    assert "cause_review" in decide(demo.compensation_case("C1003", incident_id=unknown.incident_id,
                                                           now=pinned_now))["waiting_for"]
    maintenance = _incident(demo, "C1002", cause="scheduled_maintenance")
    assert "C4" in decide(demo.compensation_case("C1002", incident_id=maintenance.incident_id,
                                                 now=pinned_now))["rules_failed"]


def test_compensation_case_typed_facts_for_an_order_without_incident(demo: Store, pinned_now: datetime) -> None:
    order = _by_description(demo, "C1001")["website host"]
    start = pinned_now - timedelta(hours=5)
    built = demo.compensation_case("C1001", order_id=order, now=pinned_now, scenario="website_inaccessible",
                                   cause="platform", fault_start=start, fault_end=start + timedelta(minutes=95))
    typed = {"kind": "compensation", "now": _iso(pinned_now), "scenario": "website_inaccessible",
             "cause": "platform", "daily_cost": "48.00", "fault_start": _iso(start),
             "fault_end": _iso(start + timedelta(minutes=95))}
    assert _same_decision(built, typed)["compensation"] == "316.67"
    incident = _incident(demo, "C1001", cause="carrier_fault")
    with pytest.raises(NotFound):  # that incident did not hit this order
        demo.compensation_case("C1001", incident_id=incident.incident_id, order_id=order, now=pinned_now)


def test_icp_case_from_filing_host_and_customer(demo: Store, pinned_now: datetime) -> None:
    approved = (pinned_now - timedelta(days=5)).replace(hour=16, minute=0)
    typed = {"kind": "icp_reward", "now": _iso(pinned_now),
             "customer": {"tier": "common", "icp_reward_received": False,
                          "accumulated_recharge": f"{Decimal(figure('icp_min_recharge')) + 150:.2f}"},
             "host": {"subscription": "yearly", "used_for_website": True, "status": "active"},
             "filing": {"first_with_provider": True, "status": "approved", "approved_at": _iso(approved),
                        "customer_delay_days": 0}}
    decision = _same_decision(demo.icp_case("C1001", now=pinned_now), typed)
    assert decision["decision"] == "eligible"

    verdicts = {f.status: decide(demo.icp_case("C1004", f.filing_id, now=pinned_now))
                for f in demo.filings("C1004")}
    assert "I4" in verdicts["approved"]["rules_failed"] and "I8" in verdicts["approved"]["rules_failed"]
    assert "I1" in verdicts["not_submitted"]["rules_failed"]
    assert "I5" in decide(demo.icp_case("C1005", now=pinned_now))["rules_failed"]
    with pytest.raises(NotFound):
        demo.icp_case("C1001", demo.filings("C1002")[0].filing_id, now=pinned_now)


def test_refund_year_is_the_calendar_year_in_utc_plus_8(store: Store) -> None:
    """R3: a request filed at 01:00 on 1 January in UTC+08:00 (still 31 December in
    UTC) belongs to the new year; one filed at 23:59 on 31 December to the old one."""
    from bot.store.models import Claim, ClaimEvent, ClaimItem, Customer, Order
    from bot.store.refs import new_reference

    new_year = datetime(2027, 1, 1, 1, 0, tzinfo=CST)
    with store._db.write() as s:
        s.add(Customer(customer_id="C2100", name="t", tier="common", currency="CNY",
                       accumulated_recharge=Decimal("0"), icp_reward_received=False))
        s.flush()
        for n, filed in enumerate((datetime(2026, 12, 31, 23, 59, tzinfo=CST), new_year)):
            oid = f"CS2612310{n:03d}"
            s.add(Order(order_id=oid, customer_id="C2100", resource_id=f"ecs-0000210{n}", product="ECS",
                        billing="monthly", purchased_at=filed - timedelta(hours=1), amount_paid=Decimal("1"),
                        daily_cost=Decimal("1"), resource_state="active", invoice="none"))
            s.flush()
            claim = Claim(reference=new_reference("refund"), kind="refund", owner_key="C2100", customer_id="C2100",
                          idempotency_key=f"k{n}", status="withdrawn", created_at=filed, updated_at=filed)
            claim.items = [ClaimItem(order_id=oid, decision="eligible", amount=Decimal("1"))]
            claim.events = [ClaimEvent(at=filed, to_status="submitted", actor="test")]
            s.add(claim)
    count = lambda now: store.refund_case("C2100", [], now)["customer"]["refunds_this_year"]  # noqa: E731
    assert count(new_year + timedelta(hours=1)) == 1
    assert count(datetime(2026, 12, 31, 23, 59, 30, tzinfo=CST)) == 1
    assert count(datetime(2026, 12, 31, 16, 30, tzinfo=CST).astimezone(CST)) == 1
    assert count(datetime(2025, 6, 1, tzinfo=CST)) == 0
