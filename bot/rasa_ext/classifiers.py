"""The assistant's two NLU classifiers, as Rasa components.

- `LinearIntentClassifier` says what kind of message it is: a question about
  a topic, a personal decision, a greeting, an emergency (a second net behind
  the red-flag patterns), and so on.
- `AnswerSelector` says which answer in content/ a question wants: a card
  (`card:time_to_response`), a kind of table answer (`side_effect`,
  `measure`, `interaction`, `mutation`, `medication_check`), a subject the
  review does not cover (`not_covered:cost`) or `out_of_scope`. It learns from
  the answer each block of data/nlu/answers/ names in its metadata:

      - intent: ask_crizotinib
        metadata: {answer: "card:time_to_response"}
        examples: |
          - how long b4 xalkori kicks in

Both are a multinomial logistic regression (bot/nlp/linear_model.py) over the
message's sentence features: the sparse ones (words, character n-grams,
vocabulary lookups) scaled to unit length, beside the sentence embedding.
The comparison with DIET, Rasa's LogisticRegressionClassifier and the
ResponseSelector that chose this design is in README.md ("How good, how fast").
"""

from typing import Any, Dict, List, Optional, Sequence, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    METADATA,
    METADATA_INTENT,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.preprocessing import normalize

from bot.knowledge.question import asks_for_a_decision
from bot.names import ANSWER_KEY, Intent
from bot.nlp.linear_model import LinearModel


def sentence_features(messages: Sequence[Message]) -> csr_matrix:
    """One row per message: its sparse sentence features at unit length,
    then its dense ones (the embedding, already at unit length)."""
    sparse_rows, dense_rows = [], []
    for message in messages:
        _, sparse = message.get_sparse_features(TEXT)
        _, dense = message.get_dense_features(TEXT)
        if sparse is None:
            raise ValueError("the classifiers need a sparse featurizer before them")
        sparse_rows.append(csr_matrix(sparse.features))
        if dense is not None:
            dense_rows.append(csr_matrix(dense.features))
    rows = [normalize(vstack(sparse_rows).tocsr())]
    if dense_rows:
        rows.append(vstack(dense_rows))
    return hstack(rows).tocsr()


def answer_label(message: Message) -> Optional[str]:
    """The answer a training example names, if any."""
    metadata = message.get(METADATA) or {}
    intent_metadata = metadata.get(METADATA_INTENT) or {}
    label = intent_metadata.get(ANSWER_KEY) if isinstance(intent_metadata, dict) else None
    return str(label) if label else None


class _LinearClassifier(GraphComponent):
    """Trains a LinearModel on the examples that have a label, stores it as
    arrays, and ranks the labels of each message."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # strength: scikit-learn's C; ranking_length: how many labels to report.
        return {"strength": 30.0, "ranking_length": 10}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LinearModel] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_LinearClassifier":
        return cls(config, model_storage, resource)

    @staticmethod
    def label(message: Message) -> Optional[str]:
        raise NotImplementedError

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            message
            for message in training_data.intent_examples
            if message.get(TEXT) and self.label(message)
        ]
        if examples:
            labels = [str(self.label(message)) for message in examples]
            self._model = LinearModel.fit(
                sentence_features(examples), labels, self._config["strength"]
            )
            with self._model_storage.write_to(self._resource) as directory:
                self._model.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "_LinearClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                return cls(config, model_storage, resource, LinearModel.load(directory))
        except (ValueError, FileNotFoundError):
            # Trained without any labelled examples.
            return cls(config, model_storage, resource)

    def rank(self, messages: List[Message], name_key: str) -> List[List[Dict[Text, Any]]]:
        """The labels of each message that has text, best first, as Rasa
        reports rankings; an empty ranking for the others."""
        rankings: List[List[Dict[Text, Any]]] = [[] for _ in messages]
        readable = [index for index, message in enumerate(messages) if message.get(TEXT)]
        if self._model is None or not readable:
            return rankings
        ranked = self._model.rankings(
            sentence_features([messages[index] for index in readable]),
            self._config["ranking_length"],
        )
        for index, labels in zip(readable, ranked):
            rankings[index] = [
                {name_key: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in labels
            ]
        return rankings


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(_LinearClassifier, IntentClassifier):
    """The message's intent, with a ranking, as Rasa's classifiers give it."""

    @staticmethod
    def label(message: Message) -> Optional[str]:
        return message.get(INTENT)

    def process(self, messages: List[Message]) -> List[Message]:
        for message, ranking in zip(messages, self.rank(messages, INTENT_NAME_KEY)):
            ranking = without_an_unasked_decision(message.get(TEXT) or "", ranking)
            # No words, no intent: as Rasa's own classifiers report it, so
            # the FallbackClassifier asks to rephrase.
            unknown = {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}
            message.set(INTENT, ranking[0] if ranking else unknown, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


def without_an_unasked_decision(text: str, ranking: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The ranking without a personal decision on top when the question has
    no words that ask what to do ("gp gave me itraconazole, ok with crizo?"):
    the deferral would answer a question nobody asked. The rest share its
    confidence, so the next intent is not taken for a guess."""
    if not ranking or ranking[0][INTENT_NAME_KEY] != Intent.ASK_PERSONAL_DECISION:
        return ranking
    if asks_for_a_decision(text):
        return ranking
    rest = ranking[1:]
    left = sum(label[PREDICTED_CONFIDENCE_KEY] for label in rest)
    if not rest or left <= 0:
        return ranking
    return [
        {**label, PREDICTED_CONFIDENCE_KEY: label[PREDICTED_CONFIDENCE_KEY] / left}
        for label in rest
    ]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class AnswerSelector(_LinearClassifier):
    """Which answer in content/ the message wants, with a ranking."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"strength": 30.0, "ranking_length": 5}

    @staticmethod
    def label(message: Message) -> Optional[str]:
        return answer_label(message)

    def process(self, messages: List[Message]) -> List[Message]:
        for message, ranking in zip(messages, self.rank(messages, "name")):
            if ranking:
                message.set(ANSWER_KEY, {**ranking[0], "ranking": ranking}, add_to_output=True)
        return messages
