"""The project's own spaCy pipeline, built from the vocabulary and loaded back."""

import pytest
import spacy

from bot.nlp.pipeline import build_pipeline, is_acronym
from bot.nlp.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def nlp(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipeline") / "spacy-alk"
    build_pipeline().to_disk(path)
    return spacy.load(path)


def entities(nlp, text):
    return [(ent.label_, ent.ent_id_) for ent in nlp(text).ents]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Can I take Xalkori with grapefruit juice?",
            [("drug", "crizotinib"), ("food", "grapefruit")],
        ),
        (
            "is crizotnib ok with CLARITHROMYCIN",
            [("drug", "crizotinib"), ("drug", "clarithromycin")],
        ),
        (
            "I've had the runs and swollen ankles",
            [("side_effect", "diarrhea"), ("side_effect", "edema")],
        ),
        ("I have blurry vision", [("side_effect", "vision disorder")]),
        ("my biopsy found g1202r", [("mutation", "G1202R")]),
        ("was it FISH or IHC", [("test", "FISH"), ("test", "IHC")]),
        ("results of profile 1014 and ALEX", [("trial", "PROFILE-1014"), ("trial", "ALEX")]),
        ("I take St John's wort", [("drug", "st johns wort")]),
    ],
)
def test_entities_are_found_with_their_canonical_value(nlp, text, expected):
    assert entities(nlp, text) == expected


@pytest.mark.parametrize("text", ["can I eat fish?", "Alex is my son", "I went for a walk"])
def test_everyday_words_are_not_entities(nlp, text):
    assert entities(nlp, text) == []


def test_the_lookup_lemmatizer_is_in_the_pipeline(nlp):
    assert [t.lemma_ for t in nlp("ankles were swollen")] == ["ankle", "be", "swell"]


def test_every_vocabulary_spelling_is_recognised(nlp):
    for label, terms in load_vocabulary().items():
        for canonical, spellings in terms.items():
            for spelling in spellings:
                found = [(e.label_, e.ent_id_) for e in nlp(spelling).ents]
                assert found == [(label, canonical)], spelling


def test_acronyms_are_single_capitalised_words():
    assert is_acronym("FISH") and is_acronym("ALEX")
    assert not is_acronym("G1202R") and not is_acronym("RT-PCR") and not is_acronym("fish")


def test_a_synonym_without_a_lookup_entry_is_refused(tmp_path):
    vocabulary = tmp_path / "vocabulary.yml"
    vocabulary.write_text(
        'version: "3.1"\nnlu:\n- synonym: unicorn\n  examples: |\n    - unicorns\n'
    )
    with pytest.raises(ValueError, match="unicorn"):
        load_vocabulary(vocabulary)


def test_every_canonical_value_has_a_synonym_block():
    # Rasa maps other capitalisations to a value only when it has a block.
    for label, terms in load_vocabulary().items():
        for canonical, spellings in terms.items():
            assert len(spellings) > 1, f"{label} {canonical!r} has no synonym block"
