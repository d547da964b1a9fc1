"""Active learning: margin, ranking with deterministic ties, and `qawl suggest` end to end."""

import json
import random

import pytest
from click.testing import CliRunner

from predict.records import Article, Quote
from predict.uncertainty import margin, most_uncertain, score_stances, top_two
from qawl import main
from tests.conftest import CORPUS

TEXT = ("بغداد - قال رئيس الوزراء العراقي كاظم الجبوري إن الحكومة ستفتح باب الحوار مع المحتجين.\n"
        "وحذر المتحدث باسم الداخلية من أن أي اعتداء على القوات الأمنية سيقابل بحزم.\n")


def quote(start: int, scores: dict) -> Quote:
    best = max(scores, key=scores.get)
    return Quote(f"quote at {start}", start, start + 5, stance=best, stance_score=scores[best],
                 extra={"stance_scores": scores})


@pytest.mark.parametrize("scores, expected", [
    ({"other": 0.9, "warning": 0.05, "denial": 0.05}, 0.85),
    ({"other": 0.4, "warning": 0.4, "denial": 0.2}, 0.0),
    ({"support": 1.0}, 1.0),
])
def test_margin_is_top_minus_runner_up(scores, expected):
    assert margin(quote(0, scores)) == pytest.approx(expected)


def test_top_two_breaks_ties_by_label_name():
    assert top_two(quote(0, {"warning": 0.4, "denial": 0.4, "other": 0.2})) == (("denial", 0.4), ("warning", 0.4))


def test_most_uncertain_first_and_ties_do_not_depend_on_input_order():
    articles = [Article("b", "", [quote(10, {"other": 0.5, "warning": 0.5}), quote(0, {"other": 0.9, "denial": 0.1})]),
                Article("a", "", [quote(30, {"other": 0.5, "warning": 0.5}), quote(20, {"support": 0.6, "other": 0.4})]),
                Article("c", "", [])]
    picked = most_uncertain(articles, 3)
    assert [(p["id"], p["start"], p["rank"]) for p in picked] == [("a", 30, 1), ("b", 10, 2), ("a", 20, 3)]
    assert picked[2]["top_two"] == [{"stance": "support", "probability": 0.6}, {"stance": "other", "probability": 0.4}]
    assert picked[2]["margin"] == pytest.approx(0.2)
    shuffled = articles[::-1]
    random.Random(7).shuffle(shuffled)
    assert most_uncertain(shuffled, 3) == picked
    assert len(most_uncertain(articles, 100)) == 4


def test_score_stances_classifies_given_quotes_and_predicts_the_rest(tagger):
    labeled = Article("given", TEXT, [Quote("الحكومة ستفتح باب الحوار مع المحتجين", cue="قال", speaker=["كاظم الجبوري"])])
    fresh = Article("fresh", TEXT)
    done = score_stances(tagger, [fresh, labeled])
    assert [a.id for a in done] == ["fresh", "given"]
    assert len(done[1].quotes) == 1 and TEXT[done[1].quotes[0].start:done[1].quotes[0].end] == done[1].quotes[0].quote
    assert done[0].quotes and all(q.extra["stance_scores"] for a in done for q in a.quotes)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_suggest_writes_the_n_least_sure_quotes(small_bundle, tmp_path):
    article = tmp_path / "baghdad.txt"
    article.write_text(TEXT, "utf-8")
    labeled = sorted(CORPUS.glob("*.jsonl"))[1]
    result = run("suggest", labeled, article, "--n", 5, "--model", small_bundle)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["rank"] for r in records] == [1, 2, 3, 4, 5]
    assert [r["margin"] for r in records] == sorted(r["margin"] for r in records)
    for record in records:
        assert {"id", "quote", "start", "end", "speaker", "speaker_name", "top_two", "margin"} <= set(record)
        first, second = record["top_two"]
        assert first["probability"] >= second["probability"]
    again = run("suggest", labeled, article, "--n", 5, "--model", small_bundle)
    assert again.stdout == result.stdout


def test_suggest_output_file_and_bad_n(small_bundle, tmp_path):
    out = tmp_path / "to-label.jsonl"
    result = run("suggest", sorted(CORPUS.glob("*.jsonl"))[0], "--n", 3, "--model", small_bundle, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert len(out.read_text("utf-8").splitlines()) == 3
    result = run("suggest", sorted(CORPUS.glob("*.jsonl"))[0], "--n", 0, "--model", small_bundle)
    assert result.exit_code == 2 and "--n" in result.stderr
