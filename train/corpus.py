"""The labeled corpus: the label schema, loading with validation, and corpus figures."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from predict.records import KINDS, Article, BadRecord, QawlError, locate_quotes, read_articles

DEFAULT_DATA = "labels"
SCHEMA_FILE = "schema.json"
PROJECT_SCHEMA = Path(__file__).resolve().parent.parent / DEFAULT_DATA / SCHEMA_FILE  # the contract's labels
_MARKS = "«»“”\"„"


def find_schema(paths: Iterable[str]) -> Path:
    """The schema.json beside (or inside) the first data path, else labels/ here, else the project's."""
    paths = list(paths)
    for raw in paths:
        path = Path(raw)
        for folder in (path, path.parent, path.parent.parent):
            if (folder / SCHEMA_FILE).is_file():
                return folder / SCHEMA_FILE
    for default in (Path(DEFAULT_DATA) / SCHEMA_FILE, PROJECT_SCHEMA):
        if default.is_file():
            return default
    raise QawlError(f"no {SCHEMA_FILE} found beside {', '.join(map(str, paths))}, in {DEFAULT_DATA}/ "
                    f"or at {PROJECT_SCHEMA}")


def load_schema(path: Path) -> dict:
    try:
        schema = json.loads(path.read_text("utf-8"))
        names = [label["name"] for label in schema["labels"]]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise QawlError(f"{path}: not a valid label schema ({error})") from None
    return {**schema, "names": names}


def check_article(article: Article, labels: set[str], strict: bool = True) -> list[str]:
    """Problems of one labeled article, each naming the quote and field.

    Without `strict` (scoring someone else's gold file) only what makes scoring impossible counts.
    """
    problems = []
    for number, (quote, located) in enumerate(zip(article.quotes, locate_quotes(article)), 1):
        where = f"quote {number}"
        if located is None:
            problems.append(f"{where}: \"quote\" is not a substring of the text: {quote.quote[:40]!r}")
        elif strict and (quote.quote != quote.quote.strip() or quote.quote[:1] in _MARKS
                         or quote.quote[-1:] in _MARKS):
            problems.append(f"{where}: \"quote\" must not start or end with spaces or quotation marks")
        if quote.stance not in labels:
            problems.append(f"{where}: stance {quote.stance!r} is not in the schema "
                            f"(one of: {', '.join(sorted(labels))})")
        if quote.kind not in KINDS:
            problems.append(f"{where}: kind {quote.kind!r} must be direct or indirect")
        if not strict:
            continue
        if not quote.speaker and not quote.speaker_name:
            problems.append(f"{where}: no speaker")
        for name, value in (("cue", quote.cue), ("via", quote.via), ("speaker_name", quote.speaker_name),
                            *(("speaker", s) for s in quote.speaker)):
            if value and value not in article.text:
                problems.append(f"{where}: {name} {value!r} is not in the text")
    return problems


def load_labeled(paths: Iterable[str], labels: set[str],
                 strict: bool = True) -> tuple[list[Article], list[str]]:
    """Read labeled articles; return them and every problem found as 'file:line: ...'."""
    articles, problems = [], []
    for item in read_articles(paths):
        if isinstance(item, BadRecord):
            problems.append(str(item))
            continue
        location = item.extra.pop("_location", item.id)
        found = check_article(item, labels, strict)
        problems += [f"{location}: {problem}" for problem in found]
        if not found:
            articles.append(item)
    return articles, problems


def corpus_stats(articles: list[Article], labels: list[str]) -> dict:
    """Articles, quotes, per label, per kind, per construction, and near-duplicate quote pairs."""
    quotes = [q for a in articles for q in a.quotes]
    per_label = Counter(q.stance for q in quotes)
    return {
        "articles": len(articles),
        "articles_without_quotes": sum(1 for a in articles if not a.quotes),
        "quotes": len(quotes),
        "per_label": {label: per_label[label] for label in labels},
        "per_kind": dict(Counter(q.kind for q in quotes)),
        "per_construction": dict(Counter(q.extra.get("construction", "untagged") for q in quotes).most_common()),
        "other_share": round(per_label["other"] / len(quotes), 4) if quotes else 0.0,
        "indirect_share": round(sum(q.kind == "indirect" for q in quotes) / len(quotes), 4) if quotes else 0.0,
        "near_duplicates": near_duplicates([q.quote for q in quotes]),
    }


def near_duplicates(texts: list[str], threshold: float = 0.6) -> list[tuple[int, int, float]]:
    """Pairs of texts whose character 5-gram Jaccard similarity is at least `threshold`.

    An inverted index over rare 5-grams keeps this far below all-pairs cost.
    """
    grams = [frozenset(t[i:i + 5] for i in range(max(1, len(t) - 4))) for t in texts]
    index: dict[str, list[int]] = {}
    for number, gram_set in enumerate(grams):
        for gram in gram_set:
            index.setdefault(gram, []).append(number)
    pairs = []
    for number, gram_set in enumerate(grams):
        shared = Counter(other for gram in gram_set for other in index[gram] if other > number)
        for other, common in shared.items():
            union = len(gram_set) + len(grams[other]) - common
            if union and common / union >= threshold:
                pairs.append((number, other, round(common / union, 3)))
    return pairs
