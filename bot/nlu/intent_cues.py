"""The NLU component that applies bot/nlu/cues.py after the learned classifier: where a
phrasing says its intent outright and the classifier read another, the cue's intent
comes first with a clear confidence (the others keep their order and share the rest)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.cues import cue_confidence, cue_intent, doubtful_affirm, doubtful_stop

#: the confidence a cue reading carries: clear (actions.common.CLEAR_CONFIDENCE)
CUE_CONFIDENCE = 0.95


def _reranked(ranking: List[Dict[str, Any]], name: str, confidence: float = CUE_CONFIDENCE) -> List[Dict[str, Any]]:
    """The cue's intent first; the others share what is left, in their order, so the
    fallback's ambiguity check sees a clear first reading."""
    rest = [r for r in ranking if r.get("name") != name]
    total = sum(float(r.get("confidence") or 0.0) for r in rest) or 1.0
    share = 1.0 - confidence
    return [{"name": name, "confidence": confidence}] + [
        dict(r, confidence=float(r.get("confidence") or 0.0) / total * share) for r in rest]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentCueReader(GraphComponent):
    """Applies `cue_intent` to every parsed message (after the learned classifier)."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentCueReader":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get("intent") or {}
            ranking = message.get("intent_ranking") or []
            runner_up = float(ranking[1].get("confidence") or 0.0) if len(ranking) > 1 else 0.0
            name = cue_intent(message.get(TEXT) or "", intent.get("name"), float(intent.get("confidence") or 0.0),
                              runner_up)
            doubtful = (doubtful_stop(message.get(TEXT) or "", intent.get("name"))
                        or doubtful_affirm(message.get(TEXT) or "", intent.get("name")))
            if name is None and doubtful and len(ranking) > 1:
                rest = [r for r in ranking if r.get("name") != intent.get("name")]
                message.set("intent", dict(rest[0], cue=intent.get("name")), add_to_output=True)
                message.set("intent_ranking", rest, add_to_output=True)
                continue
            if name is None:
                continue
            confidence = cue_confidence(message.get(TEXT) or "", name) or CUE_CONFIDENCE
            if name == intent.get("name") and float(intent.get("confidence") or 0.0) >= confidence:
                continue
            message.set("intent", {"name": name, "confidence": confidence, "cue": intent.get("name")},
                        add_to_output=True)
            message.set("intent_ranking", _reranked(message.get("intent_ranking") or [], name, confidence),
                        add_to_output=True)
        return messages

