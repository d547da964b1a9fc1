"""Speed figures: `make bench` (or `python bench/run.py --sizes 1000 10000`).

The workload is made of the corpus' own original articles, their paragraphs shuffled into new
articles. Prints end-to-end prediction throughput beside the camel-tools normalise+tokenise pass
alone (the practical floor), training time, and the start-up time of `qawl predict`.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from camel_tools.tokenizers.word import simple_word_tokenize

from predict.bundle import load_bundle
from predict.pipeline import Tagger
from predict.records import Article
from predict.text import normalize
from train.corpus import load_labeled, load_schema
from train.fit import fit_models

ROOT = Path(__file__).resolve().parent.parent


def workload(paragraphs: list[str], size: int, seed: int = 0) -> list[Article]:
    rng = random.Random(seed)
    return [Article(f"b{i}", "\n".join(rng.sample(paragraphs, 6))) for i in range(size)]


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def tokenise_pass(articles: list[Article]) -> None:
    for article in articles:
        simple_word_tokenize(normalize(article.text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    options = parser.parse_args()

    schema = load_schema(ROOT / "labels" / "schema.json")
    corpus, _ = load_labeled([str(ROOT / "labels")], set(schema["names"]))
    train_seconds = timed(fit_models, corpus)
    print(f"training on {len(corpus)} articles: {train_seconds:.1f} s")

    models, _, _ = load_bundle(options.model)
    tagger = Tagger(models)
    paragraphs = [p for a in corpus for p in a.text.split("\n") if len(p) > 80]
    print(f"{'articles':>9} {'MB':>6} {'predict/s':>10} {'MB/s':>6} {'tokenise/s':>11} {'ratio':>6}")
    for size in options.sizes:
        articles = workload(paragraphs, size)
        megabytes = sum(len(a.text.encode()) for a in articles) / 1e6
        floor = timed(tokenise_pass, articles)
        full = timed(lambda: [tagger.tag_batch(articles[i:i + 64]) for i in range(0, size, 64)])
        print(f"{size:>9} {megabytes:>6.1f} {size / full:>10.0f} {megabytes / full:>6.2f} "
              f"{size / floor:>11.0f} {full / floor:>6.2f}")

    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
        handle.write(paragraphs[0])
        handle.flush()
        qawl = str(Path(sys.executable).with_name("qawl"))
        startup = timed(subprocess.run, [qawl, "predict", "--model", options.model, handle.name],
                        stdout=subprocess.DEVNULL)
    print(f"start-up of `qawl predict` on one short article (model load included): {startup:.2f} s")


if __name__ == "__main__":
    main()
