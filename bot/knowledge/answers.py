"""Answers a question from the knowledge: a card, a table row or a lookup.

The question arrives already understood (intent, entities as canonical
vocabulary values, what the conversation remembers); this module decides
what to say, in the person's chosen view, with its source. No Rasa here, so
every answer can be checked in plain unit tests.

How an answer is chosen, most specific first:
1. a follow-up button names its card;
2. "why?" gets the card that explains the previous answer;
3. an ALK mutation, with or without an ALK inhibitor ("would alectinib
   work?"), is answered from the resistance-mutation table;
4. a medicine or food in an interactions question, from the interactions table;
5. a side effect, from Table 2 ("how often is it severe?" remembers which);
6. a trial result (response rate, PFS, survival) in a named trial, or in
   every trial for a nurse, from Table 1;
7. otherwise the card whose keywords best match the question, preferring the
   topic it was classified as, else that topic's main card.
"""

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple

from bot.knowledge.content import (
    NOT_AVAILABLE,
    NOT_REACHED,
    AdverseEvent,
    Card,
    Knowledge,
    Topic,
)
from bot.knowledge.frequency import natural_frequency
from bot.names import Intent

PATIENT = "patient"
NURSE = "nurse"
SEVERE = "grade 3-4"
# The medicine the assistant is about: naming it in a question about
# interactions ("Xalkori with grapefruit?") is not asking about it.
THE_MEDICINE = "crizotinib"
WHY_INTENT = Intent.ASK_WHY
# Topics (content/assistant.yml) whose questions the tables answer.
SIDE_EFFECTS_TOPIC = "side_effects"
TRIALS_TOPIC = "crizotinib"
INTERACTIONS_TOPIC = "interactions"
# Questions answered from the interactions table when they name a medicine.
INTERACTION_INTENTS = {Intent.ASK_INTERACTIONS, Intent.ASK_PERSONAL_DECISION}
FOLLOW_UP_RATE_INTENT = Intent.ASK_HOW_OFTEN


@dataclass(frozen=True)
class Question:
    """What the person asked, as NLU understood it, and what came before."""

    intent: Optional[str]
    text: str = ""
    # entity type -> canonical values found in this message, in order
    entities: Mapping[str, Sequence[str]] = field(default_factory=dict)
    audience: str = PATIENT
    card_id: Optional[str] = None  # named by a follow-up button
    last_side_effect: Optional[str] = None
    last_mutation: Optional[str] = None
    reason_card: Optional[str] = None  # explains the previous answer

    def first(self, entity: str) -> Optional[str]:
        return next(iter(self.entities.get(entity, ())), None)


@dataclass(frozen=True)
class Answer:
    text: str
    follow_ups: Tuple[Card, ...] = ()
    # The card that answers a "why?" about this answer, if the review has one.
    reason_card: Optional[str] = None
    card_id: Optional[str] = None


def answer(question: Question, knowledge: Knowledge) -> Answer:
    """The best answer the review gives to the question."""
    named = knowledge.card(question.card_id) if question.card_id else None
    if named:
        return _card_answer(named, question, knowledge)
    if question.intent == WHY_INTENT:
        return _why_answer(question, knowledge)
    topic = knowledge.topic_for_intent(question.intent)
    if topic is None:
        return Answer(knowledge.messages["not_covered"])
    for rule in (_mutation_answer, _interaction_answer, _side_effect_answer, _efficacy_answer):
        found = rule(question, topic, knowledge)
        if found:
            return found
    card = best_card(question, topic, knowledge) or knowledge.cards[topic.card]
    return _card_answer(card, question, knowledge)


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


def _sources(sections: Iterable[str], audience: str, knowledge: Knowledge) -> str:
    return knowledge.messages["source"][audience].format(sections="; ".join(sections))


def _compose(*parts: Optional[str]) -> str:
    """Paragraphs, skipping the empty ones; each starts with a capital, as a
    template may open with a filled-in name ("the first trial ...")."""
    paragraphs = [part.strip() for part in parts if part and part.strip()]
    return "\n\n".join(paragraph[0].upper() + paragraph[1:] for paragraph in paragraphs)


def _cards(ids: Iterable[str], knowledge: Knowledge) -> Tuple[Card, ...]:
    return tuple(knowledge.cards[card_id] for card_id in ids)


def _card_answer(card: Card, question: Question, knowledge: Knowledge) -> Answer:
    body = card.nurse if question.audience == NURSE else card.patient
    return Answer(
        text=_compose(body, _sources(card.source, question.audience, knowledge)),
        follow_ups=_cards(card.follow_ups, knowledge),
        reason_card=card.why,
        card_id=card.id,
    )


def _why_answer(question: Question, knowledge: Knowledge) -> Answer:
    card = knowledge.card(question.reason_card) if question.reason_card else None
    if card:
        return _card_answer(card, question, knowledge)
    reply = "not_covered" if question.reason_card == "" else "unclear"
    return Answer(knowledge.messages["why"][reply])


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _mutation_answer(question: Question, topic: Topic, knowledge: Knowledge) -> Optional[Answer]:
    """ "My biopsy found G1202R", then "would alectinib work?"."""
    mutations = knowledge.tables.mutations
    named = question.first("mutation")
    name = named or question.last_mutation
    inhibitors = knowledge.tables.alk_inhibitors
    asked = [drug for drug in question.entities.get("drug", ()) if drug in inhibitors]
    if name is None or name not in mutations:
        return None
    if not (named or asked) or topic.id == INTERACTIONS_TOPIC:
        return None
    mutation = mutations[name]
    wording = knowledge.wording["mutation"][question.audience]
    lines: List[str] = []
    if named:
        # Everything the review says about it, then any drug it is silent on.
        for kind in ("resists", "sensitive"):
            drugs = getattr(mutation, kind)
            if drugs:
                lines.append(wording[kind].format(mutation=name, drugs=_join(drugs)))
        asked = [drug for drug in asked if drug not in (*mutation.resists, *mutation.sensitive)]
    for drug in asked:
        kind = (
            "resists"
            if drug in mutation.resists
            else "sensitive"
            if drug in mutation.sensitive
            else "not_covered"
        )
        lines.append(wording[kind].format(mutation=name, drugs=drug, drug=drug))
    return Answer(
        text=_compose(
            " ".join(lines),
            wording.get("care"),
            _sources(mutation.where, question.audience, knowledge),
        ),
        follow_ups=_cards(knowledge.tables.mutation_follow_ups, knowledge),
    )


def _interaction_answer(question: Question, topic: Topic, knowledge: Knowledge) -> Optional[Answer]:
    """ "I take clarithromycin", "is grapefruit ok?": each named one, or "not covered"."""
    substances = [
        name
        for name in (*question.entities.get("drug", ()), *question.entities.get("food", ()))
        if name != THE_MEDICINE
    ]
    if question.intent not in INTERACTION_INTENTS or not substances:
        return None
    tables = knowledge.tables
    wording = knowledge.wording["interaction"]
    lines = []
    for name in dict.fromkeys(substances):
        interaction = tables.interactions.get(name)
        if interaction is None:
            lines.append(wording["not_covered"].format(substance=name))
            continue
        shown = interaction.name or name
        template = wording[question.audience][interaction.effect]
        sentence = template.format(substance=shown, group=interaction.group)
        lines.append(sentence[:1].upper() + sentence[1:])
    known = any(name in tables.interactions for name in substances)
    return Answer(
        text=_compose(
            " ".join(lines),
            wording[PATIENT]["care"] if known and question.audience == PATIENT else None,
            _sources([tables.interactions_where], question.audience, knowledge) if known else None,
        ),
        follow_ups=_cards(tables.interaction_follow_ups, knowledge) if known else (),
        reason_card=tables.interactions_why_card if known else None,
    )


def _percent(value: int) -> str:
    return f"{value}%"


def _side_effect_answer(question: Question, topic: Topic, knowledge: Knowledge) -> Optional[Answer]:
    """Table 2 by side effect; a trial named in the question, else the main trial."""
    if topic.id != SIDE_EFFECTS_TOPIC:
        return None
    tables = knowledge.tables
    name = question.first("side_effect")
    if name is None and question.intent == FOLLOW_UP_RATE_INTENT:
        name = question.last_side_effect
    severe = SEVERE in question.entities.get("severity", ())
    if name is None:
        # "How many get serious ones?": the severe card, unless words pick another.
        if severe and not best_card(question, topic, knowledge):
            return _card_answer(knowledge.cards[tables.severe_card], question, knowledge)
        return None
    event = tables.adverse_events.get(name)
    if event is None:
        card = best_card(question, topic, knowledge)
        if card:
            return _card_answer(card, question, knowledge)
        text = knowledge.wording["side_effect"]["patient"]["not_in_review"].format(event=name)
        return Answer(text)
    if question.audience == NURSE:
        body = _side_effect_for_nurse(event, knowledge)
    else:
        body = _side_effect_for_patient(event, question, severe, knowledge)
    return Answer(
        text=_compose(body, _sources([tables.adverse_events_where], question.audience, knowledge)),
        follow_ups=_cards(tables.adverse_event_follow_ups, knowledge),
    )


def _trial(question: Question, knowledge: Knowledge) -> Tuple[str, bool]:
    """The trial the question names, else the main trial; and whether named."""
    named = question.first("trial")
    if named is not None and named in knowledge.tables.trials:
        return named, True
    return knowledge.tables.main_trial, False


def _side_effect_for_patient(
    event: AdverseEvent, question: Question, severe: bool, knowledge: Knowledge
) -> str:
    wording = knowledge.wording["side_effect"]["patient"]
    trial, _ = _trial(question, knowledge)
    any_grade, grade_3_4 = event.trials[trial]
    fields = dict(trial=knowledge.tables.trials[trial].patient, event=event.patient)
    if any_grade is None or grade_3_4 is None:  # Table 2 reports both or neither
        return _compose(wording["not_reported"].format(**fields), wording["care"])
    severe_frequency = natural_frequency(grade_3_4)
    fields.update(
        any=_percent(any_grade),
        severe=_percent(grade_3_4),
        any_frequency=natural_frequency(any_grade) or "",
        severe_frequency=f" ({severe_frequency})" if severe_frequency else "",
    )
    return " ".join([wording["severe" if severe else "any"].format(**fields), wording["care"]])


def _side_effect_for_nurse(event: AdverseEvent, knowledge: Knowledge) -> str:
    wording = knowledge.wording["side_effect"]
    cells = []
    for trial, (any_grade, grade_3_4) in event.trials.items():
        shown = wording["not_reported"] if any_grade is None else f"{any_grade}/{grade_3_4}"
        cells.append(f"{trial} {shown}")
    return wording["nurse"].format(event=event.printed, cells="; ".join(cells))


def _efficacy_answer(question: Question, topic: Topic, knowledge: Knowledge) -> Optional[Answer]:
    """Table 1 by measure ("response rate in PROFILE-1005")."""
    tables = knowledge.tables
    measure = tables.measures.get(question.first("measure") or "")
    if measure is None or topic.id != TRIALS_TOPIC:
        return None
    wording = knowledge.wording["efficacy"]
    trial, named = _trial(question, knowledge)
    if question.audience == NURSE:
        cells = [
            f"{trial} {_shown_value(row[measure.name], measure, wording)}"
            for trial, row in tables.efficacy.items()
        ]
        body = wording["nurse"].format(measure=measure.printed, cells="; ".join(cells))
    else:
        if not named:
            return None  # a card tells a patient the figures in context
        value = tables.efficacy[trial][measure.name]
        patient = wording["patient"]
        fields = dict(trial=tables.trials[trial].patient)
        if value == NOT_REACHED:
            body = patient["not_reached"].format(**fields)
        elif value == NOT_AVAILABLE:
            body = patient["not_available"].format(**fields)
        else:
            shown = _shown_value(value, measure, wording)
            frequency = natural_frequency(float(value.rstrip("%")))
            sentence = measure.patient.format(value=shown, frequency=frequency)
            body = patient["value"].format(measure=sentence, **fields)
    return Answer(
        text=_compose(body, _sources([tables.efficacy_where], question.audience, knowledge)),
        follow_ups=_cards([tables.trials[trial].card] if named else [], knowledge),
    )


def _shown_value(value: str, measure, wording: Mapping) -> str:
    if value == NOT_AVAILABLE:
        return wording["not_available"]
    if value == NOT_REACHED:
        return value
    if measure.unit == "%":
        return f"{value}%"
    return f"{value} {measure.unit}".strip()
