"""Label Studio round trip: qawl records -> Label Studio tasks -> corrected corpus records.

`article_to_task` turns a corpus or prediction record into a task of Label Studio's JSON import
format: the article in `data`, its quotes as one prediction whose regions are `labels` results
(the stance) on the text, each with per-region results sharing the region's `id` for the rest of
the quote (speaker mentions, canonical name, cue and via as TextArea results, kind and
construction as Choices results). `labeling_config` is the matching labeling interface.

`read_export` reads Label Studio's JSON export back: for each task the annotation (or, when
asked, the prediction of an unannotated task) becomes an `Article` in the corpus format, which
`corpus_record` writes as ANNOTATION.md §4 has it. Nothing here prints: problems of one task come
back as `BadRecord`s naming the file and the task, problems of the whole file as `QawlError`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from xml.sax.saxutils import quoteattr

from predict.html import STANCE_COLOURS, UNKNOWN_COLOUR  # the same colour per stance as the article view
from predict.records import (
    KINDS,
    QUOTE_FIELDS,
    Article,
    BadRecord,
    QawlError,
    Quote,
    atomic_write,
    locate_quotes,
)

# names of the labeling config's tags; the export writes and the import reads results by them
TEXT = "text"
STANCE = "stance"
# the quote fields edited in a per-region TextArea each, with the header annotators see
TEXT_FIELDS = {"speaker": "Speaker mentions, fullest first (one per entry)",
               "speaker_name": "Speaker name (canonical)", "cue": "Cue", "via": "Via (who relayed it)"}
KIND = "kind"
CONSTRUCTION = "construction"
# labels/README.md: how a quote is attributed (optional in the corpus, counted by `qawl stats`)
CONSTRUCTIONS = ("according_to", "body_statement", "colon", "continuation", "interview",
                 "multi_sentence", "object_cue", "participle", "relayed", "speaker_after",
                 "subject_verb", "title_reference", "verb_subject")
# what a selection in the browser picks up at its edges and the corpus format leaves out
# (ANNOTATION.md §1: no enclosing quotation marks; content ends before the sentence's full stop)
EDGE_CHARACTERS = " \t\n\r\u00a0«»“”\"„‘’'.،,:;؛"
_TEXT_STYLE = ".htx-text { white-space: pre-wrap; direction: rtl; text-align: right; line-height: 1.9; }"


def labeling_config(schema: dict) -> str:
    """The Label Studio labeling config (XML) that matches `article_to_task`'s tasks.

    `white-space: pre-wrap` keeps every space on screen, as Label Studio's offsets count them;
    the label definitions from the schema show as hints on hover.
    """
    labels = "\n".join(
        f"    <Label value={quoteattr(label['name'])}"
        f" background={quoteattr(STANCE_COLOURS.get(label['name'], UNKNOWN_COLOUR))}"
        f" hint={quoteattr(label.get('definition', ''))}/>"
        for label in schema["labels"])
    areas = "\n".join(_text_area(name, header) for name, header in TEXT_FIELDS.items())
    return f"""<View>
  <Style>{_TEXT_STYLE}</Style>
  <Header value="$title"/>
  <Labels name="{STANCE}" toName="{TEXT}" choice="single">
{labels}
  </Labels>
  <Text name="{TEXT}" value="$text"/>
  <View visibleWhen="region-selected">
{areas}
    <Header value="Kind"/>
    <Choices name="{KIND}" toName="{TEXT}" perRegion="true" required="true" choice="single-radio" showInline="true">
{_choices(KINDS)}
    </Choices>
    <Header value="Construction (optional)"/>
    <Choices name="{CONSTRUCTION}" toName="{TEXT}" perRegion="true" choice="single-radio" showInline="true">
{_choices(CONSTRUCTIONS)}
    </Choices>
  </View>
</View>
"""


def _text_area(name: str, header: str) -> str:
    # a speaker can have several mentions; the other fields hold one string
    single = "" if name == "speaker" else ' maxSubmissions="1"'
    return (f"    <Header value={quoteattr(header)}/>\n"
            f'    <TextArea name="{name}" toName="{TEXT}" perRegion="true" editable="true" rows="1"{single}/>')


def _choices(values: Iterable[str]) -> str:
    return "\n".join(f"      <Choice value={quoteattr(value)}/>" for value in values)


def article_to_task(article: Article, model_version: str, location: str = "") -> dict:
    """A Label Studio task with the article's quotes as one prediction.

    Prediction records carry `start`/`end`; labeled records are located by ANNOTATION.md §4's
    search rule. Raises `QawlError` naming `location` when a quote is not in the text.
    """
    # region ids unique across tasks as well as within one, as Label Studio asks of imports
    prefix = hashlib.sha1(article.id.encode()).hexdigest()[:8]
    results = []
    for number, quote in enumerate(_located(article, location or article.id), 1):
        results += region_results(f"{prefix}-{number}", quote)
    prediction = {"model_version": model_version, "result": results}
    scores = [q.stance_score for q in article.quotes if q.stance_score is not None]
    if scores:  # Label Studio sorts tasks by this; the least sure quote makes a task worth a look
        prediction["score"] = min(scores)
    extra = {k: v for k, v in article.extra.items() if not k.startswith("_")}
    return {"data": {"id": article.id, "title": extra.pop("title", ""), TEXT: article.text, **extra},
            "predictions": [prediction]}


def export_problems(article: Article, labels: set[str]) -> list[str]:
    """What keeps an article from becoming a task Label Studio can show: each names the quote."""
    located = article.quotes if _has_offsets(article) else locate_quotes(article)
    problems = []
    for number, (quote, found) in enumerate(zip(article.quotes, located), 1):
        if found is None:
            problems.append(f"quote {number}: \"quote\" is not in the text: {quote.quote[:40]!r}")
        if quote.stance not in labels:
            problems.append(f"quote {number}: stance {quote.stance!r} is not in the schema")
        if quote.kind not in KINDS:
            problems.append(f"quote {number}: kind {quote.kind!r} must be direct or indirect")
    return problems


def _has_offsets(article: Article) -> bool:
    return all(0 <= q.start < q.end and article.text[q.start:q.end] == q.quote for q in article.quotes)


def _located(article: Article, location: str) -> list[Quote]:
    if _has_offsets(article):
        return article.quotes
    for number, found in enumerate(locate_quotes(article), 1):
        if found is None:
            raise QawlError(f"{location}: quote {number} is not in the text: "
                            f"{article.quotes[number - 1].quote[:40]!r}")
    return article.quotes


def write_tasks(tasks: Iterable[dict], output: str | None) -> int:
    """Write tasks as one JSON list, streaming, to `output` (atomically) or to stdout."""
    with (atomic_write(output) if output not in (None, "-") else nullcontext(sys.stdout)) as handle:
        count = 0
        handle.write("[")
        for task in tasks:
            handle.write(("," if count else "") + "\n" + json.dumps(task, ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
    return count


def region_results(region_id: str, quote: Quote) -> list[dict]:
    """The results of one quote: the stance region, then its per-region fields by the same id."""
    span = {"start": quote.start, "end": quote.end}
    stance = {"id": region_id, "from_name": STANCE, "to_name": TEXT, "type": "labels",
              "value": {**span, "text": quote.quote, "labels": [quote.stance]}}
    if quote.stance_score is not None:
        stance["score"] = quote.stance_score
    results = [stance]
    values = {"speaker": quote.speaker, "speaker_name": [quote.speaker_name], "cue": [quote.cue],
              "via": [quote.via]}
    for name in TEXT_FIELDS:
        texts = [text for text in values[name] if text]
        if texts:
            results.append(_per_region(region_id, name, "textarea", {**span, "text": texts}))
    results.append(_per_region(region_id, KIND, "choices", {**span, "choices": [quote.kind]}))
    construction = quote.extra.get(CONSTRUCTION)
    if construction:
        results.append(_per_region(region_id, CONSTRUCTION, "choices", {**span, "choices": [construction]}))
    return results


def _per_region(region_id: str, name: str, kind: str, value: dict) -> dict:
    return {"id": region_id, "from_name": name, "to_name": TEXT, "type": kind, "value": value}


def read_export(path: str | Path, use_predictions: bool = False) -> tuple[list[Article | BadRecord], list[str]]:
    """Read a Label Studio JSON export; return its articles (or bad tasks) and the unannotated tasks.

    Each task's annotation is used: the ground-truth one if any, else the last one not cancelled.
    A task without one is skipped and listed, unless `use_predictions` takes its last prediction.
    Each article's `extra["_location"]` names the file and the task, for later problems.
    """
    tasks = _load_tasks(Path(path))
    items: list[Article | BadRecord] = []
    unannotated = []
    for number, task in enumerate(tasks, 1):
        location = _task_location(path, number, task)
        try:
            result = _chosen_result(task, use_predictions)
            if result is None:
                unannotated.append(location)
                continue
            article = task_to_article(task, result, location)
        except QawlError as error:
            items.append(BadRecord(location, str(error)))
            continue
        article.extra["_location"] = location
        items.append(article)
    return items, unannotated


def _load_tasks(path: Path) -> list:
    try:
        tasks = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise QawlError(f"{path}: cannot read the file ({error})") from None
    except json.JSONDecodeError as error:
        raise QawlError(f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}); "
                        f"export the project from Label Studio as JSON") from None
    if isinstance(tasks, dict):  # a single task exported or saved on its own
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise QawlError(f"{path}: expected Label Studio's JSON export (a list of tasks), "
                        f"not a JSON {type(tasks).__name__}")
    return tasks


def _task_location(path: str | Path, number: int, task) -> str:
    data = task.get("data") if isinstance(task, dict) else None
    article_id = data.get("id") if isinstance(data, dict) else None
    return f"{path}: task {number}" + (f" (article {article_id!r})" if article_id is not None else "")


def _chosen_result(task, use_predictions: bool) -> list | None:
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        raise QawlError("a task must be an object with \"data\" (export as JSON, not JSON-MIN or CSV)")
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if annotations:
        # ground truth first, then the last made; the index keeps ties in export order
        chosen = max(enumerate(annotations), key=lambda pair: (bool(pair[1].get("ground_truth")), pair[0]))[1]
    elif use_predictions and task.get("predictions"):
        chosen = task["predictions"][-1]
    else:
        return None
    result = chosen.get("result") if isinstance(chosen, dict) else None
    if not isinstance(result, list):
        raise QawlError("the annotation has no \"result\" list")
    return result


def task_to_article(task: dict, result: list, location: str = "") -> Article:
    """The corpus-format article of one task, from one annotation's (or prediction's) results."""
    data = task["data"]
    text = data.get(TEXT)
    if not isinstance(text, str):
        raise QawlError(f"the task has no data.{TEXT} string")
    regions, fields = _group_results(result)
    quotes = sorted((_quote(text, region, fields.get(region["id"], {})) for region in regions),
                    key=lambda quote: quote.start)  # stable: equal starts keep the annotator's order
    article_id = data.get("id")
    if article_id is None:
        article_id = f"labelstudio-{task.get('id', location)}"
    extra = {k: v for k, v in data.items() if k not in ("id", TEXT) and not (k == "title" and not v)}
    article = Article(str(article_id), text, quotes, extra)
    _check_search_rule(article)
    return article


def _group_results(result: list) -> tuple[list[dict], dict[str, dict[str, dict]]]:
    """Stance regions in result order, and the per-region results by region id and control name."""
    regions, fields = [], {}
    for number, item in enumerate(result, 1):
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            raise QawlError(f"result {number} is not an object with a \"value\"")
        if item.get("from_name") == STANCE:
            if "id" not in item:
                item = {**item, "id": f"result-{number}"}
            regions.append(item)
        elif "id" in item:
            fields.setdefault(item["id"], {})[item.get("from_name")] = item["value"]
    return regions, fields


def _quote(text: str, region: dict, fields: dict[str, dict]) -> Quote:
    value, name = region["value"], f"region {region['id']!r}"
    labels = value.get("labels") or []
    if len(labels) != 1:
        raise QawlError(f"{name}: choose exactly one stance (it has {len(labels)})")
    start, end = _span(text, value, name)
    texts = {field: [line.strip() for entry in fields.get(field, {}).get("text") or []
                     for line in str(entry).splitlines() if line.strip()] for field in TEXT_FIELDS}
    kind = fields.get(KIND, {}).get("choices") or []
    if len(kind) != 1:
        raise QawlError(f"{name}: choose the kind, direct or indirect")
    construction = fields.get(CONSTRUCTION, {}).get("choices") or []
    single = {field: " ".join(texts[field]) for field in ("speaker_name", "cue", "via")}
    return Quote(text[start:end], start, end, kind[0], single["cue"], texts["speaker"],
                 single["speaker_name"], single["via"], labels[0],
                 extra={CONSTRUCTION: construction[0]} if construction else {})


def _span(text: str, value: dict, name: str) -> tuple[int, int]:
    """The region's offsets, checked against its text and trimmed of edge marks and spaces."""
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        raise QawlError(f"{name}: start/end {start!r}/{end!r} are not character offsets in the text")
    selected = value.get("text")
    if isinstance(selected, str) and selected and text[start:end] != selected:
        # browsers count some characters differently (emoji, right-to-left edges); the
        # selected words are the truth, taken at their occurrence nearest the offsets
        found = _nearest(text, selected, start)
        if found < 0:
            raise QawlError(f"{name}: its text {selected[:40]!r} is not in the task's text")
        start, end = found, found + len(selected)
    while start < end and text[start] in EDGE_CHARACTERS:
        start += 1
    while end > start and text[end - 1] in EDGE_CHARACTERS:
        end -= 1
    if start == end:
        raise QawlError(f"{name}: the region holds only spaces or punctuation")
    return start, end


def _nearest(text: str, needle: str, near: int) -> int:
    positions, found = [], text.find(needle)
    while found >= 0:
        positions.append(found)
        found = text.find(needle, found + 1)
    return min(positions, key=lambda p: (abs(p - near), p)) if positions else -1


def _check_search_rule(article: Article) -> None:
    """Refuse a quote that the corpus format, which stores no offsets, would place elsewhere."""
    annotated = [(q.start, q.end) for q in article.quotes]
    probe = Article(article.id, article.text, [Quote(q.quote) for q in article.quotes])
    for number, (found, (start, _)) in enumerate(zip(locate_quotes(probe), annotated), 1):
        if found.start != start:
            raise QawlError(f"quote {number}: the same words occur earlier in the text (character "
                            f"{found.start}), where the corpus format would place it; widen the region")


def corpus_record(article: Article) -> dict:
    """The article as a corpus record (ANNOTATION.md §4): no offsets or scores, fields in order."""
    quotes = [{**{name: getattr(q, name) for name in QUOTE_FIELDS}, **q.extra} for q in article.quotes]
    extra = {k: v for k, v in article.extra.items() if not k.startswith("_")}
    return {"id": article.id, **extra, "text": article.text, "quotes": quotes}
