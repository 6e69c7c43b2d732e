"""Intent classifier wrapper that survives messages with no features.

Why: Rasa 3.6's LogisticRegressionClassifier raises (scikit-learn "Found array with 0
feature(s)") on an empty or whitespace-only message, which the REST channel turns into
a 500. Such a message gets no intent (confidence 0.0) instead, so FallbackClassifier
answers it with `nlu_fallback` and the dialogue's honest fallback replies.

`dense_weight`: the stock classifier already reads the sentence-level sparse features
(n-gram counts) and dense features (the sentence encoder's unit-length embedding)
side by side. The counts run into the tens while each embedding component is about
0.05, so under the L2 penalty the embedding barely moves the decision; its columns
are multiplied by `dense_weight` (1.0 = the stock behaviour). The value in config.yml
was measured on the held-out split (docs/NLU.md, "Sentence encoder").
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack


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

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "dense_weight": 1.0}

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        """Sentence features: sparse n-gram counts next to `dense_weight` x dense features."""
        weight = float(self.config.get("dense_weight", 1.0))
        rows = []
        for message in messages:
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            dense = message.get_dense_features(attribute=TEXT)[1]
            parts = []
            if sparse is not None:
                parts.append(csr_matrix(sparse.features))
            if dense is not None:
                parts.append(csr_matrix(dense.features * weight))
            rows.append(hstack(parts) if parts else csr_matrix((1, 0)))
        return vstack(rows).tocsr()

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
