"""The runtime LinearModel gives scikit-learn's numbers, and survives a save and load."""

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from predict import linear
from predict.features import CharNgrams, WordNgrams, WordStems, analyzer_from_spec
from predict.linear import Branch, CharGrams, LinearModel
from train.estimators import make_ranker, make_stance_model
from train.fit import extraction_examples, stance_examples


@pytest.fixture(scope="module")
def stance_split(small_corpus):
    records, labels = stance_examples(small_corpus)
    return records[::2], labels[::2], records[1::2]


def test_stance_model_matches_scikit_learn(stance_split):
    train_x, train_y, test_x = stance_split
    pipeline = make_stance_model().fit(train_x, train_y)
    compiled = LinearModel.from_pipeline(pipeline)
    assert list(compiled.classes_) == list(pipeline.classes_)
    np.testing.assert_allclose(compiled.predict_proba(test_x), pipeline.predict_proba(test_x), atol=1e-10)


def test_word_trigrams_match_scikit_learn(stance_split):
    # grams of several words are numbered from their words' ids and found by searchsorted
    train_x, train_y, test_x = stance_split
    pipeline = make_stance_model().set_params(features__words__tfidf__analyzer=WordNgrams(1, 3))
    pipeline.fit(train_x, train_y)
    compiled = LinearModel.from_pipeline(pipeline)
    assert any(term.count(" ") == 2 for term in compiled.branches[0].vocabulary)
    np.testing.assert_allclose(compiled.predict_proba(test_x), pipeline.predict_proba(test_x), atol=1e-10)


def test_binary_ranker_matches_scikit_learn(small_corpus):
    records, labels, _, _ = extraction_examples(small_corpus)
    pipeline = make_ranker().fit(records[::2], labels[::2])
    compiled = LinearModel.from_pipeline(pipeline)
    np.testing.assert_allclose(compiled.predict_proba(records[1::2]), pipeline.predict_proba(records[1::2]),
                               atol=1e-10)


def test_save_and_load_keep_the_numbers(stance_split, tmp_path):
    train_x, train_y, test_x = stance_split
    compiled = LinearModel.from_pipeline(make_stance_model().fit(train_x, train_y))
    compiled.save(tmp_path / "stance")
    loaded = LinearModel.load(tmp_path / "stance")
    np.testing.assert_array_equal(loaded.predict_proba(test_x), compiled.predict_proba(test_x))


def test_large_batches_give_the_same_numbers(stance_split, monkeypatch):
    # a batch too large for int32 keys sorts int64 keys instead: the numbers must not change
    train_x, train_y, test_x = stance_split
    compiled = LinearModel.from_pipeline(make_stance_model().fit(train_x, train_y))
    expected = compiled.predict_proba(test_x)
    monkeypatch.setattr("predict.linear._INT32_KEYS_BELOW", 0)
    np.testing.assert_array_equal(compiled.predict_proba(test_x), expected)


def test_a_full_word_table_starts_again_with_the_same_numbers(stance_split, monkeypatch):
    # a table that would pass its size is emptied and refilled from the batch: memory stays
    # bounded, and the numbers must not change
    train_x, train_y, test_x = stance_split
    pipeline = make_stance_model().fit(train_x, train_y)
    expected = LinearModel.from_pipeline(pipeline).predict_proba(test_x)
    monkeypatch.setattr("predict.linear._WORD_CACHE_SIZE", 300)
    compiled = LinearModel.from_pipeline(pipeline)
    batches = [compiled.predict_proba(test_x[start:start + 5]) for start in range(0, len(test_x), 5)]
    table = compiled._word_tables["text"]
    assert len(table.row_of) <= 300 and len(set().union(*(r["text"].split() for r in test_x))) > 300
    np.testing.assert_allclose(np.concatenate(batches), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(compiled.predict_proba(test_x), expected, rtol=0, atol=1e-12)


def test_empty_record_gets_the_intercept_only(stance_split):
    train_x, train_y, _ = stance_split
    compiled = LinearModel.from_pipeline(make_stance_model().fit(train_x, train_y))
    probabilities = compiled.predict_proba([{"text": "", "features": {}}])
    assert probabilities.shape == (1, len(compiled.classes_)) and np.isclose(probabilities.sum(), 1.0)


def test_contributions_sum_to_the_decision(stance_split):
    train_x, train_y, test_x = stance_split
    compiled = LinearModel.from_pipeline(make_stance_model().fit(train_x, train_y))
    label = compiled.classes_[0]
    total = sum(weight for _, _, weight in compiled.contributions(test_x[0], label))
    decision = compiled.decision_function(test_x[:1])[0, 0] - compiled.intercept[0]
    assert np.isclose(total, decision)


def test_analyzers_round_trip_through_their_spec():
    for analyzer in (WordNgrams(1, 3), CharNgrams(2, 4), WordStems()):
        assert analyzer_from_spec(analyzer.spec()) == analyzer
    assert WordNgrams(1, 2)("قال إن الهدنة") == ["قال", "إن", "الهدنة", "قال إن", "إن الهدنة"]
    assert WordNgrams(1, 3)("قال إن الهدنة") == ["قال", "إن", "الهدنة", "قال إن", "إن الهدنة", "قال إن الهدنة"]
    assert WordNgrams(2, 3)("قال إن") == ["قال إن"]
    assert CharNgrams(2, 3)("لا") == [" ل", "لا", "ا ", " لا", "لا "]
    assert WordStems()("بالهدنه، والهدنه") == ["هدن", "هدن"]


# grams of a few Arabic words, some cut short: batches mix known grams with unknown characters
_CHAR_VOCABULARY = {gram: column for column, gram in enumerate(dict.fromkeys(
    gram for word in ("الهدنه", "هدنه", "وقف", "النار", "لا", "x") for gram in CharNgrams(1, 4).word_grams(word)))}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from("الهدنوقفرلاx؟ب_1"), min_size=1, max_size=9), min_size=1, max_size=30),
       st.integers(1, 4), st.integers(0, 2), st.sampled_from([2**20, 200]))
def test_char_grams_are_cut_and_found_as_one_word_at_a_time(words, n_min, longer, direct_size):
    # a table of every gram of a length, and above 200 entries the vocabulary's grams searched
    analyzer = CharNgrams(n_min, n_min + longer)
    with mock.patch.object(linear, "_DIRECT_TABLE_SIZE", direct_size):
        counts, columns = CharGrams(Branch("text", _CHAR_VOCABULARY, analyzer)).columns_of(words)
    expected = [[_CHAR_VOCABULARY[gram] for gram in analyzer.word_grams(word) if gram in _CHAR_VOCABULARY]
                for word in words]
    assert counts.tolist() == list(map(len, expected))
    assert columns.tolist() == [column for found in expected for column in found]


def test_char_grams_too_many_to_number_are_refused():
    # 7,000 characters to the fifth power overflow int64: the model is refused, not misread
    vocabulary = {chr(0x4E00 + index): index for index in range(7000)}
    with pytest.raises(ValueError, match="too many to number"):
        CharGrams(Branch("text", vocabulary, CharNgrams(1, 5)))
    assert CharGrams(Branch("text", vocabulary, CharNgrams(1, 4))).base == 7001
