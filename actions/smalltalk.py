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


class ActionFallback(Action):
    def name(self) -> Text:
        return "action_fallback"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        if fallbacks_in_a_row(tracker.events or []) >= HANDOFF_AFTER:
            say(dispatcher, "utter_handoff_after_fallback")
            await open_ticket(dispatcher, tracker, topic="fallback")
        else:
            say(dispatcher, "utter_default")
        if latest_intent(tracker) != FALLBACK_INTENT:
            # a core fallback (no rule fits): forget the message, as Rasa's default
            # fallback does, so the next prediction is to listen, not to loop
            return [UserUtteranceReverted()]
        return []


class ActionCancelForm(Action):
    """"stop": end the active form, forget its answers, nothing is filed."""

    def name(self) -> Text:
        return "action_cancel_form"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        say(dispatcher, "utter_form_cancelled")
        slots = set(refund.RESET) | set(compensation.RESET) | set(icp.RESET)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in sorted(slots)]
