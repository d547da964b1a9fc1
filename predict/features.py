"""Feature extraction shared by training and prediction.

Every learned stage takes a list of plain dicts (one per quote, candidate or mention) and turns
them into a sparse matrix with the same code at fit and predict time. The estimators follow
scikit-learn's contract so `train/` can clone, cross-validate and grid-search them.
"""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from predict import lexicon
from predict.text import normalize

_PHRASES = [(label, tuple(phrase.split())) for label, phrases in lexicon.STANCE_PHRASES.items()
            for phrase in phrases]


class FieldText(BaseEstimator, TransformerMixin):
    """Select one text field of each record, normalised, for a TF-IDF vectorizer."""

    def __init__(self, field: str = "text"):
        self.field = field

    def fit(self, records, y=None):
        return self

    def transform(self, records):
        return [normalize(record.get(self.field) or "") for record in records]

    def get_feature_names_out(self, input_features=None):
        return [self.field]


class FieldDict(BaseEstimator, TransformerMixin):
    """Select the dict of hand-made features of each record, for a DictVectorizer."""

    def __init__(self, field: str = "features"):
        self.field = field

    def fit(self, records, y=None):
        return self

    def transform(self, records):
        return [record.get(self.field) or {} for record in records]

    def get_feature_names_out(self, input_features=None):
        return [self.field]


def stance_record(quote: str, cue_lemma: str, frame: str) -> dict:
    """The stance model's input for one quote."""
    return {"text": quote, "features": stance_cues(quote, cue_lemma, frame)}


def stance_cues(quote: str, cue_lemma: str, frame: str) -> dict:
    """Cue, negation and lexicon features: what a reader keys on besides the words themselves."""
    words = normalize(quote).split()
    features = {f"cue={cue_lemma}": 1.0, f"frame={frame}": 1.0}
    for index, word in enumerate(words[:60]):
        if word in lexicon.NEGATIONS and index + 1 < len(words):
            features[f"neg+{words[index + 1]}"] = 1.0
            features["negation"] = 1.0
    for label, phrase in _PHRASES:
        for index in range(len(words) - len(phrase) + 1):
            if tuple(words[index:index + len(phrase)]) == phrase or \
                    (len(phrase) == 1 and phrase[0] in words[index]):
                negated = any(w in lexicon.NEGATIONS for w in words[max(0, index - 2):index])
                key = f"lex={label}" + ("+neg" if negated else "")
                features[key] = features.get(key, 0.0) + 1.0
                features[f"cue={cue_lemma}+lex={label}"] = 1.0
                break
    return features


def make_stance_model(C: float = 4.0) -> Pipeline:
    """TF-IDF word and character n-grams plus cue and lexicon features, logistic regression."""
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("field", FieldText("text")),
                                ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True))])),
            ("chars", Pipeline([("field", FieldText("text")),
                                ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                                          sublinear_tf=True, max_features=60000))])),
            ("cues", Pipeline([("field", FieldDict("features")), ("dict", DictVectorizer())])),
        ])),
        ("classifier", LogisticRegression(C=C, class_weight="balanced", max_iter=3000)),
    ])


def make_ranker(C: float = 1.0, class_weight: str | None = "balanced") -> Pipeline:
    """Binary scorer over hand-made features plus TF-IDF of a text field (speakers, candidates)."""
    return Pipeline([
        ("features", FeatureUnion([
            ("words", Pipeline([("field", FieldText("text")),
                                ("tfidf", TfidfVectorizer(ngram_range=(1, 1), min_df=2, sublinear_tf=True))])),
            ("hand", Pipeline([("field", FieldDict("features")), ("dict", DictVectorizer())])),
        ])),
        ("classifier", LogisticRegression(C=C, class_weight=class_weight, max_iter=3000)),
    ])
