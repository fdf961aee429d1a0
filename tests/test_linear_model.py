"""The linear model both NLU classifiers use (bot/nlp/linear_model.py)."""

import numpy as np
from scipy.sparse import csr_matrix

from bot.nlp.linear_model import LinearModel


def test_it_learns_ranks_and_survives_a_round_trip_as_plain_arrays(tmp_path):
    features = csr_matrix(np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1], [0, 0, 1]]))
    labels = ["card:a", "card:a", "card:b", "card:b", "card:c"]
    model = LinearModel.fit(features, labels, strength=30.0)
    probabilities = model.probabilities(features)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    ranking = model.rankings(csr_matrix(np.array([[0, 1.0, 0]])), 2)[0]
    assert ranking[0][0] == "card:b" and len(ranking) == 2 and ranking[0][1] > ranking[1][1]
    model.save(tmp_path)
    loaded = LinearModel.load(tmp_path)
    assert loaded.labels == model.labels
    assert np.allclose(loaded.probabilities(features), probabilities)
