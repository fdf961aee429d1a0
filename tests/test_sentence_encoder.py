"""The sentence encoder (bot/nlp/sentence_encoder.py) against the reference:
all-MiniLM-L6-v2 run by PyTorch and Hugging Face transformers, as
sentence-transformers runs it (tests/fixtures/minilm_reference.json was made
that way, once, outside the project). Same word pieces, same vectors."""

import json

import numpy as np
import pytest

from bot.nlp.sentence_encoder import DIMENSION, WordPieceTokenizer, load_encoder
from tests.conftest import PROJECT_ROOT

REFERENCE = json.loads((PROJECT_ROOT / "tests" / "fixtures" / "minilm_reference.json").read_text())
EXAMPLES = REFERENCE["examples"]


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example["text"][:30])
def test_word_pieces_match_the_reference_tokenizer(encoder, example):
    assert encoder.tokenizer.encode(example["text"]) == example["word_pieces"]


def test_vectors_match_the_reference_model_alone_and_in_a_batch(encoder):
    texts = [example["text"] for example in EXAMPLES]
    expected = np.array([example["vector"] for example in EXAMPLES])
    # In one padded batch, and one by one: padding must not change a vector.
    for vectors in (encoder.encode(texts), np.vstack([encoder.encode([t]) for t in texts])):
        assert vectors.shape == (len(texts), DIMENSION)
        assert np.abs(vectors - expected).max() < 1e-4
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrases_are_nearer_than_other_questions(encoder):
    a, b, other = encoder.encode(
        [
            "how soon does crizotinib start working",
            "how long before xalkori kicks in",
            "can I drink grapefruit juice",
        ]
    )
    assert a @ b > a @ other


def test_the_tokenizer_lowers_case_drops_accents_and_splits_punctuation():
    tokenizer = WordPieceTokenizer(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "naive", "!", "ca", "##fe"])
    assert tokenizer.words("Naïve!  Café") == ["naive", "!", "cafe"]
    assert tokenizer.encode("Naïve! Café zz") == [2, 4, 5, 6, 7, 1, 3]


def test_nothing_to_encode_gives_no_rows(encoder):
    assert encoder.encode([]).shape == (0, DIMENSION)
