"""Fault compensation dialog (C1-C6): what happened, when it started and was
fixed (Duckling `time` instants or intervals, `duration` in seconds), the daily
cost (from the order when known), the cause (from the incident record when known,
else left for review), then the amount or "up to", the apply-by date, and filing."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import claims, deadline, facts, money, record_match, stated_facts, store_access
from actions.common import (decide, guarded, logger, missing_words, next_facts, say, service_down, show_date,
                            show_period, show_time)
from actions.forms_base import (CONTINUE, FAILED, FAILURES, PAUSED, QUESTION_INTENTS, AssuranceFormValidation,
                                forget_and_remember, message_before, previous_value, said_values,
                                taken_back_values)
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
        from bot.store.errors import NotFound

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
    from bot.store.errors import NotFound

    now = store_access.turn_now(tracker)
    for _ in range(len(typed) + 1):
        try:
            base = await store_access.read(tracker, "compensation_case", cid, _chosen(tracker, "fault_incident"),
                                           _chosen(tracker, "fault_order"), now, **typed)
        except NotFound:  # an id that is not this customer's: validation says so
            base = await store_access.read(tracker, "compensation_case", cid, None, None, now, **typed)
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


class ValidateFaultForm(AssuranceFormValidation):
    form_slots = FORM_SLOTS
    stated_readers = {CAUSE: stated_facts.cause_in_text, "daily_cost": stated_facts.daily_cost_in_text,
                      "scenario": stated_facts.scenario_in_text, "fault_end": stated_facts.still_open_in_text}
    confirm_slot = "fault_confirmed"

    def name(self) -> Text:
        return "validate_fault_form"

    async def trial_case(self, tracker: Tracker) -> Optional[Dict[str, Any]]:
        return (await build_case(tracker))[1]

    async def asked_slots(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        cid = customer_id(tracker)
        if cid and tracker.get_slot("fault_incident") is None:
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
        if not cid or tracker.get_slot("fault_incident") or (latest.get("intent") or {}).get("name") in QUESTION_INTENTS:
            return {}
        incidents = await store_access.read(tracker, "incidents", cid)
        meant = record_match.only(record_match.incidents_meant(incidents, record_match.clues(latest)))
        return {"fault_incident": meant.incident_id} if meant else {}

    async def validate_fault_incident(self, value, dispatcher, tracker, domain):
        if value == NONE:
            return {"fault_incident": NONE}
        cid = customer_id(tracker)
        ident = facts.parse_id(value, "incident_id")  # only a real id is ever said back
        known = {i.incident_id for i in await store_access.read(tracker, "incidents", cid)} if cid else set()
        if ident and ident in known:
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

    async def validate_scenario(self, value, dispatcher, tracker, domain):
        return await self.check("scenario", value, dispatcher, tracker, domain)

    async def validate_daily_cost(self, value, dispatcher, tracker, domain):
        return await self.check("daily_cost", value, dispatcher, tracker, domain)

    async def validate_fault_start(self, value, dispatcher, tracker, domain):
        return await self.check("fault_start", value, dispatcher, tracker, domain)

    async def validate_fault_end(self, value, dispatcher, tracker, domain):
        return await self.check("fault_end", value, dispatcher, tracker, domain)

    async def validate_fault_when(self, value, dispatcher, tracker, domain):
        """A time said anywhere in the form: an interval fills both ends, an
        instant the end being asked (the start by default)."""
        text = (tracker.latest_message or {}).get("text")
        if only_now_said(tracker) and not end_cue(text):
            return {"fault_when": None}  # "my husband checked the bill just now": no time of the fault
        kept = said_values(tracker, "time")  # "at 15:00, not 16:00": 16:00 is taken back
        if kept and not isinstance(value, list) and value not in kept:
            value = kept[0] if len(kept) == 1 else kept  # Rasa's mapping kept the last time said, the one taken back
        exact = [k for k in kept if not (isinstance(k, dict) and k.get("approximate"))]
        if exact and len(exact) < len(kept):
            # "last night, from around 11 until 1 ... this morning": the day parts say no end
            kept = exact
            value = exact if len(exact) > 1 else exact[0]
        joined = one_period(kept)
        if joined is not None:  # "wed 10:00 ... till 16:00": one period said in two pieces
            kept, value = [joined], joined
        periods = [k for k in kept if isinstance(k, dict) and k.get("from") and k.get("to")]
        if periods and len(kept) > 1:  # "from 08:30 to 10:00 ... it is now 27 Nov 10:00": the period
            kept, value = periods[:1], periods[0]
        if len(kept) > 1 and all(isinstance(k, str) for k in kept):
            value = kept  # "went down at 7:00 and came back at 8:30": Rasa's mapping keeps one
        elif isinstance(value, list):
            value = kept[0] if len(kept) == 1 else (kept or value)
        said = value[-1] if isinstance(value, list) and value else value
        if isinstance(said, dict) and said.get("approximate"):
            # "about 3 hours last night": the day part says neither end; the form asks
            # when it started (a duration said with it waits for the start)
            return {"fault_when": None}
        target = fault_when_target(value, tracker.get_slot("requested_slot"), tracker.get_slot("fault_start"), text)
        if len(target) == 2 and not said_a_day(tracker):
            # "sorry i meant 1pm to 3:30pm" (the day known), "From 9:10 to 11:40" after
            # "on Wednesday morning": clock times only, on the day already said
            anchor = previous_value(tracker, "fault_start") or day_said_before(tracker)
            if anchor:
                target = on_the_day_of(target, anchor)
        if len(target) == 1:
            (slot, moment), = target.items()
            other = previous_value(tracker, "fault_end" if slot == "fault_start" else "fault_start")
            replaced = on_the_day_replaced(moment, previous_value(tracker, slot), taken_back_values(tracker, "time"))
            if replaced:  # "it came back 09:30 not 10:30": on the day of the 10:30 it replaces
                target = {slot: replaced}
            else:
                moment = closest_reading(slot, moment, other, clock_alternatives(tracker, moment))
                target = {slot: same_day_as_other_end(slot, moment, other)}
        out: Dict[Text, Any] = {"fault_when": None}
        if not target:
            return self.failed("fault_start" if tracker.get_slot("requested_slot") == "fault_start" else "fault_end", dispatcher, tracker, domain) | out
        for slot, moment in target.items():
            checked = await self.check(slot, moment, dispatcher, tracker, domain)
            out.update(checked)
            tracker.slots.update(checked)
        seconds = facts.parse_duration(tracker.get_slot("fault_duration"))
        if (seconds is not None and out.get("fault_start") and "fault_end" not in target
                and duration_applies(tracker.get_slot("requested_slot"), previous_value(tracker, "fault_end"))):
            out.update(await self.check("fault_end", facts.add_seconds(out["fault_start"], seconds), dispatcher, tracker, domain))
            out["fault_duration"] = None
        return out

    async def validate_fault_duration(self, value, dispatcher, tracker, domain):
        """"for 95 minutes": with a known start the end is start + duration;
        otherwise the duration waits for the start."""
        seconds = facts.parse_duration(value)
        start = facts.normalize("fault_start", tracker.get_slot("fault_start"))
        requested = tracker.get_slot("requested_slot")
        if seconds is None or not duration_applies(requested, tracker.get_slot("fault_end")):
            return {"fault_duration": None}  # e.g. "48 yuan a day" answers the daily cost
        if start:
            end = facts.add_seconds(start, seconds)
            return (await self.check("fault_end", end, dispatcher, tracker, domain)) | {"fault_duration": None}
        return {"fault_duration": seconds}

    def validate_fault_confirmed(self, value, dispatcher, tracker, domain):
        return self.validate_confirmation("fault_confirmed", value, dispatcher, tracker, domain)


#: "just now", "right now": the moment of speaking, a fault time only with a cue ("back just now")
NOW_WORDS_RE = re.compile(r"^\s*(?:just |right )?now\s*$|^\s*(?:刚才|刚刚|现在)\s*$", re.I)


def only_now_said(tracker: Tracker) -> bool:
    """The message's only times are "now" words."""
    times = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == "time"]
    return bool(times) and all(NOW_WORDS_RE.match(str(e.get("text") or "")) for e in times)


def duration_applies(requested: Optional[str], fault_end: Any) -> bool:
    """Pure: a duration ("for 95 minutes") says when the fault ended only while the
    end is open or being asked; "48 yuan a day" while the daily cost is asked is not one."""
    if requested in ("fault_start", "fault_end"):
        return True
    return requested is None and fault_end is None


_START_CUE = re.compile(r"\b(start(?:ed|s)?|began|begin|beginning|since|from)\b|开始|从", re.I)
_END_CUE = re.compile(r"\b(fixed|ended|ends|end|until|till|restored|recovered|resolved|came back|back (?:up|online))\b|"
                      r"恢复|修好|才好|好了|结束", re.I)


def end_cue(text: Any) -> Optional[str]:
    """Pure: 'it started at 1pm' -> 'fault_start'; 'fixed at 4' -> 'fault_end'; else None."""
    if not isinstance(text, str):
        return None
    start, end = _START_CUE.search(text), _END_CUE.search(text)
    if start and not end:
        return "fault_start"
    if end and not start:
        return "fault_end"
    return None


def corrected_times(tracker: Tracker, value: Any, known: Dict[str, Any]) -> Dict[str, str]:
    """"sorry, it came back at 15:00, not 16:00" after the answer: the fault end(s) the
    new time replaces, read against the times already known."""
    text = (tracker.latest_message or {}).get("text")
    target = fault_when_target(value, None, known.get("fault_start"), text)
    if len(target) == 1:
        (slot, moment), = target.items()
        other = known.get("fault_end" if slot == "fault_start" else "fault_start")
        replaced = on_the_day_replaced(moment, known.get(slot), taken_back_values(tracker, "time"))
        target = {slot: replaced or closest_reading(slot, moment, other, clock_alternatives(tracker, moment))}
    elif len(target) == 2 and known.get("fault_start") and not said_a_day(tracker):
        target = on_the_day_of(target, known["fault_start"])  # "sorry, I meant 1pm to 3:30pm": same day
    return target


def said_a_day(tracker: Tracker) -> bool:
    """The latest message names a day for its times (not only clock times)."""
    from bot.nlu.clock_times import DAY_WORDS_RE

    return any(e.get("entity") == "time" and DAY_WORDS_RE.search(str(e.get("text") or ""))
               for e in (tracker.latest_message or {}).get("entities") or [])


def day_said_before(tracker: Tracker) -> Optional[str]:
    """The day of a day part said in the message before ("on Wednesday morning"), which
    gave no clock time: a clock range said next is on that day."""
    for entity in message_before(tracker).get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == "time" and isinstance(value, dict) and value.get("approximate") and value.get("from"):
            return value["from"]
    return None


def on_the_day_of(target: Dict[str, str], known_start: Any) -> Dict[str, str]:
    """Pure: a corrected period said in clock times only, moved onto the day of the
    start it corrects (its length kept)."""
    start_iso, end_iso = facts.parse_time(target.get("fault_start")), facts.parse_time(target.get("fault_end"))
    before = facts.parse_time(known_start)
    if not (start_iso and end_iso and before):
        return target
    start, end, day = (datetime.fromisoformat(v) for v in (start_iso, end_iso, before))
    moved = day.replace(hour=start.hour, minute=start.minute, second=start.second)
    return {"fault_start": moved.isoformat(), "fault_end": (moved + (end - start)).isoformat()}


def clock_alternatives(tracker: Tracker, moment: str) -> List[str]:
    """The other readings of a bare clock time ("at 4": 04:00 or 16:00) the NLU kept."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        info = entity.get("additional_info") or {}
        if entity.get("entity") == "time" and entity.get("value") == moment:
            return list(info.get("clock_alternatives") or [])
    return []


def closest_reading(slot: str, moment: str, other: Any, readings: List[str]) -> str:
    """Pure: of a clock time's readings, the end nearest after the known start, or the
    start nearest before the known end ("from 2pm yesterday ... fixed at 4" is 16:00)."""
    other_iso = facts.parse_time(other) if other else None
    if not other_iso or len(readings) < 2:
        return moment
    ref = datetime.fromisoformat(other_iso)
    times = [datetime.fromisoformat(r) for r in readings]
    if slot == "fault_end":
        after = [t for t in times if t > ref]
        return min(after).isoformat() if after else moment
    before = [t for t in times if t < ref]
    return max(before).isoformat() if before else moment


def same_day_as_other_end(slot: str, moment: str, other: Any) -> str:
    """Pure: a time of day said as a correction ("it started at 1pm" after
    "yesterday 2pm till 3:35pm") resolves to today; when that puts the start after
    the known end (or the end before the known start) by less than a day, it meant
    the other end's day: move it by one day (C3 counts from start to fix)."""
    other_iso = facts.parse_time(other) if other else None
    if not other_iso:
        return moment
    at, ref = datetime.fromisoformat(moment), datetime.fromisoformat(other_iso)
    if slot == "fault_start" and ref < at < ref + timedelta(days=1):
        return (at - timedelta(days=1)).isoformat()
    if slot == "fault_end" and ref - timedelta(days=1) < at < ref:
        return (at + timedelta(days=1)).isoformat()
    return moment


def on_the_day_replaced(moment: str, known: Any, taken_back: List[Any]) -> Optional[str]:
    """Pure: "09:30 not 10:30" when the known end is 10:30 on 20 Nov: 09:30 on 20 Nov (the
    day of the time it replaces); None when no taken-back time has the known clock time."""
    known_iso = facts.parse_time(known) if known else None
    new_iso = facts.parse_time(moment)
    if not known_iso or not new_iso:
        return None
    was, new = datetime.fromisoformat(known_iso), datetime.fromisoformat(new_iso)
    for value in taken_back:
        back_iso = facts.parse_time(value) if isinstance(value, str) else None
        if back_iso and datetime.fromisoformat(back_iso).strftime("%H:%M") in (
                was.strftime("%H:%M"), (was + timedelta(hours=12)).strftime("%H:%M"),
                (was - timedelta(hours=12)).strftime("%H:%M")):
            return was.replace(hour=new.hour, minute=new.minute, second=new.second).isoformat()
    return None


def instant_pair(value: Any) -> Optional[Dict[str, str]]:
    """Pure: "it went down at 7:00 and came back at 8:30" gives two instants in one
    message: the first is the start, the second the end on the start's day (the next
    day when its clock time is earlier: "11pm ... back at 1am")."""
    if not isinstance(value, list):
        return None
    instants = [facts.parse_time(v) for v in value if not isinstance(v, Mapping)]
    instants = [i for i in instants if i]
    if len(instants) != 2:
        return None
    start, end = (datetime.fromisoformat(i) for i in instants)
    end = start.replace(hour=end.hour, minute=end.minute, second=end.second)
    if end <= start:
        end += timedelta(days=1)
    return {"fault_start": start.isoformat(), "fault_end": end.isoformat()}


def one_period(values: List[Any]) -> Optional[Dict[str, str]]:
    """Pure: a start and an open "till" said apart ("wed 10:00 ... till 16:00"), or an
    open "since" and an end ("since 8am ... until 9:40"), as one period; else None."""
    if len(values) != 2:
        return None
    first, second = values
    if isinstance(first, str) and isinstance(second, dict) and not second.get("from") and second.get("to"):
        return {"from": first, "to": second["to"]}
    if isinstance(first, dict) and first.get("from") and not first.get("to") and isinstance(second, str):
        return {"from": first["from"], "to": second}
    return None


def fault_when_target(value: Any, requested: Optional[str], start_known: Any, text: Any = None) -> Dict[str, str]:
    """Pure: which fault end(s) a time value answers ('started'/'fixed' in the
    message say which end, before the question asked)."""
    pair = instant_pair(value)
    if pair:
        return pair
    ends = facts.split_interval(value)
    if ends["start"] and ends["end"]:
        return {"fault_start": ends["start"], "fault_end": ends["end"]}
    moment = ends["start"] or ends["end"]
    if not moment:
        return {}
    cue = end_cue(text)
    if cue:
        return {cue: moment}
    if requested == "fault_end" or (requested != "fault_start" and start_known and ends["end"]):
        return {"fault_end": moment}
    if requested == "fault_start" or not start_known:
        return {"fault_start": moment}
    return {"fault_end": moment}


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
        if _chosen(tracker, "fault_order"):
            details["order_id"] = _chosen(tracker, "fault_order")
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
                 decision: Dict[str, Any]) -> None:
    """A "no" to filing: nothing filed, and once, when the C5 window closes soon."""
    say(dispatcher, "utter_fault_not_filed")
    deadline.warn_once(dispatcher, tracker, "utter_fault_declined_deadline", decision.get("apply_by"),
                       case.get("now"))


async def decline(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The customer ends the check at "Shall I file it?": the same as a no."""
    _, case = await build_case(tracker)
    say_declined(dispatcher, tracker, case, decide(case))
