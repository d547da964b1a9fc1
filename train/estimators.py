"""The scikit-learn estimators that training fits, cross-validates and searches.

Each is a Pipeline over the records of `predict.features`: a FeatureUnion of per-field branches
(TF-IDF with the shared analyzers, or a DictVectorizer), then a logistic regression. The fitted
pipeline is turned into the runtime `predict.linear.LinearModel` for bundles and prediction.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from predict.features import CharNgrams, WordNgrams, WordStems


class Field(BaseEstimator, TransformerMixin):
    """Select one field of each record (a normalised text or a feature dict)."""

    def __init__(self, field: str = "text"):
        self.field = field

    def fit(self, records, y=None):
        return self

    def transform(self, records):
        return [record.get(self.field) for record in records]

    def get_feature_names_out(self, input_features=None):
        return [self.field]


def _tfidf(analyzer, **options) -> Pipeline:
    return Pipeline([("field", Field("text")),
                     ("tfidf", TfidfVectorizer(analyzer=analyzer, min_df=2, sublinear_tf=True, **options))])


def _cues() -> Pipeline:
    return Pipeline([("field", Field("features")), ("dict", DictVectorizer())])


def make_stance_model(C: float = 16.0, class_weight: str | None = "balanced") -> Pipeline:
    """TF-IDF word n-grams, word stems and character n-grams plus cue and lexicon features,
    logistic regression.

    The defaults are the best setting of `qawl search` on labels/ (docs/accuracy.md).
    """
    return Pipeline([
        ("features", FeatureUnion([("words", _tfidf(WordNgrams(1, 2))),
                                   ("stems", _tfidf(WordStems())),
                                   ("chars", _tfidf(CharNgrams(2, 4), max_features=60000)),
                                   ("cues", _cues())])),
        # Newton-CG: 1.07 M weights (12 labels x 89 k features) make each L-BFGS step costly, and
        # L-BFGS stops at the default tolerance short of the optimum Newton-CG reaches in 9 steps
        ("classifier", LogisticRegression(C=C, class_weight=class_weight, solver="newton-cg", max_iter=3000)),
    ])


def make_ranker(C: float = 1.0, class_weight: str | None = "balanced") -> Pipeline:
    """Binary scorer over hand-made features plus TF-IDF of a text field (speakers, candidates)."""
    return Pipeline([
        ("features", FeatureUnion([("words", _tfidf(WordNgrams(1, 1))), ("hand", _cues())])),
        ("classifier", LogisticRegression(C=C, class_weight=class_weight, max_iter=3000)),
    ])
