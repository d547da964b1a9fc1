"""Label Studio round trip: records -> tasks -> (an annotator's corrections) -> corpus records."""

import copy
import json
import xml.etree.ElementTree as ElementTree

import pytest
from click.testing import CliRunner

from predict.labelstudio import (
    article_to_task,
    corpus_record,
    labeling_config,
    read_export,
)
from predict.records import Article, BadRecord, QawlError, Quote
from qawl import main
from tests.conftest import ROOT, corpus_files

TEXT = ("عمّان - قال وزير الخارجية سامي الحداد إن «الحل السياسي هو الطريق الوحيد».\n"
        "وأضاف أن بلاده ترفض أي تدخل عسكري في المنطقة.\n")
RECORD = {"id": "amm-1", "title": "الحداد: الحل سياسي", "text": TEXT, "quotes": [
    {"quote": "الحل السياسي هو الطريق الوحيد", "kind": "direct", "cue": "قال",
     "speaker": ["سامي الحداد", "وزير الخارجية"], "speaker_name": "سامي الحداد", "via": "",
     "stance": "negotiation_call", "construction": "verb_subject"},
    {"quote": "بلاده ترفض أي تدخل عسكري في المنطقة", "kind": "indirect", "cue": "وأضاف",
     "speaker": ["سامي الحداد"], "speaker_name": "سامي الحداد", "via": "", "stance": "other"}]}


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def annotate(tasks):
    """What an annotator does who accepts every pre-annotation: predictions become annotations."""
    for number, task in enumerate(tasks, 1):
        task["id"] = number
        task["annotations"] = [{"id": 100 + number, "result": task.pop("predictions")[0]["result"],
                                "was_cancelled": False, "ground_truth": False}]
    return tasks


def write_export(tmp_path, tasks, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), "utf-8")
    return path


def task_of(record=RECORD):
    article = Article(record["id"], record["text"],
                      [Quote(**{k: v for k, v in q.items() if k != "construction"},
                             extra={"construction": q["construction"]} if "construction" in q else {})
                       for q in record["quotes"]],
                      {"title": record["title"]})
    return article_to_task(article, "labels")


def imported(tmp_path, tasks, **options):
    items, unannotated = read_export(write_export(tmp_path, tasks), **options)
    return items, unannotated


def test_round_trip_through_the_cli_changes_only_the_annotators_edit(tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    (folder / "schema.json").write_text((ROOT / "labels" / "schema.json").read_text("utf-8"), "utf-8")
    lines = [line for path in corpus_files("afr-01", "afr-02")
             for line in path.read_text("utf-8").splitlines() if line.strip()]
    (folder / "in.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    originals = [json.loads(line) for line in lines]

    result = run("export-labelstudio", folder / "in.jsonl", "-o", tmp_path / "tasks.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "labeling config" in result.stderr
    tasks = annotate(json.loads((tmp_path / "tasks.json").read_text("utf-8")))
    [stance] = [r for r in tasks[1]["annotations"][0]["result"] if r["from_name"] == "stance"][:1]
    old = stance["value"]["labels"][0]
    stance["value"]["labels"] = ["denial" if old != "denial" else "support"]
    write_export(tmp_path, tasks)

    result = run("import-labelstudio", tmp_path / "export.json", "-o", folder / "out.jsonl")
    assert result.exit_code == 0, result.output
    back = [json.loads(line) for line in (folder / "out.jsonl").read_text("utf-8").splitlines()]
    expected = copy.deepcopy(originals)
    expected[1]["quotes"][0]["stance"] = stance["value"]["labels"][0]
    assert back == expected
    (folder / "in.jsonl").unlink()
    assert run("validate", folder).exit_code == 0


def test_tasks_follow_label_studios_import_format():
    task = task_of()
    assert task["data"] == {"id": "amm-1", "title": RECORD["title"], "text": TEXT}
    [prediction] = task["predictions"]
    assert prediction["model_version"] == "labels"
    regions = [r for r in prediction["result"] if r["type"] == "labels"]
    assert [r["value"]["labels"] for r in regions] == [["negotiation_call"], ["other"]]
    for region in regions:
        value = region["value"]
        assert TEXT[value["start"]:value["end"]] == value["text"]
        assert (region["from_name"], region["to_name"]) == ("stance", "text")
        linked = {r["from_name"]: r for r in prediction["result"] if r["id"] == region["id"]}
        assert {"stance", "speaker", "speaker_name", "cue", "kind"} <= set(linked)
        assert all((r["value"]["start"], r["value"]["end"]) == (value["start"], value["end"]) for r in linked.values())
    first = {r["from_name"]: r for r in prediction["result"] if r["id"] == regions[0]["id"]}
    assert first["speaker"]["type"] == "textarea" and first["speaker"]["value"]["text"] == ["سامي الحداد", "وزير الخارجية"]
    assert first["kind"]["value"]["choices"] == ["direct"] and first["construction"]["value"]["choices"] == ["verb_subject"]
    assert "via" not in first  # empty fields are left out, not sent as empty text
    other = {**RECORD, "id": "amm-2"}
    assert not {r["id"] for r in prediction["result"]} & {r["id"] for r in task_of(other)["predictions"][0]["result"]}


def test_prediction_records_keep_their_offsets_and_scores(tmp_path):
    text = "قال الوزير إن الوضع هادئ. وقال الوزير إن الوضع هادئ."
    start = text.rindex("الوضع هادئ")
    quote = Quote("الوضع هادئ", start, start + 10, "indirect", "قال", ["الوزير"], "الوزير", "", "other", 0.62)
    task = article_to_task(Article("p", text, [quote]), "qawl")
    [region] = [r for r in task["predictions"][0]["result"] if r["type"] == "labels"]
    assert (region["value"]["start"], region["value"]["end"]) == (start, start + 10)  # the second one
    assert region["score"] == 0.62 and task["predictions"][0]["score"] == 0.62


def test_labeling_config_has_the_schema_labels_and_the_per_region_controls(schema):
    root = ElementTree.fromstring(labeling_config(schema))
    [labels] = root.iter("Labels")
    assert labels.get("name") == "stance" and labels.get("toName") == "text"
    assert [label.get("value") for label in labels] == schema["names"]
    areas = {area.get("name"): area for area in root.iter("TextArea")}
    assert set(areas) == {"speaker", "speaker_name", "cue", "via"}
    assert all(area.get("perRegion") == "true" for area in areas.values())
    choices = {c.get("name"): [x.get("value") for x in c] for c in root.iter("Choices")}
    assert choices["kind"] == ["direct", "indirect"]


def test_config_flag_prints_the_config_and_output_writes_it_beside(tmp_path, schema):
    result = run("export-labelstudio", "--config", "--schema", ROOT / "labels" / "schema.json")
    assert result.exit_code == 0 and result.stdout == labeling_config(schema)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", "utf-8")
    result = run("export-labelstudio", source, "--schema", ROOT / "labels" / "schema.json")
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["data"]["id"] == "amm-1"
    assert run("export-labelstudio").exit_code == 2


def test_export_reports_a_quote_that_is_not_in_the_text(tmp_path):
    bad = copy.deepcopy(RECORD)
    bad["id"], bad["quotes"][1]["quote"] = "amm-2", "كلام لم يرد في النص"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n", "utf-8")
    result = run("export-labelstudio", source, "--schema", ROOT / "labels" / "schema.json")
    assert result.exit_code == 3
    assert "in.jsonl:2: quote 2: \"quote\" is not in the text" in result.stderr
    assert len(json.loads(result.stdout)) == 1


def test_regions_are_trimmed_sorted_and_fixed_by_their_text(tmp_path):
    [task] = annotate([task_of()])
    result = task["annotations"][0]["result"]
    first, second = [r for r in result if r["type"] == "labels"]
    start = TEXT.index("«")
    for item in result:  # the annotator selected the marks and the full stop too
        if item["id"] == first["id"]:
            item["value"].update(start=start, end=TEXT.index("».") + 2)
    first["value"]["text"] = TEXT[start:TEXT.index("».") + 2]
    second["value"].update(start=second["value"]["start"] + 1, end=second["value"]["end"] + 1)  # off by one
    result.reverse()  # regions made in another order than the text's
    [article], _ = imported(tmp_path, [task])
    assert corpus_record(article) == RECORD


@pytest.mark.parametrize("change, message", [
    (lambda r: r[0]["value"].update(labels=[]), "-1': choose exactly one stance (it has 0)"),
    (lambda r: r[0]["value"].update(labels=["denial", "other"]), "choose exactly one stance (it has 2)"),
    (lambda r: r.remove(next(x for x in r if x["from_name"] == "kind")), "-1': choose the kind"),
    (lambda r: r[0]["value"].update(start=5000, end=5010, text=None), "are not character offsets"),
    (lambda r: r[0]["value"].update(text="نص آخر تماما"), "is not in the task's text"),
    (lambda r: r.append("oops"), "is not an object"),
])
def test_bad_regions_name_the_task_and_the_region(tmp_path, change, message):
    tasks = annotate([task_of(), task_of()])
    change(tasks[1]["annotations"][0]["result"])
    items, _ = imported(tmp_path, tasks)
    assert isinstance(items[0], Article)
    assert isinstance(items[1], BadRecord) and message in items[1].problem
    assert items[1].location.endswith("export.json: task 2 (article 'amm-1')")


def test_annotation_choice_and_unannotated_tasks(tmp_path):
    unannotated, cancelled, reviewed = task_of(), annotate([task_of()])[0], annotate([task_of()])[0]
    cancelled["annotations"][0]["was_cancelled"] = True
    wrong = copy.deepcopy(reviewed["annotations"][0])
    wrong["result"] = [r for r in wrong["result"] if not r["id"].endswith("-2")]
    reviewed["annotations"] = [{**reviewed["annotations"][0], "ground_truth": True}, wrong]
    items, skipped = imported(tmp_path, [unannotated, cancelled, reviewed])
    assert len(skipped) == 2 and skipped[0].endswith("task 1 (article 'amm-1')")
    [article] = items
    assert len(article.quotes) == 2  # the ground-truth annotation, not the later one
    items, skipped = imported(tmp_path, [unannotated], use_predictions=True)
    assert not skipped and corpus_record(items[0]) == RECORD


def test_a_quote_the_search_rule_would_misplace_is_refused(tmp_path):
    text = "قال الوزير إن الوضع هادئ. وقال المتحدث إن الوضع هادئ."
    start = text.rindex("الوضع هادئ")
    quote = Quote("الوضع هادئ", start, start + 10, "indirect", "قال", ["المتحدث"], "المتحدث", "", "other")
    [task] = annotate([article_to_task(Article("p", text, [quote]), "qawl")])
    [item], _ = imported(tmp_path, [task])
    assert isinstance(item, BadRecord) and "occur earlier in the text" in item.problem


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('"a string"', "expected Label Studio's JSON export"),
])
def test_unreadable_exports_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "export.json"
    path.write_text(content, "utf-8")
    with pytest.raises(QawlError, match=message):
        read_export(path)
    result = run("import-labelstudio", path, "--schema", ROOT / "labels" / "schema.json")
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {path}: ")
    assert "Traceback" not in result.output


def test_import_cli_reports_bad_tasks_and_skipped_ones(tmp_path):
    good, no_speaker = annotate([task_of(), task_of()])
    no_speaker["annotations"][0]["result"] = [r for r in no_speaker["annotations"][0]["result"]
                                              if r["from_name"] not in ("speaker", "speaker_name")]
    min_export = {"text": TEXT, "id": 7, "stance": []}  # Label Studio's JSON-MIN, not JSON
    path = write_export(tmp_path, [good, no_speaker, task_of(), min_export])
    result = run("import-labelstudio", path, "--schema", ROOT / "labels" / "schema.json")
    assert result.exit_code == 3
    assert "export.json: task 2 (article 'amm-1'): quote 1: no speaker" in result.stderr
    assert "export.json: task 4: a task must be an object with \"data\" (export as JSON, not JSON-MIN" in result.stderr
    assert "1 task(s) without an annotation skipped" in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["amm-1"]
    result = run("import-labelstudio", path, "--strict", "--schema", ROOT / "labels" / "schema.json")
    assert result.exit_code == 1 and "task 2" in result.stderr
