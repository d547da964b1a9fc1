"""Evaluation: K-fold cross-validation grouped by article, and scoring a model on a gold file."""

from __future__ import annotations

import copy
from collections import Counter

from joblib import Parallel, delayed
from sklearn.model_selection import StratifiedGroupKFold

from predict.pipeline import Tagger
from predict.records import Article, QawlError
from train.baselines import baseline_report, majority_stance
from train.fit import fit_models
from train.scoring import Tally, abstention_curve, stance_report


def check_folds(articles: list[Article], folds: int) -> None:
    """Refuse fold counts that cannot work, saying what to do instead."""
    if folds < 2:
        raise QawlError(f"--folds {folds}: cross-validation needs at least 2 folds")
    if len(articles) < folds:
        raise QawlError(f"--folds {folds}: only {len(articles)} articles; use fewer folds or add data")
    # folds split articles, so a label must be in K articles for each fold to test it and the
    # others to learn it
    in_articles = Counter(label for article in articles for label in {q.stance for q in article.quotes})
    label, count = min(in_articles.items(), key=lambda item: (item[1], item[0]), default=("", folds))
    if count < folds:
        quotes = sum(q.stance == label for article in articles for q in article.quotes)
        fewer = f", or use --folds {count}" if count >= 2 else ""
        raise QawlError(f"--folds {folds}: label {label!r} has only {quotes} example(s), in {count} "
                        f"article(s), too few to be in each of {folds} folds; add articles with "
                        f"{label!r} quotes{fewer}")


def fold_split(articles: list[Article], folds: int, seed: int = 0) -> list[tuple[list[int], list[int]]]:
    """Article-level folds: no article is in both train and test; stratified by each article's
    most frequent stance, so every fold sees every label where the data allow."""
    check_folds(articles, folds)
    strata = []
    for article in articles:
        labels = [q.stance for q in article.quotes] or ["<none>"]
        strata.append(min(labels, key=lambda label: (-labels.count(label), label)))
    sizes = Counter(strata)  # a stratum smaller than K cannot be spread over the folds: join the largest
    strata = [stratum if sizes[stratum] >= folds else sizes.most_common(1)[0][0] for stratum in strata]
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
    report["baseline"] = baseline_report(articles, majority_stance(articles), labels)
    return report


def _run_fold(articles: list[Article], train: list[int], test: list[int]):
    models = fit_models([articles[i] for i in train])
    tagger = Tagger(models)
    gold = [articles[i] for i in test]
    predicted = tagger.tag_batch(gold)
    given = tagger.classify_batch(copy.deepcopy(gold))
    pairs = [(g.stance, p.stance) for ga, pa in zip(gold, given) for g, p in zip(ga.quotes, pa.quotes)]
    return gold, predicted, pairs


def evaluate_gold(tagger: Tagger, gold: list[Article], labels: list[str], keep_errors: bool = False,
                  majority: str = "other") -> dict:
    """Score a fitted model on held-out labeled articles (ANNOTATION.md §5), beside the baselines
    (`majority` is the training data's most frequent stance)."""
    unlabeled = [Article(a.id, a.text, [], a.extra) for a in gold]
    predicted = tagger.tag_batch(unlabeled)
    tally = Tally()
    for g, p in zip(gold, predicted):
        tally.add(g, p, keep_errors=keep_errors)
    report = tally.report(labels)
    given = tagger.classify_batch(copy.deepcopy(gold))
    pairs = [(g, p) for ga, pa in zip(gold, given) for g, p in zip(ga.quotes, pa.quotes)]
    report["stance_on_gold_quotes"] = stance_report([(g.stance, p.stance) for g, p in pairs], labels)
    report["abstention"] = abstention_curve([g.stance for g, _ in pairs], [p.stance for _, p in pairs],
                                            [p.stance_score for _, p in pairs], labels)
    report["articles"] = len(gold)
    report["baseline"] = baseline_report(gold, majority, labels)
    if keep_errors:
        report["errors"] = tally.errors
    return report, predicted
