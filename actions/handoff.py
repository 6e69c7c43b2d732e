"""Handoff to a person: a service ticket (H1, 24/7) carrying a transcript
summary, plus the hotline hours and whether it is open now (H2)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import store_access
from actions.common import guarded, say, say_hotline_status
from actions.identity import customer_id

MAX_LINES = 20
MAX_SUMMARY = 3900


def transcript_summary(events: List[Dict[str, Any]], max_lines: int = MAX_LINES) -> str:
    """The last lines of the conversation, 'customer:'/'assistant:' prefixed,
    with the intent the assistant understood (pure; used in the ticket)."""
    lines: List[str] = []
    for event in events:
        kind = event.get("event")
        if kind == "user" and event.get("text"):
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            lines.append(f"customer: {event['text']}" + (f"  [{intent}]" if intent else ""))
        elif kind == "bot" and event.get("text"):
            lines.append(f"assistant: {event['text']}")
    text = "\n".join(lines[-max_lines:])
    return text[-MAX_SUMMARY:]


def user_turns(tracker: Tracker) -> int:
    return sum(1 for e in tracker.events or [] if e.get("event") == "user")


async def open_ticket(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Optional[str] = None) -> None:
    cid = customer_id(tracker)
    topic = topic or tracker.get_slot("scope_topic") or "handoff"
    key = f"{tracker.sender_id}:ticket:{user_turns(tracker)}"
    claim = await store_access.call(
        "open_ticket", cid, tracker.sender_id, topic, transcript_summary(tracker.events or []), key
    )
    say(dispatcher, "utter_handoff_ticket", reference=claim.reference)
    say(dispatcher, "utter_hotline")
    say_hotline_status(dispatcher)


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        await open_ticket(dispatcher, tracker)
        return []
