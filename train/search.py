"""Hyperparameter search for the stance model, inside cross-validation on the corpus.

Scikit-learn's GridSearchCV over the stance pipeline of `train.estimators`, scored by stance
macro-F1 on held-out folds that split articles (the same folds as `train.evaluate`), with the
folds and settings spread over joblib workers.
"""

from __future__ import annotations

from predict.features import CharNgrams, WordNgrams
from predict.records import Article
from train.estimators import make_stance_model
from train.evaluate import fold_split
from train.fit import stance_examples

STANCE_GRID = {
    "classifier__C": [1.0, 4.0, 16.0],
    "classifier__class_weight": ["balanced", None],
    "features__words__tfidf__analyzer": [WordNgrams(1, 2), WordNgrams(1, 3)],
    "features__chars__tfidf__analyzer": [CharNgrams(2, 4), CharNgrams(2, 5)],
}


def search_stance(articles: list[Article], folds: int = 5, jobs: int = 1, grid: dict | None = None) -> list[dict]:
    """Every setting of `grid` with its mean and spread of held-out stance macro-F1, best first."""
    from sklearn.model_selection import GridSearchCV

    records, labels, quote_folds = [], [], []
    article_of_quote = []
    for index, article in enumerate(articles):
        article_records, article_labels = stance_examples([article])
        records += article_records
        labels += article_labels
        article_of_quote += [index] * len(article_records)
    for train, test in fold_split(articles, folds):
        train_articles, test_articles = set(train), set(test)
        quote_folds.append(([i for i, a in enumerate(article_of_quote) if a in train_articles],
                            [i for i, a in enumerate(article_of_quote) if a in test_articles]))
    search = GridSearchCV(make_stance_model(), grid or STANCE_GRID, scoring="f1_macro", cv=quote_folds,
                          n_jobs=jobs, refit=False)
    search.fit(records, labels)
    results = search.cv_results_
    rows = [{"params": {key.rsplit("__", 1)[-1] if "classifier" in key else key.split("__")[1]: _plain(value)
                        for key, value in params.items()},
             "macro_f1": round(float(mean), 4), "std": round(float(std), 4)}
            for params, mean, std in zip(results["params"], results["mean_test_score"], results["std_test_score"])]
    return sorted(rows, key=lambda row: -row["macro_f1"])


def _plain(value):
    return value.spec() if hasattr(value, "spec") else value
