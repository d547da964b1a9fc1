"""Scoring by ANNOTATION.md §5: quote matching, speaker accuracy, stance macro-F1."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from predict import lexicon
from predict.pipeline import OTHER
from predict.records import Article, Quote
from predict.text import normalize

MATCH_THRESHOLD = 0.5
MIN_SUPPORT = 5  # labels with fewer gold quotes are left out of the macro average
_PUNCT_RE = re.compile(r"[^\w\s]|_")


def score_tokens(text: str) -> list[str]:
    """Tokens compared by the scorer: normalised, punctuation dropped, lower-cased."""
    return _PUNCT_RE.sub(" ", normalize(text or "").lower()).split()


def overlap_f1(gold: str, predicted: str) -> float:
    """Token-overlap F1 of two spans."""
    return _counts_f1(Counter(score_tokens(gold)), Counter(score_tokens(predicted)))


def _counts_f1(gold: Counter, predicted: Counter) -> float:
    """`overlap_f1` of two spans' token counts."""
    common = sum((gold & predicted).values())
    if not common:
        return 0.0
    precision, recall = common / predicted.total(), common / gold.total()
    return 2 * precision * recall / (precision + recall)


def match_quotes(gold: list[Quote], predicted: list[Quote]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs, greedy by overlap, overlap >= 0.5."""
    # every span is tokenised once, not once per pair: training matches each article's rule
    # candidates with its gold quotes, and this was half of finding the training examples
    gold_counts = [Counter(score_tokens(quote.quote)) for quote in gold]
    predicted_counts = [Counter(score_tokens(quote.quote)) for quote in predicted]
    pairs = sorted(((_counts_f1(g, p), i, j) for i, g in enumerate(gold_counts)
                    for j, p in enumerate(predicted_counts)), reverse=True)
    used_gold, used_pred, matched = set(), set(), []
    for overlap, i, j in pairs:
        if overlap < MATCH_THRESHOLD:
            break
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            matched.append((i, j))
    return matched


def speaker_correct(gold: Quote, predicted_name: str) -> bool:
    """Whether a predicted speaker string is right for a gold quote (§5)."""
    candidate = " ".join(score_tokens(predicted_name))
    if len(candidate.replace(" ", "")) < 3 or candidate in lexicon.PRONOUNS:
        return False
    golds = [" ".join(score_tokens(s)) for s in [*gold.speaker, gold.speaker_name]]
    return any(g and (g in candidate or candidate in g) for g in golds)


def predicted_speaker(quote: Quote) -> str:
    return quote.speaker_name or (quote.speaker[0] if quote.speaker else "")


@dataclass
class Tally:
    """Counts accumulated over articles, turned into figures by `report`."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speakers: int = 0
    stance_pairs: list[tuple[str, str]] = field(default_factory=list)
    gold_labels: Counter = field(default_factory=Counter)
    errors: list[dict] = field(default_factory=list)

    def add(self, gold: Article, predicted: Article, keep_errors: bool = False) -> None:
        pairs = match_quotes(gold.quotes, predicted.quotes)
        self.gold += len(gold.quotes)
        self.gold_labels.update(q.stance for q in gold.quotes)
        self.predicted += len(predicted.quotes)
        self.matched += len(pairs)
        for i, j in pairs:
            g, p = gold.quotes[i], predicted.quotes[j]
            ok = speaker_correct(g, predicted_speaker(p))
            self.speakers += ok
            self.stance_pairs.append((g.stance, p.stance))
            if keep_errors and not ok:
                self.errors.append(_error("wrong_speaker", gold, g, p))
            if keep_errors and g.stance != p.stance:
                self.errors.append(_error("wrong_stance", gold, g, p))
        if keep_errors:
            matched_gold, matched_pred = {i for i, _ in pairs}, {j for _, j in pairs}
            self.errors += [_error("missed_quote", gold, q, None) for i, q in enumerate(gold.quotes)
                            if i not in matched_gold]
            self.errors += [_error("spurious_quote", gold, None, q) for j, q in enumerate(predicted.quotes)
                            if j not in matched_pred]

    def report(self, labels: list[str]) -> dict:
        precision = self.matched / self.predicted if self.predicted else 0.0
        recall = self.matched / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"quotes": {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                           "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)},
                "speaker_accuracy": round(self.speakers / self.matched, 4) if self.matched else 0.0,
                "stance": stance_report(self.stance_pairs, labels, self.gold_labels)}


def stance_report(pairs: list[tuple[str, str]], labels: list[str], support: Counter | None = None) -> dict:
    """Per-label precision/recall/F1, macro-F1 over labels with >= 5 gold, accuracy, confusion.

    `support` counts the gold quotes of each label in the whole set (end to end, not every gold
    quote is matched); by default it is counted from the pairs.
    """
    support = support if support is not None else Counter(gold for gold, _ in pairs)
    per_label = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": support[label]}
    scored = [label for label in labels if support[label] >= MIN_SUPPORT]
    macro = sum(per_label[label]["f1"] for label in scored) / len(scored) if scored else 0.0
    accuracy = sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0
    confusion = {g: {p: sum(1 for a, b in pairs if a == g and b == p) for p in labels} for g in labels}
    return {"macro_f1": round(macro, 4), "accuracy": round(accuracy, 4), "n": len(pairs),
            "labels_in_macro": scored, "per_label": per_label, "confusion": confusion}


def _error(category: str, article: Article, gold: Quote | None, predicted: Quote | None) -> dict:
    anchor = gold if gold is not None else predicted
    start = max(0, anchor.start - 120) if anchor.start >= 0 else 0
    end = anchor.end + 120 if anchor.end >= 0 else 240
    return {"category": category, "id": article.id, "context": article.text[start:end],
            "gold": gold.to_dict() if gold else None, "predicted": predicted.to_dict() if predicted else None}


ABSTENTION_THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def abstention_curve(gold: list[str], predicted: list[str], confidence: list[float], labels: list[str],
                     thresholds=ABSTENTION_THRESHOLDS) -> list[dict]:
    """What `--min-confidence t` gives: a position (non-`other` label) below t becomes `other`.

    Per threshold: precision of the positions still asserted, coverage (the share of quotes that
    keep one), recall of the gold positions, and macro-F1.
    """
    rows = []
    for threshold in thresholds:
        kept = [p if p == OTHER or c >= threshold else OTHER for p, c in zip(predicted, confidence)]
        asserted = [(g, p) for g, p in zip(gold, kept) if p != OTHER]
        positions = sum(g != OTHER for g in gold)
        right = sum(g == p for g, p in asserted)
        rows.append({"min_confidence": threshold,
                     "precision": round(right / len(asserted), 4) if asserted else 0.0,
                     "coverage": round(len(asserted) / len(gold), 4) if gold else 0.0,
                     "recall": round(right / positions, 4) if positions else 0.0,
                     "macro_f1": stance_report(list(zip(gold, kept)), labels)["macro_f1"]})
    return rows
