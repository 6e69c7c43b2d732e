"""Intent classifier wrapper that survives messages with no features.

Why: Rasa 3.6's LogisticRegressionClassifier raises (scikit-learn "Found array with 0
feature(s)") on an empty or whitespace-only message, which the REST channel turns into
a 500. Such a message gets no intent (confidence 0.0) instead, so FallbackClassifier
answers it with `nlu_fallback` and the dialogue's honest fallback replies.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message


def _has_features(message: Message) -> bool:
    sparse = message.get_sparse_features(attribute=TEXT)[1]
    dense = message.get_dense_features(attribute=TEXT)[1]
    return bool((sparse is not None and sparse.features.shape[-1]) or
                (dense is not None and dense.features.shape[-1]))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SafeLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier that gives featureless messages no intent."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Classify messages with features; mark the others as unknown (confidence 0)."""
        usable = [m for m in messages if (m.get(TEXT) or "").strip() and _has_features(m)]
        if usable:
            super().process(usable)
        for message in messages:
            if message not in usable:
                message.set("intent", {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
        return messages
