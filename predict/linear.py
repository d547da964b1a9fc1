"""The runtime form of a fitted model: vocabularies and weights, applied with NumPy alone.

Training fits scikit-learn pipelines (`train.estimators`): a FeatureUnion of TF-IDF and
DictVectorizer branches over one record field each, then a logistic regression. Prediction
needs none of scikit-learn's machinery, and importing it costs seconds (it pulls in SciPy's
statistics and pandas), so `LinearModel.from_pipeline` copies what the fitted pipeline learned
and `predict_proba` applies the same arithmetic; a test checks that both give the same numbers.

The state is plain data: a JSON spec (fields, analyzers, vocabularies, classes) and NumPy arrays
read with `allow_pickle=False`, so loading a model file can never run code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from predict.features import analyzer_from_spec

_WORD_CACHE_SIZE = 100_000  # distinct words remembered per text field: about 30 MB at most
_INT32_KEYS_BELOW = 2**31  # a batch whose keys stay below this sorts them as int32, the faster sort


@dataclass
class Branch:
    """One block of columns: TF-IDF over a text field, or the values of a feature dict."""

    field: str
    vocabulary: dict[str, int]  # term -> column within this branch
    analyzer: object = None  # None for a dict branch
    idf: np.ndarray | None = None
    sublinear_tf: bool = False

    @property
    def cuts_words(self) -> bool:
        """Whether the analyzer cuts each word independently, so a word's columns can be cached."""
        return hasattr(self.analyzer, "word_grams")

    def gram_entries(self, records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram occurrence in the records, rows ascending."""
        grams_by_row = [self.analyzer(record.get(self.field) or "") for record in records]
        grams = list(chain.from_iterable(grams_by_row))
        columns = np.fromiter(map(self.vocabulary.get, grams, repeat(-1)), np.int32, len(grams))
        rows = np.repeat(np.arange(len(records)), list(map(len, grams_by_row)))
        known = columns >= 0
        return rows[known], columns[known]

    def dict_entries(self, records: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the feature dicts' known keys, rows ascending."""
        dicts = [record.get(self.field) or {} for record in records]
        keys = list(chain.from_iterable(dicts))
        columns = np.fromiter(map(self.vocabulary.get, keys, repeat(-1)), np.int64, len(keys))
        values = np.fromiter(chain.from_iterable(map(dict.values, dicts)), float, len(keys))
        rows = np.repeat(np.arange(len(records)), list(map(len, dicts)))
        known = columns >= 0
        return rows[known], columns[known], values[known]


class LinearModel:
    """Logistic regression over concatenated feature branches, with scikit-learn's outputs."""

    def __init__(self, branches: list[Branch], coef: np.ndarray, intercept: np.ndarray, classes: list):
        self.branches = branches
        self.coef = coef  # (n_features, n_classes), or (n_features, 1) for a binary model
        self.intercept = intercept
        self.classes_ = np.asarray(classes)
        sizes = [len(branch.vocabulary) for branch in branches]
        self._offsets = np.cumsum([0] + sizes)
        # per column: the idf (1 for dict values), whether tf is dampened, whether rows are L2-normalised
        self._idf = np.concatenate([b.idf if b.analyzer else np.ones(n) for b, n in zip(branches, sizes)])
        self._sublinear = np.repeat([b.analyzer is not None and b.sublinear_tf for b in branches], sizes)
        self._normed = np.repeat([b.analyzer is not None for b in branches], sizes)
        self._branch_of = np.repeat(np.arange(len(branches)), sizes)
        # per text field, the branches whose analyzers cut words independently, with their offsets,
        # and each word's columns in all of them as int32 bytes: news repeats words, and the bytes
        # of a text's words join and become an array at C speed
        self._word_cut: dict[str, list[tuple[Branch, int]]] = {}
        for branch, offset in zip(branches, self._offsets.tolist()):
            if branch.cuts_words:
                self._word_cut.setdefault(branch.field, []).append((branch, offset))
        self._word_columns: dict[str, dict[str, bytes]] = {name: {} for name in self._word_cut}

    @classmethod
    def from_pipeline(cls, pipeline) -> LinearModel:
        """Copy a fitted `train.estimators` pipeline (read by attribute: no scikit-learn import)."""
        union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        branches = []
        for _, branch in union.transformer_list:
            selector, vectorizer = branch.steps[0][1], branch.steps[-1][1]
            if hasattr(vectorizer, "idf_"):
                branches.append(Branch(selector.field, dict(vectorizer.vocabulary_), vectorizer.analyzer,
                                       np.asarray(vectorizer.idf_, float), bool(vectorizer.sublinear_tf)))
            else:
                branches.append(Branch(selector.field, dict(vectorizer.vocabulary_)))
        return cls(branches, np.ascontiguousarray(classifier.coef_.T), classifier.intercept_.copy(),
                   classifier.classes_.tolist())

    def _entries(self, records: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nonzero (row, column, value) entries of the records' feature matrix, sorted by row
        and column.

        Python only gathers columns; counting, TF-IDF weighting and normalising run over the
        whole batch at once in NumPy. Each entry is keyed `row * width + column`: one sort groups
        equal keys, and an n-gram's count in a row is the length of its run of keys.
        """
        width = int(self._offsets[-1])
        gram_keys, dict_keys, dict_values = self._keys(records, width)
        keys = np.sort(np.concatenate([gram_keys, dict_keys]))
        first = np.empty(len(keys), bool)
        first[:1] = True
        np.not_equal(keys[1:], keys[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        counts = np.diff(starts, append=len(keys))
        keys = keys[starts].astype(np.int64, copy=False)
        rows = np.repeat(np.arange(len(records)), np.diff(np.searchsorted(keys, np.arange(len(records) + 1) * width)))
        columns = keys - rows * width
        values = counts.astype(float)
        # a feature dict's keys are unique in a row: its value is looked up, not counted
        dict_keys = dict_keys.astype(np.int64, copy=False)
        order = np.argsort(dict_keys)
        from_dict = np.flatnonzero(~self._normed[columns])
        values[from_dict] = dict_values[order[np.searchsorted(dict_keys[order], keys[from_dict])]]
        repeated = np.flatnonzero(counts > 1)  # 1 + log(1) = 1: only repeated n-grams are dampened
        repeated = repeated[self._sublinear[columns[repeated]]]
        values[repeated] = np.log(values[repeated]) + 1.0
        values *= self._idf[columns]
        normed = self._normed[columns]
        groups = rows * len(self.branches) + self._branch_of[columns]
        norms = np.sqrt(np.bincount(groups, np.where(normed, values * values, 0.0)))
        values[normed] /= norms[groups[normed]]
        return rows, columns, values

    def _keys(self, records: list[dict], width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The `row * width + column` keys of every n-gram occurrence, and those of the feature
        dicts' entries with their values."""
        key_type = np.int32 if len(records) * width < _INT32_KEYS_BELOW else np.int64
        gram_keys, dict_keys, dict_values = [np.empty(0, key_type)], [np.empty(0, key_type)], [np.empty(0)]
        for name in self._word_cut:
            rows, columns = self._word_entries(name, records)
            gram_keys.append(rows.astype(key_type) * width + columns)
        for branch, offset in zip(self.branches, self._offsets.tolist()):
            if branch.analyzer is None:
                rows, columns, values = branch.dict_entries(records)
                dict_keys.append(rows.astype(key_type) * width + columns.astype(key_type) + offset)
                dict_values.append(values)
            elif not branch.cuts_words:
                rows, columns = branch.gram_entries(records)
                gram_keys.append(rows.astype(key_type) * width + columns + offset)
        return np.concatenate(gram_keys), np.concatenate(dict_keys), np.concatenate(dict_values)

    def _word_entries(self, name: str, records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram occurrence of the word-cutting branches over field `name`."""
        words_by_row = [(record.get(name) or "").split() for record in records]
        words = list(chain.from_iterable(words_by_row))
        known = self._word_columns[name].get
        cached = [found if (found := known(word)) is not None else self._columns_of(name, word) for word in words]
        word_rows = np.repeat(np.arange(len(records)), list(map(len, words_by_row)))
        rows = np.repeat(word_rows, np.fromiter(map(len, cached), np.int64, len(cached)) // 4)
        return rows, np.frombuffer(b"".join(cached), dtype=np.int32)

    def _columns_of(self, name: str, word: str) -> bytes:
        found = [offset + column for branch, offset in self._word_cut[name] for gram in branch.analyzer.word_grams(word)
                 if (column := branch.vocabulary.get(gram)) is not None]
        columns = np.asarray(found, dtype=np.int32).tobytes()
        if len(self._word_columns[name]) < _WORD_CACHE_SIZE:
            self._word_columns[name][word] = columns
        return columns

    def decision_function(self, records: list[dict]) -> np.ndarray:
        rows, columns, values = self._entries(records)
        weighted = np.take(self.coef, columns, axis=0)
        weighted *= values[:, None]
        scores = np.tile(self.intercept, (len(records), 1))
        # entries come sorted by row: each row's terms are one contiguous run to sum
        if len(rows):
            starts = np.flatnonzero(np.diff(rows, prepend=-1))
            scores[rows[starts]] += np.add.reduceat(weighted, starts, axis=0)
        return scores

    def predict_proba(self, records: list[dict]) -> np.ndarray:
        scores = self.decision_function(records)
        if scores.shape[1] == 1:  # binary: scikit-learn's expit of the positive class
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    def contributions(self, record: dict, label) -> list[tuple[str, str, float]]:
        """(kind, feature, weight toward `label`) for each feature of `record`, strongest first.

        The model is linear, so these terms (value x coefficient) plus the intercept are exactly
        the score of `label`; kind is `words`, `chars` or the name of a feature dict.
        """
        binary = self.coef.shape[1] == 1
        column = 0 if binary else self.classes_.tolist().index(label)
        sign = -1.0 if binary and label == self.classes_[0] else 1.0
        _, columns, values = self._entries([record])
        names = [(b.analyzer.spec()["type"] if b.analyzer else b.field, term)
                 for b in self.branches for term in sorted(b.vocabulary, key=b.vocabulary.get)]
        found = [(*names[c], sign * v * self.coef[c, column]) for c, v in zip(columns, values)]
        return sorted(found, key=lambda item: -item[2])

    def save(self, stem: Path) -> list[Path]:
        """Write `<stem>.json` and `<stem>.npz`; return both paths."""
        arrays = {"coef": self.coef, "intercept": self.intercept}
        spec = {"classes": self.classes_.tolist(), "branches": []}
        for index, branch in enumerate(self.branches):
            entry = {"field": branch.field, "terms": sorted(branch.vocabulary, key=branch.vocabulary.get)}
            if branch.analyzer is not None:
                entry |= {"analyzer": branch.analyzer.spec(), "sublinear_tf": branch.sublinear_tf}
                arrays[f"idf_{index}"] = branch.idf
            spec["branches"].append(entry)
        json_path, npz_path = stem.with_suffix(".json"), stem.with_suffix(".npz")
        json_path.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
        with npz_path.open("wb") as handle:
            np.savez(handle, **arrays)
        return [json_path, npz_path]

    @classmethod
    def load(cls, stem: Path) -> LinearModel:
        """Read a model written by `save`; raise ValueError, KeyError or TypeError if malformed."""
        spec = json.loads(stem.with_suffix(".json").read_text("utf-8"))
        with np.load(stem.with_suffix(".npz"), allow_pickle=False) as arrays:
            branches = []
            for index, entry in enumerate(spec["branches"]):
                vocabulary = {term: column for column, term in enumerate(entry["terms"])}
                if "analyzer" in entry:
                    branches.append(Branch(entry["field"], vocabulary, analyzer_from_spec(entry["analyzer"]),
                                           arrays[f"idf_{index}"].astype(float), bool(entry["sublinear_tf"])))
                else:
                    branches.append(Branch(entry["field"], vocabulary))
            coef, intercept = arrays["coef"].astype(float), arrays["intercept"].astype(float)
        if coef.ndim != 2 or coef.shape[0] != sum(len(b.vocabulary) for b in branches) \
                or intercept.shape != (coef.shape[1],):
            raise ValueError(f"weights of shape {coef.shape} do not fit the vocabularies")
        return cls(branches, coef, intercept, spec["classes"])
