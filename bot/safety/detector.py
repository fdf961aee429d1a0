"""Finds red flags in a message, deterministically, from content/safety.yml.

It has the first say on every message, ahead of every other dialogue policy
(see bot/rasa_ext/safety_policy.py), so no classifier confidence can switch it off. A
sentence that only asks about a condition in general ("what is
pneumonitis?") is not a red flag; anything pointing at a person or at now
keeps it one, and so do events and readings ("temp 38.9, is that bad?").
Negations, everyday phrases and ordinary context set a match aside (see
SafetyDetector). Plain Python and spaCy, no Rasa.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from bot.safety.rules import SAFETY_PATH, load_rules

ANY_WORDS = "..."  # up to five words of anything
MAX_GAP = 5
NUMBER = "#"
EVENT = "!"  # a pattern that states an event: raised even inside a question
SOFT = "?"  # a pattern that only suggests danger: ask before escalating
MARKS = EVENT + SOFT
SENTENCE_ENDS = {".", "?", "!", ";"}
CLAUSE_BREAKS = {",", "-", "and", "but"}
# After "if I've", these say it has happened: "if I've already taken two".
ALREADY = {"been", "taken", "had", "swallowed", "just", "already"}
PERFECT = {"have", "has"}
# "is it bad if I took two?" tells of something done; "what would happen if
# I took two?" supposes it: a cue ending in a past form supposes only with
# one of these in its sentence.
PAST = {"took", "swallowed", "ate", "chewed", "doubled", "had", "got"}
# A supposing cue told of something done: "if I double dosed", "if I took".
TOLD_DONE = PAST | {"double"}
SUPPOSING = {"would", "could", "might", "ever", "what", "in", "case"}
# After a supposing cue in the past, these say it was done: "what happens
# if I took three this morning?".
DONE_TODAY = {"today", "tonight", "earlier", "already"}
# A supposed case with "ever" stays supposed beside news of today ("if he
# ever swallowed one? He hasn't, I'm just planning").
EVER = "ever"
# How many of the person's earlier messages a reply may lean on: "what
# pulse is too low?" ... "ok" ... "its 39 now".
EARLIER_MESSAGES = 2
# Numbers that are no reading in a reply read with an earlier message's
# measure: a clock time, a date ("see you on the 30th"), "10am".
NOT_A_READING = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d+(?:st|nd|rd|th)\b|\b\d+\s*(?:am|pm)\b", re.I)
# How far before a red flag a negation ("never blacked out") is looked for.
NEGATION_REACH = 4
# How far before an urgent word a reassuring one is ("normal when I'm resting");
# after it, one word further ("sitting down I'm totally fine").
REASSURING_REACH = 4
# How near an emergency told as history a word must be to say it is also now.
PRESENT_REACH = 12
WORDS = re.compile(r"[a-z0-9]+")
HOURS = "hr"  # a heart rate before a number, hours after it
# How many words after a number may name its measure ("39.1 on the ear thermometer").
AFTER_READING = 4
# How many words before a bare decimal may name another measure ("ALT 38.6").
OTHER_MEASURE_REACH = 2
# Other decimals a bare temperature may be said beside ("37.9 at 6, now 38.6");
# any other ("OS 20.3 vs 38.6") says the numbers are not temperatures.
BODY_TEMPERATURES = (34.0, 43.5)
DECIMAL = re.compile(r"[.,]\d")
# Where a clause ends, for the numbers said together with a reading.
CLAUSE_MARKS = (";", ", ")
# A number as people write a reading: "38.9", "38.9C", "102.5F", "84%", "150bpm"
# (not the second number of a blood pressure, "78/40"), or a count as nurses
# write it: "BO x9", "vomited 7x".
READING = re.compile(
    r"(?<![\w./])(x\s?)?(\d{1,3}(?:[.,]\d)?)\s*(°\s*[cf]|[cf]\b|%|bpm|x\b)?", re.IGNORECASE
)
TIMES_SIGN = "x"
# "n=194": how many people a study had, never a reading.
COUNT_OF_PEOPLE = re.compile(r"\bn\s*=\s*$", re.IGNORECASE)
# Words that end the clause an ordinary context word speaks for: in "the
# swelling was the normal kind, but now I wake up gasping" the "normal" is
# not about the gasping.
CONTRASTS = {"but", "however", "although", "though", "except", "whereas"}


class PatternError(ValueError):
    """A pattern in the safety file cannot be matched as written."""


@dataclass(frozen=True)
class RedFlag:
    category: str
    label: str
    crisis: bool
    words: str  # what in the message matched
    someone_else: bool = False  # it is happening to someone other than the writer


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
    """Each pattern under its name; an event (`!`) or a soft (`?`) pattern
    under its name with the mark after it: `overdose!`, `crisis?`."""
    matcher = Matcher(nlp.vocab)
    for name, patterns in named_patterns:
        for pattern in patterns:
            text = str(pattern)
            mark = text[0] if text[0] in MARKS else ""
            try:
                compiled = compile_pattern(text[len(mark) :], nlp)
            except PatternError as error:
                raise PatternError(f"{name}: {pattern!r}: {error}") from None
            matcher.add(name + mark, [compiled])
    return matcher


@dataclass(frozen=True)
class ReadingRule:
    """A measured value that is a red flag: a number in one of `ranges`,
    after one of the `cues` words in its sentence ("temp 38.9", "pulse
    38") or with a cue other than "hr" just after it ("39.1 on the ear
    thermometer"), or said in one of the `units` that name the measure
    ("38.9C", "102F"), or followed by one of the `counted` words ("12 watery
    stools"), or written with a times sign after one of the
    `counted_with_sign` words ("BO x9"), or just after its `prefix` ("T
    38.6"), or followed by one of the `sites` it is measured at ("39.2
    under the arm"), or written with a decimal in one of the
    `decimal_ranges` with no other measure named ("checked again, 38.6")."""

    category: str
    ranges: Tuple[Tuple[float, float], ...]
    cues: Tuple[str, ...] = ()
    units: Tuple[str, ...] = ()
    counted: Tuple[str, ...] = ()
    prefix: str = ""
    whole: bool = False  # a count: "36.6" is not one
    sites: Tuple[Tuple[Tuple[str, ...], ...], ...] = ()  # each a sequence of alternatives
    decimal_ranges: Tuple[Tuple[float, float], ...] = ()
    other_units: Tuple[str, ...] = ()  # "41.5 kg" is not a temperature
    counted_with_sign: Tuple[str, ...] = ()  # "BO x9", "vomited x7"

    def _bare_decimal(
        self, sentence: str, found: re.Match, value: float, before: List[str], after: List[str]
    ) -> bool:
        """ "38.6" alone or beside other temperatures in its clause ("37.9 at
        6 and now 38.6"), not "ALT 38.6", "38.6 kg" or "20.3 vs 38.6 months";
        "38.3, my neutrophils were 0.8" is a temperature beside a count."""
        start = max(sentence.rfind(mark, 0, found.start()) for mark in CLAUSE_MARKS) + 1
        ends = [sentence.find(mark, found.end()) for mark in CLAUSE_MARKS]
        end = min([index for index in ends if index >= 0], default=len(sentence))
        others = [
            float(n.group(2).replace(",", "."))
            for n in READING.finditer(sentence[start:end])
            if DECIMAL.search(n.group(2))
        ]
        return (
            bool(DECIMAL.search(found.group(2)))
            and all(BODY_TEMPERATURES[0] <= other <= BODY_TEMPERATURES[1] for other in others)
            and any(low <= value <= high for low, high in self.decimal_ranges)
            and not (after and after[0] in self.other_units)
            and not set(before[-OTHER_MEASURE_REACH:]) & set(self.other_units)
        )

    def _at_site(self, after: List[str]) -> bool:
        return any(
            len(after) >= len(site) and all(word in options for word, options in zip(after, site))
            for site in self.sites
        )

    def holds(self, sentence: str) -> Optional[str]:
        for found in READING.finditer(sentence):
            if COUNT_OF_PEOPLE.search(sentence[: found.start()]):
                continue
            value = float(found.group(2).replace(",", "."))
            if self.whole and not value.is_integer():
                continue
            if not any(low <= value <= high for low, high in self.ranges):
                continue
            unit = re.sub(r"[°\s]", "", found.group(3) or "").lower()
            prefixed = bool(self.prefix) and bool(
                re.search(rf"\b{re.escape(self.prefix)}\s*$", sentence[: found.start()])
            )
            words_before = WORDS.findall(sentence[: found.start()].lower())
            before = set(words_before)
            # "BO x9", "vomits x6": a times sign after a word it counts.
            counted_by_sign = (
                self.whole
                and TIMES_SIGN in {unit, (found.group(1) or "").strip().lower()}
                and bool(before & set(self.counted_with_sign))
            )
            after = WORDS.findall(sentence[found.end() :].lower())[:AFTER_READING]
            if (
                prefixed
                or counted_by_sign
                or self._at_site(after)
                or (not unit and self._bare_decimal(sentence, found, value, words_before, after))
                or unit in self.units
                or before & set(self.cues)
                or set(after[:2]) & set(self.counted)
                or set(after) & (set(self.cues) - {HOURS})
            ):
                return found.group(0).strip()
        return None


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
    suspected: Tuple[RedFlag, ...] = ()  # soft signs only: ask before escalating


class SafetyDetector:
    """Red flags from the categories and patterns of the safety file.

    A pattern match is a red flag unless it is negated just before ("never
    blacked out"), inside an everyday phrase ("sick of", "hay fever"), made
    ordinary by its category's words in the same sentence ("breathless on
    the stairs, same as always"), told as history ("last March he
    collapsed", outside a crisis), or only asked about in general. A
    sentence asks in general when it has a question cue and nothing
    pointing at a person or at now, and no other sentence of the message
    says that something is happening now ("Can it cause seizures? I had
    one 20 minutes ago."). Events (`!` patterns, readings) are red flags
    even inside a question: "temp 38.9, is that bad?".
    """

    def __init__(self, rules: Mapping[str, Any]):
        self.nlp = spacy.blank("en")
        self.categories = rules["categories"]
        self.red_flag_matcher = _matcher(
            self.nlp, ((name, spec["patterns"]) for name, spec in self.categories.items())
        )
        # Words that make a category's match ordinary in its sentence, unless
        # the sentence also has words that keep it urgent.
        self.context_matcher = _matcher(
            self.nlp,
            [
                *(
                    (f"ordinary:{name}", spec.get("ordinary_with", []))
                    for name, spec in self.categories.items()
                ),
                *(
                    (f"urgent:{name}", spec.get("urgent_with", []))
                    for name, spec in self.categories.items()
                ),
                ("ordinary", rules.get("ordinary", [])),
            ],
        )
        informational = rules["informational"]
        self.question_matcher = _matcher(self.nlp, [("question", informational["question_cues"])])
        self.personal_matcher = _matcher(self.nlp, [("personal", informational["personal_cues"])])
        self.now_matcher = _matcher(self.nlp, [("now", informational.get("now_cues", []))])
        self.done_matcher = _matcher(self.nlp, [("done", informational.get("done_cues", []))])
        self.told_back_matcher = _matcher(
            self.nlp, [("told back", informational.get("told_back_cues", []))]
        )
        self.hypothetical_matcher = _matcher(
            self.nlp, [("supposed", informational.get("hypothetical_cues", []))]
        )
        self.about_matcher = _matcher(self.nlp, [("about", informational.get("about_cues", []))])
        self.history_matcher = _matcher(
            self.nlp, [("history", informational.get("history_cues", []))]
        )
        self.present_matcher = _matcher(
            self.nlp, [("present", informational.get("present_cues", []))]
        )
        self.settled_matcher = _matcher(
            self.nlp, [("settled", informational.get("settled_cues", []))]
        )
        negations = rules.get("negations", {})
        self.negations = self._norms(negations.get("words", ""))
        self.negation_breakers = self._norms(negations.get("unless_followed_by", ""))
        self.reassuring_words = self._norms(negations.get("reassuring", ""))
        self.reassuring = self.negations | self.reassuring_words
        people = rules.get("people", {})
        self.writer = self._norms(people.get("writer", ""))
        self.someone_else = self._norms(people.get("someone_else", ""))
        # Units that say a number is not a reading ("39 years", "36 mg").
        self.other_units = frozenset(
            unit
            for spec in (rules.get("readings") or {}).values()
            for unit in self._words(spec.get("other_units"))
        )
        self.readings = [
            ReadingRule(
                category,
                ranges=tuple((float(low), float(high)) for low, high in spec["ranges"]),
                cues=self._words(spec.get("cues")),
                units=self._words(spec.get("units")),
                counted=self._words(spec.get("counted")),
                prefix=str(spec.get("prefix", "")),
                whole=bool(spec.get("whole", False)),
                sites=tuple(
                    tuple(self._words(slot) for slot in site.split())
                    for site in spec.get("sites", [])
                ),
                decimal_ranges=tuple(
                    (float(low), float(high)) for low, high in spec.get("decimal_ranges", [])
                ),
                other_units=self._words(spec.get("other_units")),
                counted_with_sign=self._words(spec.get("counted_with_sign")),
            )
            for category, spec in (rules.get("readings") or {}).items()
        ]

    @staticmethod
    def _words(alternatives: Optional[str]) -> Tuple[str, ...]:
        return tuple(word for word in str(alternatives or "").split("|") if word)

    def _norms(self, words: str) -> Set[str]:
        return {self.nlp.make_doc(word)[0].norm_ for word in self._words(words)}

    def _asks(self, sentence: Span) -> bool:
        return sentence[-1].text == "?" or bool(self.question_matcher(sentence))

    def _only_asks_in_general(self, sentence: Span) -> bool:
        return self._asks(sentence) and not self.personal_matcher(sentence)

    def _says_it_is_happening(self, sentence: Span) -> bool:
        """A statement about a person and now: "I had one 20 minutes ago"."""
        return (
            not self._asks(sentence)
            and bool(self.personal_matcher(sentence))
            and bool(self.now_matcher(sentence))
        )

    def _tells_back(self, sentence: Span) -> bool:
        """A statement that the thing just asked about is happening ("mine's
        been squeezing for 20 min", "yes its happening now"), not a past one
        ("I had one before diagnosis") nor a settled one ("mine's been fine")."""
        return (
            not self._asks(sentence)
            and bool(self.told_back_matcher(sentence))
            and not self.history_matcher(sentence)
            and not any(token.norm_ in self.reassuring_words for token in sentence)
        )

    def _told_back(self, sentence: Span, sentences: List[Span]) -> bool:
        """A later sentence tells the question back as happening: "can
        xalkori cause chest pain? mine's been squeezing for 20 min"."""
        return any(later.start >= sentence.end and self._tells_back(later) for later in sentences)

    def _told_as_history(self, sentence: Span, start: int, end: int) -> bool:
        """Placed in the past and not also now: "last March he collapsed on a
        platform", not "he had a fit last year and another one today"; a now
        that says it is over ("all fine now") is not a present, nor is one
        far from the emergency in a long sentence of a story ("...coughed up
        blood once and we spent the night in A&E, and every time he clears
        his throat I'm back in that cubicle")."""
        settled = [(low, high) for _, low, high in self.settled_matcher(sentence)]
        present = [
            (low, high)
            for _, low, high in self.present_matcher(sentence)
            if not any(calm_low <= low and high <= calm_high for calm_low, calm_high in settled)
            and sentence.start + low < end + PRESENT_REACH
            and sentence.start + high > start - PRESENT_REACH
        ]
        return bool(self.history_matcher(sentence)) and not present

    def _negated(self, doc: Doc, start: int, sentence: Span, crisis: bool) -> bool:
        """A negation just before the match ("never blacked out", "I'd never
        hurt myself"), not one that is part of it ("can't stop bleeding")."""
        reach = 1 if crisis else NEGATION_REACH
        before = doc[max(sentence.start, start - reach) : start]
        return any(
            token.norm_ in self.negations
            and (token.i + 1 >= len(doc) or doc[token.i + 1].norm_ not in self.negation_breakers)
            for token in before
        )

    def _ordinary(
        self,
        category: str,
        start: int,
        end: int,
        sentence: Span,
        context: List[Tuple[str, int, int]],
    ) -> bool:
        """Inside an everyday phrase, or with its category's ordinary words
        in the sentence and none of its urgent ones ("fine sitting down" and
        "nil at rest" are not urgent)."""
        doc = sentence.doc
        kinds = {
            kind
            for kind, low, high in context
            if sentence.start <= low < sentence.end
            and not (kind.startswith("ordinary:") and self._contrast_between(doc, low, start))
            and not (kind.startswith("urgent:") and self._reassured(sentence, low, high))
        }
        inside_phrase = any(
            kind == "ordinary" and low < end and start < high for kind, low, high in context
        )
        return inside_phrase or (
            f"ordinary:{category}" in kinds and f"urgent:{category}" not in kinds
        )

    def _reassured(self, sentence: Span, low: int, high: int) -> bool:
        """An urgent word with a reassuring one just before it ("normal when
        I'm resting") or just after it, not negated ("sitting down I'm
        totally fine", not "at rest I'm not fine")."""
        doc = sentence.doc
        before = doc[max(sentence.start, low - REASSURING_REACH) : low]
        after = doc[high : min(sentence.end, high + REASSURING_REACH + 1)]
        return any(t.norm_ in self.reassuring for t in before) or any(
            t.norm_ in self.reassuring_words and doc[t.i - 1].norm_ not in self.negations
            for t in after
        )

    @staticmethod
    def _contrast_between(doc: Doc, before: int, match: int) -> bool:
        """An ordinary word set apart from a later match by "but": "it was
        the normal kind, but now I wake up gasping"."""
        return any(token.norm_ in CONTRASTS for token in doc[before:match])

    def _supposed(
        self, supposed: List[Tuple[int, int]], start: int, end: int, sentence: Span
    ) -> Optional[Set[str]]:
        """Said of a supposed case: "what should I do if I get a fever?", "if
        my eyes ever turned yellow", whatever else the message says is
        happening. Not when a new clause about a person comes between: "what
        are the signs of a heart attack, my chest hurts". The words of the
        supposing cue, or None."""
        doc = sentence.doc
        cues = (
            (low, high)
            for low, high in supposed
            if sentence.start <= low <= start
            and high <= end
            # "if I've been throwing up all night" says it is happening.
            and not self._already(doc, high)
            and not self._done_today(doc, low, end, sentence)
            and (
                doc[high - 1].norm_ not in PAST
                or any(token.norm_ in SUPPOSING for token in sentence)
            )
            and not any(
                token.text in CLAUSE_BREAKS
                and any(
                    t.norm_ in self.writer | self.someone_else
                    for t in doc[token.i + 1 : token.i + 3]
                )
                for token in doc[high:start]
            )
        )
        found = next(cues, None)
        return None if found is None else {token.norm_ for token in doc[found[0] : found[1]]}

    @staticmethod
    def _done_today(doc: Doc, low: int, end: int, sentence: Span) -> bool:
        """ "what happens if I double dosed by mistake today?": told in the
        past with a time that places it today, so it was done, not supposed;
        "if I get a fever tonight" still supposes."""
        told_in_the_past = any(token.norm_ in TOLD_DONE for token in doc[low:end])
        return told_in_the_past and any(
            token.norm_ in DONE_TODAY
            or (token.norm_ == "morning" and doc[token.i - 1].norm_ == "this")
            for token in doc[low : sentence.end]
        )

    @staticmethod
    def _already(doc: Doc, high: int) -> bool:
        """ "if I've been...", "if I've already taken...": it has happened."""
        if high >= len(doc):
            return False
        word = doc[high].norm_
        return word == "been" or (word in ALREADY and doc[high - 1].norm_ in PERFECT)

    def _someone_else(self, doc: Doc, end: int, sentence: Span) -> bool:
        """Whether the person nearest before the end of the match is someone
        other than the writer: "my sister says she will kill herself"."""
        for token in reversed(doc[sentence.start : end]):
            if token.norm_ in self.writer:
                return False
            if token.norm_ in self.someone_else:
                return True
        return False

    def _flag(self, category: str, words: str, someone_else: bool) -> RedFlag:
        spec = self.categories[category]
        return RedFlag(category, spec["label"], bool(spec.get("crisis")), words, someone_else)

    def assess(self, text: str, earlier: str = "") -> Assessment:
        """The red flags a message raises, and the ones it only asks about.
        `earlier` is the person's messages before it, one a line, for a reply
        that leans on them: "36" after a question about the pulse, "yes its
        happening now" after one about chest pain."""
        doc = self.nlp(text.replace("\u2019", "'"))
        sentences = _sentences(doc)
        happening = any(self._says_it_is_happening(s) for s in sentences)
        # "what happens if you take 2 at once? I think I just did"
        done = bool(self.done_matcher(doc))
        context = [
            (self.nlp.vocab.strings[match_id], start, end)
            for match_id, start, end in self.context_matcher(doc)
        ]
        supposed = [(start, end) for _, start, end in self.hypothetical_matcher(doc)]
        raised: Dict[str, RedFlag] = {}
        asked: Dict[str, RedFlag] = {}
        suspected: Dict[str, RedFlag] = {}
        for match_id, start, end in sorted(self.red_flag_matcher(doc), key=lambda m: m[1]):
            name = self.nlp.vocab.strings[match_id]
            event, soft = name.endswith(EVENT), name.endswith(SOFT)
            category = name.rstrip(MARKS)
            sentence = next(s for s in sentences if s.start <= start < s.end)
            crisis = bool(self.categories[category].get("crisis"))
            if (
                self._negated(doc, start, sentence, crisis)
                or self._ordinary(category, start, end, sentence, context)
                or (not crisis and self._told_as_history(sentence, start, end))
            ):
                continue
            flag = self._flag(category, doc[start:end].text, self._someone_else(doc, end, sentence))
            # An event stays a red flag inside a question ("I took two, is
            # that bad?"), not in a supposed case ("what if I took two?"),
            # unless another sentence says it is happening ("I feel sick
            # now") and no "ever" keeps it only supposed; nor a general
            # question beside "I think I just did".
            cue = self._supposed(supposed, start, end, sentence)
            general = (
                not flag.crisis
                and not (done and (cue is None or EVER not in cue))
                and not (self._told_back(sentence, sentences) and (cue is None or EVER not in cue))
                and (
                    (cue is not None and (not event or not happening or EVER in cue))
                    or (
                        not happening
                        and self._only_asks_in_general(sentence)
                        and (not event or bool(self.about_matcher(sentence)))
                    )
                )
            )
            (asked if general else suspected if soft else raised).setdefault(category, flag)
        for sentence in sentences:
            for rule in self.readings:
                words = rule.holds(sentence.text)
                if words and rule.category not in raised:
                    raised[rule.category] = self._flag(
                        rule.category, words, self._someone_else(doc, sentence.end, sentence)
                    )
        if earlier:
            self._lean_on_earlier(earlier, sentences, raised)
        return Assessment(
            tuple(raised.values()),
            tuple(flag for name, flag in asked.items() if name not in raised),
            bool(sentences) and all(self._only_asks_in_general(s) for s in sentences),
            tuple(flag for name, flag in suspected.items() if name not in raised),
        )

    def _lean_on_earlier(
        self, earlier: str, sentences: List[Span], raised: Dict[str, RedFlag]
    ) -> None:
        """Red flags of a reply that leans on the messages before it: a bare
        number read with the measure named there ("pulse?" ... "its 39 now"),
        and what was asked about there, told back as happening now."""
        earlier_words = set(WORDS.findall(earlier.lower()))
        for sentence in sentences:
            numbers = NOT_A_READING.sub(" ", sentence.text)
            for rule in self.readings:
                cue = next((cue for cue in rule.cues if cue in earlier_words), None)
                if cue is None or rule.category in raised:
                    continue
                words = rule.holds(f"{cue} {numbers}")
                if words and not self._names_another_unit(numbers):
                    raised[rule.category] = self._flag(rule.category, words, False)
            if self._tells_back(sentence):
                # Read only when a reply tells something back: most do not.
                for flag in self.assess(earlier).asked_about:
                    raised.setdefault(flag.category, flag)

    def _names_another_unit(self, text: str) -> bool:
        """ "I'm 39 years old": a number with a unit that is no reading."""
        words = WORDS.findall(text.lower())
        return any(
            word.isdigit() and following in self.other_units
            for word, following in zip(words, words[1:])
        )

    def red_flags(self, text: str) -> List[RedFlag]:
        """Each category the message raises, once, in the order found."""
        return list(self.assess(text).raised)


@cache
def load_detector(path: Path = SAFETY_PATH) -> SafetyDetector:
    """Reads the safety file once per process."""
    return SafetyDetector(load_rules(path))
