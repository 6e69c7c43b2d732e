"""Clock times said on their own ("at 7:00", "came back at 8:30"), read as people mean them.

Why: Duckling reads a bare "7:00" as the next 7 o'clock, 19:00 here, and moving that to
the past gives 19:00 yesterday; "yesterday I bought it at 9:00 ... usable at 14:00"
becomes three unrelated times. A customer means the most recent 7:00 (this morning),
and a clock time said in a sentence that names one day is on that day.

Pure: entity dicts in (as bot.nlu.duckling builds them), entity dicts out.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

#: a clock time with nothing but "at" around it: "7:00", "at 9", "14:00", "8.30"
CLOCK_ONLY_RE = re.compile(r"^\s*(?:at|around|about|by|until|till|til|from|since|@)?\s*(?:a\s+)?(\d{1,2})(?:[:.](\d{2}))?(?::(\d{2}))?"
                           r"\s*(am|pm|a\.m\.|p\.m\.|h|o'?clock|in the morning|in the afternoon|in the evening|at night)?"
                           r"\s*$", re.I)
#: day parts that say which half of the day a clock time is in
MARKERS = {"a.m.": "am", "am": "am", "in the morning": "am", "p.m.": "pm", "pm": "pm", "in the afternoon": "pm",
           "in the evening": "pm", "at night": "pm"}
#: words that put a time in the evening (or say which half of the day is meant)
PM_WORDS_RE = re.compile(r"\b(?:afternoon|evening|night|tonight|pm|p\.m\.)\b|下午|晚上|傍晚|夜里|昨晚", re.I)
AM_WORDS_RE = re.compile(r"\b(?:morning|am|a\.m\.)\b|上午|早上|凌晨|清晨", re.I)


def _clock(body: str) -> Optional[Tuple[int, int, int, Optional[str]]]:
    """(hour, minute, second, marker) when the entity's words are a bare clock time
    ("09:00:00" in a log line has seconds)."""
    match = CLOCK_ONLY_RE.match(body or "")
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    marker = MARKERS.get((match.group(4) or "").lower())
    if marker is None and len(match.group(1)) == 2 and match.group(1).startswith("0") and match.group(2):
        marker = "am"  # "came back at 02:20": a zero-padded 24-hour clock is never the afternoon
    return hour, minute, second, marker


#: words that name a day inside a time's own text ("yesterday 2 to 4" is dated already)
DAY_WORDS_RE = re.compile(r"\b(?:yesterday|today|tonight|last|this|mon|tue|wed|thu|fri|sat|sun|\d{1,2}(?:st|nd|rd|th)|"
                          r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|\d{1,2}/\d{1,2}|[昨今前]天|号|日|周|星期|月",
                          re.I)


#: a part of a named day ("last Sunday night", "Tuesday morning"): not today's
NAMED_DAY_PART_RE = re.compile(r"\b(?:yesterday|last|mon|tue|wed|thu|fri|sat|sun)\w*\b[^,.;]*\b(?:morning|afternoon|evening|"
                               r"night)\b|昨晚|昨天(?:早上|上午|下午|晚上)", re.I)
NIGHT_RE = re.compile(r"\bnight\b|晚", re.I)


def _day_anchors(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The message's day-only times ("yesterday", "on the 24th", "周一（23号）") when
    they all name one day; [] when none or several days are named. A part of a named
    day ("last Sunday night") names its day too, when no day-only time is said."""
    days = [e for e in entities if e.get("entity") == "time" and isinstance(e.get("value"), str)
            and (e.get("additional_info") or {}).get("grain") == "day"]
    if not days:
        parts = [e for e in entities if e.get("entity") == "time" and isinstance(e.get("value"), dict)
                 and e["value"].get("approximate") and e["value"].get("from")
                 and NAMED_DAY_PART_RE.search(e.get("text", ""))]
        if len(parts) == 1:
            start = datetime.fromisoformat(parts[0]["value"]["from"])
            midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
            return [dict(parts[0], value=midnight.isoformat(), night=bool(NIGHT_RE.search(parts[0].get("text", ""))))]
    return days if len({e["value"] for e in days}) == 1 else []


def _on_day(entity: Dict[str, Any], day: datetime, night: bool = False) -> Optional[Dict[str, Any]]:
    """An undated clock range moved onto `day` (same clock times, same length); said of
    a night, a range in the small hours is in the morning after."""
    value = entity.get("value")
    if not isinstance(value, dict) or value.get("approximate") or DAY_WORDS_RE.search(entity.get("text", "")):
        return None
    try:
        start, end = datetime.fromisoformat(value["from"]), datetime.fromisoformat(value["to"])
    except (KeyError, TypeError, ValueError):
        return None
    moved = day.replace(hour=start.hour, minute=start.minute, second=start.second)
    if night and start.hour < 6:
        moved += timedelta(days=1)
    info = dict(entity.get("additional_info") or {}, clock_anchored=True, day_named=True)
    return dict(entity, value={**value, "from": moved.isoformat(), "to": (moved + (end - start)).isoformat()},
                additional_info=info)


CJK_CLOCK_RE = re.compile(r"[点點時时]")
#: a time said as "today" / "now": the moment of asking, not a purchase or fault time
NOW_WORDS_RE = re.compile(r"^\s*(?:today|now|right now|at the moment|currently|今天|现在|目前)\s*$", re.I)


def _zh_clock(entity: Dict[str, Any]) -> bool:
    """A Chinese clock time with no day of its own ("上午8点"): Duckling put it on today."""
    text = entity.get("text", "")
    return (entity.get("entity") == "time" and isinstance(entity.get("value"), str)
            and bool(CJK_CLOCK_RE.search(text)) and not DAY_WORDS_RE.search(text)
            and (entity.get("additional_info") or {}).get("grain") in ("hour", "minute"))


#: "until two o'clock the following afternoon": the day after the start's
NEXT_DAY_AFTER_RE = re.compile(r"^\W*(?:on\s+)?the\s+(?:following|next)\s+(?:day|morning|afternoon|evening)\b|"
                               r"^\W*the\s+day\s+after\b", re.I)


#: the end of a fault said just before a bare clock: "came back at 12", "fixed by 3"
BACK_AT_RE = re.compile(r"\b(?:back|fixed|restored|recovered|resolved|ended|up again|working again|until|till|til)\b"
                        r"\W{0,3}(?:again\s+)?(?:at|by|around|about)?\s*$", re.I)


def _back_at(entity: Dict[str, Any], text: str, dated: Optional[datetime]) -> Optional[datetime]:
    """A bare clock time said as the end of what started at `dated`: on that day (the
    next day when earlier on the clock); None when it is not that."""
    info = entity.get("additional_info") or {}
    if dated is None or not text or "start" not in entity or not info.get("clock_anchored") or info.get("day_named"):
        return None
    before = text[max(0, entity["start"] - 25):entity["start"]]
    if DAY_WORDS_RE.search(entity.get("text", "")) or not BACK_AT_RE.search(before):
        return None
    said = datetime.fromisoformat(entity["value"])
    moved = dated.replace(hour=said.hour, minute=said.minute, second=said.second)
    return moved + timedelta(days=1) if moved <= dated else moved


def _until_same_day(entities: List[Dict[str, Any]], ref: datetime, text: str = "") -> List[Dict[str, Any]]:
    """"wed 10:00 ... till 16:00": an open "till" time with no day of its own is on the
    day of the dated time said before it (the next day when it is earlier on the clock,
    or when "the following afternoon" says so)."""
    out: List[Dict[str, Any]] = []
    last: Optional[datetime] = None
    dated: Optional[datetime] = None  # the last time said with its day ("at 8 o'clock Tuesday morning")
    for entity in entities:
        value = entity.get("value")
        info = entity.get("additional_info") or {}
        if entity.get("entity") == "time" and isinstance(value, str):
            back = _back_at(entity, text, dated)
            if back is not None and back <= ref:  # "... and came back at 12 noon": that day's noon
                entity = dict(entity, value=back.isoformat(), additional_info=dict(info, day_named=True))
                value = entity["value"]
            if info.get("grain") in ("hour", "minute", "second"):
                last = datetime.fromisoformat(value)
                if DAY_WORDS_RE.search(entity.get("text", "")) or info.get("day_named"):
                    dated = last
        elif entity.get("entity") == "time" and isinstance(value, dict) and value.get("from") and not value.get("to"):
            last = datetime.fromisoformat(value["from"])  # "from half past eight on Monday, ... until 2"
        elif (entity.get("entity") == "time" and isinstance(value, dict) and last is not None
              and not value.get("from") and value.get("to") and not DAY_WORDS_RE.search(entity.get("text", ""))):
            said = datetime.fromisoformat(value["to"])
            moved = last.replace(hour=said.hour, minute=said.minute, second=said.second)
            after = text[entity["end"]:entity["end"] + 40] if text and "end" in entity else ""
            if moved <= last or NEXT_DAY_AFTER_RE.search(after):
                moved += timedelta(days=1)
            if moved <= ref and moved != said:
                info = dict(entity.get("additional_info") or {}, clock_anchored=True)
                entity = dict(entity, value={**value, "to": moved.isoformat()}, additional_info=info)
        out.append(entity)
    return out


def _evening_start(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"from half ten until midnight": a range over twelve hours long whose start hour
    says no half of the day starts in the evening (22:30), not the morning before."""
    out = []
    for entity in entities:
        value = entity.get("value")
        words = entity.get("text", "")
        if (entity.get("entity") == "time" and isinstance(value, dict) and value.get("from") and value.get("to")
                and not value.get("approximate") and not DAY_WORDS_RE.search(words)
                and not AM_WORDS_RE.search(words) and not PM_WORDS_RE.search(words)):
            start, end = datetime.fromisoformat(value["from"]), datetime.fromisoformat(value["to"])
            if end - start > timedelta(hours=12) and 1 <= start.hour < 12:
                value = {**value, "from": (start + timedelta(hours=12)).isoformat()}
                entity = dict(entity, value=value, additional_info=dict(entity.get("additional_info") or {},
                                                                        evening_start=True))
        out.append(entity)
    return out


#: a time taken back as it is said: "from 8:30pm... sorry, 9:30pm", "at 2, I mean 3"
SAID_AGAIN_RE = re.compile(r"(?:\bsorry|\bi mean|\bi meant|\bcorrection|\brather|\bno|\bor rather|不对|应该是|我是说)"
                           r"\W{0,5}$", re.I)


def _said_again(entities: List[Dict[str, Any]], text: str) -> List[Dict[str, Any]]:
    """A time corrected in the same breath replaces the one before it: its value takes
    that one's place (the start of "from 8:30pm... sorry, 9:30pm, until ...")."""
    out: List[Dict[str, Any]] = []
    for entity in entities:
        before = text[max(0, entity.get("start", 0) - 12):entity.get("start", 0)] if text else ""
        previous = next((e for e in reversed(out) if e.get("entity") == "time"), None)
        if (entity.get("entity") == "time" and isinstance(entity.get("value"), str) and previous is not None
                and SAID_AGAIN_RE.search(before)):
            value = previous.get("value")
            out.remove(previous)
            if isinstance(value, dict) and value.get("from") and not value.get("to"):
                entity = dict(previous, value={**value, "from": entity["value"]})
        out.append(entity)
    return out


def _moments(entity: Dict[str, Any]) -> List[datetime]:
    value = entity.get("value")
    found = [value] if isinstance(value, str) else [value.get("from"), value.get("to")] if isinstance(value, dict) else []
    return [datetime.fromisoformat(v) for v in found if isinstance(v, str)]


def _without_strays(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"[2026-11-26 23:12:00] heartbeat lost (3/3 probes)": beside exact times, a bare date
    weeks away from all of them is no time the customer means (a count, a ratio)."""
    exact = [m for e in entities if e.get("entity") == "time"
             and ((e.get("additional_info") or {}).get("grain") in ("hour", "minute", "second")
                  or isinstance(e.get("value"), dict)) for m in _moments(e)]
    if len(exact) < 2:
        return entities

    def stray(entity: Dict[str, Any]) -> bool:
        if entity.get("entity") != "time" or (entity.get("additional_info") or {}).get("grain") != "day":
            return False
        return all(abs((m - e).total_seconds()) > 14 * 86400 for m in _moments(entity) for e in exact)

    return [e for e in entities if not stray(e)]


def _without_now(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """"bought Sunday at 09:00, can it be refunded today?": "today" is when they ask."""
    times = [e for e in entities if e.get("entity") == "time"]
    if len(times) < 2:
        return entities
    return [e for e in entities if not (e.get("entity") == "time" and NOW_WORDS_RE.match(e.get("text", "")))]


def _hours(hour: int, marker: Optional[str], text: str) -> List[int]:
    """The 24-hour readings of a said hour: one when it is unambiguous."""
    if marker == "pm":
        return [hour + 12 if hour < 12 else hour]
    if marker == "am":
        return [0 if hour == 12 else hour]
    if hour == 0 or hour > 12:
        return [hour]
    if PM_WORDS_RE.search(text) and not AM_WORDS_RE.search(text):
        return [hour + 12 if hour < 12 else hour]
    if AM_WORDS_RE.search(text) and not PM_WORDS_RE.search(text):
        return [hour]
    return [hour, hour + 12 if hour < 12 else 0]


def anchor(text: str, entities: List[Dict[str, Any]], ref: datetime) -> List[Dict[str, Any]]:
    """Entities with bare clock times placed on the day the sentence names (the day
    entity is then used up), else at their most recent past occurrence."""
    anchors = _day_anchors(entities)
    day = anchors[0] if anchors else None
    out: List[Dict[str, Any]] = []
    anchored = False
    for entity in entities:
        if day is not None and any(entity is a or entity.get("start") == a.get("start") for a in anchors):
            out.append(entity)
            continue
        if day is not None and entity.get("entity") == "time" and isinstance(entity.get("value"), dict):
            moved = _on_day(entity, datetime.fromisoformat(day["value"]), bool(day.get("night")))
            if moved is not None and datetime.fromisoformat(moved["value"]["to"]) <= ref:
                out.append(moved)
                anchored = True
                continue
        if day is not None and _zh_clock(entity):
            said = datetime.fromisoformat(entity["value"])
            moved_at = datetime.fromisoformat(day["value"]).replace(hour=said.hour, minute=said.minute)
            if moved_at <= ref:
                info = dict(entity.get("additional_info") or {}, clock_anchored=True, day_named=True)
                out.append(dict(entity, value=moved_at.isoformat(), additional_info=info))
                anchored = True
                continue
        # the words as read (spelled hours as digits: "quarter past eleven in the morning")
        words = text[entity["start"]:entity["end"]] if "start" in entity and "end" in entity else entity.get("text", "")
        clock = _clock(str(words)) if entity.get("entity") == "time" else None
        if clock is None or not isinstance(entity.get("value"), str):
            out.append(entity)
            continue
        hour, minute, second, marker = clock
        readings = _hours(hour, marker, text)
        if day is not None:
            base = datetime.fromisoformat(day["value"])
            candidates = [base.replace(hour=h, minute=minute, second=second) for h in readings[:1]]
        else:
            today = ref.replace(hour=0, minute=0, second=0, microsecond=0)
            candidates = [d.replace(hour=h, minute=minute, second=second) for d in (today, today - timedelta(days=1))
                          for h in readings]
        past = [c for c in candidates if c <= ref]
        if not past:
            out.append(entity)
            continue
        moment = max(past)
        anchored = anchored or day is not None
        info = dict(entity.get("additional_info") or {}, clock_anchored=True)
        if len(past) > 1:  # "at 4": this morning's or yesterday afternoon's; the form may know
            info["clock_alternatives"] = [c.isoformat() for c in sorted(past)[-2:]]  # the two latest
        out.append(dict(entity, value=moment.isoformat(), additional_info=info))
    if anchored:  # the day is said by the times now
        out = [e for e in out if not any(e is a or e.get("start") == a.get("start") for a in anchors)]
    return _without_strays(_without_now(_until_same_day(_evening_start(_said_again(out, text)), ref, text)))
