"""The article view: predictions as one self-contained right-to-left HTML page.

Each article is shown with its quotes highlighted in place (from their `start`/`end` offsets), a
badge after each quote with its number, speaker and stance, the confidence on hover, and a table
of its quotes. The page is written piece by piece — head, one article at a time, foot — through
`atomic_write`, so a large batch never sits in memory and a failed run leaves no half page.
Everything is inline (CSS, no scripts, fonts or images), so the file can be mailed or archived.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from html import escape
from typing import TextIO

from predict.records import Article, Quote, atomic_write

# One fixed colour per stance label (ANNOTATION.md §3, in its order), so a colour means the same
# thing on every page, report and plot; with the Arabic name shown in the legend.
STANCE_COLOURS = {
    "ceasefire_demand": "#1f77b4",
    "withdrawal_demand": "#ff7f0e",
    "refusal_to_withdraw": "#8c564b",
    "negotiation_call": "#2ca02c",
    "humanitarian_appeal": "#17becf",
    "international_action_call": "#9467bd",
    "condemnation": "#d62728",
    "warning": "#c9a100",
    "military_resolve": "#393b79",
    "denial": "#e377c2",
    "support": "#00796b",
    "other": "#7f7f7f",
}
UNKNOWN_COLOUR = "#b0b0b0"  # a label outside the 12, or none
STANCE_NAMES_AR = {
    "ceasefire_demand": "المطالبة بوقف إطلاق النار",
    "withdrawal_demand": "المطالبة بالانسحاب",
    "refusal_to_withdraw": "رفض الانسحاب",
    "negotiation_call": "الدعوة إلى التفاوض",
    "humanitarian_appeal": "مناشدة إنسانية",
    "international_action_call": "الدعوة إلى تحرك دولي",
    "condemnation": "إدانة",
    "warning": "تحذير",
    "military_resolve": "عزم عسكري",
    "denial": "نفي",
    "support": "دعم",
    "other": "أخرى",
}
_CLASS_RE = re.compile(r"[^a-z0-9_]")

BASE_CSS = """
body { font-family: "Noto Naskh Arabic", "Noto Sans Arabic", "DejaVu Sans", "Arial", sans-serif;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.9; color: #1a1a1a;
       background: #fcfcfa; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin: 0 0 .3rem; }
.meta { color: #666; font-size: .85rem; }
.legend { display: flex; flex-wrap: wrap; gap: .3rem .8rem; margin: 1rem 0; padding: .6rem .8rem;
          border: 1px solid #ddd; background: #fff; font-size: .85rem; }
.legend .item { white-space: nowrap; }
.swatch { display: inline-block; width: .9rem; height: .9rem; border-radius: .2rem;
          vertical-align: middle; margin-inline-end: .3rem; }
article { background: #fff; border: 1px solid #ddd; border-radius: .4rem; padding: 1rem 1.2rem;
          margin: 1.5rem 0; }
.text { white-space: pre-wrap; font-size: 1.05rem; }
mark.quote { border-bottom: 3px solid; border-radius: .15rem; padding: 0 .1rem; color: inherit; }
.badge { display: inline-block; color: #fff; font-size: .72rem; line-height: 1.4;
         border-radius: .7rem; padding: 0 .45rem; margin: 0 .2rem; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: start; vertical-align: top; }
th { background: #f3f3f0; }
td.num { text-align: center; white-space: nowrap; }
.unplaced { color: #a00; font-size: .8rem; }
"""


def stance_class(label: str) -> str:
    """The CSS class of a stance label; labels outside the palette share one grey class."""
    return f"s-{label}" if label in STANCE_COLOURS else "s-unknown"


def stance_css() -> str:
    """Per-stance rules: a light tint behind highlighted text, the full colour for badges."""
    rules = []
    for label, colour in [*STANCE_COLOURS.items(), ("unknown", UNKNOWN_COLOUR)]:
        name = _CLASS_RE.sub("_", label)
        rules.append(f"mark.s-{name} {{ background: {tint(colour)}; border-color: {colour}; }}\n"
                     f".badge.s-{name}, .swatch.s-{name} {{ background: {colour}; }}")
    return "\n".join(rules)


def tint(colour: str, share: float = 0.72) -> str:
    """`colour` mixed with white: light enough to read black text on."""
    channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in channels)


def page_start(title: str, css: str = "") -> str:
    """The head of a qawl page and the opening of its body, with a level-1 heading."""
    return (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{BASE_CSS}{stance_css()}\n{css}</style>\n"
            f"</head>\n<body>\n<h1>{escape(title)}</h1>\n")


PAGE_END = "</body>\n</html>\n"


def legend() -> str:
    """The colour of every stance label, with its Arabic name."""
    items = "".join(f'<span class="item"><span class="swatch {stance_class(label)}"></span>'
                    f"{escape(STANCE_NAMES_AR[label])} <bdi>({label})</bdi></span>"
                    for label in STANCE_COLOURS)
    return f'<div class="legend" aria-label="stance colours">{items}</div>\n'


def confidence_note(quote: Quote) -> str:
    """The hover text of a quote: stance and its probability, the runner-up, the speaker score."""
    parts = [f"{quote.stance or '?'} · confidence {_score(quote.stance_score)}"]
    scores = quote.extra.get("stance_scores")
    if isinstance(scores, dict):
        ranked = sorted(((p, l) for l, p in scores.items() if l != quote.stance
                         and isinstance(p, (int, float))), reverse=True)
        if ranked:
            parts.append(f"next {ranked[0][1]} {ranked[0][0]:.2f}")
    if quote.speaker_score is not None:
        parts.append(f"speaker {quote.speaker_score:.2f}")
    parts.append(f"{quote.kind}" + (f", cue {quote.cue}" if quote.cue else ""))
    if quote.via:
        parts.append(f"via {quote.via}")
    return " · ".join(parts)


def _score(value) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) else "—"


def speaker_of(quote: Quote) -> str:
    """The name shown for a quote's speaker: the canonical name, else the first mention."""
    return quote.speaker_name or (quote.speaker[0] if quote.speaker else "")


def quote_spans(article: Article) -> list[tuple[int, int, int] | None]:
    """(start, end, index) of each quote in the text, or None when it cannot be placed.

    Offsets are trusted when they hold the quote's text; otherwise (records edited by hand) the
    quote is looked up by its text, as ANNOTATION.md §4 locates quotes.
    """
    spans = []
    for index, quote in enumerate(article.quotes):
        start, end = quote.start, quote.end
        if not (0 <= start < end <= len(article.text) and article.text[start:end] == quote.quote):
            start = article.text.find(quote.quote) if quote.quote else -1
            end = start + len(quote.quote)
        spans.append((start, end, index) if start >= 0 else None)
    return spans


def marked_text(article: Article, spans: list[tuple[int, int, int] | None], anchor: str) -> str:
    """The escaped article text with one `<mark>` per placed quote, each followed by its badge.

    Marks must nest, so a quote inside another is drawn inside it, and one that crosses the end
    of another is cut at that end (the table below keeps its full text).
    """
    text, parts, position, open_marks = article.text, [], 0, []
    for start, end, index in sorted((s for s in spans if s), key=lambda s: (s[0], -s[1], s[2])):
        while open_marks and open_marks[-1][0] <= start:
            position = _close(article, parts, position, *open_marks.pop())
        if open_marks:
            end = min(end, open_marks[-1][0])
        parts.append(escape(text[position:start]))
        position = start
        quote = article.quotes[index]
        parts.append(f'<mark class="quote {stance_class(quote.stance)}" id="{anchor}-{index + 1}" '
                     f'data-quote="{index + 1}" title="{escape(confidence_note(quote))}">')
        open_marks.append((end, index))
    while open_marks:
        position = _close(article, parts, position, *open_marks.pop())
    parts.append(escape(text[position:]))
    return "".join(parts)


def _close(article: Article, parts: list[str], position: int, end: int, index: int) -> int:
    quote = article.quotes[index]
    parts.append(escape(article.text[position:end]) + "</mark>" + badge(quote, index + 1))
    return end


def badge(quote: Quote, number: int) -> str:
    """The label after a quote: its number, speaker and stance, in the stance's colour."""
    speaker = speaker_of(quote) or "؟"
    return (f'<span class="badge {stance_class(quote.stance)}" title="{escape(confidence_note(quote))}">'
            f"{number} · {escape(speaker)} · <bdi>{escape(quote.stance or '?')}</bdi></span>")


def quote_table(article: Article, spans: list[tuple[int, int, int] | None], anchor: str) -> str:
    """One row per quote: number, quote, speaker (and relay), stance, confidence."""
    rows = []
    for index, (quote, span) in enumerate(zip(article.quotes, spans)):
        number = index + 1
        link = f'<a href="#{anchor}-{number}">{number}</a>' if span else str(number)
        missing = "" if span else ' <span class="unplaced">(لم يوجد في النص · <bdi>not found in the text</bdi>)</span>'
        via = f" <span class=\"meta\">عبر {escape(quote.via)}</span>" if quote.via else ""
        rows.append(f"<tr><td class=\"num\">{link}</td><td>{escape(quote.quote)}{missing}</td>"
                    f"<td>{escape(speaker_of(quote) or '؟')}{via}</td>"
                    f'<td><span class="badge {stance_class(quote.stance)}"><bdi>{escape(quote.stance or "?")}'
                    f"</bdi></span></td><td class=\"num\" title=\"{escape(confidence_note(quote))}\">"
                    f"{_score(quote.stance_score)}</td></tr>")
    if not rows:
        return '<p class="meta">لا اقتباسات · <bdi>no quotes found</bdi></p>\n'
    return ("<table><thead><tr><th>#</th><th>الاقتباس</th><th>المتحدث</th><th>الموقف</th>"
            "<th>الثقة</th></tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n")


def article_html(article: Article, number: int) -> str:
    """One article: heading, text with its quotes highlighted, and its quote table."""
    anchor = f"q{number}"
    spans = quote_spans(article)
    title = article.extra.get("title")
    heading = escape(str(title)) if isinstance(title, str) and title.strip() else escape(article.id)
    meta = [f"<bdi>{escape(article.id)}</bdi>", f"الاقتباسات: {len(article.quotes)}"]
    if isinstance(article.extra.get("date"), str):
        meta.insert(1, f"<bdi>{escape(article.extra['date'])}</bdi>")
    return (f'<article id="article-{number}">\n<h2>{heading}</h2>\n<div class="meta">{" · ".join(meta)}</div>\n'
            f'<div class="text">{marked_text(article, spans, anchor)}</div>\n'
            f"{quote_table(article, spans, anchor)}</article>\n")


class ArticleView:
    """An article-view page written to `handle` piece by piece: `begin`, `add` each, `end`."""

    def __init__(self, handle: TextIO, title: str = "qawl — الاقتباسات والمتحدثون والمواقف"):
        self.handle = handle
        self.title = title
        self.articles = 0
        self.quotes = 0

    def begin(self) -> None:
        self.handle.write(page_start(self.title) + legend())

    def add(self, article: Article) -> None:
        self.articles += 1
        self.quotes += len(article.quotes)
        self.handle.write(article_html(article, self.articles))

    def end(self) -> None:
        self.handle.write(f'<p class="meta">المقالات: {self.articles} · الاقتباسات: {self.quotes}</p>\n'
                          + PAGE_END)


@contextmanager
def open_article_view(path: str, title: str | None = None) -> Iterator[ArticleView]:
    """An `ArticleView` writing to `path`; the page appears there only if the block succeeds."""
    with atomic_write(path) as handle:
        view = ArticleView(handle, *([title] if title else []))
        view.begin()
        yield view
        view.end()


@contextmanager
def article_view_beside(path: str | None, articles: Iterable[Article]) -> Iterator[Iterable[Article]]:
    """Pass `articles` through, adding each to an article view at `path` on the way (no-op if None).

    This lets `qawl predict --html` write the page in the same single pass as its main output.
    """
    if not path:
        yield articles
        return
    with open_article_view(path) as view:
        yield _shown(view, articles)


def _shown(view: ArticleView, articles: Iterable[Article]) -> Iterator[Article]:
    for article in articles:
        view.add(article)
        yield article


def write_article_view(articles: Iterable[Article], path: str) -> int:
    """Write the article view of `articles` to `path`; return how many articles it holds."""
    with open_article_view(path) as view:
        for article in articles:
            view.add(article)
    return view.articles
