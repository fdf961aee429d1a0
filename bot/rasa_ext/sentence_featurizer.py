"""A Rasa featurizer that adds each message's sentence embedding
(bot/nlp/sentence_encoder.py) as a dense sentence feature.

Bag-of-words and character n-grams (Rasa's CountVectorsFeaturizer) catch
names and misspellings; the embedding catches paraphrase ("how long b4 it
kicks in" and "how soon does it start to work" share no content word). The
classifiers after it (bot/rasa_ext/classifiers.py) read both.
"""

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.sentence_encoder import load_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """all-MiniLM-L6-v2's embedding of the message text, as one sentence feature."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceFeaturizer":
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """Nothing to configure."""

    def process(self, messages: List[Message]) -> List[Message]:
        readable = [message for message in messages if message.get(TEXT)]
        if readable:
            vectors = load_encoder().encode([message.get(TEXT) for message in readable])
            for message, vector in zip(readable, vectors):
                self.add_features_to_message(None, vector[None, :], TEXT, message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data
