"""Evaluation: K-fold cross-validation grouped by article, and scoring a model on a gold file."""

from __future__ import annotations

import copy

from joblib import Parallel, delayed
from sklearn.model_selection import StratifiedGroupKFold

from predict.pipeline import Tagger
from predict.records import Article, QawlError
from train.fit import fit_models
from train.scoring import Tally, stance_report


def check_folds(articles: list[Article], folds: int) -> None:
    """Refuse fold counts that cannot work, saying what to do instead."""
    if folds < 2:
        raise QawlError(f"--folds {folds}: cross-validation needs at least 2 folds")
    if len(articles) < folds:
        raise QawlError(f"--folds {folds}: only {len(articles)} articles; use fewer folds or add data")


def fold_split(articles: list[Article], folds: int, seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """Article-level folds: no article is in both train and test; stratified by each article's
    most frequent stance, so every fold sees every label where the data allow."""
    check_folds(articles, folds)
    strata = []
    for article in articles:
        labels = [q.stance for q in article.quotes] or ["<none>"]
        strata.append(min(labels, key=lambda label: (-labels.count(label), label)))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    indices = list(range(len(articles)))
    return [(list(train), list(test)) for train, test in splitter.split(indices, strata, groups=indices)]


def cross_validate(articles: list[Article], labels: list[str], folds: int = 5, jobs: int = 1) -> dict:
    """End-to-end and gold-quote figures of models fitted and tested fold by fold."""
    splits = fold_split(articles, folds)
    results = Parallel(n_jobs=jobs)(delayed(_run_fold)(articles, train, test) for train, test in splits)
    end_to_end, gold_pairs = Tally(), []
    for gold_articles, predicted, classified in results:
        for gold, pred in zip(gold_articles, predicted):
            end_to_end.add(gold, pred)
        gold_pairs += classified
    report = end_to_end.report(labels)
    report["stance_on_gold_quotes"] = stance_report(gold_pairs, labels)
    report["folds"] = folds
    report["articles"] = len(articles)
    return report


def _run_fold(articles: list[Article], train: list[int], test: list[int]):
    models = fit_models([articles[i] for i in train])
    tagger = Tagger(models)
    gold = [articles[i] for i in test]
    predicted = tagger.tag_batch(gold)
    given = tagger.classify_batch(copy.deepcopy(gold))
    pairs = [(g.stance, p.stance) for ga, pa in zip(gold, given) for g, p in zip(ga.quotes, pa.quotes)]
    return gold, predicted, pairs


def evaluate_gold(tagger: Tagger, gold: list[Article], labels: list[str], keep_errors: bool = False) -> dict:
    """Score a fitted model on held-out labeled articles (ANNOTATION.md §5)."""
    unlabeled = [Article(a.id, a.text, [], a.extra) for a in gold]
    predicted = tagger.tag_batch(unlabeled)
    tally = Tally()
    for g, p in zip(gold, predicted):
        tally.add(g, p, keep_errors=keep_errors)
    report = tally.report(labels)
    given = tagger.classify_batch(copy.deepcopy(gold))
    report["stance_on_gold_quotes"] = stance_report(
        [(g.stance, p.stance) for ga, pa in zip(gold, given) for g, p in zip(ga.quotes, pa.quotes)], labels)
    report["articles"] = len(gold)
    if keep_errors:
        report["errors"] = tally.errors
    return report, predicted
