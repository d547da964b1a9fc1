"""Speed and memory figures: `make bench` (or `python bench/run.py --sizes 1000 10000 50000`).

The workload is made of the corpus' own original articles, their paragraphs shuffled into new
articles, written as JSON Lines. For each size it prints end-to-end prediction throughput on
one core beside the camel-tools normalise+tokenise pass alone (the practical floor), the two timed
side by side, batch by batch in turn, and the ratio; then the
peak memory of `qawl predict` per size, the speed-up of `--jobs 2` over `--jobs 1` on the largest
size, training time on the corpus (with `--jobs 1` and `--jobs 2`) and 5-fold cross-validation
time, and the start-up time of `qawl predict` on one short article. `--big-mb 1000` also streams
a 1 GB input through `qawl predict` and prints its peak memory; `--articles PATH` also prints the
in-process row for articles of your own, such as real news (their first pass: words the corpus
does not have fill the caches then).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from itertools import count, islice
from pathlib import Path

from camel_tools.tokenizers.word import simple_word_tokenize

from predict.bundle import load_bundle
from predict.parallel import batches
from predict.pipeline import Tagger
from predict.records import Article, read_articles
from predict.text import normalize
from train.corpus import load_labeled, load_schema
from train.evaluate import cross_validate
from train.fit import fit_models

ROOT = Path(__file__).resolve().parent.parent
QAWL = str(Path(sys.executable).with_name("qawl"))


def shuffled_articles(paragraphs: list[str], seed: int = 0) -> Iterator[Article]:
    """An endless stream of articles of six corpus paragraphs each, in a seeded random order."""
    rng = random.Random(seed)
    for i in count():
        yield Article(f"b{i}", "\n".join(rng.sample(paragraphs, 6)))


def workload(paragraphs: list[str], size: int, seed: int = 0) -> list[Article]:
    return list(islice(shuffled_articles(paragraphs, seed), size))


def write_big_workload(path: Path, paragraphs: list[str], megabytes: int) -> int:
    """Stream articles into `path` until it holds about `megabytes` MB; return how many."""
    written, articles = 0, 0
    with path.open("w", encoding="utf-8") as handle:
        for article in shuffled_articles(paragraphs, seed=1):
            if written >= megabytes * 1_000_000:
                break
            line = json.dumps({"id": article.id, "text": article.text}, ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode())
            articles += 1
    return articles


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def tokenise_pass(articles: list[Article]) -> None:
    for article in articles:
        simple_word_tokenize(normalize(article.text))


def print_throughput(tagger: Tagger, articles: list[Article], label: str) -> None:
    """One row: prediction and the tokenise floor over the same articles, and their ratio.

    Each batch of 64 is tagged (keeping nothing, as `qawl predict` streams and as the tokenise
    pass keeps no tokens) and tokenised in turn, the two summed apart. Whole passes timed apart
    put the same code's cold 1k ratio anywhere from 2.02x to 3.53x within an hour on a shared
    machine whose speed moves by up to 40% in minutes; side by side, a slow spell slows both.
    """
    megabytes = sum(len(a.text.encode()) for a in articles) / 1e6
    full = floor = 0.0
    for index, batch in enumerate(batches(articles)):
        if index % 2:  # either goes first in turn, so neither always finds the batch's text in cache
            floor += timed(tokenise_pass, batch)
            full += timed(tagger.tag_batch, batch)
        else:
            full += timed(tagger.tag_batch, batch)
            floor += timed(tokenise_pass, batch)
    print(f"{label:>9} {megabytes:>6.1f} {len(articles) / full:>10.0f} {megabytes / full:>6.2f} "
          f"{len(articles) / floor:>11.0f} {full / floor:>6.2f}", flush=True)


def run_predict(model: str, path: Path, *options: str) -> tuple[float, int]:
    """Wall seconds and peak resident kilobytes of one `qawl predict` process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", QAWL, "predict", "--model", model, str(path),
                           "--output", "/dev/null", *options], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--big-mb", type=int, default=0, metavar="MB",
                        help="also stream an input of about MB megabytes through `qawl predict` and print its "
                             "peak memory (1000 MB takes half an hour to an hour on one core)")
    parser.add_argument("--articles", nargs="+", metavar="PATH",
                        help="also time prediction beside the tokenise floor on these articles (files or "
                             "folders, read as `qawl predict` reads them), such as real news")
    options = parser.parse_args()

    schema = load_schema(ROOT / "labels" / "schema.json")
    corpus, _ = load_labeled([str(ROOT / "labels")], set(schema["names"]))
    paragraphs = [p for a in corpus for p in a.text.split("\n") if len(p) > 80]
    tagger = Tagger(load_bundle(options.model)[0])

    print("prediction on one core, in process (model loaded once):")
    print(f"{'articles':>9} {'MB':>6} {'predict/s':>10} {'MB/s':>6} {'tokenise/s':>11} {'ratio':>6}")
    files = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in options.sizes:
            articles = workload(paragraphs, size)
            print_throughput(tagger, articles, str(size))
            files[size] = Path(folder) / f"bench-{size}.jsonl"
            files[size].write_text("".join(json.dumps({"id": a.id, "text": a.text}, ensure_ascii=False) + "\n"
                                           for a in articles), "utf-8")
            del articles
        if options.articles:
            articles = [found for found in read_articles(options.articles) if isinstance(found, Article)]
            print(f"the articles of {' '.join(options.articles)}:")
            print_throughput(tagger, articles, str(len(articles)))
            del articles

        print("\npeak resident memory of `qawl predict FILE --output /dev/null`:")
        for size, path in files.items():
            seconds, kilobytes = run_predict(options.model, path)
            print(f"{size:>9} articles ({path.stat().st_size / 1e6:.0f} MB): {kilobytes / 1024:.0f} MB peak, "
                  f"{seconds:.1f} s", flush=True)

        if options.big_mb:
            big = Path(folder) / "bench-big.jsonl"
            articles = write_big_workload(big, paragraphs, options.big_mb)
            seconds, kilobytes = run_predict(options.model, big)
            print(f"{articles:>9} articles ({big.stat().st_size / 1e6:.0f} MB): {kilobytes / 1024:.0f} MB peak, "
                  f"{seconds:.1f} s", flush=True)
            big.unlink()

        largest = max(files)
        one, _ = run_predict(options.model, files[largest], "--jobs", "1")
        two, _ = run_predict(options.model, files[largest], "--jobs", "2")
        print(f"\n--jobs 2 over --jobs 1 on {largest} articles: {one:.1f} s / {two:.1f} s = {one / two:.2f}x",
              flush=True)

    one, two = timed(fit_models, corpus, 1), timed(fit_models, corpus, 2)
    print(f"\ntraining on {len(corpus)} articles: {one:.1f} s (--jobs 1), {two:.1f} s (--jobs 2, as `make train`)",
          flush=True)
    cv = timed(cross_validate, corpus, schema["names"], 5, 2)
    print(f"5-fold cross-validation (--jobs 2): {cv:.1f} s", flush=True)

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
        handle.write(paragraphs[0])
        handle.flush()
        runs = [timed(subprocess.run, [QAWL, "predict", "--model", options.model, handle.name],
                      stdout=subprocess.DEVNULL) for _ in range(3)]
    print(f"start-up of `qawl predict` on one short article (model load included), best of 3: {min(runs):.2f} s")


if __name__ == "__main__":
    main()
