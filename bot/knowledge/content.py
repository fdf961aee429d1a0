"""Reads and checks the assistant's medical content in `content/`.

Plain Python with no Rasa in it, so actions, tools and tests share one loader
and one set of checks. A broken content file fails loudly at load time with
the card or row at fault, rather than as a wrong answer in conversation.
"""

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, Mapping, Optional, Tuple

import yaml

from bot.knowledge import answer_keys as keys

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"

# How Table 1 and Table 2 print a missing value.
NOT_REACHED = "NR"
NOT_AVAILABLE = "NA"


class ContentError(ValueError):
    """The content is malformed or refers to something that is missing."""


@dataclass(frozen=True)
class Figure:
    value: str
    where: str


@dataclass(frozen=True)
class Card:
    id: str
    topic: str
    question: str
    keywords: Tuple[str, ...]
    patient: str
    nurse: str
    source: Tuple[str, ...]
    figures: Tuple[Figure, ...]
    follow_ups: Tuple[str, ...]
    why: Optional[str] = None


@dataclass(frozen=True)
class Uncovered:
    """A question patients ask that the review does not answer (content/not_covered.yml)."""

    subject: str
    title: str  # "the cost of crizotinib"
    who: str  # who can answer it
    reply: str
    nearby: Optional[str] = None  # a card on what the review does say nearby


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    intents: Tuple[str, ...]
    card: str


@dataclass(frozen=True)
class Trial:
    patient: str  # how patients hear its name
    card: str  # the card about the trial
    phase: int


@dataclass(frozen=True)
class Measure:
    """A row of Table 1."""

    name: str
    printed: str
    patient: str
    unit: str = ""


@dataclass(frozen=True)
class Comparison:
    """What a trial's section of the review adds to a Table 1 cell: the
    comparator arm, hazard ratio, CI and P value, or a figure it prints
    differently from the table."""

    trial: str
    measure: str
    text: str
    where: str


@dataclass(frozen=True)
class AdverseEvent:
    """A row of Table 2: per trial, (any grade %, grade 3-4 %); None = NA."""

    name: str
    printed: str
    patient: str
    trials: Mapping[str, Tuple[Optional[int], Optional[int]]]


@dataclass(frozen=True)
class Interaction:
    substance: str
    effect: str  # raises, lowers or avoid
    group: str
    name: Optional[str] = None  # how to write it, if not as the substance


@dataclass(frozen=True)
class Mutation:
    name: str
    resists: Tuple[str, ...]
    sensitive: Tuple[str, ...]
    where: Tuple[str, ...]


@dataclass(frozen=True)
class Tables:
    trials: Mapping[str, Trial]
    main_trial: str
    measures: Mapping[str, Measure]
    efficacy: Mapping[str, Mapping[str, str]]  # trial -> measure -> printed value
    efficacy_where: str
    comparisons: Mapping[Tuple[str, str], Comparison]  # (trial, measure) -> text
    adverse_events: Mapping[str, AdverseEvent]
    adverse_events_where: str
    adverse_event_follow_ups: Tuple[str, ...]
    severe_card: str
    interactions: Mapping[str, Interaction]
    interactions_where: str
    interaction_follow_ups: Tuple[str, ...]
    interactions_why_card: str
    mutations: Mapping[str, Mutation]
    mutation_follow_ups: Tuple[str, ...]
    # By kind of table answer (answer_keys): the card for a question that
    # names no row, and the general cards a named row answers better.
    overview_cards: Mapping[str, str]
    general_cards: Mapping[str, str]  # card -> kind of table answer
    explained_by: Mapping[str, str]  # side effect not in Table 2 -> card
    topics: Mapping[str, str]  # kind of table answer -> topic

    @cached_property
    def alk_inhibitors(self) -> FrozenSet[str]:
        """The ALK inhibitors the mutation table speaks about."""
        return frozenset(
            drug
            for mutation in self.mutations.values()
            for drug in (*mutation.resists, *mutation.sensitive)
        )

    @cached_property
    def interaction_group_words(self) -> FrozenSet[str]:
        """The words of the groups the review puts medicines in: "macrolide",
        "antifungal", "inducer"..."""
        return frozenset(
            word
            for interaction in self.interactions.values()
            for word in interaction.group.lower().split()
        )

    def referenced_cards(self) -> Tuple[str, ...]:
        return (
            *self.adverse_event_follow_ups,
            self.severe_card,
            *self.interaction_follow_ups,
            self.interactions_why_card,
            *self.mutation_follow_ups,
            *(trial.card for trial in self.trials.values()),
            *self.overview_cards.values(),
            *self.general_cards,
            *self.explained_by.values(),
        )


@dataclass(frozen=True)
class Knowledge:
    sections: Tuple[str, ...]
    topics: Tuple[Topic, ...]
    cards: Mapping[str, Card]
    messages: Mapping[str, Any]
    wording: Mapping[str, Any]
    tables: Tables
    not_covered: Mapping[str, Uncovered] = field(default_factory=dict)

    def card(self, card_id: str) -> Optional[Card]:
        return self.cards.get(card_id)

    def topic(self, topic_id: str) -> Optional[Topic]:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def topic_for_intent(self, intent: Optional[str]) -> Optional[Topic]:
        return next((topic for topic in self.topics if intent in topic.intents), None)


def _build(kind: type, label: str, /, **fields: Any) -> Any:
    """kind(**fields), failing with the content item at fault."""
    try:
        return kind(**fields)
    except TypeError as error:
        raise ContentError(f"{label}: {error}") from None


def _card(raw: Mapping[str, Any]) -> Card:
    name = f"card {raw.get('id', raw)!r}"
    try:
        figures = tuple(_build(Figure, name, **figure) for figure in raw["figures"])
        return Card(
            id=raw["id"],
            topic=raw["topic"],
            question=raw["question"],
            keywords=tuple(keyword.lower() for keyword in raw.get("keywords", [])),
            patient=raw["patient"],
            nurse=raw["nurse"],
            source=tuple(raw["source"]),
            figures=figures,
            follow_ups=tuple(raw["follow_ups"]),
            why=raw.get("why"),
        )
    except (KeyError, TypeError) as error:
        raise ContentError(f"{name}: bad or missing {error}") from None


def _percent(value: Any) -> Optional[int]:
    return None if value == NOT_AVAILABLE else int(value)


def _cell_pair(event: str, cells: Any) -> Tuple[Optional[int], Optional[int]]:
    """Table 2's two cells for a trial: any grade %, grade 3-4 %."""
    try:
        any_grade, grade_3_4 = cells
    except (TypeError, ValueError):
        raise ContentError(f"Table 2, {event!r}: each trial needs [any grade, grade 3-4]") from None
    return _percent(any_grade), _percent(grade_3_4)


def parse_tables(raw: Mapping[str, Any]) -> Tables:
    trials = {
        name: _build(Trial, f"trial {name!r}", **spec) for name, spec in raw["trials"].items()
    }
    efficacy = raw["efficacy"]
    adverse_events = raw["adverse_events"]
    interactions = raw["interactions"]
    events = {
        name: AdverseEvent(
            name=name,
            printed=row["printed"],
            patient=row["patient"],
            trials={trial: _cell_pair(name, cells) for trial, cells in row["trials"].items()},
        )
        for name, row in adverse_events["events"].items()
    }
    mutation_table = raw["resistance_mutations"]
    # The sections by the kind of table answer they give (answer_keys).
    by_kind = {
        keys.MEASURE: efficacy,
        keys.SIDE_EFFECT: adverse_events,
        keys.INTERACTION: interactions,
        keys.MUTATION: mutation_table,
    }
    tables = Tables(
        trials=trials,
        main_trial=raw["main_trial"],
        measures={
            name: _build(Measure, f"measure {name!r}", name=name, **spec)
            for name, spec in efficacy["measures"].items()
        },
        efficacy={trial: dict(row) for trial, row in efficacy["trials"].items()},
        efficacy_where=efficacy["where"],
        comparisons={
            (trial, measure): Comparison(
                trial, measure, " ".join(cell["text"].split()), spec["where"]
            )
            for trial, spec in efficacy.get("comparisons", {}).items()
            for measure, cell in spec.items()
            if measure != "where"
        },
        adverse_events=events,
        adverse_events_where=adverse_events["where"],
        adverse_event_follow_ups=tuple(adverse_events["follow_ups"]),
        severe_card=adverse_events["severe_card"],
        interactions={
            name: _build(Interaction, f"interaction {name!r}", substance=name, **spec)
            for name, spec in interactions["substances"].items()
        },
        interactions_where=interactions["where"],
        interaction_follow_ups=tuple(interactions["follow_ups"]),
        interactions_why_card=interactions["why_card"],
        mutations={
            str(name): Mutation(
                name=str(name),
                resists=tuple(spec.get("resists", ())),
                sensitive=tuple(spec.get("sensitive", ())),
                where=tuple(spec.get("where", [mutation_table["where"]])),
            )
            for name, spec in mutation_table["mutations"].items()
        },
        mutation_follow_ups=tuple(mutation_table["follow_ups"]),
        overview_cards={kind: section["overview_card"] for kind, section in by_kind.items()},
        general_cards={
            card: kind for kind, section in by_kind.items() for card in section["general_cards"]
        },
        explained_by=dict(adverse_events.get("explained_by", {})),
        topics={
            **{kind: section["topic"] for kind, section in by_kind.items()},
            keys.MEDICATION_CHECK: interactions["topic"],
        },
    )
    _check_tables(tables)
    return tables


def _check_tables(tables: Tables) -> None:
    trials = set(tables.trials)
    if tables.main_trial not in trials:
        raise ContentError(f"main trial {tables.main_trial!r} is not in `trials`")
    for trial, row in tables.efficacy.items():
        missing = set(tables.measures) - set(row)
        if trial not in trials or missing:
            raise ContentError(f"Table 1, {trial}: unknown trial or missing {missing}")
    for event in tables.adverse_events.values():
        if set(event.trials) != trials:
            raise ContentError(f"Table 2, {event.name!r}: needs a cell pair for every trial")
    for interaction in tables.interactions.values():
        if interaction.effect not in ("raises", "lowers", "avoid"):
            raise ContentError(f"interaction {interaction.substance!r}: bad effect")
    for trial, measure in tables.comparisons:
        if trial not in trials or measure not in tables.measures:
            raise ContentError(f"Table 1 comparisons: unknown trial or measure {trial}, {measure}")


def _check_references(knowledge: Knowledge) -> None:
    topic_ids = {topic.id for topic in knowledge.topics}
    sections = set(knowledge.sections)
    for topic in knowledge.topics:
        if topic.card not in knowledge.cards:
            raise ContentError(f"topic {topic.id!r}: no card {topic.card!r}")
    tables = knowledge.tables
    table_places = [tables.efficacy_where, tables.adverse_events_where, tables.interactions_where]
    table_places += [place for mutation in tables.mutations.values() for place in mutation.where]
    table_places += [comparison.where for comparison in tables.comparisons.values()]
    unknown = [place for place in table_places if place not in sections]
    if unknown:
        raise ContentError(f"content/tables.yml: not a part of the review: {unknown}")
    for kind, topic_id in tables.topics.items():
        if topic_id not in topic_ids:
            raise ContentError(f"content/tables.yml: {kind}: no topic {topic_id!r}")
    for card_id in tables.referenced_cards():
        if card_id not in knowledge.cards:
            raise ContentError(f"content/tables.yml: no card {card_id!r}")
    for card in knowledge.cards.values():
        if card.topic not in topic_ids:
            raise ContentError(f"card {card.id!r}: no topic {card.topic!r}")
        if not card.source:
            raise ContentError(f"card {card.id!r}: says nowhere where it comes from")
        places = [*card.source, *(figure.where for figure in card.figures)]
        unknown = [place for place in places if place not in sections]
        if unknown:
            raise ContentError(f"card {card.id!r}: not a part of the review: {unknown}")
        for other in (*card.follow_ups, *([card.why] if card.why else [])):
            if other not in knowledge.cards:
                raise ContentError(f"card {card.id!r}: no card {other!r}")
    for uncovered in knowledge.not_covered.values():
        if uncovered.nearby and uncovered.nearby not in knowledge.cards:
            raise ContentError(f"not covered {uncovered.subject!r}: no card {uncovered.nearby!r}")


def _cards(documents: Iterable[Mapping[str, Any]]) -> Dict[str, Card]:
    cards: Dict[str, Card] = {}
    for document in documents:
        for raw in document["cards"]:
            card = _card(raw)
            if card.id in cards:
                raise ContentError(f"two cards share the id {card.id!r}")
            cards[card.id] = card
    return cards


def parse_knowledge(
    assistant: Mapping[str, Any],
    card_documents: Iterable[Mapping[str, Any]],
    tables: Mapping[str, Any],
    not_covered: Optional[Mapping[str, Any]] = None,
) -> Knowledge:
    """Builds and checks the knowledge from the content files' parsed YAML."""
    source = assistant["source"]
    knowledge = Knowledge(
        sections=tuple(source["sections"]),
        topics=tuple(
            _build(Topic, f"topic {raw.get('id')!r}", **{**raw, "intents": tuple(raw["intents"])})
            for raw in assistant["topics"]
        ),
        cards=_cards(card_documents),
        messages=assistant["messages"],
        wording=assistant["wording"],
        tables=parse_tables(tables),
        not_covered={
            subject: _build(Uncovered, f"not covered {subject!r}", subject=subject, **spec)
            for subject, spec in ((not_covered or {}).get("subjects") or {}).items()
        },
    )
    _check_references(knowledge)
    return knowledge


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
def load_knowledge(content_dir: Path = CONTENT_DIR) -> Knowledge:
    """Reads the content once per process."""
    return parse_knowledge(
        _read(content_dir / "assistant.yml"),
        [_read(path) for path in sorted((content_dir / "cards").glob("*.yml"))],
        _read(content_dir / "tables.yml"),
        _read(content_dir / "not_covered.yml"),
    )
