"""Naive baselines, scored beside the model in the same run (docs/accuracy.md).

- quotes: only the text inside quotation marks (« », “ ”, "…") is a quote;
- speakers: the two words after the nearest reporting cue before the quote;
- stances: every quote gets the corpus' most frequent stance.
"""

from __future__ import annotations

import re
from collections import Counter

from predict.quotes import Document, cue_of
from predict.records import Article, Quote

_MARKED_RE = re.compile(r"«([^«»\n]+)»|“([^“”\n]+)”|\"([^\"\n]+)\"")
_CUE_WINDOW = 30  # tokens looked back from a quote for its cue


def majority_stance(training: list[Article]) -> str:
    return Counter(q.stance for a in training for q in a.quotes).most_common(1)[0][0]


def baseline_tag(article: Article, stance: str) -> Article:
    """Quotes in marks, each with the words after the nearest cue as speaker and a fixed stance."""
    doc = Document.from_text(article.text)
    quotes = []
    for match in _MARKED_RE.finditer(article.text):
        group = next(g for g in range(1, 4) if match.group(g) is not None)
        start, end = match.start(group), match.end(group)
        speaker = _words_after_cue(doc, start)
        quotes.append(Quote(article.text[start:end].strip(), start, end, "direct", "",
                            [speaker] if speaker else [], speaker, "", stance))
    return Article(article.id, article.text, quotes, article.extra)


def _words_after_cue(doc: Document, offset: int) -> str:
    before = doc.token_at(offset)
    for index in range(before - 1, max(-1, before - 1 - _CUE_WINDOW), -1):
        if cue_of(doc.norms[index]):
            words = [text for text, word in zip(doc.texts[index + 1:before], doc.norms[index + 1:before])
                     if word.isalpha()][:2]
            return " ".join(words)
    return ""


def baseline_report(gold: list[Article], stance: str, labels: list[str]) -> dict:
    """§5 figures of the baselines on gold articles: the three naive stages, and the fixed stance
    given to the gold quotes themselves."""
    from train.scoring import Tally, stance_report

    tally = Tally()
    for article in gold:
        tally.add(article, baseline_tag(article, stance))
    report = tally.report(labels)
    on_gold = stance_report([(q.stance, stance) for a in gold for q in a.quotes], labels)
    return {"stance": stance, "quote_f1": report["quotes"]["f1"], "speaker_accuracy": report["speaker_accuracy"],
            "stance_macro_f1": report["stance"]["macro_f1"], "stance_macro_f1_gold_quotes": on_gold["macro_f1"]}
