"""The `qawl` command: a thin click front over `predict` and `train`.

Exit codes: 0 done; 1 an error (one line on stderr); 2 a usage error; 3 done, but some input
records were bad and were reported and skipped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from contextlib import nullcontext
from itertools import islice

import click

from predict.bundle import load_bundle, save_bundle
from predict.pipeline import Tagger
from predict.records import Article, BadRecord, QawlError, atomic_write, read_articles, write_jsonl
from predict.text import has_arabic
from train.corpus import DEFAULT_DATA, corpus_stats, find_schema, load_labeled, load_schema
from train.evaluate import check_folds, cross_validate, evaluate_gold
from train.fit import fit_models

DEFAULT_MODEL = "models/default"
BATCH_SIZE = 64
EXIT_BAD_RECORDS = 3


class CLIGroup(click.Group):
    """Turns `QawlError` into a one-line `Error: ...` and exit 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except QawlError as error:
            raise click.ClickException(str(error)) from None


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
@click.option("--jobs", default=1, show_default=True, help="Parallel folds for --cv.")
def train(data, model, cv_folds, jobs):
    """Fit the quote filter, speaker ranker and stance model; write a bundle.

    Example: qawl train --data labels/ --model models/default --cv 5
    """
    articles, schema = _labeled(data)
    metadata = {"training_data": _data_summary(articles, data)}
    if cv_folds:
        metadata["cross_validation"] = _brief(cross_validate(articles, schema["names"], cv_folds, jobs))
    models = fit_models(articles)
    path = save_bundle(models, model, {k: v for k, v in schema.items() if k != "names"}, metadata)
    click.echo(f"trained on {len(articles)} articles, "
               f"{metadata['training_data']['quotes']} quotes -> {path}", err=True)


def _data_summary(articles: list[Article], data: tuple[str, ...]) -> dict:
    digest = hashlib.sha256()
    for article in articles:
        digest.update(json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    return {"paths": list(data) or [DEFAULT_DATA], "sha256": digest.hexdigest(),
            "articles": len(articles), "quotes": sum(len(a.quotes) for a in articles)}


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
@click.option("--jobs", default=1, show_default=True, help="Folds run in parallel.")
def evaluate(data, folds, gold, model, json_path, errors_path, predictions, jobs):
    """Cross-validate on labeled data, or score a model on a gold file (ANNOTATION.md §5).

    \b
    Examples:
      qawl evaluate --folds 5
      qawl evaluate --gold ../shared/eval/dev.jsonl --errors misses.jsonl
    """
    if gold:
        models, schema, _ = load_bundle(model)
        gold_articles, problems = load_labeled([gold], set(schema_names(schema)), strict=False)
        if problems:
            raise QawlError(problems[0])
        report, predicted = evaluate_gold(Tagger(models), gold_articles, schema_names(schema),
                                          keep_errors=bool(errors_path))
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


def schema_names(schema: dict) -> list[str]:
    return [label["name"] for label in schema["labels"]]


def format_report(title: str, report: dict) -> str:
    """The figures as a readable text table."""
    q, stance, gold_stance = report["quotes"], report["stance"], report["stance_on_gold_quotes"]
    lines = [title, "",
             f"quotes        P {q['precision']:.3f}  R {q['recall']:.3f}  F1 {q['f1']:.3f}  "
             f"(gold {q['gold']}, predicted {q['predicted']}, matched {q['matched']})",
             f"speaker       accuracy {report['speaker_accuracy']:.3f} on matched quotes",
             f"stance        macro-F1 {stance['macro_f1']:.3f} end to end, "
             f"{gold_stance['macro_f1']:.3f} on the gold quotes (accuracy {gold_stance['accuracy']:.3f})",
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
def predict(inputs, model, output, errors_path, strict, min_confidence, output_format):
    """Find quotes, speakers and stances in articles.

    INPUTS are .txt articles, .jsonl files of {"id", "text"} records, folders of them, or - for stdin.

    \b
    Examples:
      qawl predict article.txt
      qawl predict archive.jsonl --output tagged.jsonl --errors bad.jsonl
      cat article.txt | qawl predict -
    """
    models, _, _ = load_bundle(model)
    tagger = Tagger(models, min_confidence=min_confidence)
    bad: list[BadRecord] = []
    articles = _good_records(read_articles(inputs), bad, strict)
    tagged = (article for batch in _batches(articles) for article in tagger.tag_batch(batch))
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
    done = (article.to_dict() for batch in _batches(articles) for article in tagger.classify_batch(batch))
    count = write_jsonl(done, output)
    _finish(count, bad, None, "articles")


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


FORMATS = {"jsonl": lambda articles, output: write_jsonl((a.to_dict() for a in articles), output),
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


def _batches(items, size: int = BATCH_SIZE):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


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
