import pytest

from predict.records import Article, Quote
from train.scoring import Tally, match_quotes, overlap_f1, speaker_correct


def test_overlap_ignores_diacritics_and_punctuation():
    assert overlap_f1("إنّ الوضعَ خطير.", "ان الوضع خطير") == 1.0
    assert overlap_f1("a b c d", "a b") == pytest.approx(2 * 1 * 0.5 / 1.5)


def test_matching_is_one_to_one_and_greedy():
    gold = [Quote("الوضع خطير جدا"), Quote("الحل سياسي")]
    pred = [Quote("الوضع خطير"), Quote("الوضع خطير جدا"), Quote("لا علاقة")]
    assert sorted(match_quotes(gold, pred)) == [(0, 1)]


@pytest.mark.parametrize("predicted, ok", [
    ("زكريا ملاحفجي", True),
    ("المسؤول الكبير بالمعارضة السورية زكريا ملاحفجي", True),   # contains a gold string
    ("ملاحفجي", True),                                         # contained in one
    ("هو", False), ("", False), ("ال", False),
    ("وزارة الدفاع", False),
])
def test_speaker_rule(predicted, ok):
    gold = Quote("x", speaker=["زكريا ملاحفجي", "المسؤول الكبير بالمعارضة السورية"],
                 speaker_name="زكريا ملاحفجي")
    assert speaker_correct(gold, predicted) is ok


def test_macro_f1_counts_labels_with_five_gold_quotes():
    gold = Article("a", "", [Quote(f"جملة رقم {i}", stance="other") for i in range(5)]
                   + [Quote("جملة نادرة", stance="denial")])
    pred = Article("a", "", [Quote(f"جملة رقم {i}", stance="other", speaker_name="x") for i in range(5)])
    tally = Tally()
    tally.add(gold, pred)
    report = tally.report(["denial", "other"])
    assert report["quotes"]["matched"] == 5 and report["quotes"]["recall"] == pytest.approx(5 / 6, abs=1e-3)
    assert report["stance"]["labels_in_macro"] == ["other"] and report["stance"]["macro_f1"] == 1.0
