"""`qawl report`: speaker × stance tables over prediction records, as text, CSV and HTML."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from predict.report import month_of
from qawl import main

# Prediction records written for these tests: two speakers (one spelled with and without
# diacritics), three months, one record without a date and one with an unreadable one.
TEXT = ("قال الوزير سامر الحديدي إن الحكومة تدعم الخطة. وأكد أن القوات لن تنسحب من المدينة. "
        "ونفى المتحدث منير السالم أن يكون الجيش قصف المخيم. وقال إن <b>الوضع</b> & الأسواق هادئة.")


def quote(fragment: str, speaker: str, stance: str, score: float) -> dict:
    start = TEXT.index(fragment)
    return {"quote": fragment, "start": start, "end": start + len(fragment), "kind": "indirect",
            "cue": "قال", "speaker": [speaker], "speaker_name": speaker, "via": "",
            "stance": stance, "stance_score": score}


SUPPORT = quote("الحكومة تدعم الخطة", "سامر الحديدي", "support", 0.9)
REFUSAL = quote("القوات لن تنسحب من المدينة", "سامِر الحديدي", "refusal_to_withdraw", 0.7)
DENIAL = quote("يكون الجيش قصف المخيم", "منير السالم", "denial", 0.95)
MARKUP = quote("<b>الوضع</b> & الأسواق هادئة", "منير السالم", "other", 0.5)


def record(article_id: str, quotes: list[dict], date: str | None = None) -> dict:
    return {"id": article_id, **({"date": date} if date is not None else {}), "text": TEXT, "quotes": quotes}


RECORDS = [record("a1", [SUPPORT, REFUSAL, DENIAL], "2026-01-05"),
           record("a2", [SUPPORT, MARKUP], "2026-01-28T09:30:00Z"),
           record("a3", [SUPPORT, DENIAL], "2026-02-10"),
           record("a4", [REFUSAL]),
           record("a5", [DENIAL], "last week")]


@pytest.fixture
def predictions(tmp_path):
    path = tmp_path / "tagged.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), "utf-8")
    return path


def run(*args):
    return CliRunner().invoke(main, ["report", *map(str, args)])


@pytest.mark.parametrize("date, month", [
    ("2026-01-05", "2026-01"), ("2026-11-29T10:00:00+03:00", "2026-11"), ("2026-03", "2026-03"),
    ("2026-13-01", None), ("05/01/2026", None), ("", None), (None, None), (20260105, None),
])
def test_month_of(date, month):
    assert month_of(date) == month


def test_text_table_counts_each_speaker_and_stance(predictions):
    result = run(predictions)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "== all: 5 article(s), 9 quote(s), 2 speaker(s)"
    # the two spellings of سامر الحديدي are one speaker, shown in its more frequent spelling
    assert lines[1].split() == ["5", "سامر", "الحديدي"]
    assert lines[2].split()[:2] == ["3", "support"] and "«الحكومة تدعم الخطة» (a1)" in lines[2]
    assert lines[3].split()[:2] == ["2", "refusal_to_withdraw"]
    assert lines[4].split() == ["4", "منير", "السالم"]
    assert "month" not in result.stdout and "2026-01" not in result.stdout


def test_by_month_adds_a_table_per_month_and_undated(predictions):
    result = run(predictions, "--by", "month")
    assert result.exit_code == 0, result.output
    headings = [line for line in result.stdout.splitlines() if line.startswith("== ")]
    assert [h.split(":")[0] for h in headings] == ["== all", "== 2026-01", "== 2026-02", "== undated"]
    assert headings[1] == "== 2026-01: 2 article(s), 5 quote(s), 2 speaker(s)"
    assert headings[3].startswith("== undated: 2 article(s)")
    assert '1 record(s) have a "date" that is not ISO 8601' in result.stdout


def test_csv_has_one_row_per_period_speaker_and_stance(predictions, tmp_path):
    out = tmp_path / "table.csv"
    result = run(predictions, "--by", "month", "--csv", out, "--examples", 1)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["period", "speaker", "stance", "quotes", "articles", "share_of_speaker",
                             "mean_confidence", "example_1", "example_1_id"]
    totals = {(r["speaker"], r["stance"]): r for r in rows if r["period"] == "all"}
    assert totals[("منير السالم", "denial")]["quotes"] == "3"
    assert totals[("منير السالم", "denial")]["articles"] == "3"
    assert totals[("سامر الحديدي", "support")]["share_of_speaker"] == "0.6"
    assert totals[("سامر الحديدي", "refusal_to_withdraw")]["mean_confidence"] == "0.7"
    assert totals[("منير السالم", "other")]["example_1"] == "<b>الوضع</b> & الأسواق هادئة"
    by_month = sum(int(r["quotes"]) for r in rows if r["period"] != "all")
    assert by_month == sum(int(r["quotes"]) for r in rows if r["period"] == "all") == 9


def test_html_page_is_rtl_escaped_and_lists_examples(predictions, tmp_path):
    out = tmp_path / "table.html"
    result = run(predictions, "--html", out)
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert '<html lang="ar" dir="rtl">' in page and "<b>" not in page
    assert "&lt;b&gt;الوضع&lt;/b&gt; &amp; الأسواق هادئة" in page
    assert page.count("<details>") == 4  # one per non-empty speaker × stance cell


def test_top_limits_the_speakers(predictions):
    result = run(predictions, "--top", 1)
    assert result.exit_code == 0
    assert "منير السالم" not in result.stdout and "1 more speaker(s); --top 0 shows all" in result.stdout


def test_bad_records_are_reported_with_file_and_line(predictions):
    with predictions.open("a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    result = run(predictions)
    assert result.exit_code == 3
    assert "tagged.jsonl:6: not valid JSON" in result.stderr and "== all: 5 article(s)" in result.stdout
    result = run(predictions, "--strict")
    assert result.exit_code == 1 and "Error: " in result.stderr and "tagged.jsonl:6" in result.stderr


def test_nothing_is_written_when_the_input_is_unreadable(tmp_path):
    out = tmp_path / "table.csv"
    result = run(tmp_path / "missing.jsonl", "--csv", out)
    assert result.exit_code == 1 and "no such file" in result.stderr and not out.exists()
