"""Property-based: extraction never fails and every span is a true slice of the text."""

from hypothesis import given, settings
from hypothesis import strategies as st

from predict.quotes import Document, find_candidates
from predict.records import Article

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
