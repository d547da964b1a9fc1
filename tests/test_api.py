"""The Python API: `qawl.load` once, then plain dicts in and out; errors are `QawlError`s."""

import subprocess
import sys

import pytest

import qawl
from tests.conftest import ROOT

TEXT = ("الخرطوم - قال المتحدث باسم الجيش السوداني العميد فاروق المهدي إن قواته لن تنسحب من مواقعها.\n"
        "ودعت الأمم المتحدة الطرفين إلى وقف فوري لإطلاق النار.\n")


@pytest.fixture(scope="module")
def model(small_bundle):
    return qawl.load(small_bundle)


def test_predict_gives_plain_quote_dicts(model, capsys):
    quotes = model.predict(TEXT)
    assert quotes and all(isinstance(q, dict) for q in quotes)
    for quote in quotes:
        assert TEXT[quote["start"]:quote["end"]] == quote["quote"]
        assert quote["stance"] in model.labels and set(quote["stance_scores"]) == set(model.labels)
    assert capsys.readouterr() == ("", "")  # a library: nothing printed


def test_predict_records_keeps_ids_and_fields(model):
    records = [{"id": "sd-1", "text": TEXT, "source": "wire"}, {"id": "sd-2", "text": "لا اقتباس هنا."}]
    tagged = model.predict_records(records)
    assert [r["id"] for r in tagged] == ["sd-1", "sd-2"] and tagged[0]["source"] == "wire"
    assert tagged[0]["quotes"] and tagged[1]["quotes"] == []
    assert "quotes" not in records[0]  # the caller's records are left as they were


def test_classify_fills_the_stances_of_given_quotes(model):
    record = {"id": "sd-1", "text": TEXT, "quotes": [{"quote": "قواته لن تنسحب من مواقعها", "cue": "قال",
                                                      "speaker": ["فاروق المهدي"], "kind": "indirect"}]}
    [done] = model.classify([record])
    [quote] = done["quotes"]
    assert quote["stance"] in model.labels and 0 < quote["stance_score"] <= 1
    assert TEXT[quote["start"]:quote["end"]] == quote["quote"] and quote["speaker"] == ["فاروق المهدي"]


@pytest.mark.parametrize("call, message", [
    (lambda m: m.predict(42), "predict\\(\\) takes the article text as a string"),
    (lambda m: m.predict_records([{"id": "x"}]), 'record 1: the record has no "text" string'),
    (lambda m: m.predict_records({"id": "x", "text": TEXT}), "expected a list of records"),
    (lambda m: m.classify([{"id": "x", "text": TEXT, "quotes": "none"}]), 'record 1: "quotes" must be a list'),
])
def test_misuse_raises_qawl_error_saying_what_to_do(model, call, message):
    with pytest.raises(qawl.QawlError, match=message):
        call(model)


def test_load_errors_are_qawl_errors(tmp_path):
    with pytest.raises(qawl.QawlError, match="no model here"):
        qawl.load(tmp_path / "missing")
    with pytest.raises(qawl.QawlError, match="min_confidence"):
        qawl.load(tmp_path, min_confidence=2)


def test_min_confidence_turns_unsure_stances_into_other(small_bundle):
    loose = qawl.load(small_bundle).predict(TEXT)
    threshold = sorted(q["stance_score"] for q in loose)[len(loose) // 2]
    strict = qawl.load(small_bundle, min_confidence=threshold).predict(TEXT)
    assert [q["stance"] if q["stance_score"] >= threshold else "other" for q in loose] == \
        [q["stance"] for q in strict]
    assert any(q["stance_score"] < threshold and q["stance"] != "other" for q in loose)


def test_importing_qawl_loads_neither_click_nor_the_training_code():
    code = "import sys, qawl; print(sorted({'click', 'train.cli', 'sklearn'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert callable(qawl.main) and qawl.main.name == "main"
