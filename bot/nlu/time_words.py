"""Times said in words and log stamps, rewritten so Duckling reads them whole.

Why: "between two and four in the morning" and "from about nine in the morning until
half past twelve" lose their ends in Duckling (a spelled hour after a range word is
not read, "half past twelve" alone is dropped), and log lines pasted by operators
("[2026-11-26 23:12:00 +08:00] ALERT ...") make Duckling read "08:00" as a third time.
Every rewrite keeps the text's length (padded with spaces), so entity offsets stay
those of the customer's message. Pure: text in, text out.
"""
from __future__ import annotations

import re

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
#: what makes a spelled number a clock hour: a day part, o'clock, am/pm, or a range with another hour
_AFTER = r"(?=\s*(?:o'?clock|in the (?:morning|afternoon|evening)|at night|a\.?m\b|p\.?m\b|"
_AFTER += rf"(?:to|till|til|until|and|-)\s+(?:about\s+|around\s+)?(?:\d|{_WORD}\b|half past|noon|midnight)))"
#: "half past twelve", "quarter past nine", "half past 3"
HALF_PAST_RE = re.compile(rf"\b(half|quarter) past ({_WORD}|\d{{1,2}})\b", re.I)
#: British "half 9" (09:30), not "half an hour" or "half 9 hours"
HALF_HOUR_RE = re.compile(rf"\bhalf ({_WORD}|\d{{1,2}})\b(?!\s*(?:hours?|hrs?|days?|minutes?|mins?|of|an?|%))", re.I)
HOUR_BEFORE_RE = re.compile(rf"\b({_WORD})\b{_AFTER}", re.I)
#: the second hour of a range after a clock: "2 and four", "9:00 until twelve"
HOUR_AFTER_RE = re.compile(rf"(\b\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm|in the morning|in the afternoon|in the evening)?"
                           rf"\s*(?:to|till|til|until|and|-)\s+(?:about\s+|around\s+)?)({_WORD})\b", re.I)
#: the zone after a log or clock time: the conversation's zone (UTC+08:00) is the default
ZONE_RE = re.compile(r"(?<=[\dmM])(\s*(?:\+0?8:?00|\(?(?:UTC|GMT)\s*\+\s*0?8(?::00)?\)?|CST\b|北京时间|Beijing time))", re.I)


#: the moment of speaking, said alone: "now", "right now", "currently", "现在". One vocabulary for every
#: reader: a fault ending "now", the hotline's state "now", a record's state (never a purchase time)
PRESENT_WORDS_RE = re.compile(r"^\s*(?:(?:right |just )?now|currently|at the moment|at present)\s*$|"
                              r"^\s*(?:现在|目前|当前|刚才|刚刚|而家|宜家|这会儿|此刻)\s*$", re.I)


def _padded(new: str, old: str) -> str:
    return new + " " * (len(old) - len(new)) if len(new) <= len(old) else old


def _hour(word: str) -> int:
    return NUMBERS.get(word.lower()) or int(word)


#: "12 noon", "12 midnight": one time, not "at 12" and "noon"
TWELVE_RE = re.compile(r"\b12\s+(noon|midnight)\b", re.I)
#: "150,00 CNY": a decimal comma (two decimals, not a thousands separator)
DECIMAL_COMMA_RE = re.compile(r"(?<![\d,])(\d{1,6}),(\d{2})(?![\d,])(?=\s*(?:cny|rmb|yuan|eur|usd|元|€|\$|/|per|a day|$))",
                              re.I)


#: a filler between a day and its clock time: "monday like 5pm", "tomorrow say 10am"
FILLER_RE = re.compile(r"(?<=day |row |ght )(?:like|say|maybe|uh|um)\b(?=,?\s*\d)", re.I)
#: software versions ("1.20.1", "8.0.35"): no clock time or amount in them
VERSION_RE = re.compile(r"(?<![\d.])\d+\.\d+\.\d+(?:\.\d+)*(?![\d.])")


def as_digits(text: str) -> str:
    """Spelled clock hours as digits, "half past twelve" as "12:30", the UTC+08:00
    zone after a time blanked, "12 noon" as "12:00", "150,00" as "150.00"; same
    length as `text`."""
    text = ZONE_RE.sub(lambda m: " " * len(m.group(1)), text)
    text = TWELVE_RE.sub(lambda m: _padded("12:00" if m.group(1).lower() == "noon" else "00:00", m.group(0)), text)
    text = DECIMAL_COMMA_RE.sub(lambda m: f"{m.group(1)}.{m.group(2)}", text)
    text = VERSION_RE.sub(lambda m: " " * len(m.group(0)), text)  # "Paper 1.20.1": no 01:20
    text = FILLER_RE.sub(lambda m: " " * len(m.group(0)), text)  # "monday like 5pm": monday 5pm
    text = HALF_PAST_RE.sub(lambda m: _padded(f"{_hour(m.group(2))}:{30 if m.group(1).lower() == 'half' else 15}",
                                              m.group(0)), text)
    text = HALF_HOUR_RE.sub(lambda m: _padded(f"{_hour(m.group(1))}:30", m.group(0)), text)
    text = HOUR_BEFORE_RE.sub(lambda m: _padded(str(NUMBERS[m.group(1).lower()]), m.group(1)), text)
    return HOUR_AFTER_RE.sub(lambda m: m.group(1) + _padded(str(NUMBERS[m.group(2).lower()]), m.group(2)), text)


#: phone-typed day words Duckling does not know ("yest at 10am", "lst nite"): the
#: full word is read instead, and offsets are mapped back to the customer's text
SHORT_DAY_WORDS = {"yest": "yesterday", "yday": "yesterday", "ystd": "yesterday", "ystrdy": "yesterday",
                   "yesterdy": "yesterday", "yestrday": "yesterday", "nite": "night", "tonite": "tonight",
                   "2nite": "tonight", "2day": "today", "tdy": "today", "lst": "last", "wk": "week"}
SHORT_DAY_RE = re.compile(r"\b(" + "|".join(sorted(SHORT_DAY_WORDS, key=len, reverse=True)) + r")\b", re.I)
#: "the change sat in 'processing' until 16:00": the verb, not Saturday
SAT_VERB_RE = re.compile(r"\bsat(?=\s+(?:in|on|there|around|idle|stuck|waiting|at\s+(?:the|'|\")|for)\b)", re.I)


#: "19.20 yuan one day" is a price per day; Duckling reads "20 yuan one" as 20.01
MONEY_ONE_DAY_RE = re.compile(r"(\b(?:yuan|rmb|cny|usd|dollars?|bucks?)\s+|[元块]\s*)one(?=\s+day\b)", re.I)
#: "it's the first time we file": "first" counts, it names no day
FIRST_TIME_RE = re.compile(r"\b(?:first|second|third)(?=\s+time\b)", re.I)
#: "i buy it 8 days before" (no event named after "before"): 8 days ago
DAYS_BEFORE_RE = re.compile(r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten) (days?|weeks?) before\b(?!\s+(?:the|it|that|my|our|we|i|you)\b)", re.I)


#: "the night before last": Duckling reads it as last night
NIGHT_BEFORE_LAST_RE = re.compile(r"\b(?:the )?night before last\b", re.I)
#: operators' 24-hour clock without a colon, in a range: "2340 wed -> 0115 thu", "2340-0115"
MILITARY_RANGE = (r"\b(?P<h1>[01]\d|2[0-3])(?P<m1>[0-5]\d)\b(?P<sep>\s*(?:[a-z]{3}\w*\s*)?(?:->|→|–|-|~|to|till?|until)\s*)"
                  r"(?P<h2>[01]\d|2[0-3])(?P<m2>[0-5]\d)\b")


def _written_out(match: "re.Match[str]") -> tuple[str, list[int]]:
    """The words read instead of the match, and for each of their characters the index
    in the customer's text it stands for."""
    start, end = match.start(), match.end()
    if match.group("range"):
        def clock(hour: str, minute: str) -> tuple[str, list[int]]:
            at = match.start(hour)
            return f"{match.group(hour)}:{match.group(minute)}", [at, at + 1, at + 1, at + 2, at + 3]

        first, first_at = clock("h1", "m1")
        second, second_at = clock("h2", "m2")
        sep_at = list(range(match.start("sep"), match.end("sep")))
        return first + match.group("sep") + second, first_at + sep_at + second_at
    if match.group("dotted"):
        year = f" {match.group('y')}" if match.group("y") else ""
        word = f"{int(match.group('d'))} {MONTHS[int(match.group('mo')) - 1]}{year} "
        return word, [start] * (len(word) - 1) + [end - 1]
    if match.group("slashed"):
        year = f" {match.group('sy')}" if match.group("sy") else ""
        word = f"{int(match.group('sd'))} {MONTHS[int(match.group('smo')) - 1]}{year}"
        return word, [start] * (len(word) - 1) + [end - 1]
    word = ("the day before yesterday at night" if match.group("night")
            else SHORT_DAY_WORDS[match.group("short").lower()])
    return word, [start] * (len(word) - 1) + [end - 1]


#: a clock with a space for its colon: "from 1pm to 1 45pm"
SPACED_CLOCK_RE = re.compile(r"\b(1[0-2]|0?[1-9]) ([0-5]\d)(?=\s?(?:am|pm)\b)", re.I)
#: "until 1:05 on Friday morning": the clock already says the morning, and Duckling reads
#: the day part as the whole morning (the range then starts at midnight)
CLOCK_ON_DAY_MORNING_RE = re.compile(r"(\b(?:[01]?\d):[0-5]\d\s*(?:am)?\s+on\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
                                     r"(\s+morning)\b", re.I)
#: the "T" between an ISO 8601 date and its clock
ISO_T_RE = re.compile(r"(?<=\d{4}-\d{2}-\d{2})T(?=\d{2}:\d{2})")
#: the same date said again at the end of a range: Duckling then ends the range at midnight
SAME_DATE_AGAIN_RE = re.compile(
    r"(\b(?P<date>\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*)\.?\s+\d{1,2}:\d{2}(?::\d{2})?\s*"
    r"(?:to|until|till|-|–|->|→)\s*)((?P=date)\.?\s+)(?=\d{1,2}:\d{2})", re.I)
#: slashed dates whose first number can only be a day: "26/11", "17/11/2026"
SLASHED_DATE = r"\b(?P<sd>1[3-9]|2\d|3[01])/(?P<smo>0?[1-9]|1[0-2])(?:/(?P<sy>20\d\d))?\b(?!/)"
#: European dates: "22.11.", "25.11.2026" (a trailing dot or a year: "22.11" alone is a number)
DOTTED_DATE = (r"\b(?P<d>0?[1-9]|[12]\d|3[01])\.(?P<mo>0?[1-9]|1[0-2])\.(?:(?P<y>20\d\d)\b|(?!\d))")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: what is written out longer than said (offsets are mapped back by `expanded`)
GROWN_RE = re.compile(rf"(?P<night>{NIGHT_BEFORE_LAST_RE.pattern})|(?P<range>{MILITARY_RANGE})|(?P<dotted>{DOTTED_DATE})|(?P<slashed>{SLASHED_DATE})|"
                      rf"\b(?P<short>{'|'.join(sorted(SHORT_DAY_WORDS, key=len, reverse=True))})\b", re.I)


def expanded(text: str) -> tuple[str, list[int]]:
    """Pure: `text` with short day words written out and "sat in" (the verb) blanked,
    plus, for every index of the new text (and its end), the index in `text` it came
    from (a written-out word maps onto the short word's span)."""
    text = SAT_VERB_RE.sub(lambda m: " " * len(m.group(0)), text)
    text = MONEY_ONE_DAY_RE.sub(lambda m: m.group(1) + "per", text)
    text = FIRST_TIME_RE.sub(lambda m: " " * len(m.group(0)), text)  # "the first time": no 1st of the month
    text = DAYS_BEFORE_RE.sub(lambda m: _padded(f"{m.group(1)} {m.group(2)} ago", m.group(0)), text)
    text = SPACED_CLOCK_RE.sub(lambda m: f"{m.group(1)}:{m.group(2)}", text)  # "1 45pm": 1:45pm
    text = ISO_T_RE.sub(" ", text)  # "2026-11-26T21:05:00+08:00": the date, a space, the clock
    text = CLOCK_ON_DAY_MORNING_RE.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)  # "1:05 on Friday morning"
    out: list[str] = []
    origin: list[int] = []
    last = 0
    for m in GROWN_RE.finditer(text):
        out.append(text[last:m.start()])
        origin.extend(range(last, m.start()))
        word, came_from = _written_out(m)
        out.append(word)
        origin.extend(came_from)
        last = m.end()
    out.append(text[last:])
    origin.extend(range(last, len(text) + 1))
    # "24 Nov 08:00 to 24 Nov 20:00" (or 24/11 ... 24/11): the date said once (blanked, same length)
    return SAME_DATE_AGAIN_RE.sub(lambda m: m.group(1) + " " * len(m.group(3)), "".join(out)), origin
