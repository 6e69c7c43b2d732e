"""Resolve overlapping entities from several extractors into one consistent list.

Why: the pipeline runs rule extractors (the spaCy entity ruler for products and IDs),
Duckling and a learned extractor (CRF) side by side; the learned one also tags
products and IDs it saw in training, and Duckling can read digits inside an ID as a
number. Slots must see each mention once, so for overlapping spans this keeps the
most trustworthy extractor's entity: rules first, then Duckling, then learned models;
within a tier the longer span wins.

Value entities (billing, invoice, resource_state, scenario) fill one slot each, so a
message keeps one value per entity type: "no invoice was issued" gives the ruler's
invoice=none (R4) and not also the CRF's invoice=issued. A negation ("none") wins for
invoice; otherwise the more trustworthy extractor, then the longer span. Other mentions
of the winning value stay (the same value said twice is no conflict).

Off-topic messages carry no values: on a message classified as `out_of_scope` the value
entities are dropped ("my Uber driver overcharged me" is no scenario=billing_error; the
dialogue ignores entities on that intent anyway, the domain's `not_intent`). FAQ and scope
questions keep theirs: "are pay-as-you-go resources refundable" names a billing mode
(the held-out split annotates it, and dropping them there halved billing recall).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.patterns import VALUE_ENTITIES, canonical_value

DEFAULT_PRIORITY = {
    "SpacyEntityExtractor": 0,
    "RegexEntityExtractor": 0,
    "DucklingExtractor": 1,
    "DucklingEntityExtractor": 1,
}
LEARNED = 2
#: Value that wins over any other for an entity type (a negation outranks an assertion).
NEGATIONS = {"invoice": "none"}
#: Intents whose value entities are noise (see module docstring).
NO_VALUE_INTENTS = frozenset({"out_of_scope"})


def resolve(entities: List[Dict[str, Any]], priority: Dict[str, int]) -> List[Dict[str, Any]]:
    """Non-overlapping subset of entities, ordered by start (pure; unit-tested)."""
    def rank(entity: Dict[str, Any]) -> tuple:
        extractor = str(entity.get("extractor", ""))
        return (
            priority.get(extractor, LEARNED),
            -(int(entity.get("end", 0)) - int(entity.get("start", 0))),
            int(entity.get("start", 0)),
        )

    kept: List[Dict[str, Any]] = []
    for entity in sorted(entities, key=rank):
        if "start" not in entity or "end" not in entity:
            kept.append(entity)
            continue
        if all(
            entity["end"] <= other.get("start", 0) or other.get("end", 0) <= entity["start"]
            for other in kept
            if "start" in other and "end" in other
        ):
            kept.append(entity)
    kept = _one_value_per_type(kept, rank)
    return sorted(kept, key=lambda e: e.get("start", 0))


def _one_value_per_type(entities: List[Dict[str, Any]], rank: Any) -> List[Dict[str, Any]]:
    """Keeps one entity per value entity type: the negation if any, else the best ranked."""
    def key(entity: Dict[str, Any]) -> tuple:
        name = str(entity.get("entity", ""))
        negation = NEGATIONS.get(name)
        is_negation = negation is not None and canonical_value(name, str(entity.get("value", ""))) == negation
        return (0 if is_negation else 1, rank(entity))

    def value(entity: Dict[str, Any]) -> str:
        return canonical_value(str(entity.get("entity", "")), str(entity.get("value", "")))

    best: Dict[str, Dict[str, Any]] = {}
    for entity in entities:
        name = str(entity.get("entity", ""))
        if name in VALUE_ENTITIES and (name not in best or key(entity) < key(best[name])):
            best[name] = entity
    return [
        e for e in entities
        if str(e.get("entity", "")) not in VALUE_ENTITIES
        or value(e) == value(best[str(e.get("entity", ""))])
    ]


def drop_values_for_intent(entities: List[Dict[str, Any]], intent: str) -> List[Dict[str, Any]]:
    """Removes value entities from off-topic messages (see module docstring)."""
    if intent.split("/")[0] not in NO_VALUE_INTENTS:
        return entities
    return [e for e in entities if str(e.get("entity", "")) not in VALUE_ENTITIES]


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class EntityOverlapResolver(GraphComponent):
    """Drops entities that overlap a more trustworthy extractor's entity."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """priority: extractor name -> tier (lower wins); unknown extractors are tier 2."""
        return {"priority": dict(DEFAULT_PRIORITY)}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.priority = {**DEFAULT_PRIORITY, **(config.get("priority") or {})}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityOverlapResolver":
        """Creates the component (nothing to train)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Replaces each message's entities by the resolved list."""
        for message in messages:
            entities = message.get(ENTITIES) or []
            intent = str((message.get(INTENT) or {}).get(INTENT_NAME_KEY) or "")
            resolved = drop_values_for_intent(resolve(entities, self.priority), intent)
            if resolved != entities:
                message.set(ENTITIES, resolved, add_to_output=True)
        return messages
