"""Property-based: extraction never fails, spans are true slices, and the fast text paths equal camel-tools."""

from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from predict.quotes import Document, find_candidates
from predict.records import Article
from predict.text import normalize, tokenize

FRAGMENTS = ["قال", "وأضاف", "إن", "أن", "بأن", ":", "«", "»", "“", "”", '"', "„", "الوزير", "بحسب",
             "مؤكداً", "دعا", "إلى", "طالب", "بوقف", "،", ".", "\n", " ", "نقلت", "عن", "قوله", "وفقا", "ل"]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=80).map(" ".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=60).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_candidates_are_slices_of_the_text(text):
    doc = Document.from_text(text)
    for candidate in find_candidates(doc):
        assert 0 <= candidate.start < candidate.end <= len(text)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_tagged_quotes_are_exact_slices(tagger, text):
    [article] = tagger.tag_batch([Article("p", text)])
    for quote in article.quotes:
        assert 0 <= quote.start < quote.end <= len(text)
        assert quote.quote == text[quote.start:quote.end]


EMOJI = ["😀", "👍🏽", "🇸🇾", "1️⃣", "👨‍👩‍👧", "❤️", "©", "ℹ", "\u200d", "\ufe0f", "\ufdfd", "ﻻ", "٣"]
mixed_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS + EMOJI), st.text(max_size=4)), max_size=60).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(mixed_texts)
def test_tokenize_splits_as_camel_tools_does(text):
    texts, starts, ends, _ = tokenize(text)
    assert texts == simple_word_tokenize(text)
    assert [text[start:end] for start, end in zip(starts, ends)] == texts


@settings(max_examples=500, deadline=None)
@given(mixed_texts)
def test_normalize_equals_the_camel_tools_chain(text):
    expected = normalize_unicode(text).replace("\u0640", "")
    expected = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(expected))))
    assert normalize(text) == expected
