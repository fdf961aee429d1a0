"""Which answer a question wants, as an answer key (bot/knowledge/answer_keys.py).

In this order:

1. A button names its card.
2. A short follow-up that only names something new ("and in 1007?", "what
   about alectinib?", "and PFS?") asks for the previous table answer again,
   with that trial, medicine, measure or side effect in place.
3. The answer NLU ranked first (bot/rasa_ext/classifiers.py). Labels that
   name rows of one table (`side_effect:nausea`, `side_effect:edema`) add up,
   so "a side effect" can win even when its rows share the votes.
4. Without a confident ranking, the older keyword rules: the topic the
   intent names, a table row from the entities, then the card whose keywords
   match best.

What the question names fills in a table answer: the side effect, trial,
measure, medicine or mutation, from the entities; failing that, for a short
follow-up, the previous answer's; failing that, the row the ranking learnt.
Specific before general: a general card ("what side effects are there?")
gives way to a table row when the question names one ("is diarrhea
common?"); a table question that names no row gets the table's overview card.
Which cards are general or overviews is set in content/tables.yml.
"""

import re
from dataclasses import dataclass, replace
from typing import AbstractSet, Callable, Dict, List, Optional, Sequence, Tuple

from bot.knowledge import answer_keys as keys
from bot.knowledge.answer_keys import AnswerKey
from bot.knowledge.content import Card, Knowledge, Topic
from bot.knowledge.question import THE_MEDICINE, Question
from bot.names import NLU_FALLBACK_INTENT, Intent

# Below this, the ranking is a guess.
MIN_CONFIDENCE = 0.2
# Table answers whose labels may name a row, and add up by kind.
ROW_KINDS = (keys.SIDE_EFFECT, keys.MEASURE)
RESPONSE_RATE = "response rate"
DURATION_OF_RESPONSE = "duration of response"
ONE_YEAR_SURVIVAL = "1-year survival"
OVERALL_SURVIVAL = "overall survival"
# Of two measures named together, the narrower ("alive at 1 year" also
# reads as survival).
NARROWER = {
    (OVERALL_SURVIVAL, ONE_YEAR_SURVIVAL): ONE_YEAR_SURVIVAL,
    # "Those who responded: how long did it last?"
    (RESPONSE_RATE, DURATION_OF_RESPONSE): DURATION_OF_RESPONSE,
}
LIVED = re.compile(r"\b(live|lived|living|alive|surviv\w*)\b", re.IGNORECASE)
MEDIAN = re.compile(r"\bmedian\b", re.IGNORECASE)
HOW_LONG = re.compile(r"\bhow long\b|\blength of\b|\blast(?:ed|s)?\b|\bhold\b", re.IGNORECASE)
# Words a follow-up may have besides the new name: "and what about in 1007?"
FILLER = frozenset(
    """
    and what about how in the same for then with is it that one ones trial study
    arm too also there was were did do does vs versus compared against ok okay so
    but or any a an of on at please pls what's whats wot wat abt n u r
    as common often frequent likely many people ppl get got had have happen
    happens seen this other phase i ii iii 1 2 3 each both
    true same work works working would will against still be use useful effective help
    """.split()
)
# "What about him?", "and for me, I'm 38?": someone else, and what is said of them.
PERSON = frozenset(
    """
    me i i'm im my him he he's hes his her she she's shes them they their us we
    mum mom dad husband wife partner son daughter brother sister friend
    """.split()
)
# "How long will my husband live?" asks about one person, not a trial's people.
ONE_PERSON = PERSON - {"them", "they", "their", "us", "we"}
ABOUT_A_PERSON = frozenset(
    """
    specifically though tho really very quite fit young old older younger age aged years yrs
    """.split()
)
# "Azithromycin as an alternative?", "dolutegravir instead?"
ALTERNATIVE = frozenset("instead alt alternative alternatively rather".split())
# A nurse's follow-up that asks for a figure's detail ("HR + CI?"), or after
# a figure, for more of the same ("vs chemo?", "and median?", "NR meaning?").
FIGURE_DETAIL = frozenset(
    "hr hrs ci cis p hazard ratio ratios confidence interval intervals value values".split()
)
DETAIL = FIGURE_DETAIL | frozenset("comparator chemo by median nr meaning mean means".split())
WORD = re.compile(r"[a-z0-9']+")
# "In it", "that one", "same trial": the question points back at what was
# just said.
POINTS_BACK = re.compile(
    r"\b(in it|in that|that one|this one|that trial|that study|same trial|same study|"
    r"in there|there)\b",
    re.IGNORECASE,
)
# "And in 1007?", "was it worse in the older trial?": the same figure asked
# again elsewhere, not a new question about the trial.
COMPARES = re.compile(
    r"^\W*(and|but|what about|how about|same|vs|versus|compared)\b|\b(worse|better|higher|lower|"
    r"more|less|fewer|too|also|as well)\b",
    re.IGNORECASE,
)
OTHER = re.compile(r"\bother (phase|trial|study|one|randomi[sz]ed)", re.IGNORECASE)
PRONOUN = re.compile(r"\b(it|that|this|them|those)\b", re.IGNORECASE)
# "Is S1206Y a crizotinib resistance mutation?", "in the crizo list?",
# "one of the crizotinib ones?": asks what the mutation is.
RESISTANCE_LIST = re.compile(r"\bresistance\b|\blist(ed)?\b|\bones?\b", re.IGNORECASE)
# "Is rash a side effect?", "renal cysts as an AE?"
ASKS_IF_A_SIDE_EFFECT = re.compile(
    r"\b(side[- ]?effects?|AEs?|adverse (events?|effects?|reactions?))\b", re.IGNORECASE
)
# A row the question names wins over a card of another topic ranked at
# most this many times as sure.
ROW_BEHIND_CARD = 0.5
# How much more likely a message after an answer is to stay on that
# answer's topic: people ask on around what they were just told.
SAME_TOPIC = 3.0
# An intent this sure, after an answer, outweighs a ranking that reads the
# words alone as out of scope.
SURE_INTENT = 0.6
# How much less likely off-topic is right after an answer about the review.
OFF_TOPIC_AFTER_AN_ANSWER = 0.5
OFF_TOPIC_INTENTS = frozenset({Intent.OUT_OF_SCOPE, NLU_FALLBACK_INTENT, None})


@dataclass(frozen=True)
class Ranked:
    """One answer the ranking names, its rows' confidences added up."""

    unit: str  # "card:time_to_response", "side_effect", "not_covered:cost", ...
    confidence: float
    best: str  # its best label ("side_effect:nausea")


def _unit(label: str) -> str:
    kind = label.split(":", 1)[0]
    return kind if kind in ROW_KINDS else label


def ranked(ranking: Sequence[Tuple[str, float]]) -> List[Ranked]:
    """The ranking by answer, best first."""
    totals: Dict[str, float] = {}
    best: Dict[str, str] = {}
    for label, confidence in ranking:
        unit = _unit(label)
        totals[unit] = totals.get(unit, 0.0) + confidence
        best.setdefault(unit, label)
    return [
        Ranked(unit, totals[unit], best[unit])
        for unit in sorted(totals, key=lambda unit: -totals[unit])
    ]


def choose(question: Question, knowledge: Knowledge) -> AnswerKey:
    """The answer the question wants."""
    if question.card_id in knowledge.cards:
        return AnswerKey(keys.CARD, str(question.card_id))
    return confident_choice(question, knowledge) or keyword_choice(question, knowledge)


def confident_choice(
    question: Question, knowledge: Knowledge, at_least: float = MIN_CONFIDENCE
) -> Optional[AnswerKey]:
    """The answer, if a follow-up or the ranking says it with confidence.
    With a bar above the ordinary, for a message whose kind was unclear, a
    table answer must also find its row: an overview would be a guess."""
    sure = at_least > MIN_CONFIDENCE
    return same_again(question, knowledge) or ranked_choice(
        question, knowledge, at_least, overview=not sure
    )


def ranked_choice(
    question: Question,
    knowledge: Knowledge,
    at_least: float = MIN_CONFIDENCE,
    overview: bool = True,
) -> Optional[AnswerKey]:
    """The answer ranked first, filled in; None when the ranking is under
    `at_least` sure (or, without `overview`, names a table but no row)."""
    answers = ranked(_in_context(question, knowledge))
    if not answers or answers[0].confidence < at_least:
        return None
    top = answers[0]
    key = AnswerKey.parse(top.unit)
    tables = knowledge.tables
    if key.kind == keys.CARD:
        if key.name not in knowledge.cards:
            return None
        in_trial = _side_effect_in_trial(question, knowledge, key.name)
        if in_trial:
            return in_trial
        named = _named_row_of_another_topic(question, knowledge, answers)
        if named:
            return named
        kind = tables.general_cards.get(key.name)
        if not kind:
            return key
        # "And lorlatinib?" after a mutation: the medicine's card is general.
        previous = _leaned_on(question, kind, leans=False) if kind == keys.MUTATION else None
        request = RowRequest(question, knowledge, card=key.name, previous=previous)
        return ROWS[kind](request) or key
    if key.kind in ROWS:
        # A bare kind ("side_effect") was learnt from follow-ups that lean
        # on the previous answer: "is it ever bad?".
        leans = top.best == key.kind
        previous = _leaned_on(question, key.kind, leans=leans)
        found = ROWS[key.kind](RowRequest(question, knowledge, learnt=top.best, previous=previous))
        if found or not overview:
            return found
        if leans and question.short and question.previous and question.previous.kind == keys.CARD:
            # "How often?" after the heart-rhythm card, "and chemo, how
            # long?" after the time-to-response card: that card has it.
            return question.previous
        return AnswerKey(keys.CARD, tables.overview_cards[key.kind])
    if key.kind == keys.MEDICATION_CHECK:
        if len(question.substances) >= 2 or _list_like(question.text):
            return key
        return _interaction_row(RowRequest(question, knowledge)) or AnswerKey(
            keys.CARD, tables.overview_cards[keys.INTERACTION]
        )
    if key.kind == keys.OUT_OF_SCOPE and ASKS_IF_A_SIDE_EFFECT.search(question.text):
        # "is rash one of the side effects?": about the review, whatever
        # the words around it; the side effect's row, or "not listed".
        return _side_effect_row(RowRequest(question, knowledge)) or AnswerKey(
            keys.SIDE_EFFECT, keys.NOT_LISTED
        )
    return key  # not covered, out of scope


def _named_row_of_another_topic(
    question: Question, knowledge: Knowledge, answers: Sequence[Ranked]
) -> Optional[AnswerKey]:
    """A row the question names, of a table ranked close behind a card of
    another topic: "nelfinavir w crizo, what does the review say?" wants
    nelfinavir's row, not the quality-of-life card."""
    top = answers[0]
    topic = _topic(top.unit, knowledge)
    for other in answers[1:]:
        kind = AnswerKey.parse(other.unit).kind
        if (
            kind not in ROWS
            or other.confidence < ROW_BEHIND_CARD * top.confidence
            or knowledge.tables.topics.get(kind) == topic
        ):
            continue
        found = ROWS[kind](RowRequest(question, knowledge))
        if found and found.kind == kind and found.name not in (keys.NOT_NAMED, keys.NOT_LISTED):
            return found
    return None


def _topic(label: str, knowledge: Knowledge) -> Optional[str]:
    """The topic (content/assistant.yml) an answer label belongs to."""
    key = AnswerKey.parse(label)
    if key.kind == keys.CARD:
        card = knowledge.card(key.name)
        return card.topic if card else None
    return knowledge.tables.topics.get(key.kind)


def _in_context(question: Question, knowledge: Knowledge) -> List[Tuple[str, float]]:
    """The ranking read in the conversation. After an answer, a message the
    intent classifier is sure is about the review is not out of scope, even
    when its words alone are ("how did they find it?"), and any other is
    less likely to be ("can she still have her flu jab?"); nor is a message
    that names a row of the review's tables, and when its words alone read
    off-topic ("G3-4 ALT/AST elevation 1L?"), the rest of the ranking is
    read as sure as if it were about the review. A message after an answer
    is likelier to stay on that answer's topic ("and the FDA?" after the
    approvals card, "is it a type of chemo" after the crizotinib card)."""
    previous = question.last_answer
    ignored = keys.INTERACTION if _no_interaction_to_read(question) else None
    ranking = [(label, confidence) for label, confidence in question.ranking if label != ignored]
    about_the_review = [(label, c) for label, c in ranking if label != keys.OUT_OF_SCOPE]
    left = sum(confidence for _, confidence in about_the_review)
    after_an_answer = bool(previous) and previous != keys.OUT_OF_SCOPE
    sure = question.intent not in OFF_TOPIC_INTENTS and question.intent_confidence >= SURE_INTENT
    read_off_topic = bool(ranking) and ranking[0][0] == keys.OUT_OF_SCOPE
    rows = names_a_row(question, knowledge)
    if left > 0 and ((after_an_answer and sure) or (rows and read_off_topic)):
        # The ranking given that it is about the review.
        ranking = [(label, confidence / left) for label, confidence in about_the_review]
    elif rows:
        ranking = about_the_review
    elif after_an_answer:
        off_topic = [(label, c) for label, c in ranking if label == keys.OUT_OF_SCOPE]
        ranking = sorted(
            [
                *about_the_review,
                *((label, c * OFF_TOPIC_AFTER_AN_ANSWER) for label, c in off_topic),
            ],
            key=lambda item: -item[1],
        )
    if not (previous and ranking):
        return ranking
    topic = _topic(previous, knowledge)
    weighted = [
        (label, confidence * (SAME_TOPIC if topic and _topic(label, knowledge) == topic else 1.0))
        for label, confidence in ranking
    ]
    total = sum(confidence for _, confidence in ranking)
    scale = total / sum(confidence for _, confidence in weighted)
    return sorted(
        ((label, confidence * scale) for label, confidence in weighted), key=lambda item: -item[1]
    )


def _no_interaction_to_read(question: Question) -> bool:
    """Names no medicine or food, and follows no interaction answer: the
    interaction table's bare label is then a guess at words it did not
    understand ("blorp fizzwangle"), not a question about a medicine."""
    previous = question.previous
    follows = previous is not None and previous.kind in (keys.INTERACTION, keys.MEDICATION_CHECK)
    return not (question.substances or follows)


def names_a_row(question: Question, knowledge: Knowledge) -> bool:
    """Names something the review's tables hold (a side effect of Table 2, a
    trial, a mutation, a medicine it names): "dyspnoea G3-4 1005?" is about
    the review, however few its words."""
    tables = knowledge.tables
    held = {
        "side_effect": tables.adverse_events,
        "trial": tables.trials,
        "mutation": tables.mutations,
        "drug": {*tables.interactions, *tables.alk_inhibitors} - {THE_MEDICINE},
    }
    return any(
        name in rows for kind, rows in held.items() for name in question.entities.get(kind, ())
    )


def _leaned_on(question: Question, kind: str, leans: bool) -> Optional[AnswerKey]:
    """What the question may lean on when it is short or was read as
    leaning: the previous answer, if it was of this kind, else the side
    effect or mutation the conversation last named."""
    if not (leans or question.short):
        return None
    previous = question.previous
    if previous is not None and previous.kind == kind:
        return previous
    remembered = {
        keys.SIDE_EFFECT: question.last_side_effect,
        keys.MUTATION: question.last_mutation,
    }
    named = remembered.get(kind)
    return AnswerKey(kind, named) if named else None


def _list_like(text: str) -> bool:
    """Three or more parts, as a list is written ("a, b, c", or lines)."""
    return len([part for part in re.split(r"[,;\n]", text) if part.strip()]) >= 3


def _trial(
    question: Question, knowledge: Knowledge, previous: Optional[AnswerKey]
) -> Optional[str]:
    """The trial the question names, else the previous answer's, else, when
    the question points back ("in it", "ORR?"), the trial the conversation
    was about; None for the main trial, the one answered when none is named."""
    trials = knowledge.tables.trials
    trial = question.first("trial") or (previous.trial if previous else None)
    if trial is None and OTHER.search(question.text):
        # "The other phase III": the trial of the same phase as the one
        # the conversation was about.
        about = _context_trial(question, knowledge) or knowledge.tables.main_trial
        trial = next(
            (
                name
                for name in trials
                if name != about and trials[name].phase == trials[about].phase
            ),
            None,
        )
    if trial is None and (POINTS_BACK.search(question.text) or question.short):
        trial = _context_trial(question, knowledge)
    if trial not in trials or trial == knowledge.tables.main_trial:
        return None
    return trial


def _context_trial(question: Question, knowledge: Knowledge) -> Optional[str]:
    """The trial the previous answer was about: its figure's, or the trial
    whose card it was; else the trial the person named last ("1005, brain
    mets eligible?" ... "MTD?" ... "ORR?")."""
    previous = question.previous
    if previous is None:
        return question.last_trial
    return previous.trial or _trial_of_card(previous.name, knowledge) or question.last_trial


def _trial_of_card(card: Optional[str], knowledge: Knowledge) -> Optional[str]:
    """The trial whose card this is ("card:profile_1007"), if any."""
    return next(
        (name for name, trial in knowledge.tables.trials.items() if trial.card == card), None
    )


def _side_effect_in_trial(
    question: Question, knowledge: Knowledge, card: str
) -> Optional[AnswerKey]:
    """A side effect and a trial ask for that row of Table 2, not the trial's
    card: "emesis rate in the phase 2 study", or, after a side effect's
    figure, "and in the trial where people had chemo first?", or one that
    says more about the trial it names ("what about in the 1007 trial, the
    one for people who'd had chemo first like him?")."""
    tables = knowledge.tables
    trial = question.first("trial") or _trial_of_card(card, knowledge)
    if trial not in tables.trials or question.entities.get("measure"):
        # A measure named asks for a result, not a side effect.
        return None
    events = tables.adverse_events
    event = next(
        (name for name in question.entities.get("side_effect", ()) if name in events), None
    )
    severe = question.severe
    previous = question.previous
    if (
        event is None
        and (question.short or (question.first("trial") and not question.story))
        and COMPARES.search(question.text)
        and previous
        and previous.name in events
    ):
        event, severe = previous.name, severe or previous.severe
    if event is None:
        return None
    return AnswerKey(keys.SIDE_EFFECT, event, severe, None if trial == tables.main_trial else trial)


@dataclass(frozen=True)
class RowRequest:
    """What a row finder reads: the question and, where there is one, the
    general card chosen, the label the ranking learnt and the previous
    answer the question may lean on."""

    question: Question
    knowledge: Knowledge
    card: Optional[str] = None
    learnt: Optional[str] = None
    previous: Optional[AnswerKey] = None


# Each finds the row a question asks for in one table.
RowFinder = Callable[[RowRequest], Optional[AnswerKey]]


def _side_effect_row(request: RowRequest) -> Optional[AnswerKey]:
    question, knowledge, card, previous = (
        request.question,
        request.knowledge,
        request.card,
        request.previous,
    )
    tables = knowledge.tables
    events = tables.adverse_events
    named = question.entities.get("side_effect", ())
    severe = question.severe or card == tables.severe_card
    trial = _trial(question, knowledge, previous)
    row = next((name for name in named if name in events), None)
    if row is None and not named and not card:
        # Nothing named: the previous answer's row, else the learnt one.
        if previous is not None and previous.name in events:
            row = previous.name
            severe = severe or previous.severe
        elif request.learnt:
            row = AnswerKey.parse(request.learnt).name or None
    if row in events:
        return AnswerKey(keys.SIDE_EFFECT, str(row), severe, trial)
    explained = next(
        (tables.explained_by[name] for name in named if name in tables.explained_by), None
    )
    if explained:
        return AnswerKey(keys.CARD, explained)
    if named or row == keys.NOT_LISTED:
        return AnswerKey(keys.SIDE_EFFECT, keys.NOT_LISTED)
    if severe and not card:
        return AnswerKey(keys.CARD, tables.severe_card)
    return None


def _measure_row(request: RowRequest) -> Optional[AnswerKey]:
    question, knowledge, card, previous = (
        request.question,
        request.knowledge,
        request.card,
        request.previous,
    )
    tables = knowledge.tables
    named = [name for name in question.entities.get("measure", ()) if name in tables.measures]
    for pair, narrower in NARROWER.items():
        if set(pair) <= set(named):
            named = [narrower]
    card_trial = _trial_of_card(card, knowledge)
    # A trial the question names, or points back at ("how many responded in
    # that trial?"), wins over the trial card's.
    pointed = _context_trial(question, knowledge) if POINTS_BACK.search(question.text) else None
    trial = (
        question.first("trial") or pointed or card_trial or _trial(question, knowledge, previous)
    )
    if trial not in tables.trials:
        trial = None
    if card and not named:
        if trial and trial != card_trial and (card_trial or trial != tables.main_trial):
            # "How well does it work after chemo?": that trial's card.
            return AnswerKey(keys.CARD, tables.trials[trial].card)
        return None
    measure = named[0] if named else None
    if measure is None and previous is not None:
        measure = previous.name
    if measure is None and request.learnt:
        measure = AnswerKey.parse(request.learnt).name or None
    if measure not in tables.measures:
        return None
    asks_anew = RESPONSE_RATE in named or (not named and question.short)
    if (
        measure == RESPONSE_RATE
        and asks_anew
        and HOW_LONG.search(question.text)
        and not LIVED.search(question.text)
    ):
        # "Those who responded: how long did it last?", or after the response
        # rate, "how long did that last?"
        measure = DURATION_OF_RESPONSE
    if not named:
        measure = _median_of(str(measure), question)
    return AnswerKey(keys.MEASURE, str(measure), trial=trial or tables.main_trial)


def _median_of(measure: str, question: Question) -> str:
    """After the 1-year figure, "and median?" asks for overall survival."""
    if measure == ONE_YEAR_SURVIVAL and MEDIAN.search(question.text):
        return OVERALL_SURVIVAL
    return measure


def _interaction_row(request: RowRequest) -> Optional[AnswerKey]:
    question, knowledge, previous = request.question, request.knowledge, request.previous
    if not question.substances:
        # "What happens if I keep taking it?" right after St John's wort.
        named = previous is not None and previous.name != keys.NOT_NAMED
        return previous if named and request.learnt == keys.INTERACTION else None
    first = question.substances[0]
    return AnswerKey(
        keys.INTERACTION, first if first in knowledge.tables.interactions else keys.NOT_NAMED
    )


def _mutation_row(request: RowRequest) -> Optional[AnswerKey]:
    question, knowledge, card, previous = (
        request.question,
        request.knowledge,
        request.card,
        request.previous,
    )
    tables = knowledge.tables
    name = question.first("mutation")
    if name is None and previous is not None and (card is None or card in tables.alk_inhibitors):
        name = previous.name
    mutation = tables.mutations.get(name or "")
    if mutation is None:
        return None
    asked = [
        drug
        for drug in question.entities.get("drug", ())
        if drug in tables.alk_inhibitors
        and drug not in question.history
        # "Is G1269A one of the crizotinib resistance ones?": the mutation's
        # own answer says what it resists. "Does crizotinib still work
        # against G1202R?" asks about crizotinib.
        and not (
            drug == THE_MEDICINE
            and drug in mutation.resists
            and RESISTANCE_LIST.search(question.text)
        )
    ]
    before = question.previous
    if (
        not asked
        and before
        and before.name in tables.alk_inhibitors
        and PRONOUN.search(question.text)
    ):
        # After the alectinib card: "his report says G1202R, would it work?"
        asked = [before.name]
    return AnswerKey(keys.MUTATION, mutation.name, drug=asked[0] if asked else None)


ROWS: Dict[str, RowFinder] = {
    keys.SIDE_EFFECT: _side_effect_row,
    keys.MEASURE: _measure_row,
    keys.INTERACTION: _interaction_row,
    keys.MUTATION: _mutation_row,
}


def _only_names(question: Question) -> bool:
    """A short message that is filler words around the names it gives (or,
    after a figure, words asking for its detail)."""
    if not question.short:
        return False
    named = {word for mention in question.mentions for word in WORD.findall(mention.lower())}
    return _only_words(
        question,
        named | (DETAIL if question.previous and question.previous.kind == keys.MEASURE else set()),
    )


def _asks_for_detail(question: Question) -> bool:
    """ "HR?", "p value?", "CI pls": a figure's detail and filler words only."""
    words = set(WORD.findall(question.text.lower()))
    return bool(words & FIGURE_DETAIL) and _only_words(question, FIGURE_DETAIL)


def _asks_about_another_person(question: Question) -> bool:
    """ "What about me, I'm 38?", "and for him? he's 76": the same question
    again, about someone else."""
    words = set(WORD.findall(question.text.lower()))
    return (
        question.short
        and not question.entities
        and bool(words & PERSON)
        and not {word for word in words - FILLER - PERSON - ABOUT_A_PERSON if not word.isdigit()}
    )


def _only_words(question: Question, allowed: AbstractSet[str]) -> bool:
    words = set(WORD.findall(question.text.lower()))
    return bool(words) and not (words - FILLER - allowed)


def same_again(question: Question, knowledge: Knowledge) -> Optional[AnswerKey]:
    """ "And in 1007?", "what about alectinib?", "and PFS?" right after a
    table answer: that answer again, with the new name in place."""
    previous = question.previous
    if unnamed_substance(question, knowledge):
        return AnswerKey(keys.INTERACTION, keys.NOT_NAMED)
    if previous is not None and previous.kind == keys.CARD and _asks_for_detail(question):
        # A nurse's "HR?" after a card asks for its detail, not a new answer.
        return previous
    if (
        previous is not None
        and previous.kind != keys.OUT_OF_SCOPE
        and _asks_about_another_person(question)
    ):
        return previous
    if previous is not None and previous.kind == keys.MEASURE and not _only_names(question):
        return _measure_follow_up(question, knowledge, previous)
    if previous is None or previous.kind not in ROWS or not _only_names(question):
        return None
    entities = question.entities
    tables = knowledge.tables
    trial = question.first("trial") or _trial(question, knowledge, None)
    if previous.kind == keys.SIDE_EFFECT and previous.name in tables.adverse_events:
        named = [name for name in entities.get("side_effect", ()) if name in tables.adverse_events]
        severity = entities.get("severity", ())
        if not (named or trial or severity):
            return None
        return replace(
            previous,
            name=named[0] if named else previous.name,
            # "and severe?" makes it severe, "any grade?" not; else as before.
            severe=question.severe or (previous.severe and not severity),
            trial=_trial(question, knowledge, previous),
        )
    if previous.kind == keys.MEASURE:
        measures = [name for name in entities.get("measure", ()) if name in tables.measures]
        if not (measures or trial in tables.trials or _only_words(question, DETAIL)):
            return None
        return replace(
            previous,
            name=measures[0] if measures else _median_of(previous.name, question),
            trial=trial if trial in tables.trials else previous.trial,
        )
    if previous.kind == keys.MUTATION:
        drugs = [drug for drug in entities.get("drug", ()) if drug in tables.alk_inhibitors]
        mutation = question.first("mutation") or ""
        if not (drugs or mutation in tables.mutations):
            return None
        return replace(
            previous,
            name=mutation if mutation in tables.mutations else previous.name,
            drug=drugs[0] if drugs else previous.drug,
        )
    if previous.kind in (keys.INTERACTION, keys.MEDICATION_CHECK):
        return _interaction_row(RowRequest(question, knowledge))
    return None


def _measure_follow_up(
    question: Question, knowledge: Knowledge, previous: AnswerKey
) -> Optional[AnswerKey]:
    """After a trial's figure, a short question that names another measure
    ("did they live longer tho?") or compares with a trial ("vs docetaxel
    only?", "same q 1001") asks for that figure, not the trial's card."""
    entities = question.entities
    tables = knowledge.tables
    words = set(WORD.findall(question.text.lower()))
    if (
        not question.short
        or entities.get("side_effect")
        or entities.get("mutation")
        or words & ONE_PERSON
    ):
        return None
    measures = [name for name in entities.get("measure", ()) if name in tables.measures]
    trial = question.first("trial")
    if not (measures or (trial in tables.trials and COMPARES.search(question.text))):
        return None
    return replace(
        previous,
        name=measures[0] if measures else previous.name,
        trial=trial if trial in tables.trials else previous.trial,
    )


def unnamed_substance(question: Question, knowledge: Knowledge) -> Optional[str]:
    """The name in "and dolutegravir?" right after an interaction answer,
    when the vocabulary does not know it: the one or two words left. A kind
    of medicine the review names ("macrolides?", "azoles?") is not one."""
    previous = question.previous
    if previous is None or previous.kind not in (keys.INTERACTION, keys.MEDICATION_CHECK):
        return None
    if question.entities or not question.short:
        return None
    left = [
        word for word in WORD.findall(question.text.lower()) if word not in FILLER | ALTERNATIVE
    ]
    if any(word.rstrip("s") in knowledge.tables.interaction_group_words for word in left):
        return None
    return " ".join(left) if 1 <= len(left) <= 2 else None


# The keyword rules, for a message the ranking is unsure of.
TOPIC_TABLES = {
    "crizotinib": keys.MEASURE,
    "side_effects": keys.SIDE_EFFECT,
    "interactions": keys.INTERACTION,
    "progression": keys.MUTATION,
}


def keyword_choice(question: Question, knowledge: Knowledge) -> AnswerKey:
    topic = knowledge.topic_for_intent(question.intent)
    if topic is None:
        return AnswerKey(keys.NOT_COVERED)
    # Only "how often?" leans on the side effect said before; a mutation
    # named before answers "would alectinib work?".
    leans = question.intent == Intent.ASK_HOW_OFTEN
    # "does xalkori give you the runs?" read as a question about crizotinib
    # still names a side effect of Table 2: its row before the topic's card.
    effects = knowledge.tables.adverse_events
    named_effect = any(name in effects for name in question.entities.get("side_effect", ()))
    for kind in (
        keys.MUTATION,
        TOPIC_TABLES.get(topic.id),
        keys.SIDE_EFFECT if named_effect else None,
    ):
        if kind:
            previous = _leaned_on(question, kind, True) if leans or kind == keys.MUTATION else None
            found = ROWS[kind](RowRequest(question, knowledge, previous=previous))
            if found:
                return found
    card = best_card(question, topic, knowledge) or knowledge.cards[topic.card]
    return AnswerKey(keys.CARD, card.id)


def _search_text(question: Question) -> str:
    """The question in lower case, plus the canonical names of its entities,
    so "the runs" finds the diarrhea card and "profile 1007" finds PROFILE-1007."""
    names = [value for values in question.entities.values() for value in values]
    return " ".join([question.text, *names]).lower().replace("\u2019", "'")


def _keyword_hits(card: Card, text: str) -> int:
    return sum(
        1 for keyword in card.keywords if re.search(r"(?<![a-z0-9])" + re.escape(keyword), text)
    )


def best_card(question: Question, topic: Topic, knowledge: Knowledge) -> Optional[Card]:
    """The card whose keywords match most; a card of the asked topic wins ties."""
    text = _search_text(question)
    scored = [
        (2 * hits + (card.topic == topic.id), card)
        for card in knowledge.cards.values()
        for hits in [_keyword_hits(card, text)]
        if hits
    ]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None
