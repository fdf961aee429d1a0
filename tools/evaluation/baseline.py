"""The simplest intent classifier worth comparing with: TF-IDF and logistic regression.

Word unigrams and bigrams plus character n-grams (for typos), trained on the
same examples as the assistant's intent classifier. `make eval` reports how
much better it does on the same held-out set, as a ratio.
"""

from typing import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

RANDOM_SEED = 2016


def train_baseline(texts: Sequence[str], intents: Sequence[str]) -> Pipeline:
    features = make_union(
        TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    )
    classifier = LogisticRegression(C=10, max_iter=5000, random_state=RANDOM_SEED)
    return make_pipeline(features, classifier).fit(list(texts), list(intents))
