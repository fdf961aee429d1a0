"""Every way the vocabulary writes a name, and a lookup that forgives typos.

"clarithromycn" is clarithromycin and "grapfruit" is grapefruit: a phrase
that is not a known spelling is taken as the one name it closely resembles
(difflib's ratio, same first letter, names of 5 letters or more), and as
nothing when it resembles two. Used by the medication check and by the NLU
component that finds misspelt names in questions
(bot/rasa_ext/fuzzy_entities.py).
"""

import difflib
import re
from typing import Dict, Iterable, Mapping, Optional, Sequence

# Close misspellings are accepted only for names this long or longer, and
# only this close and starting with the same letter: enough for
# "clarithromicin" or "itraconazle", not for azithromycin or esomeprazole,
# which are other medicines.
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 0.88


def normalise(text: str) -> str:
    """Lower case, apostrophes and full stops dropped, other punctuation a
    space: "St. John’s-Wort" and "st johns wort" become the same."""
    text = re.sub(r"['’.]", "", text.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


class Spellings:
    """The spellings of the vocabulary's names of some entity types."""

    def __init__(
        self, vocabulary: Mapping[str, Mapping[str, Sequence[str]]], entity_types: Iterable[str]
    ) -> None:
        self.names: Dict[str, str] = {}  # normalised spelling -> canonical name
        self.types: Dict[str, str] = {}  # canonical name -> entity type
        for entity_type in entity_types:
            for canonical, spellings in vocabulary.get(entity_type, {}).items():
                self.types[canonical] = entity_type
                for spelling in spellings:
                    self.names[normalise(spelling)] = canonical
        self.longest = max(len(spelling.split()) for spelling in self.names)
        self.fuzzy_candidates = [s for s in self.names if len(s) >= FUZZY_MIN_LENGTH]

    def find(self, phrase: str) -> Optional[str]:
        """The canonical name of a normalised phrase, exactly or by one
        unambiguous close match; None if unknown or close to two names."""
        if phrase in self.names:
            return self.names[phrase]
        return self.close(phrase)

    def close(self, phrase: str) -> Optional[str]:
        """The one name a misspelt phrase resembles, if it resembles one."""
        if len(phrase) < FUZZY_MIN_LENGTH:
            return None
        close = {
            self.names[candidate]
            for candidate in self.fuzzy_candidates
            if candidate[0] == phrase[0]
            and difflib.SequenceMatcher(None, phrase, candidate).ratio() >= FUZZY_CUTOFF
        }
        return close.pop() if len(close) == 1 else None
