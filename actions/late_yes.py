"""A yes to filing that comes after the check stopped asking.

"hold on, let me check my backup" ... "ok all backed up, yes submit": the check ended
at "Shall I submit?" without filing, or was left for a side question ("wait, is the RDS
refundable too?"), and the customer now asks outright to file it. Answering "Anything
else?" would lose the claim; filing without a question just asked is safe only when the
words ask for filing outright, the check did ask for that yes, and nothing was filed
since. The check is re-opened with its answers and the yes; the form's own
confirmation still reads the words (a "no" anywhere files nothing).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.forms_base import LAST_CHECK, LEFT_CHECK
from actions.stated_facts import submit_answer_in_text
from bot.nlu.chinese_script import to_simplified

#: the check's "Shall I submit?" slot and question, and the replies that mean it was filed
CONFIRMATIONS = {
    "refund_form": ("refund_confirmed", "utter_ask_refund_confirmed", ("utter_refund_filed",)),
    "fault_form": ("fault_confirmed", "utter_ask_fault_confirmed", ("utter_fault_filed",)),
}
#: filing named outright: a bare "yes" after "Anything else?" files nothing
FILING_WORDS_RE = re.compile(r"\b(?:submit|file|send it|go ahead|refund it|lodge|process it)\b|"
                             r"提交|送出|交上去|申请吧|退吧|赔吧|办吧", re.I)


def asks_to_file(text: Any) -> bool:
    """Filing asked for outright, with nothing against it ("ok all backed up yes submit")."""
    if not isinstance(text, str):
        return False
    return bool(FILING_WORDS_RE.search(to_simplified(text))) and submit_answer_in_text(text) is True


def awaits_yes(events: List[Dict[str, Any]], form: str) -> bool:
    """`form` asked "Shall I submit?" and nothing was filed after that question."""
    _, question, filed = CONFIRMATIONS[form]
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        name = str((event.get("metadata") or {}).get("utter_action") or "")
        if name.startswith(filed):
            return False
        if name == question:
            return True
    return False


def yes_given_this_turn(tracker: Tracker, slot: str) -> bool:
    """The yes was set with the re-opened check this turn (by `reopen_to_file`)."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value") is True:
            return True
    return False


def check_to_file(tracker: Tracker) -> Optional[str]:
    """The check the message asks to file now: the last one, or the one left for a side
    question, when it awaited a yes; None otherwise."""
    if (tracker.active_loop or {}).get("name") or not asks_to_file((tracker.latest_message or {}).get("text")):
        return None
    for slot in (LAST_CHECK, LEFT_CHECK):
        kept = tracker.get_slot(slot)
        form = kept.get("form") if isinstance(kept, dict) else None
        if form in CONFIRMATIONS and awaits_yes(tracker.events or [], form):
            return form
    return None


async def reopen_to_file(tracker: Tracker, domain: Optional[Dict[str, Any]] = None) -> List[EventType]:
    """The check the message asks to file, re-opened with its answers and the yes ([] when
    the message asks no such thing)."""
    from actions.smalltalk import reopen_last_check

    form = check_to_file(tracker)
    if form is None:
        return []
    last = tracker.get_slot(LAST_CHECK)
    if not (isinstance(last, dict) and last.get("form") == form):
        tracker.slots[LAST_CHECK] = tracker.get_slot(LEFT_CHECK)  # the check left for a side question
    events = await reopen_last_check(tracker, domain, any_question=True)
    if not events:
        return []
    confirm_slot = CONFIRMATIONS[form][0]
    return [SlotSet(LEFT_CHECK, None)] + events[:-1] + [SlotSet(confirm_slot, True), events[-1]]
