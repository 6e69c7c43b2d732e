"""When a fault started and was fixed, as the customer said it: which end(s) of the
fault period a time said in the fault check answers, corrections of either end, clock
times on the day already said, and durations. Reads the latest message's `time`
entities (Duckling instants, intervals, day parts); the arithmetic is pure."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional

from rasa_sdk import Tracker

from actions import facts
from actions.forms_base import asks_something, message_before, previous_value, said_values, taken_back_values
from bot.nlu.time_words import PRESENT_WORDS_RE


#: a monitoring log's recovery lines
RECOVERED_RE = re.compile(r"\b(?:RECOVERY|RECOVERED|RESOLVED|OK)\b|\b(?:recovered|resolved)\b|恢复")


def said_period(tracker: Tracker, value: Any) -> Optional[Dict[str, str]]:
    """The fault end(s) the time(s) of the latest message say ({} when none can be
    read: the check asks again); None when the message says no time of the fault
    ("my husband checked the bill just now", "about 3 hours last night")."""
    text = (tracker.latest_message or {}).get("text")
    if only_now_said(tracker) and not end_cue(text):
        return None  # "my husband checked the bill just now": no time of the fault
    kept = said_values(tracker, "time")  # "at 15:00, not 16:00": 16:00 is taken back
    if kept and not isinstance(value, list) and value not in kept:
        value = kept[0] if len(kept) == 1 else kept  # Rasa's mapping kept the last time said, the one taken back
    exact = [k for k in kept if not (isinstance(k, dict) and k.get("approximate"))]
    day_part = next((k for k in kept if isinstance(k, dict) and k.get("approximate") and k.get("from")), None)
    if exact and len(exact) < len(kept):
        # "last night, from around 11 until 1 ... this morning": the day parts say no end
        kept = exact
        value = exact if len(exact) > 1 else exact[0]
    else:
        day_part = None
    joined = one_period(without_bare_days(kept))
    if joined is not None:  # "wed 10:00 ... till 16:00": one period said in two pieces
        kept, value = [joined], joined
    periods = [k for k in kept if isinstance(k, dict) and k.get("from") and k.get("to")]
    if periods and len(kept) > 1:  # "from 08:30 to 10:00 ... it is now 27 Nov 10:00": the period
        kept, value = periods[:1], periods[0]
    if len(kept) > 2 and all(isinstance(k, str) for k in kept) and RECOVERED_RE.search(str(text or "")):
        # pasted alerts: "[PROBLEM] 23:50:12 ... [PROBLEM] 23:50:14 ... [RECOVERY] 00:40:12 ... 00:40:14":
        # from the first to the last
        kept = sorted(kept, key=lambda k: facts.parse_time(k) or k)
        kept = [kept[0], kept[-1]]
    if len(kept) > 1 and all(isinstance(k, str) for k in kept):
        value = kept  # "went down at 7:00 and came back at 8:30": Rasa's mapping keeps one
    elif isinstance(value, list):
        value = kept[0] if len(kept) == 1 else (kept or value)
    said = value[-1] if isinstance(value, list) and value else value
    day = whole_day_said(tracker)
    start_known, end_known = previous_value(tracker, "fault_start"), previous_value(tracker, "fault_end")
    if day and start_known and end_known and not isinstance(said, dict):
        # "no wait, it was Tuesday not Monday. same hours": the period moves to that day
        return on_the_day_of({"fault_start": start_known, "fault_end": end_known}, day)
    if isinstance(said, dict) and said.get("approximate"):
        # "about 3 hours last night": the day part says neither end; the form asks
        # when it started (a duration said with it waits for the start)
        return None
    target = fault_when_target(value, tracker.get_slot("requested_slot"), tracker.get_slot("fault_start"), text)
    anchor_day = (day_part or {}).get("from") or named_day(tracker)
    if len(target) == 2 and anchor_day and clock_times_only(tracker):
        # "on tuesday afternoon ... 3pm to 4:10pm", "the log says 2026-11-20, not the 19th ...
        # 21:00 to 23:30": the clock times on the day named
        target = on_the_day_of(target, anchor_day)
    elif len(target) == 2 and not said_a_day(tracker):
        # "sorry i meant 1pm to 3:30pm" (the day known), "From 9:10 to 11:40" after
        # "on Wednesday morning": clock times only, on the day already said
        anchor = previous_value(tracker, "fault_start") or day_said_before(tracker)
        if anchor:
            target = on_the_day_of(target, anchor, _now())
    if len(target) == 1:
        (slot, moment), = target.items()
        other = previous_value(tracker, "fault_end" if slot == "fault_start" else "fault_start")
        replaced = on_the_day_replaced(moment, previous_value(tracker, slot), taken_back_values(tracker, "time"))
        if replaced:  # "it came back 09:30 not 10:30": on the day of the 10:30 it replaces
            target = {slot: replaced}
        else:
            moment = closest_reading(slot, moment, other, clock_alternatives(tracker, moment))
            known = previous_value(tracker, slot)
            moved = on_the_known_day(slot, moment, known, other) if known and not said_a_day(tracker) else None
            if moved and not asks_something(text):  # "系10点半先恢复": 10:30 on the day of the end it corrects
                target = {slot: moved}
            else:
                target = {slot: same_day_as_other_end(slot, moment, other)}
    return target


def on_the_known_day(slot: str, moment: str, known: Any, other: Any) -> Optional[str]:
    """Pure: a clock time alone correcting an end already known is on that end's day (an
    end before the start is after midnight: the next day); None when a start would then
    come after the end (the other readings decide)."""
    known_iso, other_iso = facts.parse_time(known), facts.parse_time(other) if other else None
    if not known_iso:
        return None
    at = datetime.fromisoformat(moment)
    moved = datetime.fromisoformat(known_iso).replace(hour=at.hour, minute=at.minute, second=at.second)
    if other_iso and slot == "fault_end" and moved <= datetime.fromisoformat(other_iso):
        moved += timedelta(days=1)
    if other_iso and slot == "fault_start" and moved >= datetime.fromisoformat(other_iso):
        return None
    return moved.isoformat()




def only_now_said(tracker: Tracker) -> bool:
    """The message's only times are "now" words."""
    times = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == "time"]
    return bool(times) and all(PRESENT_WORDS_RE.match(str(e.get("text") or "")) for e in times)


def duration_applies(requested: Optional[str], fault_end: Any) -> bool:
    """Pure: a duration ("for 95 minutes") says when the fault ended only while the
    end is open or being asked; "48 yuan a day" while the daily cost is asked is not one."""
    if requested in ("fault_start", "fault_end"):
        return True
    return requested is None and fault_end is None


_START_CUE = re.compile(r"\b(start(?:ed|s)?|began|begin|beginning|since|from|went (?:down|offline|dark|out)|"
                        r"(?:crashed|died|broke|failed|stopped working) at)\b|开始|从|挂的|断的", re.I)
_END_CUE = re.compile(r"\b(fixed|ended|ends|end|until|till|restored|recovered|resolved|rectified|repaired|came back|"
                      r"back (?:up|online|to normal)|up again|working again)\b|"
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
        target = on_the_day_of(target, known["fault_start"], _now())  # "sorry, I meant 1pm to 3:30pm": same day
    return target


def said_a_day(tracker: Tracker) -> bool:
    """The latest message names a day for its times (not only clock times): in their own
    words, or elsewhere in the sentence ("on tuesday afternoon ... 3pm to 4:10pm")."""
    from bot.nlu.clock_times import DAY_WORDS_RE

    return any(e.get("entity") == "time" and (DAY_WORDS_RE.search(str(e.get("text") or ""))
                                             or (e.get("additional_info") or {}).get("day_named"))
               for e in (tracker.latest_message or {}).get("entities") or [])


def named_day(tracker: Tracker) -> Optional[str]:
    """The one day (no clock time) the latest message names and does not take back."""
    from actions.negation import negated

    latest = tracker.latest_message or {}
    days = [e["value"] for e in latest.get("entities") or []
            if e.get("entity") == "time" and isinstance(e.get("value"), str)
            and (e.get("additional_info") or {}).get("grain") == "day" and not negated(latest.get("text"), e)]
    return days[0] if len(days) == 1 else None


def whole_day_said(tracker: Tracker) -> Optional[str]:
    """The one day (no clock time) the latest message names and does not take back
    ("it was Tuesday not Monday"), when it names no other time."""
    from actions.negation import negated

    latest = tracker.latest_message or {}
    times = [e for e in latest.get("entities") or []
             if e.get("entity") == "time" and not negated(latest.get("text"), e)]
    if len(times) != 1 or not isinstance(times[0].get("value"), str):
        return None
    return times[0]["value"] if (times[0].get("additional_info") or {}).get("grain") == "day" else None


def clock_times_only(tracker: Tracker) -> bool:
    """The latest message's clock times name no day ("3pm to 4:10pm"): only its day parts
    or whole days ("2026-11-20") do."""
    from bot.nlu.clock_times import DAY_WORDS_RE

    exact = [e for e in (tracker.latest_message or {}).get("entities") or []
             if e.get("entity") == "time" and not (isinstance(e.get("value"), dict) and e["value"].get("approximate"))
             and (e.get("additional_info") or {}).get("grain") not in ("day", "week", "month")]
    return bool(exact) and not any(DAY_WORDS_RE.search(str(e.get("text") or ""))
                                   or (e.get("additional_info") or {}).get("day_named") for e in exact)


def day_said_before(tracker: Tracker) -> Optional[str]:
    """The day of a day part said in the message before ("on Wednesday morning"), which
    gave no clock time: a clock range said next is on that day."""
    for entity in message_before(tracker).get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") == "time" and isinstance(value, dict) and value.get("approximate") and value.get("from"):
            return value["from"]
    return None


def on_the_day_of(target: Dict[str, str], known_start: Any, now: Optional[datetime] = None) -> Dict[str, str]:
    """Pure: a corrected period said in clock times only, moved onto the day of the
    start it corrects (its length kept); the day before when that would end after `now`
    ("from half ten until midnight" after a period early this morning: last night)."""
    start_iso, end_iso = facts.parse_time(target.get("fault_start")), facts.parse_time(target.get("fault_end"))
    before = facts.parse_time(known_start)
    if not (start_iso and end_iso and before):
        return target
    start, end, day = (datetime.fromisoformat(v) for v in (start_iso, end_iso, before))
    moved = day.replace(hour=start.hour, minute=start.minute, second=start.second)
    if now is not None and moved + (end - start) > now:
        moved -= timedelta(days=1)
    return {"fault_start": moved.isoformat(), "fault_end": (moved + (end - start)).isoformat()}


def _now() -> datetime:
    from bot import clock

    return clock.now()


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
    parsed = [facts.parse_time(v) for v in value if not isinstance(v, Mapping)]
    instants = [i for i in parsed if i]
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
    untils = [i for i, v in enumerate(values) if isinstance(v, Mapping) and not v.get("from") and v.get("to")]
    if len(values) > 2 and len(untils) == 1 and untils[0] >= 1 and isinstance(values[untils[0] - 1], str):
        # "down on Saturday at 11:10pm ... not back until 2:25am on Sunday. Guests phoned me at
        # midnight": the "until" ends the time said just before it
        values = values[untils[0] - 1:untils[0] + 1]
    if len(values) != 2:
        return None
    first, second = values
    if isinstance(first, str) and isinstance(second, dict) and not second.get("from") and second.get("to"):
        return {"from": first, "to": second["to"]}
    if isinstance(first, dict) and first.get("from") and not first.get("to") and isinstance(second, str):
        return {"from": first["from"], "to": second}
    if (isinstance(first, dict) and first.get("from") and not first.get("to")
            and isinstance(second, dict) and not second.get("from") and second.get("to")):
        return {"from": first["from"], "to": second["to"]}  # "from 8:30 on Monday, ... until 2 the next afternoon"
    return None


def without_bare_days(values: List[Any]) -> List[Any]:
    """Pure: a whole day said beside times on that day ("from 8:30 on Monday, 23rd
    November, until ...") adds no time of its own."""
    def moments(value: Any) -> List[str]:
        found = [value] if isinstance(value, str) else [value.get("from"), value.get("to")] if isinstance(value, Mapping) else []
        return [m for m in found if isinstance(m, str)]

    timed = {m[:10] for v in values for m in moments(v) if m[11:19] != "00:00:00"}
    return [v for v in values if not (isinstance(v, str) and v[11:19] == "00:00:00" and v[:10] in timed)]


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
