"""Entity patterns read from data/nlu/entities.yml, the one source for regexes and synonyms.

Rasa reads that file as NLU data; the spaCy entity ruler and the Duckling overlap filter
read it through here, so an identifier pattern is written exactly once.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENTITIES_FILE = ROOT / "data" / "nlu" / "entities.yml"

#: Entities that come from fixed identifier patterns (ARCHITECTURE.md "Identifiers").
ID_ENTITIES = ("order_id", "resource_id", "incident_id", "filing_id", "claim_ref")


def _examples(block: str) -> List[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


@lru_cache(maxsize=4)
def load_entities(path: str = str(ENTITIES_FILE)) -> Dict[str, Dict[str, List[str]]]:
    """Return {"regex": {entity: [pattern]}, "lookup": {...}, "synonym": {canonical: [text]}}."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out: Dict[str, Dict[str, List[str]]] = {"regex": {}, "lookup": {}, "synonym": {}}
    for item in data.get("nlu", []):
        for kind in out:
            if kind in item:
                out[kind][item[kind]] = _examples(item["examples"])
    return out


def id_patterns() -> Dict[str, str]:
    """Entity name -> one regex (alternatives joined) for each identifier entity."""
    regexes = load_entities()["regex"]
    missing = [name for name in ID_ENTITIES if name not in regexes]
    if missing:
        raise ValueError(f"{ENTITIES_FILE} lacks regexes for {missing}")
    return {name: "|".join(f"(?:{p})" for p in regexes[name]) for name in ID_ENTITIES}


@lru_cache(maxsize=1)
def _compiled_ids() -> List[Tuple[str, "re.Pattern[str]"]]:
    # Guard both ends so "XCS26112400011" is not read as an order id, while
    # IDs glued to Chinese characters ("退款CS2611240001") still match.
    return [
        (name, re.compile(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])"))
        for name, pattern in id_patterns().items()
    ]


def find_ids(text: str) -> List[Tuple[str, int, int, str]]:
    """All identifier mentions in text as (entity, start, end, value)."""
    found = []
    for name, rx in _compiled_ids():
        for m in rx.finditer(text):
            found.append((name, m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda f: f[1])


def product_phrases() -> Dict[str, str]:
    """Surface text -> canonical product code, from the product lookup and its synonyms."""
    ents = load_entities()
    products = ents["lookup"].get("product", [])
    phrases = {code: code for code in products}
    for canonical, texts in ents["synonym"].items():
        if canonical in products:
            for text in texts:
                phrases[text] = canonical
    return phrases


#: Canonical slot values per entity (ARCHITECTURE.md "Conversation vocabulary").
VALUE_ENTITIES: Dict[str, Tuple[str, ...]] = {
    "billing": ("hourly", "monthly", "yearly", "pay_per_use", "pay_per_use_package"),
    "invoice": ("none", "issued", "returned"),
    "resource_state": ("active", "grace", "reservation"),
    "scenario": (
        "service_unavailable", "website_inaccessible", "provisioning_failure",
        "config_change_failure", "billing_error",
    ),
}

#: Synonyms too generic to tag by rule everywhere ("no thanks" is not invoice=none,
#: "a month ago" is not billing=monthly); the learned extractor tags them in context.
GENERIC_PHRASES = frozenset({
    "no", "month", "a month", "a year", "package", "issued", "returned", "active",
    "running", "working", "down", "expired", "frozen", "in use", "per hour",
    "per month", "per year", "grace", "reservation", "unavailable", "offline",
    "crashed", "unreachable", "was down", "went down", "not available",
    "sent back", "gave it back", "invoiced",
})


def value_phrases() -> Dict[str, Tuple[str, str]]:
    """Surface text -> (entity, canonical value) for the rule-safe value synonyms."""
    owner = {value: entity for entity, values in VALUE_ENTITIES.items() for value in values}
    out: Dict[str, Tuple[str, str]] = {}
    for canonical, texts in load_entities()["synonym"].items():
        entity = owner.get(canonical)
        if entity is None:
            continue
        for text in texts:
            if text.lower() not in GENERIC_PHRASES:
                out[text] = (entity, canonical)
    return out


def canonical_value(entity: str, text: str) -> str:
    """The canonical value of a value entity's surface text ("no invoice" -> "none").

    Why: the overlap resolver runs before EntitySynonymMapper and must compare values.
    Text that is no synonym of the entity is returned as it is (lower-cased).
    """
    wanted = VALUE_ENTITIES.get(entity, ())
    lowered = str(text).strip().lower()
    if lowered in wanted:
        return lowered
    for canonical, texts in load_entities()["synonym"].items():
        if canonical in wanted and lowered in {t.lower() for t in texts}:
            return canonical
    return lowered
