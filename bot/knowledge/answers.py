"""Answers a question from the knowledge: a card, a table row or a lookup.

The question arrives already understood (intent, entities as canonical
vocabulary values, NLU's ranking of the answers, what the conversation
remembers). bot/knowledge/choice.py decides which answer it wants, as an
answer key; this module words that answer in the person's view (patient or
nurse), with its source. No Rasa here, so every answer can be checked in
plain unit tests.
"""

import re
from dataclasses import replace
from typing import Iterable, Iterator, List, Mapping, Optional, Sequence

from bot.knowledge import answer_keys as keys
from bot.knowledge.answer_keys import AnswerKey
from bot.knowledge.choice import POINTS_BACK, PRONOUN, choose, unnamed_substance
from bot.knowledge.content import NOT_AVAILABLE, NOT_REACHED, AdverseEvent, Card, Knowledge, Measure
from bot.knowledge.frequency import natural_frequency
from bot.knowledge.question import NURSE, PATIENT, Answer, Question
from bot.names import Intent
from bot.nlp.vocabulary import Vocabulary
from bot.nurse.medications import check_medications, report

# A message this long is a story around a question: the answer says the
# rest is for the care team.
LONG_MESSAGE_WORDS = 60
WHY = re.compile(r"\W*(?:(?:and|but|so|ok)\W+)?(?:why|how come)\b", re.IGNORECASE)


def answer(
    question: Question, knowledge: Knowledge, vocabulary: Optional[Vocabulary] = None
) -> Answer:
    """The best answer the review gives to the question. With the entity
    vocabulary, a list of medicines gets the medication check."""
    if _asks_why(question):
        return _why_answer(question, knowledge)
    key = choose(question, knowledge)
    typed = unnamed_substance(question, knowledge)
    if typed and key == AnswerKey(keys.INTERACTION, keys.NOT_NAMED):
        # "And dolutegravir?": named back as typed, as not covered.
        question = replace(question, entities={**question.entities, "drug": [typed]})
    reply = compose(key, question, knowledge, vocabulary)
    if len(question.text.split()) >= LONG_MESSAGE_WORDS and reply.key != keys.OUT_OF_SCOPE:
        reply = Answer(
            _compose(reply.text, knowledge.messages["long_message"]),
            reply.follow_ups,
            reply.reason_card,
            reply.card_id,
            reply.key,
        )
    return reply


def compose(
    key: AnswerKey,
    question: Question,
    knowledge: Knowledge,
    vocabulary: Optional[Vocabulary] = None,
) -> Answer:
    """The answer `key` names, worded for the question's audience."""
    tables = knowledge.tables
    if key.kind == keys.CARD:
        return _card_answer(knowledge.cards[key.name], question.audience, knowledge)
    if key.kind == keys.SIDE_EFFECT:
        if key.name == keys.NOT_LISTED:
            return _not_listed_answer(question, knowledge)
        return _side_effect_answer(key, question.audience, knowledge)
    if key.kind == keys.MEASURE:
        return _efficacy_answer(key, question.audience, knowledge)
    if key.kind == keys.INTERACTION:
        named = question.substances or (key.name,)
        return _interaction_answer(named, question.audience, knowledge)
    if key.kind == keys.MUTATION:
        return _mutation_answer(key, question.audience, knowledge)
    if key.kind == keys.MEDICATION_CHECK:
        checked = _medication_check(question, knowledge, vocabulary)
        if checked:
            return checked
        overview = knowledge.cards[tables.overview_cards[keys.INTERACTION]]
        return _card_answer(overview, question.audience, knowledge)
    if key.kind == keys.NOT_COVERED:
        return _not_covered_answer(key.name, knowledge)
    return Answer(knowledge.messages["fallback"]["out_of_scope"], key=keys.OUT_OF_SCOPE)


def _sources(sections: Iterable[str], audience: str, knowledge: Knowledge) -> str:
    return knowledge.messages["source"][audience].format(sections="; ".join(sections))


def _compose(*parts: Optional[str]) -> str:
    """Paragraphs, skipping the empty ones; each starts with a capital, as a
    template may open with a filled-in name ("the first trial ...")."""
    paragraphs = [part.strip() for part in parts if part and part.strip()]
    return "\n\n".join(paragraph[0].upper() + paragraph[1:] for paragraph in paragraphs)


def _cards(ids: Iterable[str], knowledge: Knowledge) -> tuple:
    return tuple(knowledge.cards[card_id] for card_id in ids)


def _card_answer(card: Card, audience: str, knowledge: Knowledge) -> Answer:
    body = card.nurse if audience == NURSE else card.patient
    return Answer(
        text=_compose(body, _sources(card.source, audience, knowledge)),
        follow_ups=_cards(card.follow_ups, knowledge),
        reason_card=card.why,
        card_id=card.id,
        key=str(AnswerKey(keys.CARD, card.id)),
    )


def _asks_why(question: Question) -> bool:
    """ "Why?", or a short "why doesn't it work as well there?" about an
    answer the review gives a reason for."""
    if question.card_id:
        return False
    if question.intent == Intent.ASK_WHY:
        return True
    text = question.text
    return bool(
        question.reason_card
        and question.short
        and WHY.match(text)
        and (PRONOUN.search(text) or POINTS_BACK.search(text))
    )


def _why_answer(question: Question, knowledge: Knowledge) -> Answer:
    card = knowledge.card(question.reason_card) if question.reason_card else None
    if card:
        return _card_answer(card, question.audience, knowledge)
    reply = "not_covered" if question.reason_card == "" else "unclear"
    return Answer(knowledge.messages["why"][reply])


def _join(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _mutation_answer(key: AnswerKey, audience: str, knowledge: Knowledge) -> Answer:
    """ "My biopsy found G1202R", then "would alectinib work?"."""
    mutation = knowledge.tables.mutations[key.name]
    wording = knowledge.wording["mutation"][audience]
    # The medicine asked about, else everything the review says about it;
    # also everything when the review is silent on that medicine.
    said = {drug: kind for kind in ("resists", "sensitive") for drug in getattr(mutation, kind)}
    if key.drug in said:
        lines = [wording[said[key.drug]].format(mutation=key.name, drugs=key.drug)]
    else:
        lines = [
            wording[kind].format(mutation=key.name, drugs=_join(getattr(mutation, kind)))
            for kind in ("resists", "sensitive")
            if getattr(mutation, kind)
        ]
        if key.drug:
            lines.append(wording["not_covered"].format(mutation=key.name, drug=key.drug))
    return Answer(
        text=_compose(
            " ".join(lines),
            wording.get("care"),
            _sources(mutation.where, audience, knowledge),
        ),
        follow_ups=_cards(knowledge.tables.mutation_follow_ups, knowledge),
        key=str(key),
    )


def _interaction_answer(named: Sequence[str], audience: str, knowledge: Knowledge) -> Answer:
    """ "I take clarithromycin", "is grapefruit ok?": each named one, or "not covered"."""
    tables = knowledge.tables
    wording = knowledge.wording["interaction"]
    lines = []
    for name in named:
        interaction = tables.interactions.get(name)
        if interaction is None:
            lines.append(wording["not_covered"].format(substance=name))
            continue
        shown = interaction.name or name
        template = wording[audience][interaction.effect]
        sentence = template.format(substance=shown, group=interaction.group)
        lines.append(sentence[:1].upper() + sentence[1:])
    known = any(name in tables.interactions for name in named)
    first = named[0] if named[0] in tables.interactions else keys.NOT_NAMED
    return Answer(
        text=_compose(
            " ".join(lines),
            wording[PATIENT]["care"] if known and audience == PATIENT else None,
            _sources([tables.interactions_where], audience, knowledge) if known else None,
        ),
        follow_ups=_cards(tables.interaction_follow_ups, knowledge) if known else (),
        reason_card=tables.interactions_why_card if known else None,
        key=str(AnswerKey(keys.INTERACTION, first)),
    )


def _medication_check(
    question: Question, knowledge: Knowledge, vocabulary: Optional[Vocabulary]
) -> Optional[Answer]:
    """Each medicine or food of a list checked (bot/nurse/medications.py);
    None when the message holds fewer than two."""
    if vocabulary is None:
        return None
    checked = check_medications(question.text, knowledge, vocabulary)
    if len(checked.items) < 2:
        return None
    tables = knowledge.tables
    return Answer(
        report(checked, question.audience, knowledge),
        follow_ups=_cards(tables.interaction_follow_ups, knowledge),
        reason_card=tables.interactions_why_card,
        key=keys.MEDICATION_CHECK,
    )


def _not_listed_answer(question: Question, knowledge: Knowledge) -> Answer:
    tables = knowledge.tables
    wording = knowledge.wording["side_effect"]["patient"]
    named = [
        name
        for name in question.entities.get("side_effect", ())
        if name not in tables.adverse_events
    ]
    text = (
        wording["not_in_review"].format(event=named[0])
        if named
        else wording["not_in_review_unnamed"]
    )
    return Answer(
        text,
        follow_ups=_cards([tables.overview_cards[keys.SIDE_EFFECT]], knowledge),
        key=str(AnswerKey(keys.SIDE_EFFECT, keys.NOT_LISTED)),
    )


def _side_effect_answer(key: AnswerKey, audience: str, knowledge: Knowledge) -> Answer:
    """Table 2 by side effect, for the trial the key names, else the main trial."""
    tables = knowledge.tables
    event = tables.adverse_events[key.name]
    if audience == NURSE:
        body = _side_effect_for_nurse(event, key.trial, knowledge)
    else:
        body = _side_effect_for_patient(
            event, key.trial or tables.main_trial, key.severe, knowledge
        )
    return Answer(
        text=_compose(body, _sources([tables.adverse_events_where], audience, knowledge)),
        follow_ups=_cards(tables.adverse_event_follow_ups, knowledge),
        key=str(key),
    )


def _side_effect_for_patient(
    event: AdverseEvent, trial: str, severe: bool, knowledge: Knowledge
) -> str:
    wording = knowledge.wording["side_effect"]["patient"]
    any_grade, grade_3_4 = event.trials[trial]
    fields = dict(trial=knowledge.tables.trials[trial].patient, event=event.patient)
    if any_grade is None or grade_3_4 is None:  # Table 2 reports both or neither
        return _compose(wording["not_reported"].format(**fields), wording["care"])
    severe_frequency = natural_frequency(grade_3_4)
    fields.update(
        any=f"{any_grade}%",
        severe=f"{grade_3_4}%",
        any_frequency=natural_frequency(any_grade) or "",
        severe_frequency=f" ({severe_frequency})" if severe_frequency else "",
    )
    template = ("severe" if severe else "any") + ("_none" if grade_3_4 == 0 else "")
    return " ".join([wording[template].format(**fields), wording["care"]])


def _side_effect_for_nurse(event: AdverseEvent, trial: Optional[str], knowledge: Knowledge) -> str:
    """The whole Table 2 row, the trial asked about first."""
    wording = knowledge.wording["side_effect"]
    cells = []
    for name, (any_grade, grade_3_4) in _asked_first(event.trials, trial):
        shown = wording["not_reported"] if any_grade is None else f"{any_grade}/{grade_3_4}"
        cells.append(f"{name} {shown}")
    return wording["nurse"].format(event=event.printed, cells="; ".join(cells))


def _asked_first(row: Mapping, trial: Optional[str]) -> List:
    return sorted(row.items(), key=lambda item: item[0] != trial)


def _efficacy_answer(key: AnswerKey, audience: str, knowledge: Knowledge) -> Answer:
    """Table 1 by measure and trial ("response rate in PROFILE-1005"). For a
    nurse, the trial asked about with what its section adds (comparator, HR,
    CI, P), then the other trials for comparison."""
    tables = knowledge.tables
    measure = tables.measures[key.name]
    trial = key.trial or tables.main_trial
    wording = knowledge.wording["efficacy"]
    sources = [tables.efficacy_where]
    if audience == NURSE:
        value = _shown_value(tables.efficacy[trial][measure.name], measure, wording)
        lines = [
            wording["nurse"]["asked"].format(measure=measure.printed, trial=trial, value=value)
        ]
        comparison = tables.comparisons.get((trial, measure.name))
        if comparison:
            lines.append(wording["nurse"]["text"].format(text=comparison.text))
            sources.append(comparison.where)
        others = [
            f"{name} {_shown_value(row[measure.name], measure, wording)}"
            for name, row in tables.efficacy.items()
            if name != trial
        ]
        lines.append(wording["nurse"]["others"].format(cells="; ".join(others)))
        body = " ".join(lines)
    else:
        body = _efficacy_for_patient(measure, trial, knowledge)
    return Answer(
        text=_compose(body, _sources(sources, audience, knowledge)),
        follow_ups=_cards([tables.trials[trial].card], knowledge),
        key=str(AnswerKey(keys.MEASURE, measure.name, trial=trial)),
    )


def _efficacy_for_patient(measure: Measure, trial: str, knowledge: Knowledge) -> str:
    tables = knowledge.tables
    wording = knowledge.wording["efficacy"]
    value = tables.efficacy[trial][measure.name]
    patient = wording["patient"]
    fields = dict(trial=tables.trials[trial].patient)
    if value == NOT_REACHED:
        return patient["not_reached"].format(**fields)
    if value == NOT_AVAILABLE:
        return patient["not_available"].format(**fields)
    shown = _shown_value(value, measure, wording)
    frequency = natural_frequency(float(value.rstrip("%")))
    sentence = measure.patient.format(value=shown, frequency=frequency)
    return patient["value"].format(measure=sentence, **fields)


def _shown_value(value: str, measure: Measure, wording: Mapping) -> str:
    if value == NOT_AVAILABLE:
        return wording["not_available"]
    if value == NOT_REACHED:
        return value
    if measure.unit == "%":
        return f"{value}%"
    return f"{value} {measure.unit}".strip()


def _not_covered_answer(subject: str, knowledge: Knowledge) -> Answer:
    uncovered = knowledge.not_covered.get(subject)
    if uncovered is None:
        return Answer(knowledge.messages["not_covered"], key=keys.NOT_COVERED)
    nearby = _cards([uncovered.nearby], knowledge) if uncovered.nearby else ()
    return Answer(uncovered.reply, follow_ups=nearby, key=str(AnswerKey(keys.NOT_COVERED, subject)))


def table_keys(knowledge: Knowledge) -> Iterator[AnswerKey]:
    """Every answer the tables can give (for the reading-grade checks)."""
    tables = knowledge.tables
    for event in tables.adverse_events:
        for trial in tables.trials:
            for severe in (False, True):
                yield AnswerKey(keys.SIDE_EFFECT, event, severe, trial)
    for measure in tables.measures:
        for trial in tables.trials:
            yield AnswerKey(keys.MEASURE, measure, trial=trial)
    for substance in (*tables.interactions, keys.NOT_NAMED):
        yield AnswerKey(keys.INTERACTION, substance)
    for mutation in tables.mutations:
        for drug in (None, *sorted(tables.alk_inhibitors)):
            yield AnswerKey(keys.MUTATION, mutation, drug=drug)
