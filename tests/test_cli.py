"""The qawl command end to end through click's CliRunner: train -> predict round trip and errors."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qawl import main
from tests.conftest import ROOT, corpus_files

ARTICLE = ("بيروت - قال رئيس الحكومة اللبنانية نادر الخوري إن الحكومة ستقر خطة الإنقاذ الأسبوع المقبل.\n"
           "وأضاف: «لن نسمح بانهيار القطاع المصرفي».\n"
           "وطالب الاتحاد العمالي العام بزيادة الأجور قبل نهاية العام.\n")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    for path in corpus_files("afr-01", "afr-04", "afr-07", "afr-10", "afr-13", "int-01"):
        (folder / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (folder / "schema.json").write_text((ROOT / "labels" / "schema.json").read_text("utf-8"), "utf-8")
    return folder


@pytest.fixture(scope="module")
def model(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "small"
    result = CliRunner().invoke(main, ["train", "--data", str(data), "--model", str(path)])
    assert result.exit_code == 0, result.output
    return path


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_predict_text_file(model, tmp_path):
    article = tmp_path / "beirut.txt"
    article.write_text(ARTICLE, "utf-8")
    result = run("predict", "--model", model, article)
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == "beirut.txt" and len(record["quotes"]) >= 2
    for quote in record["quotes"]:
        assert ARTICLE[quote["start"]:quote["end"]] == quote["quote"]
        assert set(quote["stance_scores"]) and quote["stance"] in quote["stance_scores"]
    assert "نادر الخوري" in record["quotes"][0]["speaker_name"]


def test_predict_batch_reports_bad_records_and_goes_on(model, tmp_path):
    lines = [json.dumps({"id": "a", "text": ARTICLE}, ensure_ascii=False), "{broken",
             json.dumps({"id": "b", "text": "no Arabic here"}), json.dumps({"id": "c", "text": ARTICLE}, ensure_ascii=False)]
    source = tmp_path / "batch.jsonl"
    source.write_text("\n".join(lines), "utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    result = run("predict", "--model", model, "--output", out, "--errors", errors, source)
    assert result.exit_code == 3
    assert "batch.jsonl:2: not valid JSON" in result.stderr and "batch.jsonl:3: the text has no Arabic" in result.stderr
    assert [json.loads(l)["id"] for l in out.read_text().splitlines()] == ["a", "c"]
    assert len(errors.read_text().splitlines()) == 2


def test_strict_stops_at_the_first_bad_record_and_writes_nothing(model, tmp_path):
    source = tmp_path / "batch.jsonl"
    source.write_text(json.dumps({"id": "a", "text": ARTICLE}, ensure_ascii=False) + "\n{broken\n", "utf-8")
    out = tmp_path / "out.jsonl"
    result = run("predict", "--model", model, "--strict", "--output", out, source)
    assert result.exit_code == 1 and "Error: " in result.stderr and "batch.jsonl:2" in result.stderr
    assert not out.exists() and "Traceback" not in result.output


def test_predict_without_a_model_says_how_to_make_one(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, "utf-8")
    result = run("predict", "--model", tmp_path / "none", article)
    assert result.exit_code == 1 and "make train" in result.stderr


def test_stdin_and_formats(model):
    result = run("predict", "--model", model, "--format", "csv", "-", input=ARTICLE)
    assert result.exit_code == 0 and result.stdout.splitlines()[0].startswith("id,start,end")
    result = run("predict", "--model", model, "--format", "text", "-", input=ARTICLE)
    assert result.exit_code == 0 and "== stdin" in result.stdout


def test_classify_fills_stances(model, data):
    source = sorted(Path(data).glob("*.jsonl"))[0]
    result = run("classify", "--model", model, source)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(q["stance_score"] is not None for r in records for q in r["quotes"])


def test_evaluate_cross_validation(data, tmp_path):
    report = tmp_path / "cv.json"
    result = run("evaluate", "--data", data, "--folds", 2, "--json", report)
    assert result.exit_code == 0, result.output
    figures = json.loads(report.read_text())
    assert 0 < figures["quotes"]["f1"] <= 1 and 0 < figures["stance_on_gold_quotes"]["macro_f1"] <= 1
    assert "confusion" in result.stdout


def test_evaluate_gold_writes_errors(model, data, tmp_path):
    source = sorted(Path(data).glob("*.jsonl"))[0]
    errors = tmp_path / "misses.jsonl"
    result = run("evaluate", "--gold", source, "--model", model, "--errors", errors)
    assert result.exit_code == 0, result.output
    categories = {json.loads(l)["category"] for l in errors.read_text().splitlines()}
    assert categories <= {"missed_quote", "spurious_quote", "wrong_speaker", "wrong_stance"}


def test_one_fold_is_refused(data):
    result = run("evaluate", "--data", data, "--folds", 1)
    assert result.exit_code == 1 and "at least 2 folds" in result.stderr


def test_validate_names_file_line_and_field(tmp_path, data):
    bad = {"id": "x", "text": "قال الوزير إن الوضع هادئ", "quotes": [
        {"quote": "الوضع متوتر", "kind": "indirect", "cue": "قال", "speaker": ["الوزير"],
         "speaker_name": "الوزير", "via": "", "stance": "anger"}]}
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "schema.json").write_text((data / "schema.json").read_text("utf-8"), "utf-8")
    (folder / "bad.jsonl").write_text(json.dumps(bad, ensure_ascii=False) + "\n", "utf-8")
    result = run("validate", folder)
    assert result.exit_code == 1
    assert "bad.jsonl:1: quote 1: \"quote\" is not a substring" in result.stdout
    assert "bad.jsonl:1: quote 1: stance 'anger' is not in the schema" in result.stdout
    result = run("train", "--data", folder, "--model", tmp_path / "m")
    assert result.exit_code == 1 and "qawl validate" in result.stderr


def test_stats(data):
    result = run("stats", data)
    assert result.exit_code == 0 and "per label:" in result.stdout and "near-duplicate" in result.stdout


def test_a_20_mb_article_is_reported_and_the_batch_goes_on(model, tmp_path):
    big, small = tmp_path / "big.txt", tmp_path / "small.txt"
    big.write_text(ARTICLE * (20 * 1024 * 1024 // len(ARTICLE.encode())), "utf-8")
    small.write_text(ARTICLE, "utf-8")
    result = run("predict", "--model", model, big, small)
    assert result.exit_code == 3 and "Traceback" not in result.output
    assert f"warning: {big}: the article is " in result.stderr and "characters, above the limit of 1,000,000" \
        " for an article; split it" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["small.txt"]
    result = run("predict", "--model", model, "--strict", big, small)
    assert result.exit_code == 1 and f"Error: {big}: the article is " in result.stderr and not result.stdout


def labeled(number: int, stance: str) -> dict:
    text = f"قال الوزير {number} إن الحكومة لن تقبل بهذا الاتفاق أبدا."
    return {"id": f"a{number}", "text": text, "quotes": [
        {"quote": "الحكومة لن تقبل بهذا الاتفاق أبدا", "kind": "indirect", "cue": "قال",
         "speaker": [f"الوزير {number}"], "speaker_name": f"الوزير {number}", "via": "", "stance": stance}]}


@pytest.mark.parametrize("denials, hint", [(1, "add articles with 'denial' quotes\n"),
                                           (2, "add articles with 'denial' quotes, or use --folds 2\n")])
def test_evaluate_names_a_label_too_rare_for_the_folds(tmp_path, denials, hint):
    records = [labeled(n, "condemnation") for n in range(3)] + [labeled(3 + n, "denial") for n in range(denials)]
    (tmp_path / "data.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    (tmp_path / "schema.json").write_text((ROOT / "labels" / "schema.json").read_text("utf-8"), "utf-8")
    result = run("evaluate", "--data", tmp_path / "data.jsonl", "--folds", 3)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr == (f"Error: --folds 3: label 'denial' has only {denials} example(s), in {denials} "
                             f"article(s), too few to be in each of 3 folds; " + hint)


def test_explain_lists_the_features_that_pushed(small_bundle, tmp_path):
    article = tmp_path / "beirut.txt"
    article.write_text(ARTICLE, "utf-8")
    result = run("explain", "--model", small_bundle, article, "--json", "--top", "3")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records and all(r["id"] == "beirut.txt" for r in records)
    for record in records:
        assert 0 < len(record["stance_for"]) <= 3
        assert all(term["push"] > 0 and term["kind"] in {"words", "stems", "chars", "features"} for term in record["stance_for"])
        assert all(term["push"] < 0 for term in record["stance_against"])
        assert record["speaker_for"] and record["speaker_name"]
    text = run("explain", "--model", small_bundle, article)
    assert text.exit_code == 0 and "stance pushed by:" in text.output and "held back by:" in text.output


def test_validate_finds_the_contract_schema_from_any_folder(tmp_path, monkeypatch):
    copy = tmp_path / "new.jsonl"
    copy.write_text(corpus_files("afr-01")[0].read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)  # no schema.json beside the file, no labels/ here
    result = run("validate", copy)
    assert result.exit_code == 0, result.output
