"""Fallback, stop and the limits of the assistant.

Two misunderstandings in a row hand the conversation to a person (a ticket);
one gets an honest "I can help with ..." with the options as buttons. "stop"
ends any form and forgets its answers."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet, UserUtteranceReverted

from actions import compensation, icp, refund
from actions.common import guarded, say
from actions.forms_base import CONTINUE, EXPLAIN_AFTER, FAILURES, PAUSED
from actions.handoff import open_ticket

FALLBACK_INTENT = "nlu_fallback"
HANDOFF_AFTER = 2


def fallbacks_in_a_row(events: List[dict]) -> int:
    """How many of the latest user messages, counting back, were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def asked_slot(tracker: Tracker) -> str:
    """The slot an active form is asking for ('' outside forms)."""
    if not (tracker.active_loop or {}).get("name"):
        return ""
    return tracker.get_slot("requested_slot") or ""


def form_retry(dispatcher, tracker: Tracker, domain) -> List[EventType]:
    """An answer the form could not use at all (nothing extracted): count it like
    a failed validation; the second time explain the question and ask whether to
    go on (forms_base), else ask the question again."""
    slot = asked_slot(tracker)
    if not slot or slot == CONTINUE:
        return []
    count = int(tracker.get_slot(FAILURES) or 0) + 1
    responses = domain.get("responses", {})
    if count < EXPLAIN_AFTER:
        say(dispatcher, "utter_not_understood_slot")
        if f"utter_ask_{slot}" in responses:
            dispatcher.utter_message(response=f"utter_ask_{slot}")
        return [SlotSet(FAILURES, float(count))]
    explain = f"utter_explain_{slot}"
    say(dispatcher, explain if explain in responses else "utter_explain_generic")
    dispatcher.utter_message(response="utter_ask_continue_form")
    return [SlotSet(FAILURES, 0.0), SlotSet(PAUSED, True), SlotSet("requested_slot", CONTINUE)]


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        in_form = latest_intent(tracker) != FALLBACK_INTENT and asked_slot(tracker)
        if fallbacks_in_a_row(tracker.events or []) >= HANDOFF_AFTER:
            say(dispatcher, "utter_handoff_after_fallback")
            await open_ticket(dispatcher, tracker, topic="fallback")
        elif not in_form:
            say(dispatcher, "utter_default")
        if latest_intent(tracker) != FALLBACK_INTENT:
            # a core fallback (no rule fits): forget the message, as Rasa's default
            # fallback does, so the next prediction is to listen, not to loop
            return [UserUtteranceReverted()] + form_retry(dispatcher, tracker, domain)
        return []


class ActionCancelForm(Action):
    """"stop": end the active form, forget its answers, nothing is filed."""

    def name(self) -> Text:
        return "action_cancel_form"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, "utter_form_cancelled")
        slots = set(refund.RESET) | set(compensation.RESET) | set(icp.RESET)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in sorted(slots)]
