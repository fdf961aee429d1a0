"""Finds red flags in a message, deterministically, from content/safety.yml.

It has the first say on every message, ahead of every other dialogue policy
(see bot/rasa_ext/safety_policy.py), so no classifier confidence can switch it off. A
sentence that only asks about a condition in general ("what is
pneumonitis?") is not a red flag; anything pointing at a person or at now
keeps it one. Plain Python and spaCy, no Rasa.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Tuple

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from bot.safety.rules import SAFETY_PATH, load_rules

ANY_WORDS = "..."  # up to five words of anything
MAX_GAP = 5
NUMBER = "#"
SENTENCE_ENDS = {".", "?", "!", ";"}


class PatternError(ValueError):
    """A pattern in the safety file cannot be matched as written."""


@dataclass(frozen=True)
class RedFlag:
    category: str
    label: str
    crisis: bool
    words: str  # what in the message matched


def _slot(word: str, nlp) -> Dict[str, Any]:
    """One token of a pattern: `a|b|c`, optionally ending in `?`."""
    optional = word.endswith("?") and len(word) > 1
    alternatives = word[:-1] if optional else word
    norms = []
    for alternative in alternatives.split("|"):
        tokens = nlp.make_doc(alternative)
        if len(tokens) != 1:
            raise PatternError(
                f"{alternative!r} is {len(tokens)} words to spaCy; write them as separate slots"
            )
        norms.append(tokens[0].norm_)
    slot: Dict[str, Any] = {"NORM": {"IN": norms}}
    if optional:
        slot["OP"] = "?"
    return slot


def compile_pattern(pattern: str, nlp) -> List[Dict[str, Any]]:
    """The spaCy Matcher pattern for one line of the safety file."""
    tokens: List[Dict[str, Any]] = []
    for word in str(pattern).split():
        if word == ANY_WORDS:
            tokens.extend({"OP": "?"} for _ in range(MAX_GAP))
        elif word == NUMBER:
            tokens.append({"LIKE_NUM": True})
        else:
            tokens.append(_slot(word, nlp))
    return tokens


def _matcher(nlp, named_patterns: Iterable[Tuple[str, Iterable[str]]]) -> Matcher:
    matcher = Matcher(nlp.vocab)
    for name, patterns in named_patterns:
        for pattern in patterns:
            try:
                matcher.add(name, [compile_pattern(pattern, nlp)])
            except PatternError as error:
                raise PatternError(f"{name}: {pattern!r}: {error}") from None
    return matcher


def _sentences(doc: Doc) -> List[Span]:
    """Sentences by punctuation and line breaks: run-on messages stay one."""
    sentences, start = [], 0
    for token in doc:
        if token.text in SENTENCE_ENDS or "\n" in token.text:
            if token.i > start:
                sentences.append(doc[start : token.i + 1])
            start = token.i + 1
    if start < len(doc):
        sentences.append(doc[start:])
    return sentences


@dataclass(frozen=True)
class Assessment:
    raised: Tuple[RedFlag, ...]  # happening to someone now: escalate
    asked_about: Tuple[RedFlag, ...]  # only asked about in general: answer
    general_question: bool  # every sentence only asks in general


class SafetyDetector:
    """Red flags from the categories and patterns of the safety file."""

    def __init__(self, rules: Mapping[str, Any]):
        self.nlp = spacy.blank("en")
        self.categories = rules["categories"]
        self.red_flag_matcher = _matcher(
            self.nlp, ((name, spec["patterns"]) for name, spec in self.categories.items())
        )
        informational = rules["informational"]
        self.question_matcher = _matcher(self.nlp, [("question", informational["question_cues"])])
        self.personal_matcher = _matcher(self.nlp, [("personal", informational["personal_cues"])])

    def _only_asks_in_general(self, sentence: Span) -> bool:
        doc = sentence.as_doc()
        return bool(self.question_matcher(doc)) and not self.personal_matcher(doc)

    def assess(self, text: str) -> Assessment:
        """The red flags a message raises, and the ones it only asks about."""
        doc = self.nlp(text.replace("\u2019", "'"))
        sentences = _sentences(doc)
        raised: Dict[str, RedFlag] = {}
        asked: Dict[str, RedFlag] = {}
        for match_id, start, end in sorted(self.red_flag_matcher(doc), key=lambda m: m[1]):
            category = self.nlp.vocab.strings[match_id]
            spec = self.categories[category]
            flag = RedFlag(category, spec["label"], bool(spec.get("crisis")), doc[start:end].text)
            sentence = next(s for s in sentences if s.start <= start < s.end)
            general = not flag.crisis and self._only_asks_in_general(sentence)
            (asked if general else raised).setdefault(category, flag)
        return Assessment(
            tuple(raised.values()),
            tuple(flag for name, flag in asked.items() if name not in raised),
            bool(sentences) and all(self._only_asks_in_general(s) for s in sentences),
        )

    def red_flags(self, text: str) -> List[RedFlag]:
        """Each category the message raises, once, in the order found."""
        return list(self.assess(text).raised)


@cache
def load_detector(path: Path = SAFETY_PATH) -> SafetyDetector:
    """Reads the safety file once per process."""
    return SafetyDetector(load_rules(path))
