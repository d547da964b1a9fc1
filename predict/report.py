"""The corpus report: who takes which position, how often, over many prediction records.

`build_report` reads articles once and keeps only counts and a few example quotes per
speaker × stance cell, so an archive of any size fits in memory. Speakers are grouped by their
normalised name (diacritics, alef and teh marbuta forms do not split a person) and shown in their
most frequent spelling. With `by_month`, the records' top-level `date` field (ISO 8601, so it
starts `YYYY-MM`) also splits the table by month; records without a usable date form `undated`.
The table can be printed (`format_report_text`), or written as CSV or an RTL HTML page.
"""

from __future__ import annotations

import csv
import heapq
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape
from itertools import count

from predict.html import STANCE_COLOURS, STANCE_NAMES_AR, PAGE_END, legend, page_start, stance_class, tint
from predict.records import Article, Quote, atomic_write
from predict.text import normalize

ALL = "all"
UNDATED = "undated"
NO_SPEAKER = "(unknown speaker)"
NO_STANCE = "(no stance)"
DATE_FIELD = "date"
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(?!\d)")
_tiebreak = count()  # keeps heap entries comparable when two examples have the same score


def month_of(date: object) -> str | None:
    """'YYYY-MM' of an ISO 8601 date string; None when it is not one."""
    if not isinstance(date, str):
        return None
    match = _MONTH_RE.match(date.strip())
    return f"{match[1]}-{match[2]}" if match else None


@dataclass
class Cell:
    """One speaker taking one stance: how often, in how many articles, and the best examples."""

    quotes: int = 0
    articles: int = 0
    confidence_sum: float = 0.0
    scored: int = 0
    examples: list = field(default_factory=list)  # heap of (score, tiebreak, quote, article id)
    last_article: str | None = None

    def add(self, quote: Quote, article_id: str, keep: int) -> None:
        self.quotes += 1
        if article_id != self.last_article:  # an article's quotes arrive together
            self.articles += 1
            self.last_article = article_id
        score = quote.stance_score if isinstance(quote.stance_score, (int, float)) else None
        if score is not None:
            self.confidence_sum += score
            self.scored += 1
        entry = (score if score is not None else -1.0, -next(_tiebreak), quote.quote, article_id)
        if len(self.examples) < keep:
            heapq.heappush(self.examples, entry)
        elif keep:
            heapq.heappushpop(self.examples, entry)

    @property
    def mean_confidence(self) -> float | None:
        return self.confidence_sum / self.scored if self.scored else None

    def best_examples(self) -> list[tuple[str, str]]:
        """(quote, article id), the most confident first."""
        return [(quote, article) for _, _, quote, article in sorted(self.examples, reverse=True)]


@dataclass
class SpeakerRow:
    spellings: Counter = field(default_factory=Counter)
    cells: dict[str, Cell] = field(default_factory=dict)
    quotes: int = 0

    @property
    def name(self) -> str:
        return min(self.spellings.items(), key=lambda item: (-item[1], item[0]))[0]


@dataclass
class StanceTable:
    """Speaker × stance counts for one period (all records, or one month)."""

    examples: int = 2
    rows: dict[str, SpeakerRow] = field(default_factory=dict)
    articles: int = 0
    quotes: int = 0

    def add(self, article: Article) -> None:
        self.articles += 1
        for quote in article.quotes:
            name = " ".join((quote.speaker_name or (quote.speaker[0] if quote.speaker else "")).split())
            key = " ".join(normalize(name).split()) if name else ""
            row = self.rows.setdefault(key, SpeakerRow())
            row.spellings[name or NO_SPEAKER] += 1
            row.quotes += 1
            row.cells.setdefault(quote.stance or NO_STANCE, Cell()).add(quote, article.id, self.examples)
            self.quotes += 1

    def speakers(self, top: int = 0) -> list[SpeakerRow]:
        """Rows by number of quotes, most first; the first `top` of them when top > 0."""
        ranked = sorted(self.rows.values(), key=lambda row: (-row.quotes, row.name))
        return ranked[:top] if top > 0 else ranked

    def stances(self) -> list[str]:
        """The stances present, in the fixed label order, then any others."""
        present = {label for row in self.rows.values() for label in row.cells}
        return [l for l in STANCE_COLOURS if l in present] + sorted(present - set(STANCE_COLOURS))


@dataclass
class CorpusReport:
    """The table over all records and, when grouped by month, one per month."""

    by_month: bool = False
    examples: int = 2
    periods: dict[str, StanceTable] = field(default_factory=dict)
    unreadable_dates: int = 0

    def add(self, article: Article) -> None:
        self._table(ALL).add(article)
        if not self.by_month:
            return
        date = article.extra.get(DATE_FIELD)
        month = month_of(date)
        if month is None and date not in (None, ""):
            self.unreadable_dates += 1
        self._table(month or UNDATED).add(article)

    def _table(self, period: str) -> StanceTable:
        return self.periods.setdefault(period, StanceTable(self.examples))

    def ordered(self) -> list[tuple[str, StanceTable]]:
        """All records first, then the months in order, `undated` last."""
        return sorted(self.periods.items(), key=lambda item: (item[0] != ALL, item[0] == UNDATED, item[0]))

    @property
    def articles(self) -> int:
        return self.periods[ALL].articles if ALL in self.periods else 0


def build_report(articles: Iterable[Article], by_month: bool = False, examples: int = 2) -> CorpusReport:
    """Count every quote of every article by speaker and stance (and month)."""
    report = CorpusReport(by_month, examples)
    for article in articles:
        report.add(article)
    return report


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def format_report_text(report: CorpusReport, top: int = 20) -> str:
    """The tables as text: per speaker, the stances it takes with counts and one example each."""
    lines = []
    for period, table in report.ordered():
        lines.append(f"== {period}: {table.articles} article(s), {table.quotes} quote(s), "
                     f"{len(table.rows)} speaker(s)")
        rows = table.speakers(top)
        for row in rows:
            lines.append(f"{row.quotes:>6}  {row.name}")
            ranked = sorted(row.cells.items(), key=lambda item: (-item[1].quotes, item[0]))
            for stance, cell in ranked:
                example = cell.best_examples()[:1]
                quoted = f"  «{_clip(example[0][0], 70)}» ({example[0][1]})" if example else ""
                lines.append(f"{'':>8}{cell.quotes:>4}  {stance:<26}{quoted}")
        if len(table.rows) > len(rows):
            lines.append(f"  ... {len(table.rows) - len(rows)} more speaker(s); --top 0 shows all")
        lines.append("")
    if report.unreadable_dates:
        lines.append(f"note: {report.unreadable_dates} record(s) have a \"{DATE_FIELD}\" that is not "
                     f"ISO 8601 (YYYY-MM-DD); they count as {UNDATED}")
    if not report.periods:
        lines.append("no articles")
    return "\n".join(lines).rstrip("\n")


def csv_header(examples: int) -> list[str]:
    return (["period", "speaker", "stance", "quotes", "articles", "share_of_speaker", "mean_confidence"]
            + [name for i in range(1, examples + 1) for name in (f"example_{i}", f"example_{i}_id")])


def write_report_csv(report: CorpusReport, path: str, top: int = 0) -> None:
    """One row per period, speaker and stance (period `all` holds the totals), atomically."""
    with atomic_write(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_header(report.examples))
        for period, table in report.ordered():
            for row in table.speakers(top):
                for stance in table.stances():
                    cell = row.cells.get(stance)
                    if cell is None:
                        continue
                    mean = cell.mean_confidence
                    examples = [value for pair in cell.best_examples() for value in pair]
                    examples += [""] * (2 * report.examples - len(examples))
                    writer.writerow([period, row.name, stance, cell.quotes, cell.articles,
                                     round(cell.quotes / row.quotes, 4),
                                     "" if mean is None else round(mean, 4), *examples])


REPORT_CSS = """
td.cell { text-align: center; min-width: 3rem; }
td.cell details summary { cursor: pointer; font-weight: bold; }
td.cell ul { text-align: start; font-size: .8rem; margin: .3rem 0; padding-inline-start: 1rem; min-width: 14rem; }
th.stance { font-size: .8rem; font-weight: normal; }
.wide { overflow-x: auto; }
"""


def write_report_html(report: CorpusReport, path: str, top: int = 0) -> None:
    """The tables as a right-to-left HTML page; examples open from each count."""
    with atomic_write(path) as handle:
        handle.write(page_start("qawl — من يتخذ أي موقف (speaker × stance)", REPORT_CSS) + legend())
        for period, table in report.ordered():
            handle.write(_period_html(period, table, top))
        if not report.periods:
            handle.write('<p class="meta">لا مقالات · <bdi>no articles</bdi></p>\n')
        handle.write(PAGE_END)


def _period_html(period: str, table: StanceTable, top: int) -> str:
    stances = table.stances()
    head = "".join(f'<th class="stance"><span class="swatch {stance_class(s)}"></span>'
                   f"{escape(STANCE_NAMES_AR.get(s, s))}<br><bdi>{escape(s)}</bdi></th>" for s in stances)
    rows = []
    for row in table.speakers(top):
        cells = "".join(_cell_html(row.cells.get(stance), stance) for stance in stances)
        rows.append(f"<tr><td>{escape(row.name)}</td><td class=\"num\">{row.quotes}</td>{cells}</tr>")
    shown = len(rows)
    more = (f'<p class="meta">متحدثون غير معروضين: {len(table.rows) - shown} · '
            f"<bdi>--top 0</bdi></p>\n") if len(table.rows) > shown else ""
    title = "كل المقالات · all" if period == ALL else period
    return (f"<section>\n<h2><bdi>{escape(title)}</bdi></h2>\n<p class=\"meta\">المقالات: {table.articles}"
            f" · الاقتباسات: {table.quotes} · المتحدثون: {len(table.rows)}</p>\n"
            f'<div class="wide"><table><thead><tr><th>المتحدث</th><th>العدد</th>{head}</tr></thead>\n'
            f"<tbody>\n" + "\n".join(rows) + f"\n</tbody></table></div>\n{more}</section>\n")


def _cell_html(cell: Cell | None, stance: str) -> str:
    if cell is None:
        return '<td class="cell"></td>'
    colour = STANCE_COLOURS.get(stance)
    style = f' style="background: {tint(colour, 0.8)}"' if colour else ""
    mean = cell.mean_confidence
    note = f"{stance} · {cell.articles} article(s)" + (f" · mean confidence {mean:.2f}" if mean is not None else "")
    examples = "".join(f"<li>«{escape(quote)}» <bdi class=\"meta\">({escape(article)})</bdi></li>"
                       for quote, article in cell.best_examples())
    body = f"<details><summary>{cell.quotes}</summary><ul>{examples}</ul></details>" if examples else str(cell.quotes)
    return f'<td class="cell"{style} title="{escape(note)}">{body}</td>'
