"""Finds misspelt names of medicines, foods and side effects in a message.

The spaCy entity ruler knows each name and its listed misspellings; people
type others ("clarithromycn", "grapfruit", "diarhoea"). This component, after
the ruler, reads the words no entity covers and adds an entity for a phrase
that closely resembles exactly one name (bot/nlp/spellings.py), under its
canonical name, so answers and the medication check see it like any other.
"""

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.spellings import Spellings, normalise
from bot.nlp.vocabulary import load_vocabulary

# Names whose misspellings are worth catching: mutations and trials are
# codes, copied rather than spelt.
ENTITY_TYPES = ("drug", "food", "side_effect")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class FuzzyEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Misspelt vocabulary names, as entities with their canonical values."""

    def __init__(self, spellings: Spellings) -> None:
        self.spellings = spellings

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FuzzyEntityExtractor":
        return cls(Spellings(load_vocabulary(), ENTITY_TYPES))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            found = self.misspelt(message.get(TEXT) or "", message.get(ENTITIES, []))
            if found:
                message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def misspelt(self, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Entities for the misspelt names among the words no entity covers."""
        taken = [(entity["start"], entity["end"]) for entity in entities if "start" in entity]
        words = [
            match
            for match in WORD.finditer(text)
            if not any(start < match.end() and match.start() < end for start, end in taken)
        ]
        found: List[Dict[str, Any]] = []
        index = 0
        while index < len(words):
            match = self._longest_at(text, words, index)
            if match is None:
                index += 1
                continue
            (start, end, size), name = match
            found.append(
                {
                    "entity": self.spellings.types[name],
                    "value": name,
                    "start": start,
                    "end": end,
                    "extractor": self.name,
                }
            )
            index += size
        return found

    def _longest_at(
        self, text: str, words: List[re.Match], index: int
    ) -> Optional[Tuple[Tuple[int, int, int], str]]:
        """The longest name starting at this word: spelt as listed first,
        then misspelt, so "st. johns wort ok" is St John's wort and "ok"."""
        for lookup in (self.spellings.names.get, self.spellings.close):
            for size in range(min(self.spellings.longest, len(words) - index), 0, -1):
                chosen = words[index : index + size]
                if any(a.end() + 2 < b.start() for a, b in zip(chosen, chosen[1:])):
                    continue  # not adjacent words
                start, end = chosen[0].start(), chosen[-1].end()
                name = lookup(normalise(text[start:end]))
                if name:
                    return (start, end, size), name
        return None
