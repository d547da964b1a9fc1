"""The article view (`qawl predict --html`): markup rules, then a real headless browser.

The browser test renders predictions for examples/article.txt and an article written here in
Debian's chromium, reads the DOM chromium built, and keeps a screenshot at ARTIFACT for a person
to look at. It is skipped when no chromium is installed (`apt-get install chromium`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from predict.html import STANCE_COLOURS, open_article_view, write_article_view
from predict.records import Article, Quote
from qawl import main
from tests.conftest import ROOT, corpus_files

ARTIFACT = ROOT / "tests" / "artifacts" / "article-view.png"
BROWSER_TIMEOUT = 120  # seconds; a healthy headless chromium needs one or two
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Written for this test: a direct and an indirect quote, and markup-like text that must stay text.
SECOND_ARTICLE = ("عمّان - قال وزير الخارجية الأردني سامر الحديدي إن بلاده «لن تقبل بأي تهجير للسكان <b>مهما كان الثمن</b>».\n"
                  "وأضاف أن شركة النقل الوطنية & شركاءها مستعدون لإدخال قوافل المساعدات فور فتح المعابر.\n"
                  "من جهته، نفى المتحدث باسم الجيش العقيد منير السالم أن تكون قواته قد قصفت المخيم.\n")


class Elements(HTMLParser):
    """Collects the tags of a page with their attributes, in document order."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def having(self, tag: str, css_class: str | None = None) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag
                and (css_class is None or css_class in (attrs.get("class") or "").split())]


def parse(page: str) -> Elements:
    elements = Elements()
    elements.feed(page)
    return elements


def quote_at(text: str, fragment: str, stance: str = "other", speaker: str = "", **fields) -> Quote:
    start = text.index(fragment)
    return Quote(fragment, start, start + len(fragment), speaker_name=speaker, stance=stance,
                 stance_score=0.8, **fields)


# ---- markup rules, no browser ----

def test_page_is_rtl_arabic_utf8_with_a_mark_per_quote_and_a_legend(tmp_path):
    text = "قال الوزير إن الحكومة ستدعم المزارعين. وأضاف أن الحدود ستبقى مغلقة."
    article = Article("a1", text, [quote_at(text, "الحكومة ستدعم المزارعين", "support", "الوزير"),
                                   quote_at(text, "الحدود ستبقى مغلقة", "warning", "الوزير")])
    path = tmp_path / "view.html"
    assert write_article_view([article], str(path)) == 1
    page = path.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="ar" dir="rtl">' in page
    assert '<meta charset="utf-8">' in page and "<script" not in page and "http" not in page
    elements = parse(page)
    marks = elements.having("mark", "quote")
    assert [m["data-quote"] for m in marks] == ["1", "2"]
    assert "s-support" in marks[0]["class"] and "confidence 0.80" in marks[0]["title"]
    assert len(elements.having("span", "swatch")) == len(STANCE_COLOURS) == 12
    assert len(elements.having("tr")) == 3  # header and one row per quote


def test_all_text_is_escaped(tmp_path):
    text = 'قال <script>alert(1)</script> إن "الوضع" <b>خطير</b> & متوتر'
    quote = quote_at(text, "<b>خطير</b> & متوتر", "warning", '<img src=x onerror="x">',
                     via="<i>وكالة</i>")
    path = tmp_path / "view.html"
    write_article_view([Article("<id>", text, [quote], {"title": "<h1>عنوان</h1>"})], str(path))
    elements = parse(path.read_text("utf-8"))
    names = {tag for tag, _ in elements.tags}
    assert not names & {"script", "b", "img", "i"}
    assert len(elements.having("h1")) == 1 and len(elements.having("mark", "quote")) == 1


def test_nested_and_crossing_quotes_each_get_one_well_formed_mark(tmp_path):
    text = "أكد الرئيس أن الحكومة قالت إن الجيش سينسحب من المدينة قريبا وفق الخطة المعلنة اليوم."
    outer = quote_at(text, "الحكومة قالت إن الجيش سينسحب من المدينة قريبا")
    inner = quote_at(text, "الجيش سينسحب من المدينة")
    crossing = quote_at(text, "قريبا وفق الخطة")
    path = tmp_path / "view.html"
    write_article_view([Article("a", text, [outer, inner, crossing])], str(path))
    page = path.read_text("utf-8")
    body = page[page.index('<div class="text">'):page.index("<table>")]
    assert body.count("<mark ") == body.count("</mark>") == 3
    # the inner quote opens and closes inside the outer one; the crossing one is cut at its end
    assert body.index('data-quote="1"') < body.index('data-quote="2"') < body.index("</mark>")
    assert body.index('data-quote="3"') < body.index("</mark>", body.index("</mark>") + 1) < body.rindex("</mark>")
    assert 'data-quote="3" title="other · confidence 0.80 · indirect">قريبا</mark>' in body


def test_quotes_with_stale_offsets_are_found_by_text_and_missing_ones_are_listed(tmp_path):
    text = "قال الوزير إن الوضع هادئ في العاصمة."
    moved = Quote("الوضع هادئ", 0, 3, stance="other")
    missing = Quote("نص غير موجود", -1, -1, stance="denial")
    path = tmp_path / "view.html"
    write_article_view([Article("a", text, [moved, missing])], str(path))
    page = path.read_text("utf-8")
    assert len(parse(page).having("mark", "quote")) == 1
    assert ">الوضع هادئ</mark>" in page and "not found in the text" in page


def test_a_failed_run_leaves_no_page(tmp_path):
    path = tmp_path / "view.html"
    with pytest.raises(RuntimeError):
        with open_article_view(str(path)) as view:
            view.add(Article("a", "قال الوزير إن الوضع هادئ", []))
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


# ---- through the CLI and a real browser ----

def find_chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def run_chromium(chromium: str, profile: Path, *args: str) -> str:
    """Chromium's stdout; on a timeout its whole process group (renderers too) is killed."""
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=BROWSER_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"chromium did not finish within {BROWSER_TIMEOUT} s: {' '.join(command)}")
    assert process.returncode == 0, stderr[-2000:]
    return stdout


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    for path in corpus_files("afr-02", "afr-06", "afr-10", "afr-14", "int-03", "int-07"):
        (data / path.name).write_text(path.read_text("utf-8"), "utf-8")
    (data / "schema.json").write_text((ROOT / "labels" / "schema.json").read_text("utf-8"), "utf-8")
    path = tmp_path_factory.mktemp("models") / "small"
    result = CliRunner().invoke(main, ["train", "--data", str(data), "--model", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def rendered(model, tmp_path_factory):
    """Predictions for the two articles as JSON Lines and as an article view."""
    folder = tmp_path_factory.mktemp("view")
    second = folder / "amman.txt"
    second.write_text(SECOND_ARTICLE, "utf-8")
    output, page = folder / "tagged.jsonl", folder / "view.html"
    result = CliRunner().invoke(main, ["predict", "--model", str(model), "--output", str(output),
                                       "--html", str(page), str(ROOT / "examples" / "article.txt"), str(second)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    return records, page


def test_predict_html_writes_the_view_beside_the_records(rendered):
    records, page = rendered
    assert [r["id"] for r in records] == ["article.txt", "amman.txt"]
    marks = parse(page.read_text("utf-8")).having("mark", "quote")
    assert len(marks) == sum(len(r["quotes"]) for r in records) > 0


@pytest.mark.skipif(find_chromium() is None, reason="no chromium on PATH (Debian: apt-get install chromium)")
def test_article_view_in_headless_chromium(rendered, tmp_path, capsys):
    chromium = find_chromium()
    records, page = rendered
    dom = run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", page.as_uri())
    elements = parse(dom)
    assert elements.having("html")[0].get("dir") == "rtl"
    articles = elements.having("article")
    assert len(articles) == len(records)
    marks = elements.having("mark", "quote")
    assert len(marks) == sum(len(r["quotes"]) for r in records)
    assert all(m.get("title", "").count("confidence") == 1 for m in marks)
    assert not elements.having("b")  # the <b> in the second article stayed text
    assert len(elements.having("span", "swatch")) == 12

    screenshot = tmp_path / "view.png"
    run_chromium(chromium, tmp_path / "profile-shot", f"--screenshot={screenshot}",
                 "--window-size=1280,2000", page.as_uri())
    image = screenshot.read_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) > 20_000
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_bytes(image)
    with capsys.disabled():  # shown even when pytest captures output
        print(f"\narticle view screenshot: {ARTIFACT}")
