"""Deadlines asked while a check waits for something else: "how long do I have to
decide?" (R2's window end), "by when must that one be submitted?" (C5's apply-by date).
The check already has the facts to answer; the answer comes before its next question."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import deadline
from actions.common import decide, say, show_time

#: "by when must it be submitted?", "how long do I have to decide?", "截止到什么时候": a deadline asked
DEADLINE_ASK_RE = re.compile(r"\bby when\b|\bdeadline\b|\bhow long (?:do|have) (?:i|we)\b|\buntil when\b|"
                             r"\blast day\b|\bstill (?:in|on) time\b|\btoo late\b|\bhow much time\b|"
                             r"截止|最晚|期限|来得及|几号之前|幾時之前", re.I)


def asks_a_deadline(tracker: Tracker) -> bool:
    return bool(DEADLINE_ASK_RE.search(str((tracker.latest_message or {}).get("text") or "")))


async def refund_window(tracker: Tracker) -> Optional[Tuple[Any, Dict[str, Any], str]]:
    """(window end, case, item) of the refund check as it stands; None when it has no date yet."""
    from actions import refund

    _, case = await refund.build_case(tracker)
    if not case:
        return None
    decision = decide(case)
    end = refund.window_end(decision)
    if decision.get("decision") == "ineligible" or not end:
        return None
    return end, case, str(refund.item_facts(case, decision)["item"] or "your purchase")


async def apply_by(tracker: Tracker) -> Optional[Tuple[Any, Dict[str, Any]]]:
    """(apply-by date, case) of the fault check as it stands; None when it has no date yet."""
    from actions import compensation

    _, case = await compensation.build_case(tracker)
    decision = decide(case)
    if decision.get("decision") == "ineligible" or not decision.get("apply_by"):
        return None
    return decision["apply_by"], case


async def answer_deadline(dispatcher: CollectingDispatcher, tracker: Tracker, asked: bool = False) -> bool:
    """Say the active check's own deadline when the message asks for one (`asked`: the
    NLU read it as the deadline question); True if said."""
    form = (tracker.active_loop or {}).get("name")
    if not (asked or asks_a_deadline(tracker)):
        return False
    if form == "refund_form":
        found = await refund_window(tracker)
        if found is None:
            return False
        end, case, item = found
        say(dispatcher, "utter_refund_closing_soon", item=item, closes=deadline.show_deadline(end, case.get("now")))
        return True
    if form == "fault_form":
        dated = await apply_by(tracker)
        if dated is None:
            return False
        end, case = dated
        closes = deadline.soon_words(end, case.get("now"))
        if closes:
            say(dispatcher, "utter_fault_apply_by_soon", closes=closes)
        else:
            say(dispatcher, "utter_fault_apply_by", apply_by=show_time(end))
        return True
    return False
