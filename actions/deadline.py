"""Deadlines that warn: R2's refund window and C5's application window, read back
when they close within a day ("closes today at 11:00 (UTC+08:00), in about an hour").

Why: a customer who hears "you qualify" and says "let me think about it until
tomorrow" loses the refund if the window closes tonight. The deadline itself is the
policy engine's (`items[].request_by`, `apply_by`); this module only decides whether
it is near and says it like the other readable times (actions/common.show_time), in
the policy's zone, the one the customer's account and the policy count in."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import parse_moment
from bot import clock

#: A window that closes within this long is said with the decision.
SOON = timedelta(hours=24)


def _moment(value: Any) -> Optional[datetime]:
    """An aware datetime in the policy's zone, or None."""
    moment = parse_moment(value)
    return moment if moment is not None and moment.tzinfo is not None else None


def closing_soon(deadline: Any, now: Any) -> Optional[datetime]:
    """The deadline when it is still open and closes within SOON of `now`, else None."""
    end, at = _moment(deadline), _moment(now)
    if end is None or at is None or not at <= end <= at + SOON:
        return None
    return end


def in_about(delta: timedelta) -> str:
    """'in about an hour', 'in about 20 minutes', 'in about 5 hours'."""
    minutes = max(0, round(delta.total_seconds() / 60))
    if minutes < 2:
        return "in a minute or two"
    if minutes < 55:
        return f"in about {minutes} minutes"
    hours = round(minutes / 60)
    return "in about an hour" if hours == 1 else f"in about {hours} hours"


def show_deadline(deadline: datetime, now: Any) -> str:
    """'today (Fri 27 Nov) at 11:00 (UTC+08:00), in about an hour'; 'tomorrow (Sat 28 Nov) at 09:30 ...';
    days and the zone as in show_time."""
    end, at = _moment(deadline), _moment(now)
    if end is None or at is None:
        return ""
    if end.date() == at.date():
        day = f"today ({end:%a} {end.day} {end:%b})"
    elif end.date() == (at + timedelta(days=1)).date():
        day = f"tomorrow ({end:%a} {end.day} {end:%b})"
    else:
        day = f"on {end:%a} {end.day} {end:%b}"
    return f"{day} at {end:%H:%M} ({clock.CST.tzname(None)}), {in_about(end - at)}"


def soon_words(deadline: Any, now: Any) -> Optional[str]:
    """show_deadline for a deadline within SOON, else None (nothing to warn about)."""
    end = closing_soon(deadline, now)
    return show_deadline(end, now) if end else None


def said_before(tracker: Tracker, response: str) -> bool:
    """True when this conversation already heard `response` (Rasa records the
    response name of a bot message as metadata `utter_action`)."""
    for event in tracker.events or []:
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == response:
            return True
    return False


def warn_once(dispatcher: CollectingDispatcher, tracker: Tracker, response: str, deadline: Any, now: Any,
              **facts: Any) -> bool:
    """Say `response` with `closes` when the deadline is near and it was not said
    yet in this conversation; True when said."""
    from actions.common import say

    words = soon_words(deadline, now)
    if not words or said_before(tracker, response):
        return False
    say(dispatcher, response, closes=words, **facts)
    return True
