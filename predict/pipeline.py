"""Article -> quotes -> speakers -> stances, with the fitted models of a bundle.

`Tagger.tag_batch` works on a batch of articles at once so that each model is called once per
batch, not once per quote: the rule stages are per article, the learned ones vectorised.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from predict.features import stance_record
from predict.quotes import Candidate, Document, cue_of, find_candidates
from predict.records import Article, Quote
from predict.speakers import Mention, mention_records, mentions, resolve
from predict.text import normalize_phrase, tokenize

OTHER = "other"


@dataclass
class Models:
    """The fitted estimators of a bundle (see `predict.bundle`)."""

    quote_filter: object
    speaker_ranker: object
    stance: object


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a batch is tagged.

    A batch allocates hundreds of thousands of small objects (tokens, candidates, records) that all
    live until it ends; the collector traversed them again and again, a quarter of the tagging time
    in `make bench`, while finding nothing to free. Cyclic garbage made meanwhile is collected after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def candidate_record(doc: Document, candidate: Candidate) -> dict:
    """The quote filter's input: how a candidate was found, and its speaker words."""
    n_words = len(doc.text[candidate.start:candidate.end].split())
    subject = doc.span_text(*candidate.subject) or doc.span_text(*candidate.after) \
        or doc.span_text(*candidate.before)
    features = dict.fromkeys(_construction_keys(candidate.frame, candidate.kind, candidate.cue_lemma, candidate.marks,
                                                min(n_words, 8), bool(candidate.cue),
                                                candidate.subject[1] > candidate.subject[0]), 1.0)
    features["colon_head"] = float(candidate.before[1] > candidate.before[0] and candidate.frame == "marks")
    features["after"] = float(candidate.after[1] > candidate.after[0])
    features["log_words"] = _log_words(n_words)
    return {"text": normalize_phrase(subject), "features": features}


@lru_cache(maxsize=1 << 12)  # a few hundred constructions recur: their keys are made once
def _construction_keys(frame: str, kind: str, cue: str, marks: str, n_words: int, has_cue: bool,
                       has_subject: bool) -> tuple[str, ...]:
    """The quote filter's keys for how a candidate was found."""
    return (f"frame={frame}", f"kind={kind}", f"cue={cue}", f"marks={marks}", f"frame={frame}+n={n_words}",
            f"frame={frame}+has_cue={has_cue}", f"frame={frame}+subject={has_subject}")


@lru_cache(maxsize=1 << 12)
def _log_words(n_words: int) -> float:
    return float(np.log1p(n_words))  # a NumPy call per candidate costs more than the look-up


def cue_frame(cue: str) -> tuple[str, str]:
    """(frame, lemma) of an annotated cue string such as «وأضاف» or «مشيرا إلى»."""
    for word in tokenize(cue)[3]:
        found = cue_of(word)
        if found:
            return found[0], found[1]
    return ("marks", "") if not cue else ("other", "")


class Tagger:
    """Find, attribute and classify the quotes of articles with fitted models."""

    def __init__(self, models: Models, min_confidence: float = 0.0):
        self.models = models
        self.min_confidence = min_confidence

    def tag_batch(self, articles: list[Article]) -> list[Article]:
        """Return the articles with predicted quotes (any quotes they came with are replaced)."""
        with cycle_collection_paused():
            return self._tag_batch(articles)

    def _tag_batch(self, articles: list[Article]) -> list[Article]:
        docs = [Document.from_text(article.text) for article in articles]
        kept = self._filter([find_candidates(doc) for doc in docs], docs)
        quotes = [attributed[0] for attributed in self._attribute(docs, kept)]
        flat = [(quote, candidate) for per_article, candidates in zip(quotes, kept)
                for quote, candidate in zip(per_article, candidates)]
        self._classify([q for q, _ in flat], [(c.cue_lemma, c.frame) for _, c in flat])
        return [Article(article.id, article.text, per_article, article.extra)
                for article, per_article in zip(articles, quotes)]

    def explain(self, article: Article, top: int = 8) -> list[dict]:
        """Each predicted quote with the features that pushed its stance and its speaker most.

        Every stage is a logistic regression, so a feature's push is its value times its
        coefficient: toward the chosen stance (and against it), and toward choosing the mention.
        """
        doc = Document.from_text(article.text)
        candidates = self._filter([find_candidates(doc)], [doc])[0]
        quotes, chosen = self._attribute([doc], [candidates])[0]
        self._classify(quotes, [(c.cue_lemma, c.frame) for c in candidates])
        explained = []
        for quote, candidate, mention in zip(quotes, candidates, chosen):
            terms = self.models.stance.contributions(stance_record(quote.quote, candidate.cue_lemma,
                                                                   candidate.frame), quote.stance)
            speaker_terms = self.models.speaker_ranker.contributions(mention, 1) if mention else []
            explained.append({"quote": quote, "stance_for": [t for t in terms if t[2] > 0][:top],
                              "stance_against": [t for t in reversed(terms) if t[2] < 0][:top],
                              "speaker_for": [t for t in speaker_terms if t[2] > 0][:top]})
        return explained

    def classify_batch(self, articles: list[Article]) -> list[Article]:
        """Fill in stance and stance_score of the quotes the articles already have."""
        quotes = [quote for article in articles for quote in article.quotes]
        with cycle_collection_paused():
            self._classify(quotes, [cue_frame(quote.cue)[::-1] for quote in quotes])
        return articles

    def _filter(self, per_doc: list[list[Candidate]], docs: list[Document]) -> list[list[Candidate]]:
        records = [candidate_record(doc, c) for doc, cands in zip(docs, per_doc) for c in cands]
        if not records:
            return [[] for _ in per_doc]
        keep = iter(self.models.quote_filter.predict_proba(records)[:, 1] >= 0.5)
        return [[c for c in cands if next(keep)] for cands in per_doc]

    def _attribute(self, docs: list[Document], per_doc: list[list[Candidate]]
                   ) -> list[tuple[list[Quote], list[dict | None]]]:
        """Choose each quote's speaker; quotes are taken in order so «وأضاف» sees the last one.

        All mentions of the batch are scored at once; the choice then runs article by article.
        Returns, per article, the quotes and, for each, the ranker's record of the mention chosen
        (for `explain`).
        """
        options = [[mentions(doc, candidate, has_previous=index > 0, since=candidates[index - 1].end if index else 0)
                    for index, candidate in enumerate(candidates)] for doc, candidates in zip(docs, per_doc)]
        records = [record for candidates, per_candidate in zip(per_doc, options)
                   for c, found in zip(candidates, per_candidate) for record in mention_records(c, found)]
        scores = iter(self.models.speaker_ranker.predict_proba(records)[:, 1]) if records else iter(())
        by_mention = iter(records)
        attributed = []
        for doc, candidates, per_candidate in zip(docs, per_doc, options):
            quotes, chosen, known = [], [], []
            for candidate, found in zip(candidates, per_candidate):
                scored = [(next(scores), m, next(by_mention)) for m in found]
                quote, record = self._speaker_quote(doc, candidate, scored, known)
                quotes.append(quote)
                chosen.append(record)
            attributed.append((quotes, chosen))
        return attributed

    def _speaker_quote(self, doc: Document, candidate: Candidate,
                       scored: list[tuple[float, Mention, dict]], known: list[str]) -> tuple[Quote, dict | None]:
        previous = known[-1] if known else ""
        usable = [item for item in scored if item[1].position != "previous" or previous]
        score, best, record = max(usable, key=lambda item: item[0]) if usable else (0.0, None, None)
        mention = (previous if best.position == "previous" else best.text) if best else ""
        name = resolve(mention, doc, candidate.start, known) if mention else ""
        if name:
            known.append(name)
        speaker = [name] + ([mention] if mention and mention != name else [])
        return Quote(doc.text[candidate.start:candidate.end], candidate.start, candidate.end,
                     candidate.kind, candidate.cue, speaker if name else [], name, candidate.via,
                     speaker_score=round(float(score), 4)), record

    def _classify(self, quotes: list[Quote], cues: list[tuple[str, str]]) -> None:
        if not quotes:
            return
        records = [stance_record(q.quote, lemma, frame) for q, (lemma, frame) in zip(quotes, cues)]
        probabilities = self.models.stance.predict_proba(records)
        labels = [str(label) for label in self.models.stance.classes_]
        for quote, best, scores in zip(quotes, probabilities.argmax(axis=1).tolist(),
                                       probabilities.round(4).tolist()):
            quote.stance, quote.stance_score = labels[best], scores[best]
            quote.extra["stance_scores"] = dict(zip(labels, scores))
            if quote.stance_score < self.min_confidence:
                quote.stance = OTHER
