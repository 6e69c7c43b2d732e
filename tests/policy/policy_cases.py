"""Case builders for the policy tests (a unique module name: tests/ is no package).

Figures are read from the policy data, never retyped: a test of "exactly the
refund window" computes the window from `refund_days`."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.policy import load_policy

NOW = "2026-11-27T10:00:00+08:00"
NOW_DT = datetime.fromisoformat(NOW)


def fig(key: str) -> str:
    return load_policy().figures()[key]


def num(key: str) -> int:
    return int(fig(key))


def money(key: str) -> Decimal:
    return Decimal(fig(key))


def ago(delta: timedelta, now: datetime = NOW_DT) -> str:
    return (now - delta).isoformat()


def refund_window() -> timedelta:
    return timedelta(hours=num("refund_window_hours"))


def apply_window() -> timedelta:
    return timedelta(hours=num("compensation_apply_hours"))


def item(**over: Any) -> dict[str, Any]:
    """A refund item that passes R1-R7 (bought an hour ago, nothing deducted)."""
    base = {"id": "CS2611270001", "billing": "monthly", "purchased_at": ago(timedelta(hours=1)),
            "amount_paid": "300.00", "resource_state": "active", "invoice": "none",
            "unrecoverable_discounts": "0.00"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not ...}


def refund(items: Any = None, tier: Any = "common", used: Any = 0, **over: Any) -> dict[str, Any]:
    customer = {"tier": tier, "refunds_this_year": used}
    case = {"id": "r", "kind": "refund", "now": NOW,
            "customer": {k: v for k, v in customer.items() if v is not ...},
            "items": [item()] if items is None else items}
    case.update(over)
    return {k: v for k, v in case.items() if v is not ...}


def compensation(**over: Any) -> dict[str, Any]:
    """The worked example c1 of docs/POLICY_RULES.md (48.00 a day, 95 minutes, x100 -> 316.67)."""
    case = {"id": "c", "kind": "compensation", "now": NOW, "scenario": "service_unavailable",
            "cause": "platform", "daily_cost": "48.00",
            "fault_start": "2026-11-26T14:00:00+08:00", "fault_end": "2026-11-26T15:35:00+08:00"}
    case.update(over)
    return {k: v for k, v in case.items() if v is not ...}


def icp(customer: Any = None, host: Any = None, filing: Any = None, **over: Any) -> dict[str, Any]:
    """The worked example i1 of docs/POLICY_RULES.md (a VIP, approved filing -> 200.00)."""
    case = {"id": "i", "kind": "icp_reward", "now": NOW,
            "customer": {"tier": "vip", "accumulated_recharge": "250.00", "icp_reward_received": False},
            "host": {"subscription": "yearly", "used_for_website": True, "status": "active"},
            "filing": {"first_with_provider": True, "status": "approved",
                       "approved_at": "2026-11-20T12:00:00+08:00", "customer_delay_days": 0}}
    for key, part in (("customer", customer), ("host", host), ("filing", filing)):
        for k, v in (part or {}).items():
            if v is ...:
                case[key].pop(k, None)
            else:
                case[key][k] = v
    case.update(over)
    return copy.deepcopy({k: v for k, v in case.items() if v is not ...})
