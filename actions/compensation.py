"""Fault compensation dialog (C1-C6): what happened, when it started and was
fixed (Duckling `time` instants or intervals, `duration` in seconds), the daily
cost (from the order when known), the cause (from the incident record when known,
else left for review), then the amount or "up to", the apply-by date, and filing."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import claims, deadline, facts, fault_period, in_passing, money, record_match, stated_facts, store_access
from actions.common import (decide, guarded, logger, missing_words, next_facts, say, service_down, show_date,
                            show_period, show_time)
from actions.forms_base import (CONTINUE, FAILED, FAILURES, PAUSED, QUESTION_INTENTS, AssuranceFormValidation,
                                forget_and_remember, message_before, previous_value)
from actions.handoff import guest_limits
from actions.identity import customer_id

FORM_SLOTS = (
    "fault_incident",
    "scenario",
    "fault_when",
    "fault_duration",
    "fault_start",
    "fault_end",
    "fault_order",
    "daily_cost",
    "fault_cause",
    "fault_confirmed",
)
RESET = FORM_SLOTS + (CONTINUE, PAUSED, FAILURES, FAILED)
NONE = "none"  # "not listed" / "I don't know" for the incident and order questions
MAX_BUTTONS = 6
TYPED_FACTS = ("scenario", "daily_cost", "fault_start", "fault_end")
#: C4's cause as the customer states it (records win). Never asked: a customer wants the
#: figure, and an unstated cause leaves the application to the review (cause_review).
CAUSE = "fault_cause"


def _chosen(tracker: Tracker, slot: str) -> Optional[str]:
    value = tracker.get_slot(slot)
    return value if isinstance(value, str) and value and value != NONE else None


async def build_case(tracker: Tracker) -> Tuple[Optional[str], Dict[str, Any]]:
    """(customer id, case): records first (incident, order), typed facts fill
    only what no record holds (the store enforces that too)."""
    cid = customer_id(tracker)
    stated_cause = tracker.get_slot(CAUSE) if tracker.get_slot(CAUSE) in stated_facts.CAUSES else None
    if cid:
        typed = {}
        for slot in TYPED_FACTS:
            value = facts.normalize(slot, tracker.get_slot(slot))
            if value is not None and value != "open":
                typed[slot] = value
        if stated_cause:
            typed["cause"] = stated_cause
        base = await _records_case(tracker, cid, typed)
    else:
        base = facts.guest_compensation_case(store_access.turn_now(tracker).isoformat())
        if stated_cause:
            base["cause"] = stated_cause
    return cid, facts.fill_case(base, tracker.slots, next_facts)


async def _records_case(tracker: Tracker, cid: str, typed: Dict[str, Any]) -> Dict[str, Any]:
    """The store's case with the typed facts that fit it: a typed time that contradicts
    the record (another incident was picked, "fixed" before it started) is left out,
    and the form asks for it again instead of failing the check."""
    from bot.policy import PolicyInputError

    now = store_access.turn_now(tracker)
    for _ in range(len(typed) + 1):
        base = await _records_of(tracker, cid, now, typed)
        try:
            next_facts(base)
            return base
        except PolicyInputError as err:
            field = str(getattr(err, "field", "") or "")
            times = ("fault_start", "fault_end")
            dropped = [k for k in typed if k == field or (k in times and field in times)]
            if not dropped:
                raise
            for key in dropped:
                typed.pop(key)
    return base


def excluded_cause_said(tracker: Tracker) -> bool:
    """The customer says the fault had a cause C4 excludes ("the ddos last weekend"): the
    answer is no whatever incident it was, so no incident is asked for first."""
    from bot.policy import load_policy

    return tracker.get_slot(CAUSE) in (load_policy().compensation.get("excluded_causes") or ())


async def order_of_the_fault(tracker: Tracker, cid: str) -> Optional[str]:
    """The order chosen, unless the chosen incident did not affect it (an order carried over
    from a refund check left for this one): the incident's record names its own order."""
    order, incident = _chosen(tracker, "fault_order"), _chosen(tracker, "fault_incident")
    if not order or not incident:
        return order
    found = next((i for i in await store_access.read(tracker, "incidents", cid) if i.incident_id == incident), None)
    return None if found is not None and found.order_ids and order not in found.order_ids else order


async def _records_of(tracker: Tracker, cid: str, now: Any, typed: Dict[str, Any]) -> Dict[str, Any]:
    """The store's case for the incident and order chosen; an order the incident did not
    affect (carried over from a refund check left for this one) gives way to the incident,
    and an id that is not this customer's to no record (validation says so)."""
    from bot.store.errors import NotFound

    incident, order = _chosen(tracker, "fault_incident"), _chosen(tracker, "fault_order")
    tries = [(incident, order)] + ([(incident, None)] if incident and order else []) + [(None, None)]
    for chosen_incident, chosen_order in tries[:-1]:
        try:
            return await store_access.read(tracker, "compensation_case", cid, chosen_incident, chosen_order, now, **typed)
        except NotFound:
            continue
    return await store_access.read(tracker, "compensation_case", cid, None, None, now, **typed)


class ValidateFaultForm(AssuranceFormValidation):
    form_slots = FORM_SLOTS
    stated_readers = {CAUSE: stated_facts.cause_in_text, "daily_cost": stated_facts.daily_cost_in_text,
                      "scenario": stated_facts.scenario_in_text, "fault_end": stated_facts.still_open_in_text}
    confirm_slot = "fault_confirmed"
    checked_slots = ("scenario", "daily_cost", "fault_start", "fault_end")

    def name(self) -> Text:
        return "validate_fault_form"

    async def trial_case(self, tracker: Tracker) -> Optional[Dict[str, Any]]:
        return (await build_case(tracker))[1]

    async def asked_slots(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        cid = customer_id(tracker)
        if cid and tracker.get_slot("fault_incident") is None and not excluded_cause_said(tracker):
            if await store_access.read(tracker, "incidents", cid):
                return ["fault_incident"]
        if await standing_application(tracker, cid) is not None:
            return []  # already filed for this incident: the submit action says which claim
        if not cid and tracker.get_slot("fault_end") == "open":
            return []  # a guest's fault still going on (C5): no figure until it is fixed, nothing to ask yet
        _, case = await build_case(tracker)
        asked = facts.slots_to_ask(next_facts(case))
        if cid and "daily_cost" in asked and tracker.get_slot("fault_order") is None:
            asked.insert(asked.index("daily_cost"), "fault_order")  # C3: the order knows it
        if not asked and tracker.get_slot("fault_confirmed") is None:
            decision = decide(case)
            if (decision["decision"] != "ineligible") if cid else guest_may_file(decision):
                asked = ["fault_confirmed"]
        return asked

    async def answer_in_passing(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                events: List[EventType]) -> None:
        """"By when exactly must that one be submitted?" once the fix time is known: the
        apply-by date (C5), whatever else the check still needs."""
        slots = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
        asking = slots.get("requested_slot", tracker.get_slot("requested_slot"))
        if asking in (None, "fault_confirmed") or not in_passing.asks_a_deadline(tracker):
            return  # the answer with the figure says the date itself
        tracker.slots.update(slots)
        await in_passing.answer_deadline(dispatcher, tracker)

    def facts_on_record(self, tracker: Tracker) -> set:
        if customer_id(tracker) and _chosen(tracker, "fault_incident"):
            return {"scenario", CAUSE}  # (times said against the record are still read back)
        return set()

    def no_facts_said(self, tracker: Tracker) -> set:
        text = (tracker.latest_message or {}).get("text")
        return {"fault_when"} if fault_period.only_now_said(tracker) and not fault_period.end_cue(text) else set()

    def carried_over(self, tracker: Tracker) -> List[EventType]:
        """The fault period said one message before this check started, while another
        check was asked for ("昨天下午2点到3点35宕机了，我要退款" ... "算了，我要故障赔偿"):
        a period with both ends, when this message and the slots say none."""
        if tracker.get_slot("fault_start") or tracker.get_slot("fault_end"):
            return []
        latest = tracker.latest_message or {}
        if any(e.get("entity") in ("time", "duration") for e in latest.get("entities") or []):
            return []
        before = message_before(tracker)
        if ((before.get("intent") or {}).get("name")) == "report_fault":
            return []  # the fault check's own message: its form took what it said
        for entity in before.get("entities") or []:
            value = entity.get("value")
            if entity.get("entity") == "time" and isinstance(value, dict) and value.get("from") and value.get("to"):
                tracker.slots.update({"fault_start": value["from"], "fault_end": value["to"]})
                return [SlotSet("fault_start", value["from"]), SlotSet("fault_end", value["to"])]
        return []

    async def extract_fault_incident(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """"comp for the ECS outage", "the one still down since 8am": the customer's one
        incident that product, day, what happened and "still down" single out."""
        cid = customer_id(tracker)
        latest = tracker.latest_message or {}
        asked = tracker.get_slot("requested_slot") == "fault_incident"
        if not cid or ((latest.get("intent") or {}).get("name") in QUESTION_INTENTS and not asked):
            return {}  # ("The provisioning failure from yesterday ... how is it computed?" answers the question asked)
        chosen = _chosen(tracker, "fault_incident")
        if tracker.get_slot("fault_incident") and not chosen:
            return {}  # "not listed": the customer's own account of it
        incidents = await store_access.read(tracker, "incidents", cid)
        said = record_match.clues(latest)
        if chosen:
            # "also the DDoS on the 22nd", "what about the outage on the 23rd?": a day the
            # chosen incident did not run on names another of the customer's incidents
            current = next((i for i in incidents if i.incident_id == chosen), None)
            if not said.days or current is None or record_match.ran_on(current, said.days):
                return {}
        meant = record_match.only(record_match.incidents_meant(incidents, said))
        if meant is None or meant.incident_id == chosen:
            return {}
        return {"fault_incident": meant.incident_id} | ({"fault_confirmed": None} if chosen else {})

    async def validate_fault_incident(self, value, dispatcher, tracker, domain):
        if value == NONE:
            return {"fault_incident": NONE}
        cid = customer_id(tracker)
        ident = facts.parse_id(value, "incident_id")  # only a real id is ever said back
        incidents = {i.incident_id: i for i in await store_access.read(tracker, "incidents", cid)} if cid else {}
        if ident and ident in incidents:
            order = _chosen(tracker, "fault_order")
            if order and incidents[ident].order_ids and order not in incidents[ident].order_ids:
                # the order of a refund check left for this one: the incident's own order counts
                return {"fault_incident": ident, "fault_order": None, FAILURES: 0.0}
            return {"fault_incident": ident, FAILURES: 0.0}
        if ident:
            say(dispatcher, "utter_incident_not_found", incident=ident)
        return self.failed("fault_incident", dispatcher, tracker, domain, said=bool(ident)) | {"fault_incident": None}

    async def validate_fault_order(self, value, dispatcher, tracker, domain):
        if value == NONE:
            return {"fault_order": NONE}
        cid = customer_id(tracker)
        ident = facts.parse_id(value, "order_id", "resource_id")  # only a real id is said back
        if cid and ident:
            order = await store_access.read(tracker, "find_order", cid, ident)
            if order is not None:
                return {"fault_order": order.order_id, FAILURES: 0.0}
            say(dispatcher, "utter_order_not_found", item=ident)
        return self.failed("fault_order", dispatcher, tracker, domain, said=bool(cid and ident)) | {"fault_order": None}

    def validate_fault_cause(self, value, dispatcher, tracker, domain):
        return {CAUSE: value if value in stated_facts.CAUSES else "unknown"}

    async def validate_fault_when(self, value, dispatcher, tracker, domain):
        """A time said anywhere in the form: an interval fills both ends, an
        instant the end being asked (the start by default)."""
        target = fault_period.said_period(tracker, value)
        if target is None:
            return {"fault_when": None}
        out: Dict[Text, Any] = {"fault_when": None}
        if not target:
            return self.failed("fault_start" if tracker.get_slot("requested_slot") == "fault_start" else "fault_end", dispatcher, tracker, domain) | out
        for slot, moment in target.items():
            checked = await self.check(slot, moment, dispatcher, tracker, domain)
            out.update(checked)
            tracker.slots.update(checked)
        seconds = facts.parse_duration(tracker.get_slot("fault_duration"))
        if (seconds is not None and out.get("fault_start") and "fault_end" not in target
                and fault_period.duration_applies(tracker.get_slot("requested_slot"), previous_value(tracker, "fault_end"))):
            out.update(await self.check("fault_end", facts.add_seconds(out["fault_start"], seconds), dispatcher, tracker, domain))
            out["fault_duration"] = None
        return out

    async def validate_fault_duration(self, value, dispatcher, tracker, domain):
        """"for 95 minutes": with a known start the end is start + duration;
        otherwise the duration waits for the start."""
        seconds = facts.parse_duration(value)
        start = facts.normalize("fault_start", tracker.get_slot("fault_start"))
        requested = tracker.get_slot("requested_slot")
        if seconds is None or not fault_period.duration_applies(requested, tracker.get_slot("fault_end")):
            return {"fault_duration": None}  # e.g. "48 yuan a day" answers the daily cost
        if start:
            end = facts.add_seconds(start, seconds)
            return (await self.check("fault_end", end, dispatcher, tracker, domain)) | {"fault_duration": None}
        return {"fault_duration": seconds}

    def validate_fault_confirmed(self, value, dispatcher, tracker, domain):
        return self.validate_confirmation("fault_confirmed", value, dispatcher, tracker, domain)


def _buttons_incidents(incidents: List[Any], notes: Optional[Dict[str, str]] = None) -> List[Dict[str, str]]:
    """One button per incident (its title says why it cannot succeed, when it cannot)."""
    notes = notes or {}
    buttons = [
        {"title": notes.get(i.incident_id) or _incident_title(i),
         "payload": f'/inform{{"incident_id":"{i.incident_id}"}}'}
        for i in incidents[:MAX_BUTTONS]
    ]
    return buttons + [{"title": "None of these", "payload": "/deny"}]


def _incident_title(incident: Any) -> str:
    return f"{incident.incident_id} · {incident.product} · {show_date(incident.started_at)}"


async def incident_notes(tracker: Tracker, domain: DomainDict, cid: str, incidents: List[Any]) -> Dict[str, str]:
    """incident id -> a title saying why it cannot succeed: the application already
    filed for it, or the rules the policy fails it on (C4, C5) on the stored facts."""
    from bot.policy import PolicyInputError
    from bot.store.errors import NotFound

    held = await claims.held_targets(tracker, cid, "compensation")
    notes: Dict[str, str] = {}
    for incident in incidents[:MAX_BUTTONS]:
        choice = _incident_title(incident)
        if incident.incident_id in held:
            notes[incident.incident_id] = claims.render(domain, "utter_choice_claimed", choice=choice,
                                                        reference=held[incident.incident_id].reference)
            continue
        try:
            case = await store_access.read(tracker, "compensation_case", cid, incident.incident_id, None,
                                           store_access.turn_now(tracker))
            decision = decide(case)
        except (NotFound, PolicyInputError):
            continue
        if decision.get("decision") == "ineligible":
            notes[incident.incident_id] = claims.render(domain, "utter_choice_ineligible", choice=choice,
                                                        rules=claims.rule_names(decision.get("rules_failed") or []))
    return notes


async def standing_application(tracker: Tracker, cid: Optional[str]) -> Optional[Any]:
    """The signed-in customer's standing compensation claim for the chosen incident."""
    incident = _chosen(tracker, "fault_incident")
    return await claims.standing(tracker, cid, "compensation", incident) if incident else None


class ActionAskFaultIncident(Action):
    def name(self) -> Text:
        return "action_ask_fault_incident"

    @guarded
    async def run(self, dispatcher, tracker, domain):
        cid = customer_id(tracker)
        incidents = await store_access.read(tracker, "incidents", cid) if cid else []
        notes = await incident_notes(tracker, domain, cid, incidents) if cid else {}
        dispatcher.utter_message(response="utter_ask_fault_incident", buttons=_buttons_incidents(incidents, notes))
        return []


class ActionAskFaultOrder(Action):
    def name(self) -> Text:
        return "action_ask_fault_order"

    @guarded
    async def run(self, dispatcher, tracker, domain):
        cid = customer_id(tracker)
        orders = await store_access.read(tracker, "orders", cid) if cid else []
        orders = sorted(orders, key=lambda o: o.purchased_at, reverse=True)[:MAX_BUTTONS]
        buttons = [{"title": f"{o.order_id} · {o.product} ({o.resource_id})",
                    "payload": f'/inform{{"order_id":"{o.order_id}"}}'} for o in orders]
        buttons.append({"title": "Not listed", "payload": "/deny"})
        dispatcher.utter_message(response="utter_ask_fault_order", buttons=buttons)
        return []


def show_minutes(value: Any) -> str:
    """The policy's exact minute count for people: "95.00" -> "95", "95.50" -> "95.5"
    (display only; the amount is the policy's, computed from the exact value)."""
    from decimal import Decimal, InvalidOperation

    try:
        minutes = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value or "")
    if not minutes.is_finite():
        return str(value)
    text = format(minutes, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cause_words(cause: Any) -> str:
    """C4's published bullet for an excluded cause (the policy's words, not ours)."""
    from bot.policy import load_policy

    clauses = load_policy().compensation.get("cause_clauses") or {}
    return str(clauses.get(cause) or str(cause or "").replace("_", " "))


def decision_facts(case: Dict[str, Any], decision: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "cause": cause_words(case.get("cause")),
        "compensation": decision.get("compensation", ""),
        "multiplier": decision.get("multiplier", ""),
        "duration_minutes": show_minutes(decision.get("duration_minutes", "")),
        "daily_cost": case.get("daily_cost", ""),
        "period": show_period(case.get("fault_start"), case.get("fault_end")),
        "fault_start": show_time(case.get("fault_start")),
        "fault_end": show_time(case.get("fault_end")),
        "apply_by": show_time(decision.get("apply_by")),
    }


def present(dispatcher: CollectingDispatcher, domain: DomainDict, case: Dict[str, Any], decision: Dict[str, Any],
            currency: Optional[str] = None, guest: bool = False) -> None:
    """Amount ("up to" under C2) in the conversation's `currency`, apply-by (C5),
    SLA note (C6), or every blocker. A guest's unknown cause is a condition of the
    amount (a qualified yes); a filed claim's is a review still to come."""
    shown = decision_facts(case, decision)
    state = decision.get("decision")
    waiting = decision.get("waiting_for") or []
    if state == "ineligible":
        say(dispatcher, "utter_fault_ineligible", **shown)
        from actions.refund import say_rules

        say_rules(dispatcher, domain, "utter_fault_rule_", decision, shown, currency)
        return
    if shown["period"] and decision.get("duration_minutes") not in (None, ""):
        # the period read back in the customer's terms before any figure (C3)
        say(dispatcher, "utter_fault_period", **shown)
    if decision.get("compensation") not in (None, ""):
        cap = decision.get("multiplier_is_cap") is True
        say(dispatcher, "utter_fault_amount_cap" if cap else "utter_fault_amount", currency=currency, **shown)
    # a guest who said nothing of the cause gets a qualified yes; one who says they
    # don't know it hears that it is reviewed
    qualified = guest and waiting == ["cause_review"] and not decision.get("missing") and not case.get("cause")
    if "cause_review" in waiting:
        say(dispatcher, "utter_fault_cause_condition" if qualified else "utter_fault_cause_review")
    if "fault_rectified" in waiting:
        say(dispatcher, "utter_fault_still_open")
    closes = deadline.soon_words(decision.get("apply_by"), case.get("now"))
    if closes:  # C5 closes within a day: say when, in words
        say(dispatcher, "utter_fault_apply_by_soon", closes=closes)
    elif decision.get("apply_by"):
        say(dispatcher, "utter_fault_apply_by", **shown)
    if state == "eligible" or qualified:
        say(dispatcher, "utter_fault_sla_note")
    if state == "undetermined" and decision.get("missing"):
        say(dispatcher, "utter_fault_undetermined", missing=missing_words(decision["missing"]))


class ActionAskFaultConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_fault_confirmed"

    @guarded
    async def run(self, dispatcher, tracker, domain):
        cid, case = await build_case(tracker)
        held = await standing_application(tracker, cid)
        if held is not None:  # never the figure and "shall I file" for an incident already claimed
            claims.say_exists(dispatcher, claims.view_facts(held))
            return []
        present(dispatcher, domain, case, decide(case), await money.currency_of(tracker), guest=not cid)
        if not cid:  # a guest: what filing without an account means
            say(dispatcher, "utter_guest_claim_how")
        say(dispatcher, "utter_ask_fault_confirmed")
        return []


class ActionFaultSubmit(Action):
    """After the form: file the application (verified customer, said yes) or explain."""

    def name(self) -> Text:
        return "action_fault_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            await self._run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001
            logger.exception("fault submit failed")
            service_down(dispatcher)
        return forget_and_remember("fault_form", tracker, RESET)

    async def _run(self, dispatcher, tracker, domain) -> None:
        if tracker.get_slot(FAILED):
            return
        if tracker.get_slot(CONTINUE) is False:
            say(dispatcher, "utter_form_stopped")
            return
        cid, case = await build_case(tracker)
        held = await standing_application(tracker, cid)
        if held is not None:  # already filed for this incident: say which claim, file nothing
            claims.say_exists(dispatcher, claims.view_facts(held))
            return
        decision = decide(case)
        currency = await money.currency_of(tracker)
        if not cid:
            confirmed = tracker.get_slot("fault_confirmed")
            if confirmed is True and guest_may_file(decision):
                await file_guest_application(dispatcher, tracker, case, decision, currency)
            elif confirmed is False:
                say_declined(dispatcher, tracker, case, decision)
            else:
                present(dispatcher, domain, case, decision, currency, guest=True)
                say(dispatcher, "utter_guest_how_to_file")
            return
        if decision.get("decision") == "ineligible":
            present(dispatcher, domain, case, decision, currency)
            return
        if tracker.get_slot("fault_confirmed") is not True:
            say_declined(dispatcher, tracker, case, decision)
            return
        from bot.store.errors import ClaimExists, NotEligible

        key = f"{tracker.sender_id}:compensation:{_chosen(tracker, 'fault_incident') or ''}:{case.get('fault_start', '')}"
        details = {"conversation_id": tracker.sender_id}
        if _chosen(tracker, "fault_incident"):
            details["incident_id"] = _chosen(tracker, "fault_incident")
        order = await order_of_the_fault(tracker, cid)
        if order:
            details["order_id"] = order
        try:
            claim = await store_access.call("submit_claim", cid, "compensation", case, decision, key, details)
        except ClaimExists as err:  # filed meanwhile (another conversation): name that claim
            claims.say_exists(dispatcher, claims.error_facts(err))
            return
        except NotEligible:
            say(dispatcher, "utter_fault_changed")
            return
        say(dispatcher, "utter_fault_filed", reference=claim.reference)


def guest_may_file(decision: Dict[str, Any]) -> bool:
    """A guest's fault with a figure that is not refused (a qualified yes included):
    the guest may file it as an application our team verifies against the account."""
    return decision.get("decision") != "ineligible" and decision.get("compensation") not in (None, "")


async def file_guest_application(dispatcher: CollectingDispatcher, tracker: Tracker, case: Dict[str, Any],
                                 decision: Dict[str, Any], currency: Optional[str]) -> None:
    """File a guest's compensation application as stated (unverified, owned by the conversation)."""
    from bot.store.errors import TicketLimitReached

    key = f"{tracker.sender_id}:compensation:guest:{case.get('fault_start', '')}:{case.get('fault_end', '')}"
    try:
        claim = await store_access.call("submit_guest_claim", tracker.sender_id, "compensation", case, decision,
                                        key, currency=currency or "CNY", **guest_limits(tracker))
    except TicketLimitReached:
        say(dispatcher, "utter_guest_claim_limit")
        return
    say(dispatcher, "utter_fault_filed_guest", reference=claim.reference)


def say_declined(dispatcher: CollectingDispatcher, tracker: Tracker, case: Dict[str, Any],
                 decision: Dict[str, Any], reply: str = "utter_fault_not_filed") -> None:
    """A "no" to filing: nothing filed, and once, when the C5 window closes soon."""
    say(dispatcher, reply)
    from actions.contact import answer_hotline_in_passing

    answer_hotline_in_passing(dispatcher, tracker)  # "No, don't submit then. What's your hotline, can I call now?"
    deadline.warn_once(dispatcher, tracker, "utter_fault_declined_deadline", decision.get("apply_by"),
                       case.get("now"))


async def decline(dispatcher: CollectingDispatcher, tracker: Tracker, reply: str = "utter_fault_not_filed") -> None:
    """The customer ends the check at "Shall I file it?": the same as a no (`reply`:
    "let's leave it there" when they said stop)."""
    _, case = await build_case(tracker)
    say_declined(dispatcher, tracker, case, decide(case), reply)
