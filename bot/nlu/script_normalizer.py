"""The NLU component that rewrites traditional Chinese and written Cantonese as
simplified Mandarin (bot/nlu/chinese_script.py), and shouted capitals in lower case
(bot/nlu/shouting.py), before anything reads the message:
the tokenizer, the featurizers, Duckling and the dialogue's fact readers then see the
forms they know. Messages without such characters pass unchanged."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.chinese_script import to_simplified
from bot.nlu.shouting import calmed


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ChineseScriptNormalizer(GraphComponent):
    """Applies `to_simplified` to each message's text, in training and in parsing."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ChineseScriptNormalizer":
        return cls()

    @staticmethod
    def _normalise(message: Message, parsing: bool) -> None:
        text = message.get(TEXT)
        if isinstance(text, str):
            simplified = to_simplified(text)
            if parsing:  # "I WANT A HUMAN. NOW." read as typed normally; training lines keep their
                simplified = calmed(simplified)  # case, so their entity annotations stay as written
            if simplified != text:
                message.set(TEXT, simplified)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message, parsing=False)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message, parsing=True)
        return messages
