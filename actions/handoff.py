"""Handoff to a person: a service ticket (H1, 24/7) carrying a transcript
summary, plus the hotline hours and whether it is open now (H2).

Guests may open only a few tickets (issue 9, finding 7): per conversation, and per
client address (the keyed address the channel puts in the message metadata), within
the store's rolling window. Past either, the guest is told so and given the hotline.
Signed-in customers are not limited here."""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import store_access
from actions.common import answered_just_before, clearly_said, guarded, say, say_hotline_status
from actions.identity import customer_id
from bot.channels.common import ADDRESS_KEY, CLIENT_ADDRESS_KEY

logger = logging.getLogger(__name__)

#: the responses that offer a ticket; a plain "yes" after one of them asks for it
TICKET_OFFERS = frozenset({"utter_offer_ticket", "utter_handoff_offer"})
MAX_LINES = 20
MAX_SUMMARY = 3900
#: Guest tickets per conversation and per client address in the store's window (24 h);
#: the environment variables below override them (0 refuses every guest ticket).
GUEST_TICKETS_PER_CONVERSATION = 3
GUEST_TICKETS_PER_ADDRESS = 10
PER_CONVERSATION_ENV = "ASSURANCE_GUEST_TICKETS_PER_CONVERSATION"
PER_ADDRESS_ENV = "ASSURANCE_GUEST_TICKETS_PER_ADDRESS"


def _limit(env: str, default: int) -> int:
    raw = os.environ.get(env, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        logger.warning("%s=%r is not a whole number >= 0; using %d", env, raw, default)
        return default
    return value


def client_address(tracker: Tracker) -> Optional[str]:
    """The keyed client address the channel put on the latest user message, if any."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            value = metadata.get(CLIENT_ADDRESS_KEY) if isinstance(metadata, Mapping) else None
            return value if isinstance(value, str) and ADDRESS_KEY.fullmatch(value) else None
    return None


def guest_limits(tracker: Tracker) -> Dict[str, Any]:
    """The store's guest-ticket limit arguments for this conversation."""
    return {"client_key": client_address(tracker),
            "max_per_conversation": _limit(PER_CONVERSATION_ENV, GUEST_TICKETS_PER_CONVERSATION),
            "max_per_client": _limit(PER_ADDRESS_ENV, GUEST_TICKETS_PER_ADDRESS)}


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


def ticket_was_offered(events: List[Dict[str, Any]]) -> bool:
    """True when the assistant's turn before the latest message offered a ticket."""
    return answered_just_before(events, TICKET_OFFERS)


def asked_for_ticket(tracker: Tracker) -> bool:
    """A clear request (a person or a ticket asked for, read with confidence), or a
    clear yes to the ticket the assistant just offered. A doubtful reading (a person
    asked for in words the classifier read as something else, bot/nlu/cues.py) is
    answered with the offer: a ticket is never opened on a guess."""
    if clearly_said(tracker, "affirm"):
        return ticket_was_offered(tracker.events or [])
    return clearly_said(tracker)


def user_turns(tracker: Tracker) -> int:
    return sum(1 for e in tracker.events or [] if e.get("event") == "user")


async def open_ticket(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Optional[str] = None) -> None:
    from bot.store.errors import TicketLimitReached

    cid = customer_id(tracker)
    topic = topic or tracker.get_slot("scope_topic") or "handoff"
    key = f"{tracker.sender_id}:ticket:{user_turns(tracker)}"
    try:
        claim = await store_access.call(
            "open_ticket", cid, tracker.sender_id, topic, transcript_summary(tracker.events or []), key,
            **({} if cid else guest_limits(tracker)),
        )
    except TicketLimitReached as err:
        logger.info("guest ticket refused for %s: %s", tracker.sender_id, err)
        say(dispatcher, "utter_ticket_limit")
        say_hotline_status(dispatcher)
        return
    say(dispatcher, "utter_handoff_ticket", reference=claim.reference)
    say(dispatcher, "utter_hotline")
    say_hotline_status(dispatcher)


class ActionHandoff(Action):
    def name(self) -> Text:
        return "action_handoff"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        if clearly_said(tracker, "affirm") and not ticket_was_offered(tracker.events or []):
            from actions import late_yes

            filing = await late_yes.reopen_to_file(tracker, domain)  # "ok i backd it all up already go ahed submit"
            if filing:
                return filing
            say(dispatcher, "utter_anything_else")  # a yes to something else, not a request
            return []
        if not asked_for_ticket(tracker):
            # A ticket is opened only when the customer clearly asks for a person.
            say(dispatcher, "utter_handoff_offer")
            return []
        await open_ticket(dispatcher, tracker)
        return []
