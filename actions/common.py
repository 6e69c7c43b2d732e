"""Shared helpers of the dialog actions: policy figures as template variables,
the one clock, time formatting, and the "can't check right now" answer.

Every response is uttered through `say`, which adds `load_policy().figures()`
to the template variables, so domain responses write "{refund_days} days" and no
policy figure is ever typed in code or in the domain (domain/)."""
from __future__ import annotations

import functools
import logging
import re
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock

logger = logging.getLogger(__name__)

EventList = List[Dict[str, Any]]


def policy() -> Any:
    from bot.policy import load_policy

    return load_policy()


def figures() -> Dict[str, str]:
    """Template variables from the policy (refund_days, hotline_number, ...)."""
    return dict(policy().figures())


def decide(case: Dict[str, Any]) -> Dict[str, Any]:
    from bot.policy import decide as _decide

    return _decide(case)


def next_facts(case: Dict[str, Any]) -> List[str]:
    from bot.policy import next_facts as _next

    return list(_next(case))


def now() -> datetime:
    return clock.now()


def now_iso() -> str:
    return clock.now().isoformat()


def parse_moment(value: Any) -> Optional[datetime]:
    """A datetime or ISO string as a datetime in the policy's zone when it is aware
    (naive ones as given); None when it is neither."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment.astimezone(clock.CST) if moment.tzinfo is not None else moment


def show_time(value: Any) -> str:
    """ISO time -> 'Fri 27 Nov 2026, 10:00 (UTC+08:00)' in the policy's zone
    (bot.clock.CST, the zone the policy counts days and hours in: docs/POLICY_RULES.md)."""
    moment = parse_moment(value)
    if moment is None:
        return value if isinstance(value, str) else ""
    return f"{moment.strftime('%a %d %b %Y, %H:%M')} ({clock.CST.tzname(None)})"


def show_period(start: Any, end: Any) -> str:
    """Two ISO times as a customer says them: 'Thu 26 Nov 23:00 to Fri 27 Nov 01:00'
    ('Thu 26 Nov 14:00 to 15:35' within one day), in the policy's zone."""
    def parse(value: Any) -> Optional[datetime]:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.astimezone(clock.CST) if moment.tzinfo else None

    a, b = parse(start), parse(end)
    if a is None or b is None:
        return ""
    first = f"{a:%a} {a.day} {a:%b} {a:%H:%M}"
    if a.date() == b.date():
        return f"{first} to {b:%H:%M}"
    return f"{first} to {b:%a} {b.day} {b:%b} {b:%H:%M}"


def show_date(value: Any) -> str:
    text = show_time(value)
    return text.split(",")[0] if text else ""


#: What the policy's field names mean to a customer (a bad-input message names the field).
FIELD_WORDS = {
    "purchased_at": "the purchase time",
    "fault_start": "the time the fault started",
    "fault_end": "the time it was fixed",
    "approved_at": "the approval time",
    "amount_paid": "the amount paid",
    "unrecoverable_discounts": "the discount that can't be recovered",
    "daily_cost": "the daily cost",
    "accumulated_recharge": "the total recharge",
    "refunds_this_year": "the number of refunds this year",
    "customer_delay_days": "the days of delay",
    "now": "now",
}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_FIELD = re.compile(r"\b(?:items\[\d+\]\.|customer\.|host\.|filing\.)?([a-z]+(?:_[a-z]+)+|now)\b")


#: A fact the policy still needs, as a customer reads it (the rest are in FIELD_WORDS).
MISSING_WORDS = {
    "items": "which order or resource", "billing": "how it is billed", "invoice": "whether an invoice was issued",
    "resource_state": "whether the resource is active or in its grace or reservation period",
    "tier": "whether you are a VIP or a common customer", "scenario": "what happened",
    "cause": "the cause of the fault", "host.status": "whether the host service is still active",
    "filing.status": "where the ICP filing stands", "subscription": "how the host is billed",
    "used_for_website": "whether the host is used for a website",
    "first_with_provider": "whether it is your first filing through us",
    "icp_reward_received": "whether the account has had the reward",
}


def missing_words(facts: Any) -> str:
    """The policy's missing facts ('items[0].amount_paid', 'customer.tier') in the
    customer's words, because an internal field name must never reach a customer."""
    words: List[str] = []
    for fact in facts or []:
        parts = [p for p in re.sub(r"\[\d+\]", "", str(fact)).split(".") if p]
        pair = ".".join(parts[-2:])
        key = pair if pair in MISSING_WORDS else (parts[-1] if parts else "")
        word = MISSING_WORDS.get(key) or FIELD_WORDS.get(key) or key.replace("_", " ")
        if word and word not in words:
            words.append(word)
    return ", ".join(words)


def readable_problem(message: str) -> str:
    """A policy bad-input message in the customer's terms: field names as words,
    ISO times as 'Fri 27 Nov 2026, 10:00 (UTC+08:00)' (never an internal name)."""
    text = _ISO.sub(lambda m: show_time(m.group(0)), str(message))
    text = _FIELD.sub(lambda m: FIELD_WORDS.get(m.group(1), m.group(1).replace("_", " ")), text)
    text = re.sub(r"^([^:]+): ", r"\1 ", text)
    return text[:1].upper() + text[1:]


#: Below this intent confidence nothing irreversible happens on a message (ending a
#: check and forgetting its answers, switching checks, opening a ticket, filing):
#: the assistant asks instead. Buttons send their intent at confidence 1.0.
CLEAR_CONFIDENCE = 0.6


def clearly_said(tracker: Tracker, *intents: str) -> bool:
    """True when the latest message is one of `intents` with a clear reading."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    if intents and intent.get("name") not in intents:
        return False
    try:
        return float(intent.get("confidence") or 0.0) >= CLEAR_CONFIDENCE
    except (TypeError, ValueError):
        return False


def say(dispatcher: CollectingDispatcher, response: str, currency: Optional[str] = None, **facts: Any) -> None:
    """Utter a domain response with the policy figures plus these facts; every
    amount is shown with `currency` (the conversation's, actions/money.py; the
    policy's when not given), so no response shows a bare figure."""
    from actions.money import render_amounts

    variables = figures()
    variables.update({k: ("" if v is None else v) for k, v in facts.items()})
    dispatcher.utter_message(response=response, **render_amounts(variables, currency))


def hotline_facts() -> Dict[str, Any]:
    """H1/H2: is the hotline open now (policy `hotline` kind, bot.clock now)."""
    decision = decide({"kind": "hotline", "now": now_iso()})
    return {
        "hotline_open_now": bool(decision.get("open")),
        "next_open": show_time(decision.get("next_open")),
    }


def say_hotline_status(dispatcher: CollectingDispatcher) -> None:
    facts = hotline_facts()
    if facts["hotline_open_now"]:
        say(dispatcher, "utter_hotline_open_now")
    else:
        say(dispatcher, "utter_hotline_closed_now", next_open=facts["next_open"])


def service_down(dispatcher: CollectingDispatcher) -> None:
    """The check cannot run (store down, unexpected failure): say so, give the
    hotline and the 24/7 ticket option, never a traceback or a made-up answer."""
    try:
        say(dispatcher, "utter_service_down")
    except Exception:  # even the policy figures are unavailable
        dispatcher.utter_message(response="utter_service_down_bare")


def guarded(
    run: Callable[..., Awaitable[EventList]],
) -> Callable[..., Awaitable[EventList]]:
    """Wrap an action's run(): any failure becomes the service-down answer."""

    @functools.wraps(run)
    async def wrapper(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> EventList:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 - the customer gets a clear answer, the log the detail
            logger.exception("action %s failed", getattr(self, "name", lambda: "?")())
            service_down(dispatcher)
            return []

    return wrapper


def policy_error_field(err: Exception) -> Optional[str]:
    return getattr(err, "field", None)


def answered_just_before(events: List[Dict[str, Any]], responses: Any = (), prefixes: tuple = ()) -> bool:
    """True when the assistant's turn before the latest message uttered one of `responses`
    or a response starting with one of `prefixes` (a yes to a ticket offer, a time after
    the hotline hours, a question about a check's answer)."""
    users = 0
    for event in reversed(events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return False
        elif users == 1 and event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name in responses or (prefixes and str(name or "").startswith(prefixes)):
                return True
    return False
