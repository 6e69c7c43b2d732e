"""Policy cases built from stored facts (the contract of docs/POLICY_ENGINE.md), so
the actions never assemble facts by hand. Each builder works inside a caller's
session: the same code runs for "am I eligible?" and again, under the customer
lock, at filing time."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable, Optional, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.clock import CST

from .errors import NotFound
from .models import Claim, ClaimItem, Customer, IcpFiling, Incident, IncidentOrder, Order
from .types import iso, money_str, to_money

#: Compensation facts a person may supply when no record holds them.
COMPENSATION_FACTS = ("scenario", "cause", "daily_cost", "fault_start", "fault_end")


def aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"now must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("now must be timezone-aware (the policy: a time needs an offset)")
    return moment


def year_bounds(now: datetime) -> tuple[datetime, datetime]:
    """The calendar year of `now` in UTC+08:00 (R3 counts per calendar year)."""
    local = now.astimezone(CST)
    start = datetime(local.year, 1, 1, tzinfo=CST)
    return start, datetime(local.year + 1, 1, 1, tzinfo=CST)


def get_customer(session: Session, cid: str, *, lock: bool = False) -> Customer:
    query = select(Customer).where(Customer.customer_id == norm_cid(cid))
    if lock:
        query = query.with_for_update()
    customer = session.execute(query).scalar_one_or_none()
    if customer is None:
        raise NotFound(f"no customer {cid}")
    return customer


def norm_cid(cid: Any) -> str:
    return cid.strip().upper() if isinstance(cid, str) else ""


def owned_order(session: Session, cid: str, ident: str) -> Optional[Order]:
    """The customer's order by order id or resource id; another account's → None."""
    if not isinstance(ident, str) or not ident.strip():
        return None
    text = ident.strip()
    query = (
        select(Order)
        .options(selectinload(Order.discounts))
        .where(Order.customer_id == norm_cid(cid))
        .where(or_(Order.order_id == text.upper(), Order.resource_id == text.lower()))
    )
    return session.execute(query).scalar_one_or_none()


def unrecoverable(order: Order) -> Decimal:
    """R7: the discounts and rewards that cannot be recovered are deducted."""
    return to_money(sum((d.amount for d in order.discounts if not d.recoverable), Decimal("0")))


def refunds_this_year(session: Session, cid: str, now: datetime) -> int:
    """R3: orders/resources in refund requests submitted this calendar year
    (UTC+08:00), whatever became of them later (docs/STORE.md)."""
    start, end = year_bounds(now)
    query = (
        select(func.count(ClaimItem.id))
        .join(Claim, Claim.id == ClaimItem.claim_id)
        .where(Claim.customer_id == norm_cid(cid), Claim.kind == "refund")
        .where(Claim.created_at >= start, Claim.created_at < end)
    )
    return int(session.execute(query).scalar_one())


def refund_item(order: Order) -> dict[str, Any]:
    return {
        "id": order.order_id,
        "billing": order.billing,
        "purchased_at": iso(order.purchased_at),
        "amount_paid": money_str(order.amount_paid),
        "resource_state": order.resource_state,
        "invoice": order.invoice,
        "unrecoverable_discounts": money_str(unrecoverable(order)),
    }


def build_refund_case(session: Session, cid: str, ids: Sequence[str], now: datetime) -> dict[str, Any]:
    """R1-R7 facts for the named orders/resources; an unknown or foreign id → NotFound.
    No ids → a case without `items` (the policy then asks which order)."""
    now = aware(now)
    customer = get_customer(session, cid)
    if isinstance(ids, str):
        ids = [ids]
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ident in ids:
        order = owned_order(session, customer.customer_id, ident)
        if order is None:
            raise NotFound(f"no order or resource {ident!r} on account {customer.customer_id}")
        if order.order_id not in seen:  # an order and its resource are one refund (R3)
            seen.add(order.order_id)
            items.append(refund_item(order))
    case: dict[str, Any] = {
        "kind": "refund",
        "now": iso(now),
        "customer": {
            "tier": customer.tier,
            "refunds_this_year": refunds_this_year(session, customer.customer_id, now),
        },
    }
    if items:
        case["items"] = items
    return case


def affected_orders(session: Session, cid: str, incident_id: str) -> list[str]:
    query = (
        select(IncidentOrder.order_id)
        .join(Order, Order.order_id == IncidentOrder.order_id)
        .where(Order.customer_id == norm_cid(cid), IncidentOrder.incident_id == incident_id)
        .order_by(IncidentOrder.order_id)
    )
    return list(session.execute(query).scalars())


def owned_incident(session: Session, cid: str, incident_id: str) -> tuple[Incident, list[str]]:
    """An incident that hit this customer's orders (else NotFound) and those orders."""
    ident = incident_id.strip().upper() if isinstance(incident_id, str) else ""
    orders = affected_orders(session, cid, ident)
    incident = session.get(Incident, ident) if orders else None
    if incident is None:
        raise NotFound(f"no incident {incident_id!r} on account {cid}")
    return incident, orders


def _fact(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(aware(value))
    if isinstance(value, Decimal):
        return money_str(value)
    return value


def build_compensation_case(
    session: Session,
    cid: str,
    incident_id: Optional[str],
    order_id: Optional[str],
    now: datetime,
    facts: dict[str, Any],
) -> dict[str, Any]:
    """C1-C5 facts: scenario/cause/times from the incident record, daily cost (C3)
    from the order. A record always beats what a person typed; typed facts only
    fill what no record holds."""
    now = aware(now)
    unknown = set(facts) - set(COMPENSATION_FACTS)
    if unknown:
        raise ValueError(f"unknown compensation facts: {', '.join(sorted(unknown))}")
    customer = get_customer(session, cid)
    order = None
    if order_id:
        order = owned_order(session, customer.customer_id, order_id)
        if order is None:
            raise NotFound(f"no order or resource {order_id!r} on account {customer.customer_id}")
    case: dict[str, Any] = {"kind": "compensation", "now": iso(now)}
    if incident_id:
        incident, hit = owned_incident(session, customer.customer_id, incident_id)
        if order is None and len(hit) == 1:
            order = owned_order(session, customer.customer_id, hit[0])
        elif order is not None and order.order_id not in hit:
            raise NotFound(f"incident {incident.incident_id} did not affect {order.order_id}")
        if incident.scenario:
            case["scenario"] = incident.scenario
        case["cause"] = incident.cause
        case["fault_start"] = iso(incident.started_at)
        case["fault_end"] = iso(incident.rectified_at)  # null: still open (C5 waits)
    if order is not None:
        case["daily_cost"] = money_str(order.daily_cost)
    for key in COMPENSATION_FACTS:
        if key not in case and facts.get(key) is not None:
            case[key] = _fact(facts[key])
    return case


def owned_filing(session: Session, cid: str, filing_id: str) -> Optional[IcpFiling]:
    ident = filing_id.strip().upper() if isinstance(filing_id, str) else ""
    query = (
        select(IcpFiling)
        .options(selectinload(IcpFiling.host_order))
        .where(IcpFiling.customer_id == norm_cid(cid), IcpFiling.filing_id == ident)
    )
    return session.execute(query).scalar_one_or_none()


def filings_of(session: Session, cid: str) -> list[IcpFiling]:
    query = (
        select(IcpFiling)
        .options(selectinload(IcpFiling.host_order))
        .where(IcpFiling.customer_id == norm_cid(cid))
        .order_by(IcpFiling.filing_id.desc())
    )
    return list(session.execute(query).scalars())


def pick_filing(filings: Iterable[IcpFiling]) -> Optional[IcpFiling]:
    """Without a filing id: the approved filing if there is one, else the newest."""
    filings = list(filings)
    approved = [f for f in filings if f.status == "approved"]
    chosen = approved or filings
    return chosen[0] if chosen else None


def build_icp_case(session: Session, cid: str, filing_id: Optional[str], now: datetime) -> dict[str, Any]:
    """I1-I9 facts from the customer, the filing and its host order."""
    now = aware(now)
    customer = get_customer(session, cid)
    if filing_id:
        filing = owned_filing(session, customer.customer_id, filing_id)
        if filing is None:
            raise NotFound(f"no ICP filing {filing_id!r} on account {customer.customer_id}")
    else:
        filing = pick_filing(filings_of(session, customer.customer_id))
    case: dict[str, Any] = {
        "kind": "icp_reward",
        "now": iso(now),
        "customer": {
            "tier": customer.tier,
            "accumulated_recharge": money_str(customer.accumulated_recharge),
            "icp_reward_received": customer.icp_reward_received,
        },
    }
    if filing is not None:
        host: dict[str, Any] = {"used_for_website": filing.host_used_for_website, "status": filing.host_status}
        if filing.host_order is not None:
            host["subscription"] = filing.host_order.billing
        case["host"] = host
        facts: dict[str, Any] = {
            "first_with_provider": filing.first_with_provider,
            "status": filing.status,
            "customer_delay_days": filing.customer_delay_days,
        }
        if filing.approved_at is not None:
            facts["approved_at"] = iso(filing.approved_at)
        case["filing"] = facts
    return case


