"""Demo data for C1001..C1005 (docs/STORE.md says what each account shows).

Every time is relative to `bot.clock.now()`, so the demo holds on any day and
ASSURANCE_NOW pins it. Seeding replaces the demo accounts' rows (and only
theirs) in one transaction: running it twice is harmless, and re-running it on a
later day moves "bought 2 days ago" back to two days ago.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from bot import clock
from bot.clock import CST

from . import guards
from .cases import year_bounds
from .refs import ALPHABET
from .models import (
    Claim,
    ClaimEvent,
    ClaimGuard,
    ClaimItem,
    Customer,
    Discount,
    IcpFiling,
    Incident,
    IncidentOrder,
    Order,
)

DEMO_CUSTOMERS = ("C1001", "C1002", "C1003", "C1004", "C1005")


def past_refund_reference(n: int) -> str:
    """Fixed references of C1003's earlier refund requests (RF-DEM001, ...)."""
    return f"RF-DEM0{ALPHABET[n // 32 % 32]}{ALPHABET[n % 32]}"


class _Edges:
    """Where the policy's lines fall, read from the policy (never retyped here), so
    each demo order keeps its meaning when a figure changes."""

    def __init__(self) -> None:
        from bot.policy import load_policy

        f = load_policy().figures()
        self.refund_days = int(f["refund_days"])  # R2
        self.window_hours = int(f["refund_window_hours"])  # R2
        self.refund_limit = int(f["refund_limit"])  # R3
        self.apply_days = int(f["compensation_apply_days"])  # C5
        self.min_recharge = Decimal(f["icp_min_recharge"])  # I4
        self.delay_days = int(f["icp_delay_days"])  # I8


class _Builder:
    """Allocates identifiers the ARCHITECTURE.md way (date-derived, per-day counters)."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.s = session
        self.now = now.astimezone(CST)
        self.counters: dict[str, int] = defaultdict(int)

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def at_day(self, days_back: int, hh: int, mm: int = 0) -> datetime:
        """hh:mm local time `days_back` days before today (always in the past)."""
        day = (self.now - timedelta(days=days_back)).date()
        moment = datetime.combine(day, time(hh, mm), tzinfo=CST)
        return min(moment, self.now - timedelta(minutes=1))

    def _next(self, prefix: str, moment: datetime, width: int) -> str:
        stamp = moment.astimezone(CST).strftime("%y%m%d")
        self.counters[prefix + stamp] += 1
        return f"{prefix}{stamp}{self.counters[prefix + stamp]:0{width}d}"

    def customer(self, cid: str, name: str, tier: str, recharge: str, currency: str = "CNY",
                 reward_received: bool = False) -> Customer:
        c = Customer(customer_id=cid, name=name, tier=tier, currency=currency,
                     accumulated_recharge=Decimal(recharge), icp_reward_received=reward_received)
        self.s.add(c)
        return c

    def order(self, cid: str, product: str, billing: str, purchased_at: datetime, paid: str, daily: str,
              state: str = "active", invoice: str = "none", description: Optional[str] = None,
              discounts: tuple[tuple[str, str, str, bool], ...] = ()) -> Order:
        order_id = self._next("CS", purchased_at, 4)
        digest = hashlib.sha1(order_id.encode()).hexdigest()[:8]
        o = Order(order_id=order_id, customer_id=cid, resource_id=f"{product.lower()}-{digest}",
                  product=product, billing=billing, purchased_at=purchased_at, amount_paid=Decimal(paid),
                  daily_cost=Decimal(daily), resource_state=state, invoice=invoice, description=description)
        o.discounts = [Discount(kind=k, description=d, amount=Decimal(a), recoverable=r)
                       for k, d, a, r in discounts]
        self.s.add(o)
        return o

    def incident(self, product: str, scenario: Optional[str], cause: str, start: datetime,
                 end: Optional[datetime], summary: str, *orders: Order) -> Incident:
        i = Incident(incident_id=self._next("INC", start, 2), product=product, scenario=scenario, cause=cause,
                     started_at=start, rectified_at=end, summary=summary)
        self.s.add(i)
        self.s.flush()
        for o in orders:
            self.s.add(IncidentOrder(incident_id=i.incident_id, order_id=o.order_id))
        return i

    def filing(self, cid: str, domain: str, status: str, created: datetime, host: Optional[Order], *,
               approved_at: Optional[datetime] = None, submitted_at: Optional[datetime] = None,
               first: bool = True, website: bool = True, host_status: str = "active",
               delay_days: int = 0) -> IcpFiling:
        f = IcpFiling(filing_id=self._next("ICP", created, 2), customer_id=cid, domain=domain,
                      first_with_provider=first, status=status, submitted_at=submitted_at,
                      approved_at=approved_at, customer_delay_days=delay_days,
                      host_order_id=host.order_id if host else None, host_used_for_website=website,
                      host_status=host_status)
        self.s.add(f)
        return f


def clear_demo(s: Session) -> None:
    """Delete the demo accounts and everything hanging off them (children first)."""
    orders = select(Order.order_id).where(Order.customer_id.in_(DEMO_CUSTOMERS))
    claims = select(Claim.id).where(Claim.customer_id.in_(DEMO_CUSTOMERS))
    incidents = list(s.execute(
        select(IncidentOrder.incident_id).where(IncidentOrder.order_id.in_(orders)).distinct()
    ).scalars())
    s.execute(delete(ClaimGuard).where(ClaimGuard.claim_id.in_(claims)).execution_options(synchronize_session=False))
    s.execute(delete(ClaimEvent).where(ClaimEvent.claim_id.in_(claims)).execution_options(synchronize_session=False))
    s.execute(delete(ClaimItem).where(ClaimItem.claim_id.in_(claims)).execution_options(synchronize_session=False))
    s.execute(delete(Claim).where(Claim.customer_id.in_(DEMO_CUSTOMERS)).execution_options(synchronize_session=False))
    s.execute(delete(IncidentOrder).where(IncidentOrder.order_id.in_(orders)).execution_options(synchronize_session=False))
    if incidents:  # platform records that hit nobody but the demo accounts
        still_used = select(IncidentOrder.incident_id)
        s.execute(delete(Incident).where(Incident.incident_id.in_(incidents), Incident.incident_id.not_in(still_used))
                  .execution_options(synchronize_session=False))
    s.execute(delete(IcpFiling).where(IcpFiling.customer_id.in_(DEMO_CUSTOMERS)).execution_options(synchronize_session=False))
    s.execute(delete(Discount).where(Discount.order_id.in_(orders)).execution_options(synchronize_session=False))
    s.execute(delete(Order).where(Order.customer_id.in_(DEMO_CUSTOMERS)).execution_options(synchronize_session=False))
    s.execute(delete(Customer).where(Customer.customer_id.in_(DEMO_CUSTOMERS)).execution_options(synchronize_session=False))
    s.flush()


def seed(s: Session, now: Optional[datetime] = None) -> dict[str, Any]:
    """Replace the demo accounts inside the caller's transaction; returns a summary."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(1001)"))  # two seeders never interleave
    clear_demo(s)
    # Whole minutes: the demo reads "bought at 14:42", not "14:42:34.758678".
    b = _Builder(s, (now or clock.now()).replace(second=0, microsecond=0))
    e = _Edges()
    late = e.refund_days + 1  # a day past the R2 window

    # C1001 common: one order per refund rule, a C3 example incident, an approved ICP filing.
    b.customer("C1001", "Li Wei", "common", str(e.min_recharge + 150))
    b.order("C1001", "ECS", "monthly", b.ago(days=2), "300.00", "10.00", description="web server, bought 2 days ago",
            discounts=(("coupon", "new-customer coupon", "20.00", False), ("reward", "points reward", "15.00", True)))
    b.order("C1001", "EVS", "yearly", b.ago(days=late), "1200.00", "3.29", description=f"data disk, bought {late} days ago")
    obs = b.order("C1001", "OBS", "pay_per_use", b.ago(days=30), "57.30", "1.91", description="object storage, pay-per-use")
    b.order("C1001", "RDS", "monthly", b.ago(days=40), "450.00", "15.00", state="grace",
            description="database, expired, in grace period")
    cdn = b.order("C1001", "CDN", "yearly", b.ago(days=1), "600.00", "1.64", invoice="issued",
                  description="CDN, invoice issued and not returned")
    host1 = b.order("C1001", "ECS", "yearly", b.ago(days=200), "17520.00", "48.00", description="website host")
    b.incident("ECS", "service_unavailable", "platform", b.at_day(1, 14, 0), b.at_day(1, 15, 35),
               "host unavailable after a platform hypervisor fault", host1)
    b.incident("CDN", "website_inaccessible", "carrier_fault", b.at_day(3, 9, 10), b.at_day(3, 11, 40),
               "carrier line cut in the region", cdn)
    b.incident("OBS", "config_change_failure", "platform", b.at_day(2, 10, 0), b.at_day(2, 13, 30),
               "bucket policy change failed to apply", obs)
    b.filing("C1001", "liwei-shop.example.cn", "approved", b.ago(days=25), host1,
             submitted_at=b.ago(days=12), approved_at=b.at_day(5, 16, 0))

    # C1002 VIP: no yearly limit, C2 cap, excluded and expired faults, filing at the authority.
    b.customer("C1002", "Wang Fang", "vip", "5000.00")
    ecs2 = b.order("C1002", "ECS", "hourly", b.ago(days=1), "24.00", "24.00", description="hourly server")
    b.order("C1002", "EVS", "yearly", b.ago(days=3), "2400.00", "6.58", invoice="returned",
            description="disk, invoice returned", discounts=(("discount", "yearly discount", "100.00", True),))
    b.order("C1002", "RDS", "yearly", b.ago(days=400), "3650.00", "10.00", state="reservation",
            description="database in reservation period")
    b.order("C1002", "OBS", "pay_per_use_package", b.ago(days=10), "99.00", "3.30",
            description="storage package")
    elb = b.order("C1002", "ECS", "monthly", b.ago(days=20), "300.00", "10.00", description="website host")
    b.incident("ECS", "service_unavailable", "scheduled_maintenance", b.at_day(4, 2, 0), b.at_day(4, 4, 0),
               "announced maintenance window", elb)
    b.incident("ECS", "provisioning_failure", "platform", b.ago(hours=20), b.ago(hours=17),
               "instance provisioning stuck", ecs2)
    b.incident("ECS", "service_unavailable", "platform", b.at_day(e.apply_days + 3, 8, 0),
               b.at_day(e.apply_days + 3, 9, 0), f"outage rectified {e.apply_days + 3} days ago (C5)", elb)
    b.filing("C1002", "wangfang.example.cn", "submitted_to_authority", b.ago(days=6), elb,
             submitted_at=b.ago(days=2))

    # C1003 common with 10 refunds this calendar year: R3 blocks; open and unknown-cause faults.
    b.customer("C1003", "Zhang Min", "common", str(e.min_recharge - 80))
    start, _ = year_bounds(b.now)
    span = b.now - start
    for k in range(e.refund_limit):  # R3: exactly the yearly limit already used
        reference = past_refund_reference(k + 1)
        bought = start + span * (k + 1) / (e.refund_limit + 2)
        filed = bought + span / (4 * (e.refund_limit + 2))
        o = b.order("C1003", "ECS", "monthly", bought, "99.00", "3.30", description="refunded earlier this year")
        status = {e.refund_limit - 2: "rejected", e.refund_limit - 1: "withdrawn"}.get(k, "completed")
        s.flush()
        claim = Claim(reference=reference, kind="refund", owner_key="C1003", customer_id="C1003",
                      idempotency_key=f"demo-refund-{k + 1}", status=status, created_at=filed, updated_at=filed,
                      decision={"decision": "eligible", "note": "demo history"}, rules_failed=[],
                      amount=Decimal("99.00"), currency="CNY", policy_version="demo-seed", details={})
        claim.items = [ClaimItem(order_id=o.order_id, decision="eligible", amount=Decimal("99.00"))]
        claim.events = [ClaimEvent(at=filed, from_status=None, to_status="submitted", actor="customer:C1003",
                                   note="demo history"),
                        ClaimEvent(at=filed, from_status="submitted", to_status=status, actor="seed",
                                   note="demo history")]
        guards.attach(claim)  # a completed request holds its order like any standing one
        s.add(claim)
    ecs3 = b.order("C1003", "ECS", "monthly", b.ago(days=1), "99.00", "3.30", description="bought yesterday")
    b.incident("ECS", "service_unavailable", "platform", b.ago(hours=2), None, "ongoing outage, not yet rectified", ecs3)
    b.incident("ECS", "website_inaccessible", "unknown", b.at_day(1, 9, 0), b.at_day(1, 10, 0),
               "cause under investigation", ecs3)
    b.filing("C1003", "zhangmin.example.cn", "rejected", b.ago(days=30), ecs3, submitted_at=b.ago(days=20))

    # C1004 common: ICP edge cases (recharge exactly the minimum, delays, hosts) and the R2 edge.
    b.customer("C1004", "Chen Jie", "common", str(e.min_recharge))  # I4: must exceed it
    host4 = b.order("C1004", "ECS", "monthly", b.ago(days=15), "150.00", "5.00", description="website host")
    ppu4 = b.order("C1004", "ECS", "pay_per_use", b.ago(days=60), "80.00", "2.60", description="pay-per-use host")
    b.order("C1004", "EVS", "monthly", b.ago(hours=e.window_hours - 1), "60.00", "2.00",
            description=f"bought {e.window_hours - 1} hours ago")
    old4 = b.order("C1004", "ECS", "yearly", b.ago(days=90), "900.00", "2.47", description="old host, terminated early")
    b.filing("C1004", "chenjie.example.cn", "in_progress", b.ago(days=4), host4, submitted_at=b.ago(days=3))
    b.filing("C1004", "chenjie-blog.example.cn", "not_submitted", b.ago(days=1), ppu4)
    b.filing("C1004", "chenjie-old.example.cn", "approved", b.ago(days=80), old4, submitted_at=b.ago(days=70),
             approved_at=b.ago(days=50), delay_days=e.delay_days + 2, host_status="terminated_early")

    # C1005 VIP in USD: reward already received (I5), R2 expired, excluded cause, billing error.
    b.customer("C1005", "Liu Yang", "vip", "8000.00", currency="USD", reward_received=True)
    cdn5 = b.order("C1005", "CDN", "pay_per_use", b.ago(days=90), "310.00", "4.20", description="pay-per-use CDN")
    ecs5 = b.order("C1005", "ECS", "yearly", b.ago(days=late, hours=2), "5000.00", "13.70",
                   description=f"bought {late} days ago")
    b.incident("CDN", "billing_error", "platform", b.at_day(2, 0, 0), b.at_day(2, 6, 0), "traffic billed twice", cdn5)
    b.incident("ECS", "service_unavailable", "attack_or_virus", b.at_day(5, 22, 0), b.at_day(5, 23, 30),
               "DDoS attack on the instance", ecs5)
    host5 = b.order("C1005", "ECS", "yearly", b.ago(days=300), "4800.00", "13.15", description="website host")
    b.filing("C1005", "liuyang.example.com", "approved", b.ago(days=60), host5, submitted_at=b.ago(days=50),
             approved_at=b.ago(days=40))
    s.flush()
    return summary(s)


def summary(s: Session) -> dict[str, Any]:
    """Row counts per demo account (what the CLI prints)."""
    out: dict[str, Any] = {}
    for cid in DEMO_CUSTOMERS:
        orders = list(s.execute(select(Order.order_id).where(Order.customer_id == cid)).scalars())
        out[cid] = {
            "orders": len(orders),
            "claims": len(list(s.execute(select(Claim.id).where(Claim.customer_id == cid)).scalars())),
            "filings": len(list(s.execute(select(IcpFiling.filing_id).where(IcpFiling.customer_id == cid)).scalars())),
            "incidents": len(set(s.execute(
                select(IncidentOrder.incident_id).where(IncidentOrder.order_id.in_(orders))).scalars())),
        }
    return out
