import pytest
from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.charsets import EMOJI_ALL_CHARSET, UNICODE_PUNCT_SYMBOL_CHARSET
from camel_tools.utils.dediac import dediac_ar
from hypothesis import given, settings
from hypothesis import strategies as st

import regex

from predict.text import (_ARABIC_RUN, _SYMBOLS, _TATWEEL_AND_HARAKAT_RE, _WORD_CHAR_CLASS, WordMemo, has_arabic,
                          light_stem, normalize, normalize_word, normalize_words, split_sentences, tokenize)


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
    assert norms[:2] == ["قال", "الوزير"] and norms[-2] == "باق"  # normalised: the diacritic of «باقٍ» dropped


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
    for article in small_corpus:
        assert tokenize(article.text)[0] == simple_word_tokenize(article.text)


def test_the_symbol_set_is_camel_tools_set():
    assert _SYMBOLS == {c for c in UNICODE_PUNCT_SYMBOL_CHARSET | EMOJI_ALL_CHARSET if len(c) == 1}


@pytest.mark.parametrize("symbol", ["\u20c1", "\u2427", "\u1b4e"])
def test_a_symbol_newer_than_camel_tools_set_splits_as_camel_tools_does(symbol):
    # the regex module calls these punctuation or symbols; camel-tools' older set does not
    text = f"قال{symbol}الوزير {symbol} إن"
    texts, starts, ends, _ = tokenize(text)
    assert texts == simple_word_tokenize(text)
    assert [text[start:end] for start, end in zip(starts, ends)] == texts


def test_the_arabic_run_holds_word_characters_only():
    # the tokeniser's fast branch must match nothing its word-character class would not
    arabic = regex.findall(_ARABIC_RUN.rstrip("+"), "".join(map(chr, range(0x600, 0x700))))
    assert len(arabic) == 0x52 - 0x21 + 1 and all(regex.fullmatch(_WORD_CHAR_CLASS, c) for c in arabic)


def test_tatweel_and_harakat_are_what_camel_tools_removes():
    every = "".join(map(chr, range(0x110000)))
    assert _TATWEEL_AND_HARAKAT_RE.sub("", every) == dediac_ar(every.replace("\u0640", ""))


def test_words_normalised_joined_equal_each_alone(monkeypatch):
    # every code point as a word of one text, and words that each normaliser changes
    words = [chr(c) for c in range(0x110000) if not chr(c).isspace() and not 0xD800 <= c < 0xE000]
    words += ["قـالَ", "إلى", "مدينة", "آمنة", "ـ", "ـَ"]
    expected = list(map(normalize_word, words))
    monkeypatch.setattr(normalize_words, "values", {})
    assert normalize_words(words) == expected
    assert normalize_words(words[::-1]) == expected[::-1]  # now remembered


def test_remembered_words_stay_bounded():
    computed = []
    lengths = WordMemo(lambda words: computed.extend(words) or list(map(len, words)), size=3)
    assert lengths(["قال", "إن", "قال", "الهدنة"]) == [3, 2, 3, 6] and computed == ["قال", "إن", "الهدنة"]
    assert lengths(["الهدنة", "إن"]) == [6, 2] and len(computed) == 3  # remembered
    assert lengths(["الهدنة", "مدينة"]) == [6, 5] and computed[3:] == ["مدينة"] and len(lengths.values) == 1


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list(" \n\t\x1c\u00a0«»،,.:؛!؟()-\"_ـًّ1٢xé\u20c1") + ["قال", "الوزير", "إنّ", "ى"]),
                max_size=40).map("".join))
def test_tokens_are_camel_tools_tokens_with_their_offsets(written):
    texts, starts, ends, norms = tokenize(written)
    assert texts == simple_word_tokenize(written)
    assert len(starts) == len(ends) == len(norms) == len(texts)
    assert [written[start:end] for start, end in zip(starts, ends)] == texts
