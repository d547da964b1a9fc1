"""Shared fixtures: a small model trained once per test session on part of the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from predict.pipeline import Tagger
from train.corpus import load_labeled, load_schema

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "labels" / "corpus"


def corpus_files(*stems: str) -> list[Path]:
    """Corpus files by name, so that a test's training data stays the same as the corpus grows."""
    return [CORPUS / f"{stem}.jsonl" for stem in stems]


@pytest.fixture(scope="session")
def schema():
    return load_schema(ROOT / "labels" / "schema.json")


@pytest.fixture(scope="session")
def small_corpus(schema):
    """About 80 labeled articles: enough for every stage to learn, quick to fit."""
    files = [str(p) for p in corpus_files("afr-01", "afr-03", "afr-05", "afr-07", "afr-09", "afr-11", "afr-13",
                                          "gul-14", "int-02", "int-04")]
    articles, problems = load_labeled(files, set(schema["names"]))
    assert not problems, problems[:3]
    return articles


@pytest.fixture(scope="session")
def small_models(small_corpus):
    from train.fit import fit_models
    return fit_models(small_corpus)


@pytest.fixture(scope="session")
def tagger(small_models):
    return Tagger(small_models)


@pytest.fixture(scope="session")
def small_bundle(small_models, schema, tmp_path_factory):
    """`small_models` saved as a bundle folder, for the CLI and `qawl.load` without training again."""
    from predict.bundle import save_bundle
    path = tmp_path_factory.mktemp("bundles") / "small"
    return save_bundle(small_models, path, {k: v for k, v in schema.items() if k != "names"}, {})
