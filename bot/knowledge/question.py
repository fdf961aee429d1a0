"""A question as NLU understood it, with what the conversation remembers,
and the answer given to it. Plain data, shared by the choice of an answer
(bot/knowledge/choice.py), its wording (bot/knowledge/answers.py) and the
nurse tools."""

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.knowledge.answer_keys import SIDE_EFFECT, AnswerKey
from bot.knowledge.content import Card
from bot.nlp.vocabulary import Vocabulary

PATIENT = "patient"
NURSE = "nurse"
SEVERE = "grade 3-4"
ANY_GRADE = "any grade"
# The medicine the assistant is about: naming it in a question about
# interactions ("Xalkori with grapefruit?") is not asking about it.
THE_MEDICINE = "crizotinib"
# A message this short can lean on the previous answer ("is it ever bad?").
SHORT_WORDS = 10
# A message this long is a story around a question: the names in its
# question come before the names in the story.
STORY_WORDS = 25
SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# "And bad ones?", "is it usually bad?": right after a side effect's
# figure, asking about bad cases asks for the severe column.
BAD = re.compile(r"\b(bad|badly|serious|seriously|severe|severely)\b", re.IGNORECASE)
# "How often is the liver one bad?": a frequency of bad cases.
HOW_OFTEN = re.compile(r"\bhow (often|common|many|likely)\b", re.IGNORECASE)
# "L1198F after lorlatinib, would crizotinib work?": a name after one of
# these words is what happened before, not what is asked about.
HISTORY = re.compile(
    r"\b(after|on|since|following|failed|stopped|progressed on)\s+(\w+\s+)?$", re.IGNORECASE
)
# "Should he go on alectinib?", "go back on crizotinib": asked about, not
# what happened before.
GOING_ON = re.compile(
    r"\b(go|goes|going|get|put|start|starting|switch|move|back)\s+on\s+(\w+\s+)?$", re.IGNORECASE
)


# Doing something about one's own treatment: stopping, skipping, changing,
# refusing, asking for something else.
_TREATMENT_STEP = (
    r"(skip|stop|quit|pause|come off|cut|drop|reduce|self-reduce|lower|halve|switch|swap"
    r"|change|move|go back|refuse|say no|saying no|decline|push|insist|carry on|keep"
    r"|stay on|restart|start|put off|delay|wait|miss|take a break|have a break"
    r"|go straight|join|have (the|another)|take (1|one|half|only)"
    r"|skipping|stopping|quitting|pausing|coming off|cutting|dropping|reducing|halving"
    r"|switching|swapping|changing|moving|going back|refusing|declining|keeping|staying on"
    r"|restarting|starting|delaying|missing|taking a break|having a break"
    r"|have a (week|day|few days|month) off|take a (week|day|month) off)"
)
# "Should I...?", "is it ok for me to skip...?", "can I stop...?", "what
# would you do?": asking what to do. "ok with crizo??" or "can you stay on
# it if it grows?" asks what the review says, however personal it sounds.
DECISION = re.compile(
    "|".join(
        [
            r"\b(should|shud|shld|shd|shoud|shuld|shall|ought)\b",
            r"\b(do|does) (i|he|she|we|mum|mom|dad) really (have|need) to\b",
            r"\bwhich (is|one is|would be|one would be) better\b",
            r"\b(decide|deciding)\b",
            r"\brefus(e|ing)\b",
            r"\bgood (idea|move)\b",
            r"\bworth (it|me|him|her|doing)\b",
            r"\by/n\b",
            r"\byes or no\b",
            r"\b(would|wud|wld) (you|u)\b",
            r"\bwhich (would|wud|should) (you|u|i)\b",
            r"\bright (call|choice|thing|decision)\b",
            r"\bbetter (choice |option )?for (me|him|her|us)\b",
            r"\b(is|would) it (be )?(reasonable|wrong|better|best|wise|sensible|time)\b",
            r"\bwise\b",
            r"\b(ok|okay|alright|safe|fine)( for (me|him|her|mum|mom|dad|my \w+))? (if i )?(just )?"
            r"(to )?" + _TREATMENT_STEP + r"\b",
            r"\b(ok|okay)( for (me|him|her))? (if|to do)\b",
            r"\b(can|could) (i|we|he|she|mum|dad) (just )?" + _TREATMENT_STEP + r"\b",
            r"\bbetter off\b",
            r"\b(wants?|wanting|asking|thinking|tempted|considering|planning|weighing|declining"
            r"|refusing)\b( \w+){0,2} (to |of |about |whether to )?" + _TREATMENT_STEP + r"\b",
            r"\bdeclin(e|ing)\b",
        ]
    ),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Question:
    """What the person asked, as NLU understood it, and what came before."""

    intent: Optional[str]
    text: str = ""
    # entity type -> canonical values found in this message, in order
    entities: Mapping[str, Sequence[str]] = field(default_factory=dict)
    mentions: Sequence[str] = ()  # the words that named them, as typed
    audience: str = PATIENT
    card_id: Optional[str] = None  # named by a follow-up button
    last_side_effect: Optional[str] = None
    last_mutation: Optional[str] = None
    last_trial: Optional[str] = None  # the trial the person named last
    reason_card: Optional[str] = None  # explains the previous answer
    # The answers NLU ranked for this message, best first, with confidences.
    ranking: Sequence[Tuple[str, float]] = ()
    last_answer: Optional[str] = None  # the previous answer's key (answer_keys)
    intent_confidence: float = 1.0
    # Values it names as what happened before ("after lorlatinib").
    history: Sequence[str] = ()

    def first(self, entity: str) -> Optional[str]:
        return next(iter(self.entities.get(entity, ())), None)

    @property
    def short(self) -> bool:
        return len(self.text.split()) <= SHORT_WORDS

    @property
    def story(self) -> bool:
        return is_story(self.text)

    @property
    def previous(self) -> Optional[AnswerKey]:
        return AnswerKey.parse(self.last_answer) if self.last_answer else None

    @property
    def severe(self) -> bool:
        """Asks how often it was severe, and not also how often at all."""
        severity = self.entities.get("severity", ())
        if ANY_GRADE in severity:
            return False
        previous = self.previous
        after_a_side_effect = previous is not None and previous.kind == SIDE_EFFECT
        bad = bool(BAD.search(self.text))
        return SEVERE in severity or (
            bad and (after_a_side_effect and self.short or bool(HOW_OFTEN.search(self.text)))
        )

    @property
    def substances(self) -> Tuple[str, ...]:
        """The medicines and foods it names, crizotinib itself aside."""
        named = (*self.entities.get("drug", ()), *self.entities.get("food", ()))
        return tuple(name for name in dict.fromkeys(named) if name != THE_MEDICINE)


@dataclass(frozen=True)
class Answer:
    text: str
    follow_ups: Tuple[Card, ...] = ()
    # The card that answers a "why?" about this answer, if the review has one.
    reason_card: Optional[str] = None
    card_id: Optional[str] = None
    key: Optional[str] = None  # which answer this is (answer_keys)


def is_story(text: str) -> bool:
    return len(text.split()) >= STORY_WORDS


def question_span(text: str) -> Tuple[int, int]:
    """Where the question of a long message is: its last sentence that ends
    with a question mark (else its last sentence); the whole of a short one."""
    if not is_story(text):
        return 0, len(text)
    sentences = [match for match in SENTENCE.finditer(text) if match.group().strip()]
    if not sentences:
        return 0, len(text)
    asked = [match for match in sentences if match.group().rstrip().endswith("?")]
    last = (asked or sentences)[-1]
    return last.start(), last.end()


def named_in_order(
    text: str, found: Iterable[Tuple[str, str, Optional[int], Optional[int]]]
) -> Tuple[Dict[str, List[str]], List[str]]:
    """The entities (type, canonical value, start, end) a message names, by
    type, those in its question first and those it names as history last;
    and the words that named them."""
    start, end = question_span(text)
    ordered = sorted(
        found,
        key=lambda entity: (
            entity[2] is None or not start <= entity[2] < end,
            _said_as_history(text, entity[2]),
        ),
    )
    entities: Dict[str, List[str]] = {}
    mentions: List[str] = []
    for kind, value, begin, finish in ordered:
        entities.setdefault(kind, []).append(value)
        if begin is not None and finish is not None:
            mentions.append(text[begin:finish])
    return entities, mentions


def known_values_only(
    found: Iterable[Tuple[str, str, Optional[int], Optional[int]]], vocabulary: Vocabulary
) -> List[Tuple[str, str, Optional[int], Optional[int]]]:
    """The entities of a "/" command whose values the vocabulary knows. A
    button only ever carries those; any other value was typed into the
    command by someone, and would be named back in the assistant's voice
    ("The review does not list <a link> as a side effect")."""
    return [
        (kind, value, start, end)
        for kind, value, start, end in found
        if kind not in vocabulary or value in vocabulary[kind]
    ]


def _said_as_history(text: str, start: Optional[int]) -> bool:
    if start is None:
        return False
    before = text[max(0, start - 40) : start]
    return bool(HISTORY.search(before)) and not GOING_ON.search(before)


def named_as_history(
    text: str, found: Iterable[Tuple[str, str, Optional[int], Optional[int]]]
) -> Tuple[str, ...]:
    """The values a message names as what happened before: "L1198F came up
    after lorlatinib" asks about L1198F, not about lorlatinib."""
    return tuple(
        dict.fromkeys(value for _, value, begin, _ in found if _said_as_history(text, begin))
    )


def asks_for_a_decision(text: str) -> bool:
    """Whether the message's question asks what to do about one's own
    treatment, in words that say so."""
    start, end = question_span(text)
    return bool(DECISION.search(text[start:end]))
