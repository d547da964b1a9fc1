"""The runtime form of a fitted model: vocabularies and weights, applied with NumPy alone.

Training fits scikit-learn pipelines (`train.estimators`): a FeatureUnion of TF-IDF and
DictVectorizer branches over one record field each, then a logistic regression. Prediction
needs none of scikit-learn's machinery, and importing it costs seconds (it pulls in SciPy's
statistics and pandas), so `LinearModel.from_pipeline` copies what the fitted pipeline learned
and `predict_proba` applies the same model (summed per word, see `decision_function`); a test
checks that both give the same numbers.

The state is plain data: a JSON spec (fields, analyzers, vocabularies, classes) and NumPy arrays
read with `allow_pickle=False`, so loading a model file can never run code.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from itertools import chain, count, repeat
from pathlib import Path
from typing import NamedTuple

import numpy as np

from predict.features import CharNgrams, WordNgrams, WordStems, analyzer_from_spec, word_parts
from predict.text import light_stem

_WORD_CACHE_SIZE = 100_000  # distinct words remembered per text field: about 75 MB at most (stance)
_CODE_LIMIT = 2**63  # grams of several words, and character grams, are numbered in int64
_DIRECT_TABLE_SIZE = 2**20  # entries (4 MB) of a table of every character gram of one length
_INT32_KEYS_BELOW = 2**31  # a batch whose keys stay below this sorts them as int32, the faster sort
# a Dask worker runs tasks in threads that share one model: one thread at a time reads or fills
# the word tables, whose rows another's fill or clear would move under it
_WORD_TABLES_LOCK = threading.Lock()


@dataclass
class Branch:
    """One block of columns: TF-IDF over a text field, or the values of a feature dict."""

    field: str
    vocabulary: dict[str, int]  # term -> column within this branch
    analyzer: object = None  # None for a dict branch
    idf: np.ndarray | None = None
    sublinear_tf: bool = False

    def dict_entries(self, records: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the feature dicts' known keys, rows ascending."""
        dicts = [record.get(self.field) or {} for record in records]
        keys = list(chain.from_iterable(dicts))
        columns = np.fromiter(map(self.vocabulary.get, keys, repeat(-1)), np.int64, len(keys))
        values = np.fromiter(chain.from_iterable(map(dict.values, dicts)), float, len(keys))
        rows = np.repeat(np.arange(len(records)), list(map(len, dicts)))
        known = columns >= 0
        return rows[known], columns[known], values[known]


def _runs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values in sorted `keys` starts, and its length."""
    first = np.empty(len(keys), bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return starts, np.diff(starts, append=len(keys))


class TextEntries(NamedTuple):
    """A batch's n-gram occurrences in the branches over one text field."""

    rows: np.ndarray  # row and column of each occurrence: first the grams cut from single words,
    columns: np.ndarray  # then the `joined` grams of several words
    joined: int
    word_rows: np.ndarray  # each word's row, and its cached share of the dot products and squared
    word_sums: np.ndarray  # norms of the field's branches: (words, branches, classes + 1)


class JoinedGrams:
    """The word n-grams of two or more words in a text field's vocabularies, found in NumPy.

    Each word of such a gram has an id, and a gram of n words is the number
    id_1 * base^(n-1) + ... + id_n. The vocabulary's grams are kept as sorted numbers with their
    columns, so a batch's grams are numbered from its words' ids and found with one
    `searchsorted` per length, not one dict look-up per gram.
    """

    def __init__(self, branches: list[tuple[Branch, int]]):
        # strings and arrays only: a list per gram would wake the cycle collector while a model loads
        vocabularies = [(branch.vocabulary, offset) for branch, offset in branches
                        if isinstance(branch.analyzer, WordNgrams)]  # a character n-gram's spaces are padding
        terms = [[term for term in vocabulary if " " in term] for vocabulary, _ in vocabularies]
        columns = np.concatenate([np.fromiter(map(vocabulary.__getitem__, found), np.int32, len(found)) + offset
                                  for (vocabulary, offset), found in zip(vocabularies, terms)] or [np.empty(0, np.int32)])
        terms = list(chain.from_iterable(terms))
        words = list(chain.from_iterable(map(str.split, terms)))
        self.ids: dict[str, int] = dict(zip(dict.fromkeys(words), count()))
        self.base = max(len(self.ids), 1)
        lengths = np.fromiter(map(str.count, terms, repeat(" ")), np.int64, len(terms)) + 1
        if len(terms) and self.base ** int(lengths.max()) >= _CODE_LIMIT:
            raise ValueError(f"word n-grams of {lengths.max()} words are too long to number")
        ids = np.fromiter(map(self.ids.__getitem__, words), np.int64, len(words))
        starts = np.cumsum(lengths) - lengths
        self.tables = {}  # n -> (sorted codes, their columns)
        for n in sorted(set(lengths.tolist())):
            chosen = np.flatnonzero(lengths == n)
            codes = self._codes(ids, starts[chosen], n)
            order = np.argsort(codes)
            self.tables[n] = codes[order], columns[chosen][order]

    def part_ids(self, parts: list[str]) -> np.ndarray:
        """The ids of words, -1 for those in no gram (none at all when the field has no such grams)."""
        if not self.tables:
            return np.empty(0, np.int32)
        return np.fromiter(map(self.ids.get, parts, repeat(-1)), np.int32, len(parts))

    def entries(self, ids: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of the vocabulary's grams among consecutive ids of one row."""
        found_rows, found_columns = [np.empty(0, rows.dtype)], [np.empty(0, np.int32)]
        for n, (codes, columns) in self.tables.items():
            count = len(ids) - n + 1
            if count <= 0:
                continue
            valid = rows[:count] == rows[n - 1:]
            for k in range(n):
                valid &= ids[k:k + count] >= 0
            starts = np.flatnonzero(valid)
            code = self._codes(ids, starts, n)
            at, hit = _find(codes, code)
            found_rows.append(rows[starts[hit]])
            found_columns.append(columns[at[hit]])
        return np.concatenate(found_rows), np.concatenate(found_columns)

    def _codes(self, ids: np.ndarray, starts: np.ndarray, n: int) -> np.ndarray:
        """The number of each gram of `n` consecutive ids beginning at `starts`."""
        codes = np.zeros(len(starts), np.int64)
        for k in range(n):
            codes = codes * self.base + ids[starts + k]
        return codes


class CharGrams:
    """A character n-gram branch's vocabulary as numbers, so that a batch of words is cut into
    grams and looked up in NumPy, not one slice and one dict look-up per gram.

    Each character of the vocabulary is a digit from 1 up, and a gram of n characters is the
    number d_1 * base^(n-1) + ... + d_n; a gram with a character outside the vocabulary is in none.
    Grams of n characters are looked up by their number in a table of every such number while it
    stays small (`_DIRECT_TABLE_SIZE`), and binary-searched among the vocabulary's above that.
    """

    def __init__(self, branch: Branch):
        self.n_min, self.n_max = branch.analyzer.n_min, branch.analyzer.n_max
        terms = list(branch.vocabulary)
        self.alphabet = np.unique(_code_points("".join(terms)))
        self.base = len(self.alphabet) + 1
        if self.base ** self.n_max >= _CODE_LIMIT:
            raise ValueError(f"character n-grams of up to {self.n_max} characters from an alphabet of "
                             f"{len(self.alphabet)} are too many to number")
        lengths = np.fromiter(map(len, terms), np.int64, len(terms))
        term_starts = np.cumsum(lengths) - lengths
        digits = self._digits("".join(terms))
        codes = np.zeros(len(terms), np.int64)
        for k in range(int(lengths.max(initial=0))):  # the terms' k-th characters, for those that long
            longer = lengths > k
            codes[longer] = codes[longer] * self.base + digits[term_starts[longer] + k]
        columns = np.fromiter(map(branch.vocabulary.__getitem__, terms), np.int32, len(terms))
        self.tables = {}  # n -> the column of every number (-1: none), or the sorted numbers and their columns
        for n in range(self.n_min, self.n_max + 1):
            chosen = np.flatnonzero(lengths == n)
            if self.base ** n <= _DIRECT_TABLE_SIZE:
                self.tables[n] = np.full(self.base ** n, -1, np.int32)
                self.tables[n][codes[chosen]] = columns[chosen]
            else:
                order = chosen[np.argsort(codes[chosen])]
                self.tables[n] = codes[order], columns[order]

    def _digits(self, text: str) -> np.ndarray:
        """Each character's digit, 0 for one outside the vocabulary."""
        at, known = _find(self.alphabet, _code_points(text))
        return np.where(known, at + 1, 0)

    def columns_of(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """How many vocabulary grams each word has, and their columns, word by word in the order
        `CharNgrams.word_grams` cuts them: by length, then by position."""
        padded = self._digits("".join(map(" {} ".format, words)))
        owner_of = np.repeat(np.arange(len(words)), np.fromiter(map(len, words), np.int64, len(words)) + 2)
        codes, outside = np.zeros(len(padded), np.int64), np.zeros(len(padded), bool)
        owners, found = [np.empty(0, np.int64)], [np.empty(0, np.int32)]
        for n in range(1, min(self.n_max, len(padded)) + 1):  # codes[i]: the gram of n characters starting at i
            size = len(padded) - n + 1
            codes[:size] = codes[:size] * self.base + padded[n - 1:]
            outside[:size] |= padded[n - 1:] == 0
            if n < self.n_min:
                continue
            at = np.flatnonzero((owner_of[:size] == owner_of[n - 1:]) & ~outside[:size])  # inside one padded word
            if isinstance(self.tables[n], np.ndarray):
                columns = self.tables[n][codes[at]]
                hit = columns >= 0
                columns = columns[hit]
            else:
                table, table_columns = self.tables[n]
                index, hit = _find(table, codes[at])
                columns = table_columns[index[hit]]
            owners.append(owner_of[at[hit]])
            found.append(columns)
        owners, found = np.concatenate(owners), np.concatenate(found)
        order = np.argsort(owners, kind="stable")  # word by word, each word's grams by length then position
        return np.bincount(owners, minlength=len(words)), found[order]


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.int64)


def _find(table: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `codes` would be in the sorted `table`, and whether it is there."""
    if not len(table):
        return np.zeros(len(codes), np.int64), np.zeros(len(codes), bool)
    at = np.minimum(np.searchsorted(table, codes), len(table) - 1)
    return at, table[at] == codes


def _ragged(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """`values[starts[i]:starts[i] + counts[i]]` for each i, end to end."""
    ends = np.cumsum(counts)
    return values[np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - ends + counts, counts)]


def _written(array: np.ndarray, used: int, new: np.ndarray) -> np.ndarray:
    """`array` with `new` written after its first `used` rows; it doubles when full."""
    if used + len(new) > len(array):
        grown = np.empty((max(2 * len(array), used + len(new)), *array.shape[1:]), array.dtype)
        grown[:used] = array[:used]
        array = grown
    array[used:used + len(new)] = new
    return array


class WordTable:
    """What is kept of each word seen in one text field: its columns in the field's branches, the
    ids of its words for grams of several words, and its shares (see `LinearModel._cut_words`).

    Words are rows of NumPy arrays, so a batch's words are gathered at once, not joined word by
    word. The arrays grow by doubling; `LinearModel` empties the table before it would pass
    `_WORD_CACHE_SIZE` words, so memory stays bounded however many distinct words a stream holds.
    """

    def __init__(self, share_shape: tuple[int, ...]):
        self.row_of: dict[str, int] = {}
        self.shares = np.empty((0, *share_shape))
        self.spans = np.empty((0, 4), np.int64)  # per word: first column, column count, first id, id count
        self.columns, self.ids = np.empty(0, np.int32), np.empty(0, np.int32)
        self.used_columns = self.used_ids = 0

    def clear(self) -> None:
        """Forget every word; the arrays keep their size and are written over."""
        self.row_of.clear()
        self.used_columns = self.used_ids = 0

    def add(self, words: list[str], column_counts: np.ndarray, columns: np.ndarray, id_counts: np.ndarray,
            ids: np.ndarray, shares: np.ndarray) -> None:
        """Keep new words, with what `LinearModel._cut_words` found for them."""
        used = len(self.row_of)
        spans = np.column_stack([np.cumsum(column_counts) - column_counts + self.used_columns, column_counts,
                                 np.cumsum(id_counts) - id_counts + self.used_ids, id_counts])
        self.spans = _written(self.spans, used, spans)
        self.shares = _written(self.shares, used, shares)
        self.columns = _written(self.columns, self.used_columns, columns)
        self.ids = _written(self.ids, self.used_ids, ids)
        self.used_columns += len(columns)
        self.used_ids += len(ids)
        self.row_of.update(zip(words, range(used, used + len(words))))

    def gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The words' column counts, their columns end to end, their id counts and ids."""
        spans = self.spans[rows]
        return (spans[:, 1], _ragged(self.columns, spans[:, 0], spans[:, 1]),
                spans[:, 3], _ragged(self.ids, spans[:, 2], spans[:, 3]))


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
        # per text field: its branches with their offsets and indices, the grams of several words,
        # and a table of each word's columns, ids and shares (news repeats words)
        self._text_branches: dict[str, list[tuple[Branch, int]]] = {}
        self._branch_indices: dict[str, list[int]] = {}
        for index, (branch, offset) in enumerate(zip(branches, self._offsets.tolist())):
            if branch.analyzer is not None:
                self._text_branches.setdefault(branch.field, []).append((branch, offset))
                self._branch_indices.setdefault(branch.field, []).append(index)
        self._joined = {name: JoinedGrams(found) for name, found in self._text_branches.items()}
        self._char_grams = {offset: CharGrams(branch) for branch, offset in zip(branches, self._offsets.tolist())
                            if isinstance(branch.analyzer, CharNgrams)}
        self._word_tables = {name: WordTable((len(found), self.coef.shape[1] + 1))
                             for name, found in self._text_branches.items()}
        # an occurrence's shares of the dot products (its weights times its idf) and of the squared norm
        self._occurrence_shares = np.column_stack([self.coef * self._idf[:, None], np.square(self._idf)])

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
        starts, counts = _runs(keys)
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
        key_type = self._key_type(records, width)
        gram_keys, dict_keys, dict_values = [np.empty(0, key_type)], [np.empty(0, key_type)], [np.empty(0)]
        for name in self._text_branches:
            found = self._text_entries(name, records)
            gram_keys.append(found.rows.astype(key_type) * width + found.columns)
        for branch, offset in zip(self.branches, self._offsets.tolist()):
            if branch.analyzer is None:
                rows, columns, values = branch.dict_entries(records)
                dict_keys.append(rows.astype(key_type) * width + columns.astype(key_type) + offset)
                dict_values.append(values)
        return np.concatenate(gram_keys), np.concatenate(dict_keys), np.concatenate(dict_values)

    @staticmethod
    def _key_type(records: list[dict], width: int) -> type:
        return np.int32 if len(records) * width < _INT32_KEYS_BELOW else np.int64

    def _text_entries(self, name: str, records: list[dict]) -> TextEntries:
        """The n-gram occurrences of the text branches over field `name`, and each word's sums."""
        words_by_row = [(record.get(name) or "").split() for record in records]
        words = list(chain.from_iterable(words_by_row))
        table = self._word_tables[name]
        with _WORD_TABLES_LOCK:
            at = np.fromiter(map(table.row_of.get, words, repeat(-1)), np.int64, len(words))
            missing = np.flatnonzero(at < 0)
            if len(missing):
                fresh = list(dict.fromkeys(map(words.__getitem__, missing.tolist())))
                if len(table.row_of) + len(fresh) > _WORD_CACHE_SIZE:  # full: start again from this batch's words
                    table.clear()
                    fresh, missing = list(dict.fromkeys(words)), np.arange(len(words))
                table.add(fresh, *self._cut_words(name, fresh))
                at[missing] = np.fromiter(map(table.row_of.__getitem__, map(words.__getitem__, missing.tolist())),
                                          np.int64, len(missing))
            column_counts, columns, id_counts, ids = table.gather(at)
            word_sums = table.shares[at]
        word_rows = np.repeat(np.arange(len(records)), list(map(len, words_by_row)))
        joined_rows, joined_columns = self._joined[name].entries(ids, np.repeat(word_rows, id_counts))
        return TextEntries(np.concatenate([np.repeat(word_rows, column_counts), joined_rows]),
                           np.concatenate([columns, joined_columns]), len(joined_rows), word_rows, word_sums)

    def _cut_words(self, name: str, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                              np.ndarray]:
        """Each word's columns in the field's branches, the ids of its words for grams of several
        words, and per branch its share of the dot product with the weights and of the squared norm
        (every occurrence counted once: repeats in a text are corrected in `decision_function`).
        All the words are cut, looked up and summed at once. Returns the words' column counts,
        their columns, id counts, ids and shares."""
        branches = self._text_branches[name]
        parts = list(map(word_parts, words))  # the runs of word characters that word and stem grams see
        part_counts = np.fromiter(map(len, parts), np.int64, len(words))
        part_owners = np.repeat(np.arange(len(words)), part_counts)
        parts = list(chain.from_iterable(parts))
        found = [self._branch_columns(branch, offset, words, parts, part_owners) for branch, offset in branches]
        # lay the columns out word by word, each word's branches in order: a (word, branch) pair owns
        # a run of columns, in the order its analyzer cuts them (the order the shares are summed in)
        sizes = np.column_stack([counts for counts, _ in found])
        starts = (np.cumsum(sizes) - sizes.ravel()).reshape(sizes.shape)
        columns = np.empty(int(sizes.sum()), np.int64)
        for (counts, branch_columns), (_, offset), branch_starts in zip(found, branches, starts.T):
            within = np.arange(len(branch_columns)) - np.repeat(np.cumsum(counts) - counts, counts)
            columns[np.repeat(branch_starts, counts) + within] = branch_columns + offset
        shares = np.zeros((sizes.size, self.coef.shape[1] + 1))
        owned = np.flatnonzero(sizes.ravel())  # a (word, branch) pair with no columns keeps zeros
        if len(owned):
            shares[owned] = np.add.reduceat(self._occurrence_shares[columns], starts.ravel()[owned], axis=0)
        ids = self._joined[name].part_ids(parts)
        return (sizes.sum(axis=1), columns.astype(np.int32), part_counts if len(ids) else np.zeros_like(part_counts),
                ids, shares.reshape(len(words), len(branches), -1))

    def _branch_columns(self, branch: Branch, offset: int, words: list[str], parts: list[str],
                        part_owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """How many of `branch`'s columns each word has, and those columns (numbered within the
        branch), word by word."""
        if isinstance(branch.analyzer, CharNgrams):
            return self._char_grams[offset].columns_of(words)
        if isinstance(branch.analyzer, WordStems):
            grams = list(map(light_stem, parts))
        elif branch.analyzer.n_min == 1:  # a word gram of several words joins words: `JoinedGrams`
            grams = parts
        else:
            return np.zeros(len(words), np.int64), np.empty(0, np.int64)
        columns = np.fromiter(map(branch.vocabulary.get, grams, repeat(-1)), np.int64, len(grams))
        known = columns >= 0
        return np.bincount(part_owners[known], minlength=len(words)), columns[known]

    def decision_function(self, records: list[dict]) -> np.ndarray:
        """Each record's score per class: the intercept plus each branch's row times the weights.

        A TF-IDF row's dot product with the weights, and its squared norm, are sums over its
        n-gram occurrences, so each word's share of both is cached. What a text adds to its words'
        shares is gathered one entry at a time: the grams of several words, and the correction
        for an n-gram that occurs c > 1 times (its tf is 1 + log c, not c).
        """
        count, classes = len(records), self.coef.shape[1]
        width = int(self._offsets[-1])
        totals = np.zeros((count, len(self.branches), classes + 1))  # dot products, squared norm
        groups, columns, dot_factors, norm_factors = [], [], [], []
        for name, indices in self._branch_indices.items():
            found = self._text_entries(name, records)
            if len(found.word_rows):
                starts = np.flatnonzero(np.diff(found.word_rows, prepend=-1))
                totals[found.word_rows[starts][:, None], indices] += np.add.reduceat(found.word_sums, starts, axis=0)
            joined = slice(len(found.rows) - found.joined, None)
            rows, repeated, times = self._repeats(found.rows, found.columns, width, self._key_type(records, width))
            tf = np.where(self._sublinear[repeated], np.log(times) + 1.0, times)
            groups += [found.rows[joined], rows]
            columns += [found.columns[joined], repeated]
            dot_factors += [np.ones(found.joined), tf - times]
            norm_factors += [np.ones(found.joined), tf * tf - times]
        groups, columns = np.concatenate(groups) * len(self.branches), np.concatenate(columns)
        groups += self._branch_of[columns]
        flat = totals.reshape(-1, classes + 1)
        shares = self._occurrence_shares[columns]
        weights = shares[:, :classes] * np.concatenate(dot_factors)[:, None]
        for column in range(classes):
            flat[:, column] += np.bincount(groups, weights[:, column], len(flat))
        flat[:, classes] += np.bincount(groups, shares[:, classes] * np.concatenate(norm_factors), len(flat))
        norms = np.sqrt(totals[:, :, classes:])
        scores = self.intercept + np.divide(totals[:, :, :classes], norms, out=np.zeros_like(totals[:, :, :classes]),
                                            where=norms > 0).sum(axis=1)
        for branch, offset in zip(self.branches, self._offsets.tolist()):
            if branch.analyzer is None:  # feature values are taken as they are
                rows, found, values = branch.dict_entries(records)
                weights = self.coef[found + offset] * values[:, None]
                for column in range(classes):
                    scores[:, column] += np.bincount(rows, weights[:, column], count)
        return scores

    @staticmethod
    def _repeats(rows: np.ndarray, columns: np.ndarray, width: int, key_type: type
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, count) of each n-gram that occurs more than once in a row."""
        keys = np.sort(rows.astype(key_type) * width + columns, kind="stable")  # timsort: 15% faster on these row-ordered keys
        starts, times = _runs(keys)
        many = times > 1
        repeated = keys[starts[many]].astype(np.int64)
        return repeated // width, repeated % width, times[many].astype(float)

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
