"""Fault compensation C1-C6 (docs/POLICY_RULES.md).

The amount (C3) is computed in integers: daily cost x duration (microseconds) x
multiplier x 100, divided once by the length of a day in microseconds, rounded
half-up once. Dividing left to right at 28 digits rounds some half-cent cases the
wrong way; this cannot."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Mapping, Optional

from . import parse, text
from .common import INELIGIBLE, combine, not_after_now, required_now, skeleton
from .data import Policy
from .errors import PolicyInputError

#: Facts in the order a person is asked for them (`cause` comes from the review, C4).
FACTS = ("scenario", "fault_start", "fault_end", "daily_cost")
_DAY_US = 24 * 60 * 60 * 1_000_000  # C3's "÷ 24 ÷ 60" (and seconds), in microseconds
_MINUTE_US = 60 * 1_000_000
_CENTS = 100  # money is shown to 0.01


def _micros(delta: timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _half_up(num: int, den: int) -> str:
    """num/den (both >= 0, already in cents) rounded half-up to cents, as "d.cc"."""
    cents = (2 * num + den) // (2 * den)
    return f"{cents // _CENTS}.{cents % _CENTS:02d}"


def amount(daily_cost: Decimal, duration: timedelta, multiplier: int) -> str:
    """C3: daily cost / 24 / 60 x minutes x multiplier, exact, rounded once."""
    n, d = daily_cost.as_integer_ratio()  # exact: the decimal as a fraction n/d
    return _half_up(n * _micros(duration) * multiplier * _CENTS, d * _DAY_US)


def minutes(duration: timedelta) -> str:
    """Exact minutes, seconds included (95 min 30 s -> "95.50")."""
    return _half_up(_micros(duration) * _CENTS, _MINUTE_US)


def decide_compensation(case: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    out = skeleton(case, "compensation", policy)
    now = required_now(case)
    enums, rules = policy.enums, policy.compensation
    scenario = parse.enum(case.get("scenario"), enums["scenario"], "scenario")
    cause = parse.enum(case.get("cause"), enums["cause"], "cause")
    daily_cost = parse.money(case.get("daily_cost"), "daily_cost")
    start = parse.time_(case.get("fault_start"), "fault_start")
    end_given = "fault_end" in case and case.get("fault_end") is not None
    still_open = "fault_end" in case and case.get("fault_end") is None
    end = parse.time_(case.get("fault_end"), "fault_end") if end_given else None
    if start is not None:
        not_after_now(start, now, "fault_start")
    if end is not None:
        not_after_now(end, now, "fault_end")
    if start is not None and end is not None and end < start:
        raise PolicyInputError("fault_end", f"{end.isoformat()} is before fault_start ({start.isoformat()})")

    failed: list[str] = []
    missing: list[str] = []
    waiting: list[str] = []
    multiplier: Optional[int] = None
    out["now"] = text.iso(now, policy)
    if scenario is None:
        missing.append("scenario")
    else:
        row = rules["scenarios"][scenario]
        multiplier = policy.multipliers[row["multiplier"]]
        out["multiplier"] = multiplier
        out["multiplier_is_cap"] = bool(row["cap"])
        out["scenario_rule"] = row["rule"]
        if row["cap"]:
            out["notes"].append(text.note(policy, row["rule"]))
    if cause is None or cause in rules["review_causes"]:
        waiting.append("cause_review")
    elif cause in rules["excluded_causes"]:
        failed.append("C4")
        out["reasons"].append(text.reason(policy, "C4", cause_label=cause.replace("_", " "),
                                          cause_clause=rules["cause_clauses"][cause]))
    elif cause not in rules["passing_causes"]:  # an enum value the data forgot to classify
        raise PolicyInputError("cause", f"{cause!r} is not classified in the policy data")
    if start is None:
        missing.append("fault_start")
    if still_open:
        waiting.append("fault_rectified")
    elif end is None:
        missing.append("fault_end")
    else:
        apply_by = end + policy.apply_window
        out["apply_by"] = text.iso(apply_by, policy)
        if now > apply_by:
            failed.append("C5")
            out["reasons"].append(text.reason(
                policy, "C5", fault_end=text.iso(end, policy), elapsed=text.span(now - end),
                apply_by=text.iso(apply_by, policy)))
    if daily_cost is None:
        missing.append("daily_cost")

    out.setdefault("multiplier", None)
    out.setdefault("multiplier_is_cap", None)
    out.setdefault("apply_by", None)
    duration = end - start if start is not None and end is not None else None
    out["duration_minutes"] = minutes(duration) if duration is not None else None
    state = combine(failed, missing, waiting)
    if state == INELIGIBLE:
        out["compensation"] = "0.00"
    elif duration is not None and daily_cost is not None and multiplier is not None:
        out["compensation"] = amount(daily_cost, duration, multiplier)
    else:
        out["compensation"] = None
    if state == "eligible":
        out["notes"].append(text.note(policy, "C6"))
    out["decision"] = state
    out["rules_failed"] = policy.sort_rules(failed)
    out["missing"] = missing
    out["waiting_for"] = waiting
    return out
