"""Contact (H1/H2): hotline number and hours, whether it is open right now
(the policy's `hotline` decision at bot.clock.now()), tickets 24/7; and whether it
is open at the time the customer asks about ("and if I ring tomorrow?", "周六打有人吗")."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType

from bot.nlu.clock_times import DAY_WORDS_RE
from bot.nlu.time_words import PRESENT_WORDS_RE
from actions import follow_up
from actions.common import answered_just_before, decide, guarded, now_iso, say, say_hotline_status, show_date, show_time

#: "at 6pm today", "tonight at 8", "今晚8点": today's date, whatever the parser made of it
TODAY_RE = re.compile(r"\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening|arvo)\b|\blater on\b|"
                      r"今天|今晚|今日|今夜|今早|今天下午|今个|今朝", re.I)
#: days ahead named with the time itself ("tomorrow around 10"): that day, not another day part's
FUTURE_DAY_RE = re.compile(r"\btomorrow\b|\btmrw\b|\b2moro\b|明天|聽日|听日|后天|後天", re.I)
#: grains that name a whole day or more ("tomorrow", "Saturday"), not a moment
DAY_GRAINS = frozenset({"day", "week", "month"})


def asked_time(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The time the latest message asks about, as {"at", "whole_day"}; None if it names none."""
    return time_in(tracker.latest_message or {})


#: words quoted from the policy ('Monday to Friday, 9 AM to 6 PM') name no time asked about
QUOTED_RE = re.compile(r"(?<![A-Za-z])'[^']{2,}'(?![A-Za-z])|\"[^\"]*\"|“[^”]*”|「[^」]*」")


def time_in(parse_data: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The time a parsed message asks about, as {"at", "whole_day", "clock_only", "today"}:
    the last one said ("I can't call during the day ... tonight around 9pm?"), not one
    taken back ("half past nine, not half past eight") nor one quoted from the policy."""
    from actions.forms_base import negated

    text = str(parse_data.get("text") or "")
    quoted = [m.span() for m in QUOTED_RE.finditer(text)]
    said = [e for e in parse_data.get("entities") or []
            if not negated(text, e) and not any(a <= (e.get("start") or -1) < b for a, b in quoted)]
    unquoted = QUOTED_RE.sub(" ", text)
    times = [e for e in said if e.get("entity") == "time"]
    exact = [e for e in times if not (isinstance(e.get("value"), dict) and e["value"].get("approximate"))]
    asked = [e for e in exact if _in_question(unquoted, e)]  # "... today at 18:00 exactly? I finish at 17:45."
    for entity in reversed(asked or exact or times):  # "at 5:59 PM this evening": the minute, not the evening
        value = entity.get("value")
        if isinstance(value, dict):
            value = value.get("from") or value.get("to")
        if not isinstance(value, str):
            continue
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            continue
        grain = (entity.get("additional_info") or {}).get("grain")
        words = str(entity.get("text") or "")
        if PRESENT_WORDS_RE.match(words):
            return None  # "那现在可以打吗": now, whatever day was asked about before
        day_part = next((t["value"]["from"] for t in times if t is not entity and isinstance(t.get("value"), dict)
                         and t["value"].get("approximate") and t["value"].get("from")), None)
        if day_part and not DAY_WORDS_RE.search(words) and not FUTURE_DAY_RE.search(words) and grain not in DAY_GRAINS:
            # "tomorrow morning, say 10am": the clock time on the day part's day
            day = datetime.fromisoformat(day_part)
            return {"at": day.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0), "whole_day": False,
                    "clock_only": False, "today": day.date() == at.date() and bool(TODAY_RE.search(unquoted))}
        today = bool(TODAY_RE.search(words)) or (not DAY_WORDS_RE.search(words) and bool(TODAY_RE.search(unquoted)))
        return {"at": at, "whole_day": grain in DAY_GRAINS, "clock_only": not DAY_WORDS_RE.search(words) and not today,
                "today": today}
    return None


def _in_question(text: str, entity: Dict[str, Any]) -> bool:
    """The entity is in a sentence that asks ("... at 18:00 exactly?")."""
    start = entity.get("start")
    if not isinstance(start, int):
        return False
    end = next((m.end() for m in re.finditer(r"[.!?。！？]", text) if m.start() >= start), len(text))
    return text[end - 1:end] in ("?", "？")


def upcoming(at: datetime, whole_day: bool, now: datetime, clock_only: bool = False) -> datetime:
    """The hours repeat every week: a weekday read into the past ("Saturday" -> last
    Saturday) is the coming one when asking about calling; a clock time alone ("at
    8pm") is the coming one."""
    horizon = now - timedelta(days=1) if whole_day else now
    step = timedelta(days=1 if clock_only and not whole_day else 7)
    while at < horizon:
        at += step
    return at


def hotline_at(at: datetime, whole_day: bool) -> Dict[str, Any]:
    """Open at that moment, or (a whole day) at any time that day (H2)."""
    if whole_day:
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        decision = decide({"kind": "hotline", "now": day.isoformat()})
        opens = decision.get("next_open")
        open_that_day = bool(decision.get("open")) or (
            isinstance(opens, str) and datetime.fromisoformat(opens).date() == day.date())
        return {"open": open_that_day, "when": show_date(day.isoformat()), "next_open": show_time(opens)}
    decision = decide({"kind": "hotline", "now": at.isoformat()})
    return {"open": bool(decision.get("open")), "when": show_time(at.isoformat()),
            "next_open": show_time(decision.get("next_open"))}


class ActionHotline(Action):
    def name(self) -> Text:
        return "action_hotline"

    @guarded
    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        if follow_up.about_the_answer_not_the_hotline(tracker):  # "and when does the count start again?"
            from actions.smalltalk import answer_again

            return await answer_again(tracker, domain)
        say(dispatcher, "utter_hotline")
        asked = asked_time(tracker)
        if asked is None:
            say_hotline_status(dispatcher)
            return []
        say_open_then(dispatcher, tracker, asked)
        return []


def say_open_then(dispatcher, tracker: Tracker, asked: Dict[str, Any]) -> None:
    """Whether the hotline is open at the time asked about (H2), on the day asked before
    when only a clock time is said now ("Monday 8:30?" ... "09:00 then?")."""
    now = datetime.fromisoformat(now_iso())
    at = upcoming(asked["at"], asked["whole_day"], now, asked["clock_only"])
    if asked["today"] and not asked["whole_day"]:  # "is it open at 6pm today?": today, even if past
        at = now.replace(hour=asked["at"].hour, minute=asked["at"].minute, second=0, microsecond=0)
    day = day_asked_before(tracker, now) if asked["clock_only"] and not asked["whole_day"] else None
    if day is not None:  # "Monday 8:30?" ... "09:00 then?": 09:00 on that Monday
        at = day.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    facts = hotline_at(at, asked["whole_day"])
    say(dispatcher, "utter_hotline_open_then" if facts["open"] else "utter_hotline_closed_then",
        when=facts["when"], next_open=facts["next_open"])


def asks_about_the_hotline_again(tracker: Tracker) -> bool:
    """Inside a check, right after a question about the hotline hours: "那下周一早上9点整呢",
    "and Monday at 9 then?" asks about calling then; it is no fact of the check."""
    from actions.forms_base import asks_something

    text = str((tracker.latest_message or {}).get("text") or "")
    short = len(text.split()) <= FOLLOW_UP_WORDS and len(text) <= FOLLOW_UP_CHARS  # not a new story with its times
    return short and hotline_just_answered(tracker) and asked_time(tracker) is not None and asks_something(text)


#: a follow-up time question is short: "and Monday at 9 then?", "那下周一早上9点整呢"
FOLLOW_UP_WORDS = 12
FOLLOW_UP_CHARS = 40


def day_asked_before(tracker: Tracker, now: datetime) -> Optional[datetime]:
    """The day of the hotline question just answered ("and on Monday at 8:30?"), when
    it named one: a clock time alone next ("09:00 then?") is on that day."""
    if not hotline_just_answered(tracker):
        return None
    users = [e for e in tracker.events or [] if e.get("event") == "user"]
    if len(users) < 2:
        return None
    before = time_in(users[-2].get("parse_data") or {})
    if before is None or before["clock_only"]:
        return None
    if before["today"] and not before["whole_day"]:  # "today at 18:00?" ... "and at 17:30?": today
        return now.replace(hour=before["at"].hour, minute=before["at"].minute, second=0, microsecond=0)
    return upcoming(before["at"], before["whole_day"], now, before["clock_only"])


#: the hotline answers: a time said right after one asks about the hotline then
HOTLINE_ANSWERS = frozenset({"utter_hotline", "utter_hotline_open_now", "utter_hotline_closed_now",
                             "utter_hotline_open_then", "utter_hotline_closed_then"})


def hotline_just_answered(tracker: Tracker) -> bool:
    """The assistant's turn before the latest message answered about the hotline, and
    this turn has not answered it yet (no loop of follow-ups)."""
    events = tracker.events or []
    for event in reversed(events):
        if event.get("event") == "user":
            break
        if event.get("event") == "action" and event.get("name") == "action_hotline":
            return False
    return answered_just_before(events, HOTLINE_ANSWERS)


#: a hotline question inside a longer request ("I want a refund for CS…, and is your hotline
#: even open right now?", "热线电话是多少现在打过去有人接吗"): the hotline words and a question
HOTLINE_ASKED_RE = re.compile(r"(?:\bhot ?line\b|\bphone (?:line|number)\b|热线|熱線|热县|客服电话)[^.!?。！]{0,60}"
                              r"(?:[?？]|\bopen\b|\bnumber\b|\bpick(?:ing|s)? up\b|\banswer|有人接|打得通|多少|几点)|"
                              r"\b(?:what'?s|what is|is) (?:your |the )?hot ?line\b", re.I)


def answer_hotline_in_passing(dispatcher, tracker: Tracker) -> bool:
    """A hotline question asked with a check: answered (number, hours, open now) before
    the check's own answer, so neither question is dropped."""
    from bot.nlu.chinese_script import to_simplified

    text = to_simplified(str((tracker.latest_message or {}).get("text") or ""))
    if not HOTLINE_ASKED_RE.search(text):
        return False
    say(dispatcher, "utter_hotline")
    say_hotline_status(dispatcher)
    return True
