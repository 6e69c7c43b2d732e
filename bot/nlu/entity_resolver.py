"""Resolve overlapping entities from several extractors into one consistent list.

Why: the pipeline runs rule extractors (the spaCy entity ruler for products and IDs),
Duckling and a learned extractor (CRF) side by side; the learned one also tags
products and IDs it saw in training, and Duckling can read digits inside an ID as a
number. Slots must see each mention once, so for overlapping spans this keeps the
most trustworthy extractor's entity: rules first, then Duckling, then learned models;
within a tier the longer span wins.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

DEFAULT_PRIORITY = {
    "SpacyEntityExtractor": 0,
    "RegexEntityExtractor": 0,
    "DucklingExtractor": 1,
    "DucklingEntityExtractor": 1,
}
LEARNED = 2


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
    return sorted(kept, key=lambda e: e.get("start", 0))


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
            if len(entities) > 1:
                message.set(ENTITIES, resolve(entities, self.priority), add_to_output=True)
        return messages
