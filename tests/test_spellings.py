"""Misspelt names (bot/nlp/spellings.py and bot/rasa_ext/fuzzy_entities.py)."""

import pytest

from bot.nlp.spellings import Spellings
from bot.nlp.vocabulary import load_vocabulary
from bot.rasa_ext.fuzzy_entities import ENTITY_TYPES, FuzzyEntityExtractor

VOCABULARY = load_vocabulary()
EXTRACTOR = FuzzyEntityExtractor(Spellings(VOCABULARY, ENTITY_TYPES))


@pytest.mark.parametrize(
    "text, entity, value, typed",
    [
        ("docs given me clarithromycn for my chest", "drug", "clarithromycin", "clarithromycn"),
        ("can nan have grapfruit juice", "food", "grapefruit", "grapfruit juice"),
        ("diarhoea every day since", "side_effect", "diarrhea", "diarhoea"),
        ("my itraconazle tablets", "drug", "itraconazole", "itraconazle"),
        ("st. johns wort ok?", "drug", "st johns wort", "st. johns wort"),
    ],
)
def test_a_misspelt_name_is_found_under_its_canonical_value(text, entity, value, typed):
    found = EXTRACTOR.misspelt(text, [])
    assert [(e["entity"], e["value"], text[e["start"] : e["end"]]) for e in found] == [
        (entity, value, typed)
    ]


def test_words_already_named_and_ordinary_words_are_left_alone():
    text = "the weather is lovely today, clarithromycin"
    taken = [{"entity": "drug", "value": "clarithromycin", "start": 29, "end": 43}]
    assert EXTRACTOR.misspelt(text, taken) == []


def test_a_misspelling_close_to_two_names_is_not_guessed():
    spellings = Spellings({"drug": {"abcdefgh": ["abcdefgh"], "abcdefgk": ["abcdefgk"]}}, ["drug"])
    assert spellings.close("abcdefgx") is None
    assert spellings.close("abcdefhg") is None or spellings.close("abcdefhg") in {
        "abcdefgh",
        "abcdefgk",
    }
