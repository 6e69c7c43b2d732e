"""Fallback, stop and the limits of the assistant.

Two misunderstandings in a row hand the conversation to a person (a ticket);
one gets an honest "I can help with ..." with the options as buttons. "stop"
ends any form and forgets its answers."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, List, Optional, Set, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (ActionExecuted, ActiveLoop, EventType, FollowupAction, SessionStarted, SlotSet,
                             UserUtteranceReverted)

from actions import (compensation, fault_period, faq, follow_up, icp, in_passing, late_yes, record_match, refund,
                     store_access)
from actions.common import clearly_said, guarded, logger, say
from actions.contact import hotline_just_answered
from actions.forms_base import (CONTINUE, EXPLAIN_AFTER, FAILURES, LAST_CHECK, LEFT_CHECK, PAUSED, answers_of,
                                entity_answers, stated_facts_of)
from actions.identity import customer_id
from bot.nlu.cues import STOP_WORDS_RE
from actions.stated_facts import filing_status_in_text

FALLBACK_INTENT = "nlu_fallback"
#: asking for another check during a form leaves the form for that check
FORM_START_INTENTS = ("request_refund", "report_fault", "ask_icp_reward")
SESSION_START_INTENT = "session_start"
SESSION_METADATA_SLOT = "session_started_metadata"
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
        entities = (tracker.latest_message or {}).get("entities") or []
        if (not (tracker.active_loop or {}).get("name") and latest_intent(tracker) == FALLBACK_INTENT
                and hotline_just_answered(tracker) and any(e.get("entity") == "time" for e in entities)):
            return [FollowupAction("action_hotline")]  # "咁星期六朝早呢？" after the hours
        if not (tracker.active_loop or {}).get("name") and latest_intent(tracker) == FALLBACK_INTENT:
            # "but it is not my fault!! is your maintenance" after an answer: a fact of that check
            reopened = await reopen_last_check(tracker, domain)
            if reopened:
                return reopened
            key = faq.on_current_check(tracker)  # "我需要自己申请吗, 还是自动赔?" after a compensation answer
            if key:
                await faq.answer(dispatcher, tracker, domain, key)
                return []
            if follow_up.follows_up_the_answer(tracker):  # "即係電訊商出事你哋唔負責？"
                return await answer_again(tracker, domain)
        if (latest_intent(tracker) != FALLBACK_INTENT and not (tracker.active_loop or {}).get("name")
                and not answered_this_turn(tracker) and follow_up.follows_up_the_answer(tracker)):
            # "But it is not my fault, the attacker is do it" read as a deny no rule expects:
            # pushing back on the answer just given, which is given again with its reasons
            return await reopen_last_check(tracker, domain) or await answer_again(tracker, domain)
        if (latest_intent(tracker) != FALLBACK_INTENT and not in_form and not (tracker.active_loop or {}).get("name")
                and answered_this_turn(tracker)):
            # a core fallback after an action that already answered ("09:00 then?" routed to
            # the hotline): nothing more to say; forget the message so the bot listens
            return [UserUtteranceReverted()]
        if latest_intent(tracker) != FALLBACK_INTENT and in_form and answered_this_turn(tracker):
            # in a check, after an action that already answered ("and at 18:30 today?" routed
            # to the hotline): no "Sorry", nothing counted; the check's question again
            slot = asked_slot(tracker)
            if slot and f"utter_ask_{slot}" in domain.get("responses", {}):
                dispatcher.utter_message(response=f"utter_ask_{slot}")
            return [UserUtteranceReverted()]
        loop = str((tracker.active_loop or {}).get("name") or "")
        if in_form and loop and follow_up.CHECK_OF_INTENT.get(latest_intent(tracker)) == loop:
            # "Go on then, refund the disk, everything's backed up" inside the refund check: its
            # own answer, which the check reads (no "sorry", nothing counted)
            return [FollowupAction(loop)]
        if fallbacks_in_a_row(tracker.events or []) >= HANDOFF_AFTER:
            # offered, never opened unasked: a ticket needs the customer's clear request
            say(dispatcher, "utter_handoff_after_fallback")
            say(dispatcher, "utter_handoff_offer")
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
        if not (tracker.active_loop or {}).get("name"):
            if follow_up.follows_up_the_answer(tracker):  # "咁即係點呀？我唔用咗都退唔到？" asks, it does not stop
                return await answer_again(tracker, domain)
            # "never mind, let's leave it" right after a check's answer ends that check;
            # with none being discussed, there is nothing to stop
            say(dispatcher, "utter_form_stopped" if tracker.get_slot(LAST_CHECK) else "utter_anything_else")
            return [SlotSet(LAST_CHECK, None)]
        # another check asked for mid-form (rules in data/rules/forms.yml): switch
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        switching = intent in FORM_START_INTENTS
        decline = DECLINES.get(tracker.get_slot("requested_slot") or "")
        if decline is not None and not switching:
            # "no, let me think about it" at "Shall I submit?": a no, never a loss
            said_stop = STOP_WORDS_RE.search(str((tracker.latest_message or {}).get("text") or ""))
            try:  # "actually stop, forget the refund for now": the check ends there
                await decline(dispatcher, tracker, *(["utter_form_stopped"] if said_stop else []))
            except Exception:  # noqa: BLE001 - the store is down: still nothing filed
                logger.exception("decline at confirmation failed")
                say(dispatcher, "utter_form_cancelled")
            return self.ended(tracker, switching)
        if not clearly_said(tracker) and not (switching and names_another_check(tracker)):
            # Ending a check forgets its answers: on a doubtful reading, ask instead.
            # The form stays active and asks its question again.
            say(dispatcher, "utter_switch_unsure" if switching else "utter_stop_unsure")
            return []
        say(dispatcher, "utter_form_switched" if switching else "utter_form_cancelled")
        return self.ended(tracker, switching)

    @staticmethod
    def ended(tracker: Tracker, switching: bool) -> List[EventType]:
        """No form, no answers kept (but what a switch carries to the next check)."""
        slots = set(refund.RESET) | set(compensation.RESET) | set(icp.RESET)
        carried = carry_over(tracker) if switching else {}
        form = str((tracker.active_loop or {}).get("name") or "")
        left = [SlotSet(LEFT_CHECK, answers_of(form, tracker, RESETS[form]))] if switching and form in RESETS else []
        return ([ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(LAST_CHECK, None)] + left
                + [SlotSet(s, carried.get(s)) for s in sorted(slots)])


#: a new question announced ("diff q:", "another question", "btw", "unrelated:")
NEW_QUESTION_RE = re.compile(r"^\W*(?:diff(?:erent)? q(?:uestion)?|another (?:question|thing|matter)|other (?:question|thing|matter)|"
                             r"unrelated|separate (?:question|thing|matter)|new question|btw|by the way|"
                             r"one more thing|second (?:question|thing|matter))\b|^\W*(?:另外|还有个问题|顺便问)", re.I)


def names_another_check(tracker: Tracker) -> bool:
    """A new question announced that names the other check in its own words ("diff q: icp
    reward eligible?"): a clear switch, whatever the classifier's confidence."""
    from bot.nlu.cues import topic_named

    text = str((tracker.latest_message or {}).get("text") or "")
    return bool(NEW_QUESTION_RE.search(text)) and topic_named(text) == latest_intent(tracker)


def switch_asked(tracker: Tracker, form: str) -> Optional[str]:
    """The other check a message inside `form` clearly asks for, in its own words ("ok
    compensation then. it went down at 11:40pm"), when the dialogue let the form read it;
    None otherwise (a doubtful reading is asked about by action_cancel_form)."""
    from bot.nlu.cues import topic_named

    intent = latest_intent(tracker)
    target = follow_up.CHECK_OF_INTENT.get(intent)
    if target is None or target == form or not clearly_said(tracker):
        return None
    text = str((tracker.latest_message or {}).get("text") or "")
    return target if topic_named(text) == intent else None


def switched(dispatcher, tracker: Tracker, target: str) -> List[EventType]:
    """Leave the check for `target` (its answers kept for going back), and start it."""
    say(dispatcher, "utter_form_switched")
    return ActionCancelForm.ended(tracker, True) + [FollowupAction(target)]


#: each check's slots, reset when it ends
RESETS = {"refund_form": refund.RESET, "fault_form": compensation.RESET, "icp_form": icp.RESET}
#: the confirmation questions, and how a check says "not filed" when ended there
DECLINES = {"refund_confirmed": refund.decline, "fault_confirmed": compensation.decline}


#: Facts one check shares with another: (slot in the check left, slot in the next).
SHARED_FACTS = (
    ("fault_order", "refund_item"), ("refund_item", "fault_order"),
    ("customer_tier", "customer_tier"),
)


def carry_over(tracker: Tracker) -> Dict[str, Any]:
    """Facts the customer gave in the check being left that the next one uses too
    (the affected order is the one to refund; VIP or not), so a switch loses nothing
    that still applies."""
    out: Dict[str, Any] = {}
    signed_in = customer_id(tracker) is not None
    for source, target in SHARED_FACTS:
        if source != "customer_tier" and not signed_in:
            continue  # a guest's order id is only ever a hypothetical
        value = tracker.get_slot(source)
        if value not in (None, "none") and target not in out:
            out[target] = value
    return out


def explicit_session_start(events: List[dict]) -> bool:
    """True when the customer typed "/session_start" (the latest user-or-bot event
    is that user message); False for the session Rasa starts by itself before a
    new conversation's first message (nothing to answer yet)."""
    for event in reversed(events):
        if event.get("event") == "bot":
            return False
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            return intent == SESSION_START_INTENT
    return False


class ActionSessionStart(Action):
    """Rasa's session start (SessionStarted, then listen) plus a greeting when the
    customer asked for it with "/session_start": Rasa runs the built-in one
    silently and predicts nothing after it, so every message gets a reply only if
    this action says something. Slots are not carried over (domain session_config);
    the channel's session metadata is."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        metadata = tracker.get_slot(SESSION_METADATA_SLOT)
        if metadata:
            events.append(SlotSet(SESSION_METADATA_SLOT, metadata))
        if explicit_session_start(tracker.events or []):
            say(dispatcher, "utter_greet")
        events.append(ActionExecuted("action_listen"))
        return events


#: Details said outside any form -> the check they belong to (first match wins:
#: an incident or a fault scenario is a fault report even when a billing mode is
#: mentioned; an ICP filing ID is the ICP check; order facts are a refund).
INFORM_ROUTES = (
    ("fault_form", ("incident_id", "scenario")),
    ("icp_form", ("filing_id",)),
    ("refund_form", ("order_id", "resource_id", "billing", "invoice", "resource_state")),
)


def route_for(entities: List[dict]) -> str:
    """The form a detail-only message outside a form belongs to ('' if none)."""
    names = {e.get("entity") for e in entities or []}
    return next((form for form, wanted in INFORM_ROUTES if names & set(wanted)), "")


def answered_this_turn(tracker: Tracker) -> bool:
    """The assistant has already said something since the latest message."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False


class ActionRouteInform(Action):
    """'refund CS2611240001, monthly, bought 3 days ago, no invoice' read as `inform`
    outside any form: start the check its details belong to (the form's entity
    mappings then take every detail at activation). Nothing recognisable: the
    fallback's honest "I can help with ..."."""

    def name(self) -> Text:
        return "action_route_inform"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        entities = (tracker.latest_message or {}).get("entities") or []
        if any(e.get("entity") == "claim_ref" for e in entities):
            return [FollowupAction("action_refund_status")]  # "and RF-DEM00A?"
        if hotline_just_answered(tracker) and any(e.get("entity") == "time" for e in entities):
            return [FollowupAction("action_hotline")]  # "09:00 then?" after the hours
        form = route_for(entities)
        if form:
            return [FollowupAction(form)]
        reopened = await reopen_last_check(tracker, domain)
        if reopened:
            return reopened
        return await ActionFallback().run(dispatcher, tracker, domain)


#: entities that can be a detail of any check (a time, an amount, a product)
DETAIL_ENTITIES = frozenset({"time", "duration", "number", "amount-of-money", "product", "billing", "invoice",
                             "resource_state", "scenario", "order_id", "resource_id"})
#: a check's validation: its stated readers tell whether a message gives it a fact
VALIDATIONS = {"refund_form": refund.ValidateRefundForm, "fault_form": compensation.ValidateFaultForm,
               "icp_form": icp.ValidateIcpForm}


#: the slots that belong to one record of a check (its order, incident or filing and
#: that record's facts); the customer's own facts (tier, refunds this year) stay
RECORD_SLOTS = {
    "refund_form": ("refund_item", "billing", "purchased_at", "invoice", "resource_state", "amount_paid",
                    "unrecoverable_discounts", "refund_confirmed"),
    "fault_form": ("fault_incident", "fault_order", "scenario", "fault_start", "fault_end", "fault_cause",
                   "daily_cost", "fault_when", "fault_confirmed"),
    "icp_form": ("icp_filing", "filing_status", "approved_at", "customer_delay_days", "host_subscription",
                 "host_status", "used_for_website", "first_with_provider"),
}
#: "what about the OBS?", "and the CDN one?", "那CDN呢": a question about another record
ANOTHER_RE = re.compile(r"^\s*(?:and|also|then|what about|how about|and what about|ok(?:ay)?,? (?:and|what about)|"
                        r"same (?:for|question for)|now)\b|\b(?:the other|another|(?:last|next|final) one|one more)\b|^\s*(?:那|还有|另外|那么)|呢[？?]?\s*$",
                        re.I)


async def _record_products(tracker: Tracker, form: str, slots: Dict[str, Any]) -> Set[str]:
    """The products of the record the last check was about (signed in), else empty."""
    cid = customer_id(tracker)
    if not cid:
        return set()
    if form == "refund_form" and slots.get("refund_item"):
        ids = slots["refund_item"] if isinstance(slots["refund_item"], list) else [slots["refund_item"]]
        orders = [await store_access.read(tracker, "find_order", cid, str(i)) for i in ids]
        return {str(o.product).upper() for o in orders if o is not None}
    if form == "fault_form" and slots.get("fault_incident"):
        for incident in await store_access.read(tracker, "incidents", cid):
            if incident.incident_id == slots["fault_incident"]:
                return {str(getattr(incident, "product", "") or "").upper()} - {""}
    return set()


async def record_meant(tracker: Tracker, form: str) -> Dict[str, Any]:
    """The signed-in customer's one order, incident or filing the message singles out
    ("and the OBS object storage?"), as the check's record slot; {} when none or several."""
    cid = customer_id(tracker)
    if not cid:
        return {}
    latest = tracker.latest_message or {}
    said = record_match.clues(latest)
    if form == "refund_form":
        meant = record_match.orders_meant(await store_access.read(tracker, "orders", cid), said)
        return {"refund_item": meant[0].order_id} if len(meant) == 1 else {}
    if form == "fault_form":
        one = record_match.only(record_match.incidents_meant(await store_access.read(tracker, "incidents", cid), said))
        return {"fault_incident": one.incident_id} if one else {}
    text = str(latest.get("text") or "")
    one = record_match.only(record_match.filings_meant(await store_access.read(tracker, "filings", cid), text,
                                                      filing_status_in_text(text)))
    return {"icp_filing": one.filing_id} if one else {}


#: a message correcting the check just answered ("sorry, I meant the 25th", "actually it was ...")
CORRECTING_RE = re.compile(r"\b(?:sorry|i meant|meant to say|correction|actually|not\b|wrong|mistake|typo|misread)|"
                           r"记错|说错|不对|更正|不是", re.I)


def another_fault(latest: Dict[str, Any], slots: Dict[str, Any]) -> bool:
    """A fault described anew (what happened), of another kind or on another day, with no word of correction:
    a new fault, not the one just answered (its cause and times do not carry over)."""
    from actions.stated_facts import scenario_in_text
    from bot.nlu.clock_times import DAY_WORDS_RE

    text = str(latest.get("text") or "")
    if CORRECTING_RE.search(text):
        return False
    scenario = scenario_in_text(text)
    if not scenario:
        return False  # "it was on Tuesday": the day of the same fault, corrected
    if slots.get("scenario") and scenario != slots["scenario"]:
        return True
    start = slots.get("fault_start")
    dated = [e for e in latest.get("entities") or [] if e.get("entity") == "time"
             and DAY_WORDS_RE.search(str(e.get("text") or ""))]
    if not (isinstance(start, str) and dated):
        return False
    days = record_match.clues({**latest, "entities": dated}).days
    return bool(days) and datetime.fromisoformat(start).date() not in days


async def about_another_record(tracker: Tracker, form: str, slots: Dict[str, Any]) -> bool:
    """"then the OBS package", "and the double billing on the CDN?" after an answer: the
    same check on another order, incident or filing (not a correction of this one)."""
    latest = tracker.latest_message or {}
    names = {e.get("entity") for e in latest.get("entities") or []}
    if names & {"order_id", "resource_id", "incident_id", "filing_id"}:
        return True
    if form == "fault_form" and another_fault(latest, slots):
        return True  # "And yesterday afternoon the new instance took 3 hours to show up" after Monday's maintenance
    meant = await record_meant(tracker, form)  # "what about yesterday's, when the new server took ages?"
    if any(slots.get(slot) not in (None, value) for slot, value in meant.items()):
        return True
    said = record_match.clues(latest)
    if not said.products:
        return False
    before = await _record_products(tracker, form, slots)
    if before:
        return not said.products <= before
    return bool(ANOTHER_RE.search(str(latest.get("text") or "")))


async def reopen_last_check(tracker: Tracker, domain: Optional[Dict[str, Any]] = None,
                            any_question: bool = False, facts_only: bool = False,
                            recap: bool = False) -> List[EventType]:
    """"sorry, it came back at 15:00, not 16:00" after the answer: the check that just
    ended, re-opened with its answers; the form takes the new detail and re-decides.
    "and the CDN?": the same check again on that record, with the customer's own facts.
    `any_question`: the caller knows the message is about that check (re-open anyway);
    `facts_only`: re-open only for a fact the check's own readers take from the words;
    `recap`: a question about the answer ("so nothing at all?"): the same answers, no new detail."""
    last = tracker.get_slot(LAST_CHECK)
    if not isinstance(last, dict) or last.get("form") not in VALIDATIONS:
        return []
    if recap:
        kept = [SlotSet(slot, value) for slot, value in (last.get("slots") or {}).items()]
        return kept + [SlotSet(LAST_CHECK, None), FollowupAction(last["form"])]
    latest = tracker.latest_message or {}
    names = {e.get("entity") for e in latest.get("entities") or []}
    validation = VALIDATIONS[last["form"]]
    stated = stated_facts_of(validation.stated_readers, latest.get("text"))
    if facts_only and not stated:
        return []  # only what the check's own readers take counts (not a date or a number)
    if not any_question and not (names & DETAIL_ENTITIES) and not stated:
        return []
    slots = dict(last.get("slots") or {})
    if await about_another_record(tracker, last["form"], slots):
        slots = {k: v for k, v in slots.items() if k not in RECORD_SLOTS[last["form"]]}
        slots.update(await record_meant(tracker, last["form"]))
    # the new details, as the form's own mappings would take them inside the check
    fresh = entity_answers(tracker, domain or {}, last["form"], validation.form_slots)
    if "amount_paid" in fresh and refund.money_is_the_discount(latest.get("text"), fresh["amount_paid"]):
        fresh.pop("amount_paid")  # "用了一张50元的优惠券" after the answer: the coupon, not the amount paid
    slots.update(fresh)
    if last["form"] == "fault_form" and slots.get("fault_when") is not None:
        slots.update(fault_period.corrected_times(tracker, slots.pop("fault_when"), slots))
    kept = [SlotSet(slot, value) for slot, value in slots.items()]
    return kept + [SlotSet(LAST_CHECK, None), FollowupAction(last["form"])]


async def answer_again(tracker: Tracker, domain: Optional[Dict[str, Any]] = None) -> List[EventType]:
    """A question about the answer just given: the check again, with any fact the
    message states ("not my fault!! is your maintenance": the cause), else as it was."""
    return (await reopen_last_check(tracker, domain, facts_only=True)
            or await reopen_last_check(tracker, domain, recap=True))


class ActionOutOfScope(Action):
    """Out of scope, unless it is "what about the OBS then?" right after a check's
    answer: few words, a product, and no check named read as off-topic; that is the
    same check on another record."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        latest = tracker.latest_message or {}
        names = {e.get("entity") for e in latest.get("entities") or []}
        said = str(latest.get("text") or "")
        about_calling = ("time" in names or bool(follow_up.HOTLINE_WORDS_RE.search(said))
                         or bool(re.search(r"\btickets?\b|\bweekends?\b|工单|周末|週末", said, re.I)))
        hotline_again = hotline_just_answered(tracker) and about_calling  # not "any dim sum shop to recommend?"
        if (tracker.active_loop or {}).get("name"):
            # in a check: "and if they only get round to it at 18:30 today?" after the hours
            # is about the hotline; anything else is off topic and the check goes on
            if hotline_again:
                return [FollowupAction("action_hotline")]
            if await in_passing.answer_deadline(dispatcher, tracker):
                return []  # "And how long do I have to decide?": this check's own date
            say(dispatcher, "utter_out_of_scope")
            return []
        if names & {"product", "order_id", "resource_id", "incident_id", "filing_id"}:
            reopened = await reopen_last_check(tracker, domain)
            if reopened:
                return reopened
        key = faq.on_current_check(tracker)
        if key:
            await faq.answer(dispatcher, tracker, domain, key)
            return []
        if follow_up.follows_up_the_answer(tracker):  # "so that's today?? by what time exactly"
            return await answer_again(tracker, domain)
        if hotline_again:
            # "so the earliest would be Monday at nine?", "are tickets read at the weekend too?",
            # "Sorry, I meant half past nine, not half past eight."
            return [FollowupAction("action_hotline")]
        say(dispatcher, "utter_out_of_scope")
        return []


class ActionYesAfterAnswer(Action):
    """"yes, please submit" right after a refund or compensation answer that asked
    nothing: a guest hears how to file (sign in, hotline, ticket); a signed-in
    customer's check already asked whatever it needed."""

    def name(self) -> Text:
        return "action_yes_after_answer"

    @guarded
    async def run(self, dispatcher, tracker: Tracker, domain) -> List[EventType]:
        filing = await late_yes.reopen_to_file(tracker, domain)  # "ok all backed up, yes submit"
        if filing:
            return filing
        say(dispatcher, "utter_anything_else" if customer_id(tracker) else "utter_guest_how_to_file")
        return []
