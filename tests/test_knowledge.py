"""The content: complete, consistent, grounded, and every number accounted for."""

import copy
import re

import pytest
import yaml

from bot.knowledge import ContentError, load_knowledge, parse_knowledge
from bot.knowledge.content import CONTENT_DIR, NOT_AVAILABLE, NOT_REACHED
from bot.nlp.vocabulary import load_vocabulary
from tests.conftest import PROJECT_ROOT

KNOWLEDGE = load_knowledge()
VOCABULARY = load_vocabulary()

# A number in running text: 10.9, 74%, 0.35-0.60, 250. Names that contain
# digits are not figures: PROFILE-1014, G1202R, ROS1, CYP3A, "grade 3-4", Table 2.
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
NAME_WITH_DIGITS = re.compile(
    r"PROFILE-\d{4}|grade \d-\d|(?:Table|Figure) \d|\b\w*[A-Za-z]\d\w*|\b\d+[A-Za-z]\w*"
)


def numbers_in(text: str):
    return NUMBER.findall(NAME_WITH_DIGITS.sub(" ", text))


def domain_intents():
    intents = set()
    for path in (PROJECT_ROOT / "domain").glob("*.yml"):
        intents.update(yaml.safe_load(path.read_text()).get("intents", []))
    return intents


def test_every_topic_is_reached_by_domain_intents_and_has_its_card():
    for topic in KNOWLEDGE.topics:
        assert set(topic.intents) <= domain_intents()
        assert KNOWLEDGE.card(topic.card).topic == topic.id


@pytest.mark.parametrize("card_id", sorted(KNOWLEDGE.cards))
def test_every_number_in_a_card_is_a_figure_recorded_with_its_place(card_id):
    card = KNOWLEDGE.card(card_id)
    recorded = {number for figure in card.figures for number in numbers_in(figure.value)}
    for text in (card.patient, card.nurse):
        unrecorded = set(numbers_in(text)) - recorded
        assert not unrecorded, f"{card_id}: {sorted(unrecorded)} not among its figures"
    # Where each figure and the card come from is checked against the
    # review's parts when the content loads; a card must name at least one.
    assert card.source and all(figure.where for figure in card.figures)


NATURAL_FREQUENCY = re.compile(r"\b(\d+) in (\d+)\b")
PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")


@pytest.mark.parametrize("card_id", sorted(KNOWLEDGE.cards))
def test_a_natural_frequency_agrees_with_a_printed_percentage_of_its_card(card_id):
    card = KNOWLEDGE.card(card_id)
    percentages = [float(p) for figure in card.figures for p in PERCENT.findall(figure.value)]
    for count, out_of in NATURAL_FREQUENCY.findall(card.patient):
        share = 100 * int(count) / int(out_of)
        assert any(abs(share - percent) <= 5 for percent in percentages), (
            f"{card_id}: '{count} in {out_of}' matches no printed percentage"
        )


def test_every_table_cell_is_a_printed_value():
    tables = KNOWLEDGE.tables
    for trial, row in tables.efficacy.items():
        for measure, value in row.items():
            assert value in (NOT_REACHED, NOT_AVAILABLE) or re.fullmatch(
                r">?=?\d+(\.\d+)?%?", value
            ), f"Table 1, {trial}, {measure}: {value!r}"
    for event in tables.adverse_events.values():
        for trial, (any_grade, grade_3_4) in event.trials.items():
            # NA stays None (never 0); severe cases cannot outnumber all cases.
            assert (any_grade is None) == (grade_3_4 is None), (event.name, trial)
            if any_grade is not None:
                assert 0 <= grade_3_4 <= any_grade <= 100, (event.name, trial)


def test_an_event_a_trial_did_not_report_is_kept_as_not_reported_not_zero():
    dizziness = KNOWLEDGE.tables.adverse_events["dizziness"]
    assert dizziness.trials["PROFILE-1001"] == (None, None)
    assert dizziness.trials["PROFILE-1014"] == (18, 0)


@pytest.mark.parametrize(
    "entity, names",
    [
        ("side_effect", lambda t: t.adverse_events),
        ("drug", lambda t: [n for n, i in t.interactions.items() if i.group != "food"]),
        ("food", lambda t: [n for n, i in t.interactions.items() if i.group == "food"]),
        ("mutation", lambda t: t.mutations),
        ("trial", lambda t: t.trials),
        ("measure", lambda t: t.measures),
    ],
)
def test_every_table_row_is_named_by_the_vocabulary_so_questions_reach_it(entity, names):
    missing = set(names(KNOWLEDGE.tables)) - set(VOCABULARY[entity])
    assert not missing, f"not in data/nlu/vocabulary.yml as {entity}: {missing}"


def test_every_drug_the_mutation_table_names_is_in_the_vocabulary():
    assert KNOWLEDGE.tables.alk_inhibitors <= set(VOCABULARY["drug"])


def content_documents():
    read = lambda path: yaml.safe_load(path.read_text(encoding="utf-8"))  # noqa: E731
    return (
        read(CONTENT_DIR / "assistant.yml"),
        [read(path) for path in sorted((CONTENT_DIR / "cards").glob("*.yml"))],
        read(CONTENT_DIR / "tables.yml"),
    )


def first_card(cards):
    return cards[0]["cards"][0]


@pytest.mark.parametrize(
    "change, complaint",
    [
        (lambda a, c, t: a["topics"][0].update(card="no_such_card"), "no card 'no_such_card'"),
        (lambda a, c, t: first_card(c).update(follow_ups=["gone"]), "no card 'gone'"),
        (lambda a, c, t: first_card(c).update(why="gone"), "no card 'gone'"),
        (lambda a, c, t: first_card(c).update(topic="astrology"), "no topic 'astrology'"),
        (lambda a, c, t: first_card(c).pop("patient"), "bad or missing 'patient'"),
        (lambda a, c, t: first_card(c).update(source=["Chapter 9"]), "not a part of the review"),
        (lambda a, c, t: c[0]["cards"].append(dict(first_card(c))), "share the id"),
        (
            lambda a, c, t: t["adverse_events"]["events"]["diarrhea"]["trials"].pop("PROFILE-1007"),
            "needs a cell pair for every trial",
        ),
        (lambda a, c, t: t["interactions"].update(why_card="gone"), "no card 'gone'"),
        (lambda a, c, t: t.update(main_trial="PROFILE-9999"), "main trial"),
    ],
)
def test_broken_content_is_refused_with_the_reason(change, complaint):
    assistant, cards, tables = copy.deepcopy(content_documents())
    change(assistant, cards, tables)
    with pytest.raises(ContentError, match=re.escape(complaint)):
        parse_knowledge(assistant, cards, tables)
