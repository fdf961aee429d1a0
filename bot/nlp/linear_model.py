"""A multinomial logistic regression, kept as plain arrays.

Both of the assistant's classifiers are one of these over the same features
(bot/rasa_ext/sentence_features.py): which kind of message it is (the intent)
and which answer in content/ it wants. Trained with scikit-learn; stored and
applied as two NumPy arrays, so loading a model runs no pickled code and a
prediction is one matrix product.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence, Tuple, Union

import numpy as np
from scipy.sparse import spmatrix
from sklearn.linear_model import LogisticRegression

Features = Union[np.ndarray, spmatrix]
SEED = 2016


@dataclass(frozen=True)
class LinearModel:
    labels: Tuple[str, ...]
    weights: np.ndarray  # (labels, features)
    bias: np.ndarray  # (labels,)

    @classmethod
    def fit(cls, features: Features, labels: Sequence[str], strength: float) -> "LinearModel":
        """`strength`: scikit-learn's C, the inverse of the regularisation."""
        # tol 1e-2: as accurate on the development sets as 1e-4, a third quicker.
        model = LogisticRegression(C=strength, max_iter=3000, tol=1e-2, random_state=SEED)
        model.fit(features, list(labels))
        return cls(tuple(str(label) for label in model.classes_), model.coef_, model.intercept_)

    def probabilities(self, features: Features) -> np.ndarray:
        """Each row's probability for each label (the softmax the
        multinomial regression was trained with)."""
        scores = np.asarray(features @ self.weights.T) + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def rankings(self, features: Features, length: int) -> List[List[Tuple[str, float]]]:
        """The `length` most likely labels of each row, best first."""
        rows = []
        for row in self.probabilities(features):
            order = np.argsort(-row)[:length]
            rows.append([(self.labels[index], float(row[index])) for index in order])
        return rows

    def save(self, directory: Path) -> None:
        np.savez(
            directory / "linear_model.npz",
            labels=np.array(self.labels),
            weights=self.weights,
            bias=self.bias,
        )

    @classmethod
    def load(cls, directory: Path) -> "LinearModel":
        arrays = np.load(directory / "linear_model.npz", allow_pickle=False)
        return cls(
            tuple(str(label) for label in arrays["labels"]), arrays["weights"], arrays["bias"]
        )
