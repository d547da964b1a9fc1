"""`qawl evaluate --plots`: the confusion matrix, per-label F1 and learning curve pictures."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from predict.records import Article
from qawl import main
from tests.conftest import ROOT, corpus_files
from train.learning_curve import training_subset

PICTURES = ("confusion.png", "label_f1.png", "learning_curve.png")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A small slice of the corpus: enough for two folds, quick to fit."""
    folder = tmp_path_factory.mktemp("data")
    for path in corpus_files("afr-03", "afr-09", "gul-14", "int-06", "int-12"):
        (folder / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (folder / "schema.json").write_text((ROOT / "labels" / "schema.json").read_text("utf-8"), "utf-8")
    return folder


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_pictures(folder):
    for name in PICTURES:
        image = (folder / name).read_bytes()
        assert image.startswith(PNG_MAGIC), name
        assert len(image) > 10_000, f"{name} is only {len(image)} bytes"
    assert sorted(p.name for p in folder.iterdir()) == sorted(PICTURES)  # no temporary files left


def test_cross_validation_plots(data, tmp_path):
    folder, figures = tmp_path / "plots", tmp_path / "cv.json"
    result = run("evaluate", "--data", data, "--folds", 2, "--jobs", 2, "--plots", folder, "--json", figures)
    assert result.exit_code == 0, result.output
    assert_pictures(folder)
    assert f"wrote {folder / 'learning_curve.png'}" in result.stderr
    assert "confusion" in result.stdout and json.loads(figures.read_text())["folds"] == 2


def test_gold_plots_fit_the_curve_on_data(data, tmp_path):
    model = tmp_path / "model"
    assert run("train", "--data", data, "--model", model).exit_code == 0
    gold = corpus_files("afr-06")[0]  # not in the slice
    folder = tmp_path / "plots"
    result = run("evaluate", "--gold", gold, "--model", model, "--data", data, "--plots", folder)
    assert result.exit_code == 0, result.output
    assert_pictures(folder)


def test_training_subsets_are_whole_articles_and_nest():
    articles = [Article(f"a{i}", "نص") for i in range(20)]
    small, large = training_subset(articles, 0.2, seed=3), training_subset(articles, 0.6, seed=3)
    assert len(small) == 4 and len(large) == 12 and small == large[:4]
    assert len(training_subset(articles[:3], 0.2, seed=0)) == 2  # never fewer than two articles
