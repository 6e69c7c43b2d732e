"""Hotline H1-H2: is the refund and compensation hotline open at `now`, and when
does it next open? Hours are counted in the policy's zone (UTC+08:00), the start
inclusive and the end exclusive; holidays come from the policy data."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Mapping, Optional

from . import text
from .common import required_now, skeleton
from .data import Policy

#: How far ahead next_open looks (a holiday list cannot close the line longer).
_HORIZON_DAYS = 400


def open_day(day: date, policy: Policy) -> bool:
    return day.weekday() in policy.hotline_weekdays and day not in policy.holidays


def is_open(moment: datetime, policy: Policy) -> bool:
    local = moment.astimezone(policy.tz)
    return open_day(local.date(), policy) and policy.hotline_open <= local.time().replace(tzinfo=None) < policy.hotline_close


def _at(day: date, clock, policy: Policy) -> datetime:
    return datetime.combine(day, clock, tzinfo=policy.tz)


def next_open(moment: datetime, policy: Policy) -> Optional[datetime]:
    """The earliest instant at or after `moment` when the hotline is open."""
    if is_open(moment, policy):
        return moment.astimezone(policy.tz)
    local = moment.astimezone(policy.tz)
    day = local.date()
    if open_day(day, policy) and local.time().replace(tzinfo=None) < policy.hotline_open:
        return _at(day, policy.hotline_open, policy)
    for _ in range(_HORIZON_DAYS):
        day += timedelta(days=1)
        if open_day(day, policy):
            return _at(day, policy.hotline_open, policy)
    return None


def decide_hotline(case: Mapping[str, Any], policy: Policy) -> dict[str, Any]:
    out = skeleton(case, "hotline", policy)
    now = required_now(case)
    opened = is_open(now, policy)
    upcoming = next_open(now, policy)
    out["now"] = text.iso(now, policy)
    out.update(decision="open" if opened else "closed", open=opened,
               next_open=upcoming.isoformat() if upcoming else None,
               closes_at=None, number=policy.hotline_number, tickets="24/7", rule="H2")
    if opened:
        closes = _at(now.astimezone(policy.tz).date(), policy.hotline_close, policy)
        out["closes_at"] = closes.isoformat()
        out["notes"].append(text.note(policy, "H2", "note_open", closes_at=closes.isoformat()))
    else:
        out["notes"].append(text.note(policy, "H2", "note_closed",
                                      next_open=out["next_open"] or "an unknown date"))
    out["notes"].append(text.note(policy, "H1"))
    return out
