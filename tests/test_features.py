"""The stance model's hand-made cues: lexicon phrases, their clitics, negation."""

import pytest

from predict.features import stance_cues, word_parts, words_of
from predict.text import normalize


@pytest.mark.parametrize("quote", [
    "نطالب بوقف إطلاق النار فوراً",   # the clitic form is in the lexicon itself
    "وهذا يتطلب ولوقف إطلاق النار",   # و + ل before a listed phrase
    "نطالب فوراً بخفض التصعيد",        # ب before a phrase listed without it
])
def test_a_phrase_after_clitics_counts_once(quote):
    features = stance_cues(normalize(quote), "قال", "that")
    assert features["lex=ceasefire_demand"] == 1.0


def test_a_clitic_is_not_stripped_inside_an_unrelated_word():
    assert not any(key.startswith("lex=") for key in stance_cues(normalize("وصل الوفد صباح الأحد"), "قال", "that"))


def test_negation_and_phrase_position():
    features = stance_cues(normalize("لن ننسحب من أرضنا"), "قال", "that")
    assert features["negation"] == 1.0 and features["neg+ننسحب"] == 1.0
    assert features["lex_head=refusal_to_withdraw"] == 1.0


def test_word_parts_are_the_words_analyzers_see_in_every_character():
    # the fast path (letters and digits only) must give what the regex gives, for any character
    for code in range(0x110000):
        for word in (chr(code), "ب" + chr(code)):
            assert word_parts(word) == words_of(word), hex(code)
