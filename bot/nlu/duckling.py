"""Duckling (pyduckling-native-phihos, no HTTP server) as a Rasa 3.6 entity extractor.

Why no Duckling server: nothing to run or reach; a parse costs well under a millisecond
once the time-zone database, languages and dimensions are loaded (cached once per
process). The native library runs in a tiny child process (bot/nlu/duckling_worker.py)
because the GHC runtime corrupted the heap when it shared a process with TensorFlow;
the zone is Asia/Shanghai (UTC+08:00 all year, no DST since 1991), the policy's zone.

What it adds over plain Duckling (documented in docs/NLU.md, tested in
tests/test_nlu_components.py):
- reference time = `bot.clock.now()` at each message (ASSURANCE_NOW pins it), zone UTC+08:00;
- relative dates resolve TO THE PAST: customers report purchases and faults that already
  happened (R2 purchase time, C3/C5 fault times). A time Duckling puts after "now" is moved
  back by the smallest calendar period (day, week, month, year) that gives a real earlier
  occurrence of the same phrase: "Monday" -> last Monday, "the 24th" -> this month's 24th
  if not in the future, else last month's; a bare "2pm" said at 10:00 -> yesterday 14:00.
  Phrases that are explicitly future ("tomorrow", "next Monday") have no earlier
  occurrence and are kept as they are;
- "2pm to 3:35pm" ends at 15:35 (Duckling's exclusive end 15:36 is made inclusive);
- English and Chinese: text with CJK characters is also parsed with the Chinese grammar,
  and "昨天下午2点到3点35分" (two Chinese times joined by 到/至) becomes one interval;
- money in yuan (¥, ￥, 元, 块, RMB, yuan) has unit CNY; "48 RMB" is money, not a number;
- numbers and times inside identifiers ("CS2611240001") are dropped.

Entity values: `time` -> ISO 8601 string with offset, or {"from": iso|None, "to": iso|None}
(plus "approximate": true when a day part without any clock time said it: "last night");
`duration` -> seconds (int, or float when fractional); `amount-of-money` ->
{"value": number, "unit": str}; `number` -> number.
"""
from __future__ import annotations

import atexit
import json
import logging
import re
import select
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime, timedelta
from typing import IO, Any, Dict, List, Optional, Sequence, Text, Tuple

from dateutil.relativedelta import relativedelta

from bot import clock
from bot.nlu import clock_times, time_ranges, time_words
from bot.nlu.patterns import find_ids

logger = logging.getLogger(__name__)

DEFAULT_DIMENSIONS = ("time", "duration", "amount-of-money", "number")

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: "~" right before a number after a word means "about" ("bought sunday ~11:00"), not a range
#: a comma right after a clock time and before a number ("from 11pm to 1am, 200 players")
CLOCK_COMMA_RE = re.compile(r"(?:(?<=am)|(?<=pm)|(?<=\d:\d\d)),(?=\s*\d)", re.I)
APPROX_TILDE_RE = re.compile(r"(?:(?<=[^\d\s:.])\s|^)~(?=\s*\d)")
#: a clock time said in a phrase ("at 9:05", "9am", "9点")
CLOCK_SAID_RE = re.compile(r"\d[:.]\d{2}|\d\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock)\b|点", re.I)
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
#: ":30" / ".45pm" right after a match: minutes Duckling left off a range's end
TRAILING_MINUTES_RE = re.compile(r"[:.]\d{2}(?!\d)(?:\s*(?:am|pm|a\.m\.|p\.m\.))?", re.I)
#: a number glued to the end of a date ("the 25th, 3000"): an amount, not a year
TRAILING_NUMBER_RE = re.compile(r"[,\s]*\d{2,}\s*$")
#: "for 2 hours", "for about 90 minutes": the interval is a start plus a duration
FOR_DURATION_RE = re.compile(r"\bfor\s+(?:about\s+|around\s+|roughly\s+)?(?:an?\s+|\d|one|two|three|four|five|six|"
                             r"seven|eight|nine|ten|half)", re.I)
#: "a day" / "per day" right after an amount ("costs 72 a day"): a price, not a duration
PRICE_PER_RE = re.compile(r"^\s*(?:a|an|per|each|every|one)\s+day\s*$", re.I)
AMOUNT_BEFORE_RE = re.compile(r"\d\s*(?:yuan|rmb|cny|usd|dollars?|bucks?|元|块)?\s*$", re.I)
#: "one day cost 4.32元", "a day costs 48", "每天": a price per day said before the amount
COST_AFTER_RE = re.compile(r"^\s*(?:costs?|price|is|=|:|fee|charge|费用|价格)\s*[:=]?\s*(?:is\s*)?[¥￥$]?\s*\d", re.I)
RANGE_WORD_RE = re.compile(r"\b(?:to|till|til|until|through|thru|and)\b|[-–—~到至]", re.I)
#: Chinese day parts: "凌晨1点" is 01:00, but Duckling reads the part and the hour apart.
ZH_AM_RE = re.compile(r"(?:凌晨|半夜|早上|清晨|上午)\s*$")
ZH_PM_RE = re.compile(r"(?:下午|晚上|傍晚|夜里)\s*$")
#: an end said after "到"/"一直到" with no day part of its own
ZH_UNTIL_RE = re.compile(r"(?:一直到|直到|到|至)\s*$")
ZH_ANY_PART_RE = re.compile(r"凌晨|半夜|早上|清晨|上午|中午|下午|晚上|傍晚|夜里")
ZH_AM_PARTS = frozenset({"凌晨", "半夜", "早上", "清晨", "上午"})
ZH_PART_RE = re.compile(r"^(?:凌晨|半夜|早上|清晨|上午|中午|下午|晚上|傍晚|夜里)$")
ZH_JOIN_RE = re.compile(r"^\s*(?:到|至|-|–|—|~)\s*(?:今天|当天|次日|第二天)?\s*(?:凌晨|半夜|早上|清晨|上午|中午|下午|晚上|傍晚|夜里)?\s*$")
ZH_SPLIT_RE = re.compile(r"[到至]")
#: words with 一 that are no number ("一直" always, "一下" a moment): blanked for Chinese parsing
ZH_NOT_NUMBERS_RE = re.compile(r"一直|一下|一起|一样|一般|一定|一旦")
#: "两个半小时" is two and a half hours (Duckling reads half an hour)
ZH_HALF_HOURS_RE = re.compile(r"([0-9]+|[一二两三四五六七八九十]+)\s*个半(?:小时|钟头|鐘頭|小時)")
ZH_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
DIGIT_RE = re.compile(r"[0-9一二三四五六七八九十两半]")
YUAN_BEFORE_RE = re.compile(r"(?:[¥￥]|\b(?:rmb|cny)\s*)$", re.I)
YUAN_AFTER_RE = re.compile(r"^\s*(?:元|块钱|块|(?:rmb|cny|yuan|kuai)\b)", re.I)
YUAN_TEXT_RE = re.compile(r"[¥￥元块]|\b(?:rmb|cny|yuan|kuai)\b", re.I)

#: Longest piece of text handed to Duckling at once. Its cost grows much faster than the
#: text (1,000 characters of "1 1 1 ..." did not finish in minutes), so long messages are
#: parsed sentence by sentence, in pieces of at most this many characters.
MAX_CHUNK = 240
#: a sentence end; a point between digits ("9.9元", "10.30") is none
SENTENCE_END_RE = re.compile(r"(?:(?<!\d)\.|\.(?!\d)|[!?;。！？；\n])+\s*")
#: A call that takes longer than this kills the worker (restarted on the next call).
CALL_TIMEOUT_S = 2.0
#: the clauses of a sentence Duckling cannot read whole in time: cut at commas and before
#: "until"/"till"/"to the" (each clause keeps its own times)
CLAUSE_RE = re.compile(r"[^,;]+?(?=\s+(?:until|till|til)\b|[,;]|$)[,;]?|[^,;]+[,;]?", re.I)

#: a sentence this long with an "until" clause is read clause by clause whatever the
#: machine's speed (Duckling takes seconds on it, and a whole reading joins day parts
#: across clauses); each clause keeps its times and the ranges are paired afterwards
LONG_RANGE_CHARS = 120
UNTIL_RE = re.compile(r",\s*(?:until|till|til)\b", re.I)

#: Explicitly future phrases are never moved back (they also move with the reference time).
FUTURE_WORDS_RE = re.compile(
    r"\b(?:tomorrow|tmr|tmrw|next|coming|upcoming|later|from now|in\s+(?:a|an|one|\d+)\s+\w+)\b"
    r"|明天|后天|下周|下个|下星期|明年|以后|之后",
    re.I,
)

#: Periods tried, smallest first, when moving a future-leaning time back (see module doc).
PAST_PERIODS: Tuple[Tuple[str, relativedelta], ...] = (
    ("day", relativedelta(days=1)),
    ("week", relativedelta(weeks=1)),
    ("month", relativedelta(months=1)),
    ("year", relativedelta(years=1)),
)
GRAIN_DELTA = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
}


class DucklingUnavailable(RuntimeError):
    """The native Duckling library or the time-zone database could not be loaded."""


class _Worker:
    """Client for bot.nlu.duckling_worker: one child per process, restarted if it dies."""

    def __init__(self) -> None:
        self._proc: Optional[subprocess.Popen] = None
        self._lock = threading.Lock()
        atexit.register(self.close)

    def _start(self) -> subprocess.Popen:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.nlu.duckling_worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, encoding="utf-8", bufsize=1,
                cwd=str(Path(__file__).resolve().parents[2]),
            )
        except OSError as exc:  # pragma: no cover - sys.executable always exists
            raise DucklingUnavailable(f"cannot start the Duckling worker: {exc}") from exc
        ready = proc.stdout.readline() if proc.stdout else ""
        if '"ready"' not in ready:
            proc.kill()
            raise DucklingUnavailable("the Duckling worker did not start (is pyduckling installed?)")
        return proc

    @staticmethod
    def _pipes(proc: subprocess.Popen) -> Tuple[IO[str], IO[str]]:
        """The child's stdin and stdout (always pipes: see `_start`)."""
        if proc.stdin is None or proc.stdout is None:
            raise RuntimeError("the Duckling worker was started without its stdin/stdout pipes")
        return proc.stdin, proc.stdout

    def ensure(self) -> None:
        """Start the child now (component load), so the first message pays nothing."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._start()

    def call(self, request: Dict[str, Any]) -> List[Dict[str, Any]]:
        line = json.dumps(request, ensure_ascii=False) + "\n"
        with self._lock:
            for _attempt in (1, 2):  # one restart if the child died
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = self._start()
                stdin, stdout = self._pipes(self._proc)
                try:
                    stdin.write(line)
                    stdin.flush()
                    ready, _, _ = select.select([stdout], [], [], CALL_TIMEOUT_S)
                    if not ready:  # a pathological input: never block the assistant on it
                        self._proc.kill()
                        self._proc = None
                        raise DucklingUnavailable(f"Duckling took over {CALL_TIMEOUT_S}s; skipped")
                    reply = stdout.readline()
                except (BrokenPipeError, OSError, ValueError):
                    reply = ""
                if reply:
                    data = json.loads(reply)
                    if "error" in data:
                        raise DucklingUnavailable(data["error"])
                    return data["ok"]
                self._proc = None
            raise DucklingUnavailable("the Duckling worker died twice on one request")

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                self._pipes(proc)[0].close()  # EOF ends the child
                proc.wait(timeout=2)
            except Exception:  # pragma: no cover - best effort at exit
                proc.kill()


_WORKER = _Worker()


def _parse(text: str, lang: str, ref: datetime, dims: Tuple[str, ...]) -> List[Dict[str, Any]]:
    return _WORKER.call({"text": text, "lang": lang, "ts": int(ref.timestamp()), "dims": list(dims)})


def _dt(value: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(value) if value else None


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment else None


def chunks(text: str, limit: int = MAX_CHUNK) -> List[Tuple[int, str]]:
    """(offset, piece) covering text: sentences, long ones cut at spaces, <= limit chars."""
    pieces: List[Tuple[int, str]] = []
    start = 0
    for match in SENTENCE_END_RE.finditer(text):
        pieces.append((start, text[start:match.end()]))
        start = match.end()
    if start < len(text):
        pieces.append((start, text[start:]))
    out: List[Tuple[int, str]] = []
    for offset, piece in pieces:
        while len(piece) > limit:
            cut = piece.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            out.append((offset, piece[:cut]))
            offset, piece = offset + cut, piece[cut:]
        if piece.strip():
            out.append((offset, piece))
    return out


@dataclass
class _Match:
    dim: str
    start: int
    end: int
    lang: str
    value: Dict[str, Any]

    @property
    def length(self) -> int:
        return self.end - self.start


def _years_away(value: Dict[str, Any], ref: datetime) -> int:
    """How many years the time value is from now (an interval by its start)."""
    raw = value.get("value") if value.get("type") != "interval" else (value.get("from") or {}).get("value")
    moment = _dt(raw) if isinstance(raw, str) else None
    return abs(moment.year - ref.year) if moment is not None else 0


def _without_future(entities: List[Dict[str, Any]], ref: datetime) -> List[Dict[str, Any]]:
    """Past mode: a time still after now that no future word asked for ("exactly 168 hours
    after rectification" read as 4 Dec) is no purchase or fault time; it is left out."""
    def future(entity: Dict[str, Any]) -> bool:
        if entity.get("entity") != "time" or FUTURE_WORDS_RE.search(entity.get("text", "")):
            return False
        value = entity.get("value")
        start = value if isinstance(value, str) else (value or {}).get("from") if isinstance(value, dict) else None
        moment = _dt(start) if isinstance(start, str) else None
        return moment is not None and moment > ref + timedelta(minutes=1)

    return [e for e in entities if not future(e)]


#: "same times, same instance. now?": "what now?", no time of the fault
ASKING_NOW_RE = re.compile(r"^\s*(?:and |so )?(?:what |how about )?now\s*$", re.I)


def _asking_now(text: str, entity: Dict[str, Any]) -> bool:
    """A bare "now" that ends a question asks what happens now; it dates nothing."""
    if entity.get("entity") != "time" or not ASKING_NOW_RE.match(str(entity.get("text") or "")):
        return False
    return bool(re.match(r"\s*[?？]", text[entity["end"]:]))


#: clock times said in words ("two thirty pm", "noon", "half past four", "ten o'clock")
CLOCK_WORDS_RE = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?:[\s-]+\w+){0,2}?\s*"
    r"(?:am|pm|a\.m\.|p\.m\.|o'?clock)\b|\bnoon\b|\bmidnight\b|\b(?:half|quarter) (?:past|to)\b|[点點]", re.I)
#: "forty yuan a day", "48 per day": a price per day, not a duration of a day
PER_DAY_RE = re.compile(r"^(?:a|an|per|each|every|one)\s+day$", re.I)
MONEY_BEFORE_RE = re.compile(r"(?:\d|yuan|rmb|cny|usd|dollars?|bucks?|元|块|costs?|pay|paid)\W*$", re.I)


def _for_now(text: str, entity: Dict[str, Any]) -> bool:
    """"that is all for now", "ok for now": for the time being, no time of anything."""
    return (entity.get("entity") == "time" and str(entity.get("text") or "").strip().lower() == "now"
            and bool(re.search(r"\bfor\s*$", text[max(0, entity["start"] - 5):entity["start"]], re.I)))


def _price_per_day(text: str, entity: Dict[str, Any]) -> bool:
    """A duration entity that is the "a day" of a price ("forty yuan a day")."""
    if entity.get("entity") != "duration" or not PER_DAY_RE.match(str(entity.get("text") or "").strip()):
        return False
    return bool(MONEY_BEFORE_RE.search(text[max(0, entity["start"] - 12):entity["start"]]))


#: "including the seconds", "the minutes": a unit named, no time
UNIT_ONLY_RE = re.compile(r"^\s*(?:the\s+)?(?:seconds?|minutes?|hours?|days?)\s*$", re.I)


#: "within five days", "in the next 2 hours": a window asked about, not a time of the case
WINDOW_RE = re.compile(r"^\s*(?:within|inside|in the next|in under|in less than)\b", re.I)


def _window(entity: Dict[str, Any]) -> bool:
    return entity.get("entity") == "time" and bool(WINDOW_RE.match(str(entity.get("text") or "")))


def _unit_only(entity: Dict[str, Any]) -> bool:
    return entity.get("entity") == "time" and bool(UNIT_ONLY_RE.match(str(entity.get("text") or "")))


def _which(text: str, entity: Dict[str, Any]) -> bool:
    """"申请期限到哪一天？", "which day": a question word before it, no duration or day said."""
    before = text[max(0, entity["start"] - 6):entity["start"]]
    return entity.get("entity") in ("duration", "time") and bool(re.search(r"(?:哪|\bwhich\s*)$", before, re.I))


#: "our time (+08:00)", "GMT+8", "UTC+08:00": a time zone, not a time of day
UTC_OFFSET_BEFORE_RE = re.compile(r"(?:\+|\b(?:UTC|GMT)\s*[+-]?)\s*$", re.I)
UTC_OFFSET_RE = re.compile(r"^\d{1,2}(?::?\d{2})?$")


def _time_zone(text: str, entity: Dict[str, Any]) -> bool:
    """A time entity that is the offset of a time zone ("+08:00")."""
    if entity.get("entity") != "time" or not UTC_OFFSET_RE.match(str(entity.get("text") or "").strip()):
        return False
    return bool(UTC_OFFSET_BEFORE_RE.search(text[max(0, entity["start"] - 6):entity["start"]]))


def _in_said_offsets(entities: List[Dict[str, Any]], said: str, origin: List[int]) -> List[Dict[str, Any]]:
    """Entities found in the expanded text, with the offsets and words of the text said."""
    for entity in entities:
        start, end = origin[entity["start"]], origin[entity["end"] - 1] + 1
        entity.update(start=start, end=end, text=said[start:end])
    return entities


#: "上周三", "上个礼拜三", "这个星期三": a weekday of last (or this) calendar week
ZH_WEEK_DAY_RE = re.compile(r"^(?P<which>上上|上|这|這|本)(?:个|個)?(?:周|週|星期|礼拜|禮拜)(?P<day>[一二三四五六日天])$")
ZH_WEEKDAYS = "一二三四五六"


def _zh_week_day(body: str, value: Dict[str, Any], ref: datetime) -> Dict[str, Any]:
    """Duckling reads "上周三" on a Friday as this Wednesday; in Chinese it is the
    Wednesday of the week before (the calendar week, Monday first)."""
    m = ZH_WEEK_DAY_RE.match(body.strip())
    if m is None or value.get("grain") != "day":
        return value
    weekday = ZH_WEEKDAYS.index(m.group("day")) if m.group("day") in ZH_WEEKDAYS else 6
    weeks_back = {"上上": 2, "上": 1}.get(m.group("which"), 0)
    monday = ref.date() - timedelta(days=ref.weekday() + 7 * weeks_back)
    day = monday + timedelta(days=weekday)
    moment = datetime(day.year, day.month, day.day, tzinfo=ref.tzinfo)
    return {**value, "value": _iso(moment)}


class DucklingParser:
    """Pure parsing logic (no Rasa): text + reference time -> Rasa-shaped entity dicts."""

    def __init__(self, dimensions: Sequence[str] = DEFAULT_DIMENSIONS, past: bool = True) -> None:
        self.dimensions = tuple(dimensions)
        self.past = past

    # -- public ------------------------------------------------------------
    def parse(self, text: str, now: Optional[datetime] = None) -> List[Dict[str, Any]]:
        """Entities found in text, relative dates resolved against now (default bot.clock)."""
        if not text or not text.strip():
            return []
        # The native library cannot take NUL (Rust CString) and has no use for other
        # control characters; blank them one for one so offsets stay those of `text`.
        text = CONTROL_RE.sub(" ", text)
        said, (text, origin) = text, time_words.expanded(text)  # "yest at 10am": read as "yesterday"
        text = APPROX_TILDE_RE.sub(lambda m: " " * len(m.group(0)), text)
        text = CLOCK_COMMA_RE.sub(".", text)  # "to 1am, 200 players": no year 200 after the time
        text = time_words.as_digits(text)  # "two and four in the morning", log stamps' "+08:00"
        ref = (now or clock.now()).astimezone(clock.CST)
        matches = self._raw_matches(text, ref)
        matches = self._drop_inside_ids(text, matches)
        matches = self._select(matches)
        matches = self._join_chinese_ranges(text, matches)
        entities = []
        for match in sorted(matches, key=lambda m: m.start):
            entity = self._to_entity(text, match, ref)
            if entity is not None:
                entities.append(entity)
        entities = [e for e in entities if not _asking_now(text, e) and not _time_zone(text, e)
                    and not _price_per_day(text, e) and not _for_now(text, e) and not _which(text, e)
                    and not _unit_only(e) and not _window(e)]
        found = _without_future(clock_times.anchor(text, entities, ref), ref) if self.past else entities
        return _in_said_offsets(found, said, origin) if text != said else found

    # -- matching ----------------------------------------------------------
    def _raw_matches(self, text: str, ref: datetime) -> List[_Match]:
        found = []
        for offset, chunk in chunks(text):
            for piece_offset, item in self._english(chunk, ref):
                found.append(_Match(item["dim"], offset + piece_offset + item["start"],
                                    offset + piece_offset + item["end"], "EN", item["value"]))
            if CJK_RE.search(chunk):
                found += self._chinese_matches(text, offset, chunk, ref)
        return found

    def _english(self, chunk: str, ref: datetime) -> List[Tuple[int, Dict[str, Any]]]:
        """Duckling's English matches as (offset in chunk, match). A phrase with many
        times and day parts can take Duckling seconds ("from half past eight in the
        morning on Monday, 23rd November, until two o'clock the following afternoon"):
        then its clauses are read one by one rather than losing every time in it."""
        clauses = [(m.start(), m.group(0)) for m in CLAUSE_RE.finditer(chunk) if m.group(0).strip()]
        if not (len(chunk) > LONG_RANGE_CHARS and len(clauses) >= 2 and UNTIL_RE.search(chunk)):
            try:
                return [(0, item) for item in _parse(chunk, "EN", ref, self.dimensions)]
            except DucklingUnavailable:
                if len(clauses) < 2:
                    raise
        out: List[Tuple[int, Dict[str, Any]]] = []
        for start, clause in clauses:
            try:
                out += [(start, item) for item in _parse(clause, "EN", ref, self.dimensions)]
            except DucklingUnavailable:
                continue  # that clause alone is too much: the others still count
        return out

    def _chinese_matches(self, text: str, offset: int, chunk: str, ref: datetime) -> List[_Match]:
        """Each side of 到/至 on its own (Duckling's own Chinese ranges swallow the day
        part of the end, "11点到凌晨" + "1点"), with "凌晨1点" read as 01:00."""
        found = []
        start = 0
        for piece in ZH_SPLIT_RE.split(chunk):
            piece_read = ZH_NOT_NUMBERS_RE.sub(lambda m: " " * len(m.group(0)), piece)  # "5点一直": no 5:01
            for item in _parse(piece_read, "ZH", ref, self.dimensions):
                body = piece[item["start"]:item["end"]]
                value = item["value"]
                if item["dim"] == "time" and ZH_PART_RE.match(body.strip()):
                    continue  # a bare day part; it qualifies the hour after it
                if (item["dim"] == "time" and not re.search(r"\d|点|點|时|時", body)
                        and re.match(r"\s*[0-9一二三四五六七八九十两]", piece[item["end"]:])):
                    continue  # "今天凌晨" before "1点": the day part of the hour after it
                if item["dim"] in ("number", "amount-of-money") and re.search(r"\d\.$", piece[:item["start"]]):
                    continue  # the decimals of "9.9元": the English reading has the whole number
                if item["dim"] == "time" and value.get("type") == "value":
                    value = self._zh_day_part(text[:offset + start + item["start"]], value, body)
                    value = _zh_week_day(body, value, ref)
                found.append(_Match(item["dim"], offset + start + item["start"],
                                    offset + start + item["end"], "ZH", value))
            start += len(piece) + 1
        return found

    @staticmethod
    def _zh_day_part(before: str, value: Dict[str, Any], body: str = "") -> Dict[str, Any]:
        """An hour right after 凌晨/早上 is before noon; after 下午/晚上, after noon."""
        moment = _dt(value.get("value"))
        if moment is None or value.get("grain") not in GRAIN_DELTA:
            return value
        am, pm = ZH_AM_RE.search(before), ZH_PM_RE.search(before)
        if not am and not pm and ZH_UNTIL_RE.search(before) and not ZH_ANY_PART_RE.search(body):
            # "从早上9点20打不开，一直到9点50才恢复": the end is in the half of the day of its start
            parts = list(ZH_ANY_PART_RE.finditer(before))
            am = parts[-1] if parts and parts[-1].group(0) in ZH_AM_PARTS else None
            pm = parts[-1] if parts and parts[-1].group(0) not in ZH_AM_PARTS else None
        if am and moment.hour >= 12:
            moment -= timedelta(hours=12)
        elif pm and moment.hour < 12:
            moment += timedelta(hours=12)
        else:
            return value
        return {**value, "value": _iso(moment)}

    @staticmethod
    def _drop_inside_ids(text: str, matches: List[_Match]) -> List[_Match]:
        ids = [(start, end) for _, start, end, _ in find_ids(text)]
        return [m for m in matches if not any(m.start < e and s < m.end for s, e in ids)]

    @staticmethod
    def _select(matches: List[_Match]) -> List[_Match]:
        """Greedy non-overlapping choice: longest span, then richer dim, then English."""
        rank = {"time": 0, "amount-of-money": 1, "duration": 2, "number": 3}
        chosen: List[_Match] = []
        ordered = sorted(matches, key=lambda m: (-m.length, rank.get(m.dim, 9), m.lang != "EN", m.start))
        for match in ordered:
            if all(match.end <= c.start or c.end <= match.start for c in chosen):
                chosen.append(match)
        return chosen

    def _join_chinese_ranges(self, text: str, matches: List[_Match]) -> List[_Match]:
        """Chinese "A到B" comes back as two times; make it one interval like English."""
        ordered = sorted(matches, key=lambda m: m.start)
        out: List[_Match] = []
        i = 0
        while i < len(ordered):
            cur = ordered[i]
            nxt = ordered[i + 1] if i + 1 < len(ordered) else None
            if (
                nxt is not None
                and cur.dim == nxt.dim == "time"
                and cur.value.get("type") == nxt.value.get("type") == "value"
                and ZH_JOIN_RE.match(text[cur.end:nxt.start])
            ):
                start = _dt(cur.value["value"])
                end = _dt(nxt.value["value"])
                grain = nxt.value.get("grain", "minute")
                if grain in GRAIN_DELTA and start is not None and end is not None:
                    end = datetime.combine(start.date(), end.timetz())
                    if end - timedelta(hours=12) > start and not ZH_PM_RE.search(text[cur.end:nxt.start]):
                        end -= timedelta(hours=12)  # "早上8点到9点15分": 09:15, not Duckling's 21:15
                    if end < start and end + timedelta(hours=12) >= start:
                        end += timedelta(hours=12)  # "下午2点到3点" means 15:00
                    elif end < start:
                        end += timedelta(days=1)
                out.append(_Match("time", cur.start, nxt.end, cur.lang, {
                    "type": "interval",
                    "from": {"value": _iso(start), "grain": cur.value.get("grain")},
                    "to": {"value": _iso(end), "grain": grain, "inclusive": True},
                }))
                i += 2
                continue
            out.append(cur)
            i += 1
        return out

    # -- values --------------------------------------------------------------
    def _to_entity(self, text: str, match: _Match, ref: datetime) -> Optional[Dict[str, Any]]:
        start, end = match.start, match.end
        info: Dict[str, Any] = {k: v for k, v in match.value.items() if k != "values"}
        dim = match.dim
        if dim == "time" and match.value.get("grain") == "year":
            return None  # "this year", "今年": never a purchase or fault time ("no refunds this year")
        if dim == "time" and _years_away(match.value, ref) > 1:
            return self._without_trailing_number(text, start, end, match, ref)
        if dim == "time":
            end = self._with_minutes(text, start, end)
            value, extra = self._time_value(text[start:end], match, ref)
            info.update(extra)
        elif dim == "duration":
            seconds = match.value.get("normalized", {}).get("value")
            half = ZH_HALF_HOURS_RE.search(text[start:end])
            if half:
                said = half.group(1)
                hours = int(said) if said.isdigit() else ZH_NUMERALS.get(said)
                seconds = hours * 3600 + 1800 if hours else seconds
            per_day = PRICE_PER_RE.match(text[start:end])
            if seconds is None or per_day and (AMOUNT_BEFORE_RE.search(text[:start]) or COST_AFTER_RE.match(text[end:])):
                return None  # "72 a day" is a daily cost, not a fault lasting a day
            value = int(seconds) if float(seconds).is_integer() else float(seconds)
        elif dim == "amount-of-money":
            amount = match.value.get("value")
            if amount is None:
                return None
            unit = match.value.get("unit")
            if YUAN_TEXT_RE.search(text[start:end]) or unit in (None, "", "$") and match.lang == "ZH":
                unit = "CNY"
            value = {"value": amount, "unit": unit}
        elif dim == "number":
            value = match.value.get("value")
            before, after = text[:start], text[end:]
            money_before = YUAN_BEFORE_RE.search(before)
            money_after = YUAN_AFTER_RE.match(after)
            if money_before or money_after:
                dim = "amount-of-money"
                start = money_before.start() if money_before else start
                end = end + money_after.end() if money_after else end
                value = {"value": value, "unit": "CNY"}
        else:  # pragma: no cover - only configured dims are requested
            value = match.value.get("value")
        return {
            "start": start,
            "end": end,
            "text": text[start:end],
            "value": value,
            "confidence": 1.0,
            "additional_info": info,
            "entity": dim,
        }

    def _without_trailing_number(self, text: str, start: int, end: int, match: _Match,
                                 ref: datetime) -> Optional[Dict[str, Any]]:
        """"on the 25th, 3000 yuan" read as the year 3000, "at 9:05 in morning, 80 yuan"
        as 1980: the date without the number (an amount), or nothing."""
        body = text[start:end]
        cut = TRAILING_NUMBER_RE.sub("", body)
        moment = self._past_time(cut, match.lang, ref) if cut and cut != body else None
        if moment is None and cut and cut != body and time_ranges.WEEKDAY_RE.search(cut):
            moment = self._past_time(time_ranges.without_weekday(cut), match.lang, ref)  # "Sunday 22nd"
        if moment is None:
            return None
        grain = "minute" if CLOCK_SAID_RE.search(cut) else "day"
        return {"start": start, "end": start + len(cut), "text": cut, "value": _iso(moment), "confidence": 1.0,
                "additional_info": {"type": "value", "grain": grain}, "entity": "time"}

    @staticmethod
    def _with_minutes(text: str, start: int, end: int) -> int:
        """The match's end, past the minutes Duckling left off a clock range's end
        ("this morning 8 to 9" + ":30"), so the range is read whole."""
        more = TRAILING_MINUTES_RE.match(text, end)
        if more and time_ranges.find_range(text[start:more.end()]) is not None:
            return more.end()
        return end

    def _for_duration(self, body: str, lang: str, start: Optional[datetime], ref: datetime) -> Optional[datetime]:
        """"from noon for 2 hours": the end is the start plus the duration said
        (Duckling's own end is exclusive by a whole hour, 15:00)."""
        if start is None or not FOR_DURATION_RE.search(body):
            return None
        for item in _parse(body, lang, ref, ("duration",)):
            seconds = (item["value"].get("normalized") or {}).get("value")
            if seconds:
                return start + timedelta(seconds=float(seconds))
        return None

    def _time_value(self, body: str, match: _Match, ref: datetime) -> Tuple[Any, Dict[str, Any]]:
        raw = match.value
        extra: Dict[str, Any] = {}
        start: Optional[datetime]
        end: Optional[datetime]
        found = time_ranges.find_range(body) if match.lang == "EN" else None
        if found is not None and self.past:
            start, end = self._place_range(body, found, ref)
            return {"from": _iso(start), "to": _iso(end)}, {"clock_range": True}
        if raw.get("type") == "interval":
            start = _dt((raw.get("from") or {}).get("value"))
            end = _dt((raw.get("to") or {}).get("value"))
            to_info = raw.get("to") or {}
            to_grain = to_info.get("grain")
            if (
                start is not None and end is not None and not to_info.get("inclusive")
                and to_grain in GRAIN_DELTA and RANGE_WORD_RE.search(body)
            ):
                end -= GRAIN_DELTA[to_grain]  # Duckling's "to 3:35pm" is exclusive (15:36)
            end = self._for_duration(body, match.lang, start, ref) or end
            anchor = start or end
            if self.past and anchor is not None and anchor > ref:
                period = self._past_period(body, match.lang, anchor, ref)
                shift: Optional[timedelta] = None
                if period is not None:
                    extra["shifted_to_past"], delta = period
                    shift = anchor - (anchor - delta)
                elif time_ranges.WEEKDAY_RE.search(body):
                    # "from Saturday the 21st at noon for 2 hours": as for a single time
                    again = self._past_time(time_ranges.without_weekday(body), match.lang, ref)
                    if again is not None:
                        shift, extra["shifted_to_past"] = anchor - again, "weekday_dropped"
                if shift is not None:
                    start = start - shift if start else None
                    end = end - shift if end else None
            value: Dict[str, Any] = {"from": _iso(start), "to": _iso(end)}
            if not DIGIT_RE.search(body) and not CLOCK_WORDS_RE.search(body):
                # "last night", "this morning": a part of a day, not the fault's times
                # ("from two thirty pm to four fifteen pm" says clock times in words)
                value["approximate"] = True
            return value, extra
        moment = _dt(raw.get("value"))
        if self.past and moment is not None and moment > ref:
            period = self._past_period(body, match.lang, moment, ref)
            if period is not None:
                name, delta = period
                moment = moment - delta
                extra["shifted_to_past"] = name
            elif time_ranges.WEEKDAY_RE.search(body):
                # "Saturday the 21st": Duckling finds the next Saturday that is a 21st
                # (August next year); the day of the month is what people mean.
                again = self._past_time(time_ranges.without_weekday(body), match.lang, ref)
                if again is not None:
                    moment, extra["shifted_to_past"] = again, "weekday_dropped"
        return _iso(moment), extra

    def _past_time(self, body: str, lang: str, ref: datetime) -> Optional[datetime]:
        """The first time value in `body`, moved to the past like any other."""
        for item in _parse(body, lang, ref, ("time",)):
            value = item["value"]
            got = _dt((value.get("from") or {}).get("value") if value.get("type") == "interval"
                      else value.get("value"))
            if got is None:
                return None
            if got > ref:
                period = self._past_period(body[item["start"]:item["end"]], lang, got, ref)
                got = got - period[1] if period else None
            return got
        return None

    def _place_range(self, body: str, found: "time_ranges.ClockRange",
                     ref: datetime) -> Tuple[datetime, datetime]:
        """A clock range on the day the rest of the phrase names (default: today)."""
        rest = (body[:found.start] + " " + body[found.end:]).strip()
        day = self._past_time(rest, "EN", ref) if rest else None
        if day is None and rest and time_ranges.WEEKDAY_RE.search(rest):
            # "Wednesday the 25th from 9pm to 11:30pm": the day of the month is the day meant
            day = self._past_time(time_ranges.without_weekday(rest), "EN", ref)
        midnight = (day or ref).replace(hour=0, minute=0, second=0, microsecond=0)
        return time_ranges.place(found, midnight, ref, bool(time_ranges.NIGHT_RE.search(rest)))

    def _past_period(
        self, body: str, lang: str, anchor: datetime, ref: datetime
    ) -> Optional[Tuple[str, relativedelta]]:
        """Smallest period p with anchor - p <= now that the phrase itself yields again.

        Verified by re-parsing the phrase just before the candidate: "Monday" re-parsed
        late on a Saturday gives Monday the 30th, not Sunday the 29th, so the day step
        is rejected and the week step (the 23rd) accepted. Explicitly future phrases
        ("tomorrow", "next Monday", "in 2 days") are kept.
        """
        if FUTURE_WORDS_RE.search(body):
            return None
        for name, delta in PAST_PERIODS:
            candidate = anchor - delta
            if candidate > ref:
                continue
            # Duckling skips an occurrence equal to the reference ("Monday" said on a
            # Monday means next week), so ask from one second before the candidate.
            for item in _parse(body, lang, candidate - timedelta(seconds=1), ("time",)):
                value = item["value"]
                if value.get("type") == "interval":  # "until Thursday noon": the end is the anchor
                    got = (value.get("from") or {}).get("value") or (value.get("to") or {}).get("value")
                else:
                    got = value.get("value")
                if got and _dt(got) == candidate:
                    return name, delta
                break
        return None


# ---------------------------------------------------------------------------
# Rasa component
# ---------------------------------------------------------------------------
from rasa.engine.graph import ExecutionContext, GraphComponent  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.engine.storage.storage import ModelStorage  # noqa: E402
from rasa.nlu.extractors.extractor import EntityExtractorMixin  # noqa: E402
from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class DucklingExtractor(GraphComponent, EntityExtractorMixin):
    """Rasa entity extractor around DucklingParser; reads the time from bot.clock."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """dimensions: Duckling dims to extract; resolve_to_past: see module doc."""
        return {"dimensions": list(DEFAULT_DIMENSIONS), "resolve_to_past": True}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.component_config = config
        self.parser = DucklingParser(config.get("dimensions") or DEFAULT_DIMENSIONS,
                                     past=bool(config.get("resolve_to_past", True)))
        _WORKER.ensure()  # fail at load time, not on the first customer message

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DucklingExtractor":
        """Creates the component (nothing to train)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds Duckling entities to each message, with now read once per message."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            try:
                found = self.parser.parse(text, clock.now())
            except DucklingUnavailable as exc:
                # Times and amounts are lost for this message, never the conversation:
                # the forms ask again for what they still need.
                logger.error("Duckling failed on a message (%s); no time/amount entities", exc)
                found = []
            extracted = self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + extracted, add_to_output=True)
        return messages
