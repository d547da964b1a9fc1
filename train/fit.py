"""Fit the three learned stages on labeled articles.

Training examples come from the same code that runs at prediction time: rule candidates are
matched to the gold quotes (the quote filter learns which are real), each matched candidate's
mentions are labeled right or wrong by the §5 speaker rule (the ranker learns which to pick),
and every gold quote teaches the stance model.
"""

from __future__ import annotations

from joblib.externals.loky import ProcessPoolExecutor
from threadpoolctl import threadpool_info, threadpool_limits

from predict.features import stance_record
from predict.linear import LinearModel
from predict.pipeline import Models, candidate_record, cue_frame
from predict.quotes import Document, find_candidates
from predict.records import Article, Quote
from predict.speakers import mention_records, mentions
from train.estimators import make_ranker, make_stance_model
from train.scoring import match_quotes, speaker_correct


def stance_examples(articles: list[Article]) -> tuple[list[dict], list[str]]:
    """One stance record per gold quote, with its cue as the runtime would see it."""
    records, labels = [], []
    for article in articles:
        for quote in article.quotes:
            frame, lemma = cue_frame(quote.cue)
            records.append(stance_record(quote.quote, lemma, frame))
            labels.append(quote.stance)
    return records, labels


def extraction_examples(articles: list[Article]) -> tuple[list[dict], list[int], list[dict], list[int]]:
    """Quote-filter and speaker-ranker examples from the rule candidates of each article."""
    filter_records, filter_labels, ranker_records, ranker_labels = [], [], [], []
    for article in articles:
        doc = Document.from_text(article.text)
        candidates = find_candidates(doc)
        as_quotes = [Quote(doc.text[c.start:c.end], c.start, c.end) for c in candidates]
        matched = dict((j, i) for i, j in match_quotes(article.quotes, as_quotes))
        previous_gold, previous_end = None, 0
        for index, candidate in enumerate(candidates):
            filter_records.append(candidate_record(doc, candidate))
            filter_labels.append(int(index in matched))
            if index not in matched:
                continue
            gold = article.quotes[matched[index]]
            found = mentions(doc, candidate, has_previous=previous_gold is not None, since=previous_end)
            ranker_records += mention_records(candidate, found)
            for mention in found:
                text = previous_gold.speaker_name if mention.position == "previous" else mention.text
                ranker_labels.append(int(speaker_correct(gold, text)))
            previous_gold, previous_end = gold, candidate.end
    return filter_records, filter_labels, ranker_records, ranker_labels


def fit_models(articles: list[Article], jobs: int = 1) -> Models:
    """Fit the quote filter, the speaker ranker and the stance model, in their runtime form.

    With `jobs` of 2 or more the stance model, the longest fit, is fitted here while a worker
    process finds and fits the other two stages: the same models, sooner.
    """
    if jobs < 2:
        return Models(*_fit_extraction_stages(articles), _fit_stance(articles))
    # the worker runs under loky, as joblib's `Parallel` does (a fresh interpreter: OpenMP does
    # not survive a fork), in an executor of its own (`Parallel` shares loky's reusable one). It
    # gets as many BLAS and OpenMP threads as this process has, so that its sums run in the same
    # order and it fits the very models this process would (with one, the ranker's weights moved)
    threads = max((pool["num_threads"] for pool in threadpool_info()), default=1)
    with ProcessPoolExecutor(max_workers=1, initializer=_use_threads, initargs=(threads,)) as worker:
        extraction = worker.submit(_fit_extraction_stages, articles)
        stance = _fit_stance(articles)
        return Models(*extraction.result(), stance)


def _use_threads(threads: int) -> None:
    """A worker's start: importing this module loaded NumPy's BLAS and scikit-learn's OpenMP, so
    the limit reaches both (and stays for the worker's life)."""
    threadpool_limits(threads)


def _fit_extraction_stages(articles: list[Article]) -> tuple[LinearModel, LinearModel]:
    filter_x, filter_y, mention_x, mention_y = extraction_examples(articles)
    # most candidates are real quotes: the filter keeps the true prior, so 0.5 means "more likely real"
    return (LinearModel.from_pipeline(make_ranker(class_weight=None).fit(filter_x, filter_y)),
            LinearModel.from_pipeline(make_ranker().fit(mention_x, mention_y)))


def _fit_stance(articles: list[Article]) -> LinearModel:
    return LinearModel.from_pipeline(make_stance_model().fit(*stance_examples(articles)))
