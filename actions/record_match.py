"""Which of a signed-in customer's own records a message describes.

"The web server I bought two days ago", "the CDN purchased yesterday", "comp for the
ECS outage", "the one that's still down since 8am": people name orders and incidents
by product, day and what happened, not by ID. This module reads those clues from a
parsed message and keeps the records that fit all of them; the caller uses a match
only when it is the only one (several or none: the buttons still ask).

Pure: records and the parsed message in, records out."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, FrozenSet, Iterable, List, Mapping, Optional, Sequence

from actions import stated_facts
from actions.negation import negated
from bot.nlu.time_words import PRESENT_WORDS_RE

#: "still down", "not fixed yet", "还没恢复": the fault is still open
ONGOING_RE = re.compile(r"\b(?:still (?:down|not|broken|out|offline|unavailable)|not (?:fixed|back|resolved) yet|"
                        r"(?:is|are) down (?:right )?now|right now|ongoing|hasn'?t (?:come back|been fixed))\b|"
                        r"还没(?:好|恢复|修好)|到现在还|一直没恢复", re.I)
#: words of an order's description that say nothing about which order it is
_PLAIN = frozenset("bought days day ago hours hour the a an in its and of for with not on".split())
_WORD_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Clues:
    """What a message says about the record it means."""

    products: FrozenSet[str] = frozenset()
    days: FrozenSet[date] = frozenset()
    scenario: Optional[str] = None
    ongoing: bool = False
    words: FrozenSet[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (self.products or self.days or self.scenario or self.ongoing)


def _days(value: Any) -> List[date]:
    """The calendar days of a time entity value (an instant or a from/to interval)."""
    if isinstance(value, Mapping):
        if value.get("approximate"):
            return [d for d in _days(value.get("from"))]
        return [d for v in (value.get("from"), value.get("to")) for d in _days(v)]
    try:
        return [datetime.fromisoformat(str(value)).date()]
    except ValueError:
        return []


#: products named by what they are rather than by name ("the disk", "our database")
PRODUCT_WORDS = (
    (re.compile(r"\b(?:disks?|volumes?|block storage)\b|硬盘|云盘|磁盘", re.I), "EVS"),
    (re.compile(r"\b(?:databases?|db)\b|数据库", re.I), "RDS"),
    (re.compile(r"\bbuckets?\b|对象存储", re.I), "OBS"),
)


def products_in_words(text: str) -> FrozenSet[str]:
    """Pure: the products a message names by what they are ("refund the disk" -> EVS)."""
    return frozenset(product for pattern, product in PRODUCT_WORDS if pattern.search(text))


#: grains wider than a day name no record's day
WIDE_GRAINS = frozenset({"week", "month", "quarter", "year"})


def _grain(entity: Mapping[str, Any]) -> Optional[str]:
    info = entity.get("additional_info") or {}
    return info.get("grain") or (info.get("from") or {}).get("grain") or (info.get("to") or {}).get("grain")


#: "we moved everything to OBS": the product the data went to, not the one meant
MOVED_TO_RE = re.compile(r"\b(?:moved|migrated|switched|transferred|copied|backed up|moving|migrating)\b[^.!?]{0,40}"
                         r"\b(?:to|into|onto|over to)\s+(?:the\s+|our\s+|my\s+|an?\s+)?$|"
                         r"(?:迁移|迁|搬|转|备份)(?:到|至)了?$", re.I)


def _destination(text: str, entity: Mapping[str, Any]) -> bool:
    """Whether the entity names where something was moved to ("moved everything to OBS")."""
    start = entity.get("start")
    return isinstance(start, int) and bool(MOVED_TO_RE.search(text[:start]))


def clues(message: Mapping[str, Any]) -> Clues:
    """The clues of a parsed message (Rasa's latest_message)."""
    entities = message.get("entities") or []
    text = str(message.get("text") or "")
    named = [e for e in entities if e.get("entity") == "product" and e.get("value")]
    taken_back = {str(e.get("value")).upper() for e in named if negated(text, e) or _destination(text, e)}
    products = frozenset(str(e.get("value")).upper() for e in named) - taken_back
    products = products or (products_in_words(text) - taken_back)
    days = frozenset(d for e in entities if e.get("entity") == "time"
                     and not PRESENT_WORDS_RE.match(str(e.get("text") or ""))  # "compensation. now.": no day
                     and _grain(e) not in WIDE_GRAINS  # "trouble with you this week": no one day
                     for d in _days(e.get("value")))
    return Clues(products, days, stated_facts.scenario_in_text(text), bool(ONGOING_RE.search(text)),
                 frozenset(_WORD_RE.findall(text.lower())))


def _described(description: Optional[str], words: FrozenSet[str]) -> bool:
    telling = set(_WORD_RE.findall((description or "").lower())) - _PLAIN
    return bool(telling & words)


def orders_meant(orders: Sequence[Any], said: Clues) -> List[Any]:
    """Orders the message means: for each product named, its one order, or the one
    bought on a day named, or the one its description names ("web server")."""
    chosen: List[Any] = []
    for product in sorted(said.products):
        same = [o for o in orders if str(o.product).upper() == product]
        if len(same) > 1 and said.days:
            same = [o for o in same if o.purchased_at.date() in said.days] or same
        if len(same) > 1:  # "the yearly ECS", "the monthly one"
            same = [o for o in same if str(o.billing).lower() in said.words] or same
        if len(same) > 1:
            same = [o for o in same if _described(getattr(o, "description", None), said.words)] or same
        if len(same) != 1:
            return []  # one product still ambiguous: ask rather than guess
        chosen.append(same[0])
    if not said.products and said.days:
        chosen = [o for o in orders if o.purchased_at.date() in said.days]
        if len(chosen) != 1:
            return []
    return chosen


def incidents_meant(incidents: Sequence[Any], said: Clues) -> List[Any]:
    """Incidents that fit every clue given (product, a day it ran on, what happened,
    still open); when none fits, a day either side ("Monday night, 2 to 4 in the
    morning" is read as Tuesday)."""
    found = _incidents_fitting(incidents, said)
    if not found and said.days:
        wider = frozenset(d + timedelta(days=k) for d in said.days for k in (-1, 0, 1))
        found = _incidents_fitting(incidents, replace(said, days=wider))
    return found


def _incidents_fitting(incidents: Sequence[Any], said: Clues) -> List[Any]:
    if said.empty:
        return []
    out = []
    for incident in incidents:
        if said.products and str(incident.product).upper() not in said.products:
            continue
        if said.scenario and incident.scenario and _kind(said.scenario) != _kind(incident.scenario):
            continue
        if said.ongoing and incident.rectified_at is not None:
            continue
        if said.days and not ran_on(incident, said.days):
            continue
        out.append(incident)
    return out


#: C1's two outages are one kind to a customer ("the site was down" / "the server was down")
_OUTAGES = frozenset({"service_unavailable", "website_inaccessible"})


def _kind(scenario: str) -> str:
    return "outage" if scenario in _OUTAGES else scenario


def ran_on(incident: Any, days: Iterable[date]) -> bool:
    first = incident.started_at.date()
    last = (incident.rectified_at or incident.started_at).date()
    return any(first <= d <= last for d in days)


def only(records: Sequence[Any]) -> Optional[Any]:
    return records[0] if len(records) == 1 else None




def filings_meant(filings: Sequence[Any], text: str, status: Optional[str]) -> List[Any]:
    """Filings whose domain the message names, else those in the status it names."""
    lowered = (text or "").lower()
    named = [f for f in filings if str(f.domain).lower() in lowered]
    if named:
        return named
    return [f for f in filings if status and f.status == status]
