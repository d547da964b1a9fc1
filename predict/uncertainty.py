"""Active learning: the quotes whose stance the model is least sure of, to label next.

Uncertainty is the **margin** between the two most probable stances (margin sampling): a quote
at 0.41 `condemnation` / 0.39 `warning` is the one a label teaches the model most about, and
the annotator's question is exactly "which of these two?". Entropy over all 12 labels would
instead favour quotes whose probability is smeared thinly over labels that are never in play.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator

from predict.pipeline import Tagger
from predict.records import Article, Quote, locate_quotes


def score_stances(tagger: Tagger, articles: list[Article]) -> list[Article]:
    """Stance probabilities for a batch: articles that bring quotes keep them (classification),
    the others get predicted ones. The batch comes back in its order."""
    given = [article for article in articles if article.quotes]
    for article in given:
        if any(quote.start < 0 for quote in article.quotes):
            locate_quotes(article)  # labeled records store no offsets; suggestions show them
    tagger.classify_batch(given)
    tagged = iter(tagger.tag_batch([article for article in articles if not article.quotes]))
    return [article if article.quotes else next(tagged) for article in articles]


def top_two(quote: Quote) -> tuple[tuple[str, float], tuple[str, float]]:
    """The two most probable stances with their probabilities; ties go to the label name."""
    scores = quote.extra.get("stance_scores") or {quote.stance: quote.stance_score or 0.0}
    ranked = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
    return ranked[0], (ranked[1] if len(ranked) > 1 else ("", 0.0))


def margin(quote: Quote) -> float:
    """Probability of the top stance minus that of the runner-up: small means unsure."""
    (_, first), (_, second) = top_two(quote)
    return round(first - second, 4)


def most_uncertain(articles: Iterable[Article], n: int) -> list[dict]:
    """The `n` quotes with the smallest margin, most uncertain first, as records to label.

    Ties are broken by article id, then position in the article, so the choice does not depend
    on the order or the batching of the input. Streams: only `n` quotes are held at a time.
    """
    ranked = heapq.nsmallest(n, _candidates(articles), key=lambda pair: pair[0])
    return [{"rank": rank, **record} for rank, (_, record) in enumerate(ranked, 1)]


def _candidates(articles: Iterable[Article]) -> Iterator[tuple[tuple, dict]]:
    for article in articles:
        for index, quote in enumerate(article.quotes):
            key = (margin(quote), article.id, quote.start, quote.end, index)
            yield key, suggestion(article.id, quote)


def suggestion(article_id: str, quote: Quote) -> dict:
    """One quote to label: where it is, who said it, and the two stances the model hesitates between."""
    (first, p_first), (second, p_second) = top_two(quote)
    return {"id": article_id, "quote": quote.quote, "start": quote.start, "end": quote.end,
            "kind": quote.kind, "cue": quote.cue, "speaker": quote.speaker,
            "speaker_name": quote.speaker_name, "via": quote.via,
            "top_two": [{"stance": first, "probability": p_first},
                        {"stance": second, "probability": p_second}],
            "margin": round(p_first - p_second, 4)}
