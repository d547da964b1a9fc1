import pytest

from predict.text import has_arabic, light_stem, normalize, split_sentences, tokenize


@pytest.mark.parametrize("raw, expected", [
    ("أكّد الوزيرُ", "اكد الوزير"),          # diacritics and hamza-alef
    ("إلى", "الي"),                         # alef and alef maksura
    ("مدينة", "مدينه"),                     # teh marbuta
    ("قـــال", "قال"),                      # tatweel
    ("آمنة", "امنه"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_tokens_keep_their_offsets():
    text = "قال الوزير: «لن ننسحب».\nوأضاف أن الجيش باقٍ."
    texts, starts, ends, norms = tokenize(text)
    assert texts[:6] == ["قال", "الوزير", ":", "«", "لن", "ننسحب"]
    assert [text[start:end] for start, end in zip(starts, ends)] == texts
    assert norms[:2] == ["قال", "الوزير"] and norms[-2] == "باق"  # normalised: no hamza seat or diacritic


def test_sentences_split_on_stops_and_lines():
    text = "قال الوزير إن الوضع خطير. وأضاف أن الحل ممكن؟ نعم\nسطر جديد"
    _, starts, ends, _ = tokenize(text)
    sentences = split_sentences(text, starts, ends)
    assert [text[s.start:s.end] for s in sentences] == [
        "قال الوزير إن الوضع خطير.", "وأضاف أن الحل ممكن؟", "نعم", "سطر جديد"]


@pytest.mark.parametrize("word, stem", [
    ("بالهدنه", "هدن"),  # clitic and ending: the same stem as the bare word
    ("هدنه", "هدن"),
    ("مفاوضات", "مفاوض"),
    ("وقف", "وقف"),  # never shorter than three letters
    ("لن", "لن"),
])
def test_light_stem(word, stem):
    assert light_stem(word) == stem


def test_has_arabic():
    assert has_arabic("hello مرحبا") and not has_arabic("hello 123")


def test_tokenize_equals_camel_tools_on_the_corpus(small_corpus):
    from camel_tools.tokenizers.word import simple_word_tokenize
    for article in small_corpus:
        assert tokenize(article.text)[0] == simple_word_tokenize(article.text)
