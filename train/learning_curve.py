"""The stance learning curve: macro-F1 on held-out quotes against the number of training articles.

Would more labeled articles help? Each point fits the stance model on a share of the training
articles (whole articles, the same nested random subsets in every fold) and classifies held-out
gold quotes — the folds of a cross-validation, or a gold file. Only the stance model is fitted:
it is what the corpus size limits most, and the quote filter and speaker ranker would multiply the
cost several times over. Points run in parallel with joblib.
"""

from __future__ import annotations

import random

from joblib import Parallel, delayed

from predict.records import Article
from train.estimators import make_stance_model
from train.evaluate import fold_split
from train.fit import stance_examples
from train.scoring import stance_report

FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)
MIN_TRAINING_ARTICLES = 2


def learning_curve(articles: list[Article], labels: list[str], folds: int = 5, jobs: int = 1,
                   heldout: list[Article] | None = None, full: dict | None = None,
                   fractions: tuple[float, ...] = FRACTIONS, seed: int = 0) -> dict:
    """Stance macro-F1 for models fitted on growing shares of `articles`.

    Args:
        articles: labeled training articles.
        labels: the stance labels, for the macro average (ANNOTATION.md §5).
        folds: K of the cross-validation folds (the same folds as `cross_validate`) when
            `heldout` is None.
        heldout: labeled articles to score on instead of folds (`qawl evaluate --gold`).
        full: the stance report already measured with all the training articles (a
            cross-validation's `stance_on_gold_quotes`), reused as the 100% point.
    Returns:
        {"heldout": what was scored, "articles": len(articles), "points": [{"fraction",
        "train_articles", "macro_f1", "accuracy", "quotes"}]} with the points in order of size.
    """
    if heldout is None:
        splits = [([articles[i] for i in train], [articles[i] for i in test])
                  for train, test in fold_split(articles, folds)]
        described = f"the {folds}-fold cross-validation"
    else:
        splits, described = [(articles, heldout)], f"the gold file ({len(heldout)} articles)"
    to_fit = [f for f in fractions if not (f == 1.0 and full is not None)]
    tasks = [(fraction, index) for fraction in to_fit for index in range(len(splits))]
    results = Parallel(n_jobs=jobs)(delayed(_score_subset)(*splits[index], fraction, seed + index)
                                    for fraction, index in tasks)
    points = []
    for fraction in fractions:
        if fraction not in to_fit:
            size = sum(len(train) for train, _ in splits) / len(splits)
            points.append(_point(fraction, size, full))
            continue
        runs = [result for (f, _), result in zip(tasks, results) if f == fraction]
        pairs = [pair for _, run_pairs in runs for pair in run_pairs]
        size = sum(n for n, _ in runs) / len(runs)
        points.append(_point(fraction, size, stance_report(pairs, labels)))
    return {"heldout": described, "articles": len(articles), "points": points}


def _point(fraction: float, size: float, report: dict) -> dict:
    return {"fraction": fraction, "train_articles": round(size, 1), "macro_f1": report["macro_f1"],
            "accuracy": report["accuracy"], "quotes": report["n"]}


def training_subset(articles: list[Article], fraction: float, seed: int) -> list[Article]:
    """The first `fraction` of the articles in a seeded shuffle: smaller shares nest in larger."""
    order = list(articles)
    random.Random(seed).shuffle(order)
    return order[:max(MIN_TRAINING_ARTICLES, round(fraction * len(order)))]


def _score_subset(train: list[Article], test: list[Article], fraction: float,
                  seed: int) -> tuple[int, list[tuple[str, str]]]:
    """(training articles, (gold, predicted) stance pairs on the held-out gold quotes)."""
    subset = training_subset(train, fraction, seed)
    train_x, train_y = stance_examples(subset)
    test_x, test_y = stance_examples(test)
    if not test_x:
        return len(subset), []
    if len(set(train_y)) < 2:  # too few articles to tell labels apart: every quote gets the one seen
        return len(subset), [(gold, train_y[0] if train_y else "") for gold in test_y]
    predicted = make_stance_model().fit(train_x, train_y).predict(test_x)
    return len(subset), list(zip(test_y, map(str, predicted)))
