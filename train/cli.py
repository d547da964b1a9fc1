"""The `qawl` command: a thin click front over `predict` and `train`.

Exit codes: 0 done; 1 an error (one line on stderr) or Ctrl-C; 2 a usage error; 3 done, but some
input records were bad and were reported and skipped; 143 stopped by SIGTERM.
"""

from __future__ import annotations

import csv
import hashlib
import json
import signal
import sys
import threading
from collections import Counter
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click

from predict.bundle import load_bundle, save_bundle
from predict.html import article_view_beside
from predict.labelstudio import (article_to_task, corpus_record, export_problems, labeling_config,
                                 read_export, write_tasks)
from predict.parallel import batches, tag_articles
from predict.pipeline import Tagger
from predict.progress import progress
from predict.records import (Article, BadRecord, QawlError, article_line, atomic_write, read_articles, write_jsonl,
                             write_lines)
from predict.report import build_report, format_report_text, write_report_csv, write_report_html
from predict.text import has_arabic
from predict.uncertainty import most_uncertain, score_stances
from train.corpus import DEFAULT_DATA, check_article, corpus_stats, find_schema, load_labeled, load_schema

DEFAULT_MODEL = "models/default"
EXIT_BAD_RECORDS = 3


class CLIGroup(click.Group):
    """Turns `QawlError` into a one-line `Error: ...` and exit 1, never a traceback."""

    def invoke(self, ctx):
        with _sigterm_exits():
            try:
                return super().invoke(ctx)
            except QawlError as error:
                raise click.ClickException(str(error)) from None


@contextmanager
def _sigterm_exits():
    """While a command runs, SIGTERM unwinds like Ctrl-C, through the `finally` and `except` blocks
    that remove temporary outputs, then exits 143 (by default it ends the process on the spot)."""
    in_charge = threading.current_thread() is threading.main_thread()  # only it may set handlers
    if not in_charge or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@click.group(cls=CLIGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qawl")
def main():
    """qawl: find the quotes in Arabic news, who said them and what position they take.

    \b
    Examples:
      qawl train                      # fit models/default on labels/
      qawl predict article.txt        # quotes, speakers and stances as JSON Lines
      qawl evaluate --folds 5         # cross-validation on labels/
      qawl evaluate --gold gold.jsonl # score the model on a held-out labeled file
    """


def _labeled(data: tuple[str, ...]) -> tuple[list[Article], dict]:
    paths = list(data) or [DEFAULT_DATA]
    schema = load_schema(find_schema(paths))
    articles, problems = load_labeled(paths, set(schema["names"]))
    if problems:
        raise QawlError(f"{problems[0]} ({len(problems)} problem(s) in the labeled data; "
                        f"`qawl validate {' '.join(paths)}` lists them all)")
    if not articles:
        raise QawlError(f"{', '.join(paths)}: no labeled articles")
    return articles, schema


@main.command()
@click.option("--data", multiple=True, type=click.Path(exists=True), help="Labeled JSONL files or folders [labels/].")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, type=click.Path(), help="Bundle folder to write.")
@click.option("--cv", "cv_folds", default=0, show_default=True, help="Also cross-validate with K folds and store the figures.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="Processes: the stance model is fitted beside the other stages (2), and --cv folds run in parallel.")
def train(data, model, cv_folds, jobs):
    """Fit the quote filter, speaker ranker and stance model; write a bundle.

    Example: qawl train --data labels/ --model models/default --cv 5
    """
    from train.evaluate import cross_validate  # scikit-learn: seconds to import, so only where used
    from train.fit import fit_models

    articles, schema = _labeled(data)
    metadata = {"training_data": _data_summary(articles, data)}
    if cv_folds:
        metadata["cross_validation"] = _brief(cross_validate(articles, schema["names"], cv_folds, jobs))
    models = fit_models(articles, jobs)
    path = save_bundle(models, model, {k: v for k, v in schema.items() if k != "names"}, metadata)
    click.echo(f"trained on {len(articles)} articles, "
               f"{metadata['training_data']['quotes']} quotes -> {path}", err=True)


def _data_summary(articles: list[Article], data: tuple[str, ...]) -> dict:
    digest = hashlib.sha256()
    for article in articles:
        digest.update(json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    return {"paths": list(data) or [DEFAULT_DATA], "sha256": digest.hexdigest(),
            "articles": len(articles), "quotes": sum(len(a.quotes) for a in articles),
            "labels": dict(Counter(q.stance for a in articles for q in a.quotes).most_common())}


def _brief(report: dict) -> dict:
    stance = report["stance"]
    return {"folds": report["folds"], "quote_f1": report["quotes"]["f1"],
            "speaker_accuracy": report["speaker_accuracy"], "stance_macro_f1": stance["macro_f1"],
            "stance_macro_f1_gold_quotes": report["stance_on_gold_quotes"]["macro_f1"]}


@main.command()
@click.option("--data", multiple=True, type=click.Path(exists=True), help="Labeled data for cross-validation [labels/].")
@click.option("--folds", default=5, show_default=True, help="K for K-fold cross-validation grouped by article.")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False), help="Score a trained model on this labeled file instead.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, type=click.Path(), help="Bundle for --gold.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Also write the figures as JSON.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), help="With --gold: write every miss as JSON Lines.")
@click.option("--predictions", type=click.Path(dir_okay=False), help="With --gold: write the predictions as JSON Lines.")
@click.option("--jobs", default=1, show_default=True,
              help="Folds run in parallel (figures can then differ from --jobs 1 in the third decimal: README).")
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False),
              help="Also draw confusion.png, label_f1.png and learning_curve.png (on --data) in this folder.")
def evaluate(data, folds, gold, model, json_path, errors_path, predictions, jobs, plots_dir):
    """Cross-validate on labeled data, or score a model on a gold file (ANNOTATION.md §5).

    \b
    Examples:
      qawl evaluate --folds 5
      qawl evaluate --gold ../shared/eval/dev.jsonl --errors misses.jsonl
      qawl evaluate --folds 5 --jobs 2 --plots plots/
    """
    from train.evaluate import check_folds, cross_validate, evaluate_gold  # scikit-learn: see `train`

    if gold:
        models, schema, metadata = load_bundle(model)
        gold_articles, problems = load_labeled([gold], set(schema_names(schema)), strict=False)
        if problems:
            raise QawlError(problems[0])
        trained_on = metadata.get("training_data", {}).get("labels") or {"other": 1}
        report, predicted = evaluate_gold(Tagger(models), gold_articles, schema_names(schema),
                                          keep_errors=bool(errors_path), majority=max(trained_on, key=trained_on.get))
        if errors_path:
            write_jsonl(report.pop("errors"), errors_path)
        if predictions:
            write_jsonl((a.to_dict() for a in predicted), predictions)
        title = f"{gold} with {model}"
    else:
        articles, schema = _labeled(data)
        check_folds(articles, folds)
        report = cross_validate(articles, schema["names"], folds, jobs)
        title = f"{folds}-fold cross-validation grouped by article, {len(articles)} articles"
    click.echo(format_report(title, report))
    if json_path:
        with atomic_write(json_path) as handle:
            json.dump(report, handle, ensure_ascii=False, indent=1)
    if plots_dir:
        _draw_plots(plots_dir, report, title, _labeled(data)[0] if gold else articles, folds, jobs,
                    gold_articles if gold else None)


def _draw_plots(folder, report, title, training, folds, jobs, heldout) -> None:
    from train.learning_curve import learning_curve  # scikit-learn and matplotlib: only here
    from train.plots import write_evaluation_plots

    # cross-validation already measured the 100% point on these folds; a gold file was scored by
    # the bundle, not by a model fitted on `training`, so there every point is fitted
    curve = learning_curve(training, list(report["stance_on_gold_quotes"]["per_label"]), folds, jobs,
                           heldout, full=None if heldout else report["stance_on_gold_quotes"])
    for path in write_evaluation_plots(report, curve, folder, title):
        click.echo(f"wrote {path}", err=True)


@main.command()
@click.option("--data", multiple=True, type=click.Path(exists=True), help="Labeled JSONL files or folders [labels/].")
@click.option("--folds", default=5, show_default=True, help="K for K-fold cross-validation grouped by article.")
@click.option("--jobs", default=1, show_default=True, help="Fits run in parallel (joblib).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Also write every setting's score as JSON.")
def search(data, folds, jobs, json_path):
    """Grid-search the stance model's settings by cross-validated macro-F1 on labeled data.

    Prints every setting with the mean and spread of held-out stance macro-F1, best first.

    Example: qawl search --folds 5 --jobs 2
    """
    from train.evaluate import check_folds
    from train.search import search_stance

    articles, _ = _labeled(data)
    check_folds(articles, folds)
    rows = search_stance(articles, folds, jobs)
    for row in rows:
        click.echo(f"{row['macro_f1']:.3f} ± {row['std']:.3f}  {json.dumps(row['params'], ensure_ascii=False)}")
    if json_path:
        with atomic_write(json_path) as handle:
            json.dump(rows, handle, ensure_ascii=False, indent=1)


def schema_names(schema: dict) -> list[str]:
    return [label["name"] for label in schema["labels"]]


def _baseline_lines(baseline: dict | None) -> list[str]:
    if not baseline:
        return []
    return ["", "baseline (same articles): quotes in marks only, speaker = the two words after the nearest cue,",
            f"  every stance {baseline['stance']!r}: quote F1 {baseline['quote_f1']:.3f}, speaker accuracy "
            f"{baseline['speaker_accuracy']:.3f}, stance macro-F1 {baseline['stance_macro_f1']:.3f} end to end, "
            f"{baseline['stance_macro_f1_gold_quotes']:.3f} on the gold quotes"]


def _abstention_lines(rows: list[dict] | None) -> list[str]:
    if not rows:
        return []
    lines = ["", "--min-confidence on the gold quotes: a position below it becomes 'other'",
             f"{'min':>6}{'precision':>11}{'coverage':>10}{'recall':>8}{'macro-F1':>10}"]
    lines += [f"{r['min_confidence']:>6.1f}{r['precision']:>11.3f}{r['coverage']:>10.3f}{r['recall']:>8.3f}"
              f"{r['macro_f1']:>10.3f}" for r in rows]
    return lines


def format_report(title: str, report: dict) -> str:
    """The figures as a readable text table."""
    q, stance, gold_stance = report["quotes"], report["stance"], report["stance_on_gold_quotes"]
    lines = [title, "",
             f"quotes        P {q['precision']:.3f}  R {q['recall']:.3f}  F1 {q['f1']:.3f}  "
             f"(gold {q['gold']}, predicted {q['predicted']}, matched {q['matched']})",
             f"speaker       accuracy {report['speaker_accuracy']:.3f} on matched quotes",
             f"stance        macro-F1 {stance['macro_f1']:.3f} end to end, "
             f"{gold_stance['macro_f1']:.3f} on the gold quotes (accuracy {gold_stance['accuracy']:.3f})",
             *_baseline_lines(report.get("baseline")), *_abstention_lines(report.get("abstention")),
             "", f"{'label':<27}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}   (stance on the gold quotes)"]
    for label, row in gold_stance["per_label"].items():
        lines.append(f"{label:<27}{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}{row['support']:>6}")
    labels = list(gold_stance["confusion"])
    lines += ["", "confusion (rows gold, columns predicted): " + " ".join(f"{i}={l}" for i, l in enumerate(labels))]
    lines.append("    " + "".join(f"{i:>5}" for i in range(len(labels))))
    for i, label in enumerate(labels):
        lines.append(f"{i:>3} " + "".join(f"{gold_stance['confusion'][label][p]:>5}" for p in labels))
    return "\n".join(lines)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--model", default=DEFAULT_MODEL, show_default=True, type=click.Path(), help="Bundle folder.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write JSON Lines here (atomically) instead of stdout.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), help="Also write bad input records here.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
@click.option("--min-confidence", default=0.0, show_default=True, help="Label stances below this probability `other`.")
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv", "text"]), default="jsonl",
              show_default=True, help="jsonl: corpus records; csv: one row per quote; text: for reading.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write an article view here: quotes highlighted in place, right to left.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes (joblib); the output is the same as with one.")
@click.option("--dask-scheduler", "scheduler", metavar="ADDRESS",
              help="Run the batches on a Dask cluster, e.g. tcp://10.0.0.5:8786 (see README).")
def predict(inputs, model, output, errors_path, strict, min_confidence, output_format, html_path, jobs, scheduler):
    """Find quotes, speakers and stances in articles.

    INPUTS are .txt articles, .jsonl files of {"id", "text"} records, folders of them, or - for stdin.

    \b
    Examples:
      qawl predict article.txt
      qawl predict archive.jsonl --output tagged.jsonl --errors bad.jsonl
      qawl predict article.txt --html article.html   # and open article.html in a browser
      qawl predict archive/ --jobs 2 --output tagged.jsonl
      cat article.txt | qawl predict -
    """
    bad: list[BadRecord] = []
    articles = _good_records(progress(read_articles(inputs), inputs), bad, strict)
    if output_format == "jsonl" and not html_path:  # the lines are encoded where they are tagged
        count = write_lines(tag_articles(articles, model, min_confidence, jobs, scheduler, article_line), output)
    else:
        tagged = tag_articles(articles, model, min_confidence, jobs, scheduler)
        with article_view_beside(html_path, tagged) as tagged:
            count = FORMATS[output_format](tagged, output)
    _finish(count, bad, errors_path, "articles")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--model", default=DEFAULT_MODEL, show_default=True, type=click.Path(), help="Bundle folder.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write JSON Lines here instead of stdout.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
def classify(inputs, model, output, strict):
    """Fill in the stance of quotes that are already given (corpus-format records).

    Example: qawl classify gold.jsonl --output with-stances.jsonl
    """
    models, _, _ = load_bundle(model)
    tagger = Tagger(models)
    bad: list[BadRecord] = []
    articles = _good_records(read_articles(inputs), bad, strict)
    done = (article.to_dict() for batch in batches(articles) for article in tagger.classify_batch(batch))
    count = write_jsonl(done, output)
    _finish(count, bad, None, "articles")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--n", "n", default=50, show_default=True, type=click.IntRange(min=1), help="How many quotes to pick.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, type=click.Path(), help="Bundle folder.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write JSON Lines here instead of stdout.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
def suggest(inputs, n, model, output, strict):
    """Pick the N quotes whose stance the model is least sure of: the ones to label next.

    Records that bring quotes (labeled or predicted files) have those quotes classified; articles
    without quotes are predicted first. Uncertainty is the margin between the two most probable
    stances, smallest first: that is the annotator's question, "this label or that one?", while
    entropy over all 12 labels would favour quotes spread thinly over labels that are not in play.
    Ties go by article id, then position, so the same input always gives the same list.
    Each output line: id, quote, start/end, speaker, kind, cue, via, top_two stances with their
    probabilities, margin and rank (1 = least sure).

    \b
    Examples:
      qawl suggest archive.jsonl --n 50 -o to-label.jsonl
      qawl suggest new/ --n 20 | jq -r '.quote'
    """
    tagger = Tagger(load_bundle(model)[0])
    bad: list[BadRecord] = []
    articles = _good_records(read_articles(inputs), bad, strict)
    scored = (article for batch in batches(articles) for article in score_stances(tagger, batch))
    count = write_jsonl(most_uncertain(scored, n), output)
    _finish(count, bad, None, "quotes")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--model", default=DEFAULT_MODEL, show_default=True, type=click.Path(), help="Bundle folder.")
@click.option("--top", default=6, show_default=True, type=click.IntRange(min=1), help="Features shown per list.")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per quote instead of text.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
def explain(inputs, model, top, as_json, strict):
    """Show why each quote got its stance and its speaker: the features that pushed most.

    Every stage is a logistic regression, so a feature's push is exactly its value times its
    weight in the model: `words:` are word n-grams, `chars:` character n-grams (spaces mark
    word edges), `features:` the cue, negation, lexicon and position features.

    \b
    Examples:
      qawl explain article.txt
      qawl explain archive.jsonl --top 10 --json | jq .stance_for
    """
    tagger = Tagger(load_bundle(model)[0])
    bad: list[BadRecord] = []
    count = 0
    for article in _good_records(read_articles(inputs), bad, strict):
        for number, item in enumerate(tagger.explain(article, top), 1):
            click.echo(json.dumps(_explained_record(article.id, number, item), ensure_ascii=False) if as_json
                       else _explained_text(article.id, number, item))
            count += 1
    _finish(count, bad, None, "quotes")


def _explained_record(article_id: str, number: int, item: dict) -> dict:
    quote = item["quote"]
    terms = {key: [{"kind": k, "feature": f, "push": round(float(w), 4)} for k, f, w in item[key]]
             for key in ("stance_for", "stance_against", "speaker_for")}
    return {"id": article_id, "number": number, "quote": quote.quote, "start": quote.start, "end": quote.end,
            "stance": quote.stance, "stance_score": quote.stance_score, "speaker_name": quote.speaker_name,
            "speaker_score": quote.speaker_score, **terms}


def _explained_text(article_id: str, number: int, item: dict) -> str:
    quote = item["quote"]

    def listed(terms):
        return ", ".join(f"{kind}:{feature!r} {weight:+.2f}" for kind, feature, weight in terms) or "-"

    return "\n".join([f"== {article_id} #{number} [{quote.stance} {quote.stance_score:.2f}] «{quote.quote[:90]}»",
                      f"  stance pushed by:  {listed(item['stance_for'])}",
                      f"  held back by:      {listed(item['stance_against'])}",
                      f"  speaker «{quote.speaker_name}» ({quote.speaker_score:.2f}) chosen for: "
                      f"{listed(item['speaker_for'])}"])


@main.command("export-labelstudio")
@click.argument("inputs", nargs=-1)
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the tasks here and the labeling config beside them [tasks to stdout].")
@click.option("--config", "config_only", is_flag=True, help="Print the labeling config (XML) and stop.")
@click.option("--schema", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Label schema [schema.json beside INPUTS, else labels/schema.json].")
@click.option("--model-version", default="qawl", show_default=True, help="Label Studio's name for these predictions.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
def export_labelstudio(inputs, output, config_only, schema, model_version, strict):
    """Turn prediction or labeled records into Label Studio tasks, to correct them there.

    Each article becomes a task whose quotes are pre-annotations: the stance as a text region,
    speaker mentions, speaker name, cue and via as per-region text, kind and construction as
    per-region choices. Create the Label Studio project with the labeling config that --config
    prints (with -o it is also written beside the tasks, as NAME.labeling-config.xml), import
    the tasks, correct them, export as JSON and run `qawl import-labelstudio`.

    \b
    Examples:
      qawl export-labelstudio draft.jsonl -o tasks.json
      qawl export-labelstudio --config > labeling-config.xml
    """
    if not inputs and not config_only:
        raise click.UsageError("give the records to export, or --config for the labeling config alone")
    schema = load_schema(schema or find_schema(list(inputs)))
    if config_only:
        click.echo(labeling_config(schema), nl=False)
        return
    labels, bad = set(schema["names"]), []
    articles = _good_records(_checked(read_articles(inputs), lambda a: export_problems(a, labels)), bad, strict)
    count = write_tasks((article_to_task(a, model_version) for a in articles), output)
    if output not in (None, "-"):
        config = Path(output).with_name(Path(output).stem + ".labeling-config.xml")
        with atomic_write(config) as handle:
            handle.write(labeling_config(schema))
        click.echo(f"{count} task(s) -> {output}; labeling config -> {config}", err=True)
    _finish(count, bad, None, "articles")


@main.command("import-labelstudio")
@click.argument("export", type=click.Path(exists=True, dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write corpus records here instead of stdout.")
@click.option("--schema", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Label schema [schema.json beside EXPORT, else labels/schema.json].")
@click.option("--use-predictions", is_flag=True,
              help="Take a task's predictions when nobody annotated it [such tasks are skipped].")
@click.option("--strict", is_flag=True, help="Stop at the first bad task.")
def import_labelstudio(export, output, schema, use_predictions, strict):
    """Turn a Label Studio JSON export back into corpus records that `qawl validate` accepts.

    Per task the ground-truth annotation is used, else the last one not cancelled. Tasks nobody
    annotated are skipped and counted (--use-predictions takes their predictions instead).
    Spans are trimmed of the spaces, quotation marks and edge punctuation a selection picks up.
    A task with a problem (no stance, two stances, no kind, a speaker not in the text ...) is
    reported with the file and task number and skipped (exit 3).

    \b
    Example:
      qawl import-labelstudio project-3-at-2026-12-01.json -o labels/corpus/new-01.jsonl
    """
    labels, bad = set(load_schema(schema or find_schema([export]))["names"]), []
    items, unannotated = read_export(export, use_predictions)
    if unannotated:
        click.echo(f"{len(unannotated)} task(s) without an annotation skipped, the first: {unannotated[0]}", err=True)
    articles = _good_records(_checked(items, lambda a: check_article(a, labels)), bad, strict)
    count = write_jsonl((corpus_record(a) for a in articles), output)
    _finish(count, bad, None, "articles")


def _checked(items, find_problems):
    """Articles in which `find_problems` finds any become bad records named by their location."""
    for item in items:
        if isinstance(item, Article):
            problems = find_problems(item)
            if problems:
                item = BadRecord(item.extra.get("_location", item.id), "; ".join(problems))
        yield item


CSV_FIELDS = ("id", "start", "end", "kind", "quote", "speaker_name", "cue", "via", "stance",
              "stance_score", "speaker_score")


def _write_csv(articles, output: str | None) -> int:
    count = 0
    with (atomic_write(output) if output not in (None, "-") else nullcontext(sys.stdout)) as handle:
        writer = csv.DictWriter(handle, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for article in articles:
            count += 1
            for quote in article.quotes:
                writer.writerow({"id": article.id, **quote.to_dict()})
    return count


def _write_text(articles, output: str | None) -> int:
    count = 0
    with (atomic_write(output) if output not in (None, "-") else nullcontext(sys.stdout)) as handle:
        for article in articles:
            count += 1
            handle.write(f"== {article.id}: {len(article.quotes)} quote(s)\n")
            for number, quote in enumerate(article.quotes, 1):
                via = f" (via {quote.via})" if quote.via else ""
                handle.write(f"{number:>3}. [{quote.stance} {quote.stance_score:.2f}] "
                             f"{quote.speaker_name or '?'}{via} — {quote.kind}, cue «{quote.cue}»\n"
                             f"     {quote.quote}\n")
    return count


FORMATS = {"jsonl": lambda articles, output: write_lines(map(article_line, articles), output),
           "csv": _write_csv, "text": _write_text}


def _good_records(items, bad: list[BadRecord], strict: bool):
    for item in items:
        if isinstance(item, Article) and not has_arabic(item.text):
            item = BadRecord(item.extra.get("_location", item.id), "the text has no Arabic letters")
        if isinstance(item, BadRecord):
            if strict:
                raise QawlError(str(item))
            click.echo(f"warning: {item}", err=True)
            bad.append(item)
            continue
        item.extra.pop("_location", None)
        yield item


def _finish(count: int, bad: list[BadRecord], errors_path: str | None, what: str) -> None:
    if errors_path:
        write_jsonl(({"location": b.location, "problem": b.problem} for b in bad), errors_path)
    if bad:
        click.echo(f"{count} {what} done; {len(bad)} bad record(s) skipped", err=True)
        sys.exit(EXIT_BAD_RECORDS)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def validate(paths):
    """Check labeled files against the contract; list every problem with file, line and field.

    Example: qawl validate labels/
    """
    paths = list(paths) or [DEFAULT_DATA]
    schema = load_schema(find_schema(paths))
    articles, problems = load_labeled(paths, set(schema["names"]))
    for problem in problems:
        click.echo(problem)
    quotes = sum(len(a.quotes) for a in articles)
    click.echo(f"{len(problems)} problem(s); {len(articles)} valid articles, {quotes} quotes", err=True)
    if problems:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(paths, as_json):
    """Corpus figures: articles, quotes, per label, per kind, per construction, near-duplicates.

    Example: qawl stats labels/
    """
    articles, schema = _labeled(tuple(paths))
    figures = corpus_stats(articles, schema["names"])
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    quotes = [q.quote for a in articles for q in a.quotes]
    click.echo(f"articles {figures['articles']} ({figures['articles_without_quotes']} without quotes), "
               f"quotes {figures['quotes']}")
    click.echo(f"indirect share {figures['indirect_share']:.1%}, other share {figures['other_share']:.1%}")
    click.echo("per label: " + ", ".join(f"{k} {v}" for k, v in figures["per_label"].items()))
    click.echo("per kind: " + ", ".join(f"{k} {v}" for k, v in figures["per_kind"].items()))
    click.echo("per construction: " + ", ".join(f"{k} {v}" for k, v in figures["per_construction"].items()))
    click.echo(f"near-duplicate quote pairs (5-gram Jaccard >= 0.6): {len(figures['near_duplicates'])}")
    for first, second, similarity in figures["near_duplicates"][:10]:
        click.echo(f"  {similarity:.2f}  {quotes[first][:50]!r} ~ {quotes[second][:50]!r}")


@main.command("report")
@click.argument("predictions", nargs=-1, required=True)
@click.option("--by", "group_by", type=click.Choice(["all", "month"]), default="all", show_default=True,
              help="month: also one table per month of the records' \"date\" (YYYY-MM-DD...); others go in `undated`.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the table here as CSV.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Also write the table here as an HTML page.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(min=0), help="Speakers per table, most quoted first; 0 for all.")
@click.option("--examples", default=2, show_default=True, type=click.IntRange(min=0), help="Example quotes kept per speaker and stance.")
@click.option("--strict", is_flag=True, help="Stop at the first bad record.")
def corpus_report(predictions, group_by, csv_path, html_path, top, examples, strict):
    """Who takes which position, how often: speaker x stance over prediction records.

    PREDICTIONS are JSON Lines written by `qawl predict` (or corrected corpus records).

    \b
    Examples:
      qawl report tagged.jsonl
      qawl report 2026-*.jsonl --by month --top 0 --csv stances.csv --html stances.html
    """
    bad: list[BadRecord] = []
    report = build_report(_good_records(read_articles(predictions), bad, strict),
                          by_month=group_by == "month", examples=examples)
    click.echo(format_report_text(report, top))
    if csv_path:
        write_report_csv(report, csv_path, top)
    if html_path:
        write_report_html(report, html_path, top)
    _finish(report.articles, bad, None, "articles")
