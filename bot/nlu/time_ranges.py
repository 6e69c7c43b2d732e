"""Clock ranges said with a day ("from 11pm to 1am last night", "Tuesday afternoon 3 to
5"), read without Duckling's guesses.

Why: Duckling intersects the range with the day part and loses the crossing of
midnight ("11pm to 1am last night" -> 23:00-00:00), or reads "3 to 5" as 16:57.
Customers report faults this way all the time, and a wrong end time is a wrong
compensation. This module is pure: it finds the range in the text and says which
clock times it names; the caller (bot.nlu.duckling) anchors it on the day Duckling
reads from the rest of the phrase.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Optional, Tuple

_APPROX = r"(?:(?:around|about|approx\.?|approximately|roughly|like|~)\s*)?"
#: a day part said right after a clock time settles its half of the day
_PART = r"(?:\s*(?:o'?clock))?(?:\s*(?P<part{n}>(?:this|in the|yesterday|last|at)\s+(?:morning|afternoon|evening|night)))?"


def _clock(n: int) -> str:
    return (rf"{_APPROX}(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>\d{{2}}))?\s*(?P<mark{n}>am|pm|a\.m\.|p\.m\.|h)?"
            + _PART.replace("{n}", str(n)))


RANGE_RE = re.compile(
    rf"(?:\bfrom\s+|\bbetween\s+)?(?<![\d/.:-])\b{_clock(1)}\s*(?:to|till|til|until|-|–|—|~|and)\s*"
    rf"{_clock(2)}(?![\d:])",
    re.I,
)
PM_HINT_RE = re.compile(r"\b(?:afternoon|evening|night|tonight|pm|p\.m\.)\b|下午|晚上|傍晚|夜里|昨晚", re.I)
AM_HINT_RE = re.compile(r"\b(?:morning|am|a\.m\.)\b|上午|早上|凌晨|清晨", re.I)
NIGHT_RE = re.compile(r"\b(?:last night|overnight|tonight|night)\b|昨晚|夜里|半夜", re.I)
WEEKDAY_RE = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b,?|(?:周|星期|礼拜)[一二三四五六日天]",
    re.I,
)


@dataclass(frozen=True)
class ClockRange:
    """A clock range found in a text: its span and the two times (24 h, ambiguous
    hours already resolved with the day-part hint when there was one)."""

    start: int
    end: int
    begin: time
    finish: time
    #: True when neither time carried am/pm and no hint settled it
    ambiguous: bool


def _hm(hour: str, minute: Optional[str]) -> Optional[Tuple[int, int]]:
    h, m = int(hour), int(minute or 0)
    if h > 24 or m > 59:
        return None
    return (0 if h == 24 else h), m


def _apply(h: int, marker: Optional[str]) -> int:
    marker = (marker or "").lower().replace(".", "")
    if marker == "pm" and h < 12:
        return h + 12
    if marker == "am" and h == 12:
        return 0
    return h


def find_range(text: str) -> Optional[ClockRange]:
    """The first clock range in `text` ("11pm to 1am", "3 to 5", "7:10-8:45"), or None.

    am/pm said on one end only carries to the other when that keeps the range
    short ("11 to 1am" is 23:00-01:00, "9 to 11pm" is 21:00-23:00); with none said,
    a day-part word elsewhere in the text decides ("afternoon 3 to 5": 15:00-17:00).
    """
    match = RANGE_RE.search(text)
    if not match:
        return None
    h1, m1, h2, m2 = match.group("h1", "m1", "h2", "m2")
    mark1, mark2 = (match.group(f"mark{n}") or _part_marker(match.group(f"part{n}")) for n in (1, 2))
    a, b = _hm(h1, m1), _hm(h2, m2)
    if a is None or b is None:
        return None
    mark1 = mark1 if mark1 and mark1.lower() != "h" else None
    mark2 = mark2 if mark2 and mark2.lower() != "h" else None
    rest = text[:match.start()] + " " + text[match.end():]
    ambiguous = False
    if mark1 == "am" and not match.group("mark1") and mark2 is None and a[0] > b[0]:
        mark1 = None  # "11 this morning till 1": the end is after noon, read below
    if mark1 or mark2:
        first = _apply(a[0], mark1 or (mark2 if _apply(a[0], mark2) <= _apply(b[0], mark2) else None))
        second = _apply(b[0], mark2 or mark1)
        if mark2 and not mark1 and a[0] <= 12:
            # "11 to 1am": the start is the evening before when that is the shorter reading
            as_pm = _apply(a[0], "pm")
            if _minutes(as_pm, a[1], second, b[1]) < _minutes(first, a[1], second, b[1]):
                first = as_pm
    elif a[0] > 12 or b[0] > 12 or a[0] == 0 or b[0] == 0 or _zero_padded(h1) or _zero_padded(h2):
        first, second = a[0], b[0]  # 24-hour clock ("03:05-04:20" is in the small hours)
    elif PM_HINT_RE.search(rest) and not AM_HINT_RE.search(rest):
        first, second = _apply(a[0], "pm"), _apply(b[0], "pm")
        if second < first:  # "evening 11 to 1" crosses midnight
            second = _apply(b[0], "am")
    elif AM_HINT_RE.search(rest):
        first, second = _apply(a[0], "am"), _apply(b[0], "am")
        if second < first:  # "morning 11 to 1" is 11:00-13:00
            second = _apply(b[0], "pm")
    else:
        first, second, ambiguous = a[0], b[0], True
        if second < first and second < 12:
            second += 12  # "10 till 1:20" -> 10:00-13:20
    return ClockRange(match.start(), match.end(), time(first, a[1]), time(second, b[1]), ambiguous)


def _zero_padded(hour: str) -> bool:
    """"03" in "03:05": written on a 24-hour clock."""
    return len(hour) == 2 and hour.startswith("0")


def _part_marker(part: Optional[str]) -> Optional[str]:
    """"this morning" / "in the evening" said with a clock: its am or pm."""
    if not part:
        return None
    return "am" if part.lower().endswith("morning") else "pm"


def _minutes(h1: int, m1: int, h2: int, m2: int) -> int:
    """Length in minutes of h1:m1 -> h2:m2, crossing midnight when needed."""
    span = (h2 * 60 + m2) - (h1 * 60 + m1)
    return span if span > 0 else span + 24 * 60


def place(found: ClockRange, day: datetime, now: datetime, night: bool) -> Tuple[datetime, datetime]:
    """The range on `day` (aware midnight), ending after it starts, never after `now`.

    `night`: the day was said as "last night"/"overnight": a range starting in the
    small hours belongs to the morning after. An ambiguous range ("10 till 11:20")
    is read in the morning, except a start before 7 ("3 to 5"), read as the latest past
    occurrence, in the small hours or the afternoon.
    """
    start = day.replace(hour=found.begin.hour, minute=found.begin.minute, second=0, microsecond=0)
    if night and found.begin.hour < 6:
        start += timedelta(days=1)
    length = timedelta(minutes=_minutes(found.begin.hour, found.begin.minute,
                                        found.finish.hour, found.finish.minute))
    if found.ambiguous and start + length <= now - timedelta(hours=12) and start.hour < 7:
        later = start + timedelta(hours=12)
        if later + length <= now:
            start = later  # said in the evening, "3 to 5" is this afternoon
    while start + length > now:
        start -= timedelta(days=1)
    return start, start + length


def without_weekday(text: str) -> str:
    """'Saturday the 21st at noon' -> 'the 21st at noon' (for a second reading)."""
    return WEEKDAY_RE.sub(" ", text).strip()
