"""The stance model's hand-made cues: lexicon phrases, their clitics, negation."""

import pytest

from predict.features import stance_cues
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
