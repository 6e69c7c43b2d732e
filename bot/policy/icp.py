"""ICP filing reward I1-I9 (docs/POLICY_RULES.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Optional

from . import parse, text
from .common import ELIGIBLE, combine, not_after_now, skeleton
from .data import Policy

#: Facts in the order a person is asked for them.
FACTS = (
    "host.subscription", "host.used_for_website", "host.status",
    "filing.first_with_provider", "filing.status", "filing.approved_at", "filing.customer_delay_days",
    "customer.accumulated_recharge", "customer.icp_reward_received", "customer.tier",
)


def add_years(moment: datetime, years: int) -> datetime:
    """Same day and time `years` later in the moment's own zone; 29 Feb -> 28 Feb."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def decide_icp(case: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    out = skeleton(case, "icp_reward", policy)
    enums, rules = policy.enums, policy.icp
    now = parse.time_(case.get("now"), "now")  # optional here: only a sanity check
    customer = parse.obj(case, "customer", "customer") or {}
    host = parse.obj(case, "host", "host") or {}
    filing = parse.obj(case, "filing", "filing") or {}
    facts: dict[str, Any] = {
        "host.subscription": parse.enum(host.get("subscription"), enums["billing"], "host.subscription"),
        "host.used_for_website": parse.boolean(host.get("used_for_website"), "host.used_for_website"),
        "host.status": parse.enum(host.get("status"), enums["host_status"], "host.status"),
        "filing.first_with_provider": parse.boolean(filing.get("first_with_provider"), "filing.first_with_provider"),
        "filing.status": parse.enum(filing.get("status"), enums["filing_status"], "filing.status"),
        "filing.approved_at": parse.time_(filing.get("approved_at"), "filing.approved_at"),
        "filing.customer_delay_days": parse.number_(filing.get("customer_delay_days"), "filing.customer_delay_days"),
        "customer.accumulated_recharge": parse.money(customer.get("accumulated_recharge"), "customer.accumulated_recharge"),
        "customer.icp_reward_received": parse.boolean(customer.get("icp_reward_received"), "customer.icp_reward_received"),
        "customer.tier": parse.enum(customer.get("tier"), enums["tier"], "customer.tier"),
    }
    approved_at: Optional[datetime] = facts["filing.approved_at"]
    if now is not None:
        out["now"] = text.iso(now, policy)
        if approved_at is not None:
            not_after_now(approved_at, now, "filing.approved_at")

    failed: list[str] = []
    waiting: list[str] = []
    needed = [k for k in FACTS if k != "filing.approved_at"]

    def fail(rule_id: str, **values: Any) -> None:
        failed.append(rule_id)
        out["reasons"].append(text.reason(policy, rule_id, **values))

    sub = facts["host.subscription"]
    if sub is not None and sub not in rules["passing_subscriptions"]:
        fail("I1", subscription=sub)
    if facts["host.used_for_website"] is False:
        fail("I2")
    if facts["filing.first_with_provider"] is False:
        fail("I3")
    recharge = facts["customer.accumulated_recharge"]
    if recharge is not None and not recharge > policy.icp_min_recharge:
        fail("I4", accumulated_recharge=recharge)
    if facts["customer.icp_reward_received"] is True:
        fail("I5")
    status = facts["host.status"]
    if status is not None and status not in rules["passing_host_status"]:
        fail("I6", host_status_label=status.replace("_", " "))
    filing_status = facts["filing.status"]
    if filing_status in rules["failing_filing_status"]:
        fail("I7")
    elif filing_status in rules["waiting_filing_status"]:
        waiting.append("filing_approval")
    elif filing_status in rules["passing_filing_status"]:
        needed.insert(needed.index("filing.customer_delay_days"), "filing.approved_at")
    delay = facts["filing.customer_delay_days"]
    if delay is not None and delay >= policy.icp_delay_days:
        fail("I8", customer_delay_days=delay)

    missing = [k for k in needed if facts[k] is None]
    state = combine(failed, missing, waiting)
    tier = facts["customer.tier"]
    out["reward_amount"] = "0.00"
    out["credit_by"] = None
    out["valid_until"] = None
    out["withdrawable"] = False
    if state == ELIGIBLE:
        out["reward_amount"] = text.money(policy.icp_rewards[tier])
        assert approved_at is not None  # a needed fact once the filing passed: never missing here
        credit_by = approved_at.astimezone(policy.tz) + policy.icp_credit
        out["credit_by"] = credit_by.isoformat()
        out["valid_until"] = add_years(credit_by, policy.icp_valid_years).isoformat()
        out["notes"].append(text.note(policy, "I9"))
    out["decision"] = state
    out["rules_failed"] = policy.sort_rules(failed)
    out["missing"] = missing
    out["waiting_for"] = waiting
    return out
