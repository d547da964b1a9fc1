"""Reading inputs: every bad case gets a clear one-line problem; good ones stream through."""

import json
import os
import subprocess
import tracemalloc

import pytest

from predict.records import MAX_CHARS, Article, BadRecord, QawlError, atomic_write, read_articles


def read(*paths):
    return list(read_articles([str(p) for p in paths]))


def test_missing_file(tmp_path):
    with pytest.raises(QawlError, match="no such file"):
        read(tmp_path / "nope.txt")


def test_directory_without_inputs(tmp_path):
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(QawlError, match="no .txt or .jsonl"):
        read(tmp_path)


def test_empty_file(tmp_path):
    (tmp_path / "a.txt").write_text("\n\n")
    with pytest.raises(QawlError, match="a.txt: the file is empty"):
        read(tmp_path / "a.txt")


def test_binary_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\x00\x01\x02PK")
    with pytest.raises(QawlError, match="binary"):
        read(tmp_path / "a.txt")


def test_windows_1256_is_named_with_the_fix(tmp_path):
    (tmp_path / "a.txt").write_bytes("قال الوزير إن الوضع هادئ".encode("cp1256"))
    with pytest.raises(QawlError, match=r"a.txt:1: the file is not UTF-8.*iconv -f WINDOWS-1256"):
        read(tmp_path / "a.txt")


def test_bom_and_crlf_are_accepted(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeffقال الوزير\r\nإن الوضع هادئ\r\n".encode("utf-8"))
    [article] = read(tmp_path / "a.txt")
    assert article.text == "قال الوزير\nإن الوضع هادئ\n" and article.id == "a.txt"


def test_bad_jsonl_lines_are_reported_and_the_rest_go_on(tmp_path):
    lines = ['{"id": "1", "text": "نص أول"}', "{not json", "[1, 2]", '{"id": "4"}',
             '{"id": "1", "text": "مكرر"}', '{"id": "6", "text": "نص أخير"}']
    (tmp_path / "a.jsonl").write_text("\n".join(lines), "utf-8")
    items = read(tmp_path / "a.jsonl")
    good = [i.id for i in items if isinstance(i, Article)]
    bad = [str(i) for i in items if isinstance(i, BadRecord)]
    assert good == ["1", "6"]
    assert bad[0].startswith(f"{tmp_path}/a.jsonl:2: not valid JSON")
    assert "a.jsonl:3: a record must be a JSON object" in bad[1]
    assert "a.jsonl:4: the record has no \"text\" string" in bad[2]
    assert "a.jsonl:5: id '1' repeats the record at" in bad[3]


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as handle:
            handle.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_unknown_fields_round_trip(tmp_path):
    record = {"id": "x", "date": "2026-01-02", "text": "نص", "quotes": [
        {"quote": "نص", "kind": "direct", "cue": "", "speaker": ["أ"], "speaker_name": "أ",
         "via": "", "stance": "other", "construction": "colon"}]}
    (tmp_path / "a.jsonl").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    [article] = read(tmp_path / "a.jsonl")
    article.extra.pop("_location")
    out = article.to_dict()
    assert out["date"] == "2026-01-02" and out["quotes"][0]["construction"] == "colon"


SENTENCE = "قال الوزير إن الوضع في المدينة هادئ. "  # 2 bytes a letter in UTF-8
TWENTY_MB = 20 * 1024 * 1024


@pytest.mark.parametrize("suffix, paragraph", [(".txt", 0), (".txt", 50), (".jsonl", 0)])
def test_a_20_mb_article_is_a_bad_record_read_in_bounded_memory(tmp_path, suffix, paragraph):
    text = SENTENCE * (TWENTY_MB // len(SENTENCE.encode()))
    if paragraph:  # one line per paragraph of 50 sentences, else all on one line
        text = text.replace(SENTENCE * paragraph, SENTENCE * paragraph + "\n")
    path = tmp_path / f"big{suffix}"
    if suffix == ".jsonl":
        line = json.dumps({"id": "big", "text": text}, ensure_ascii=False) + "\n"
        good = json.dumps({"id": "small", "text": SENTENCE}, ensure_ascii=False) + "\n"
        path.write_text(line + good, "utf-8")
        location, problem = f"{path}:1", f"the record is {len(line):,} characters"
    else:
        path.write_text(text, "utf-8")
        location, problem = str(path), f"the article is {len(text):,} characters"
    del text
    tracemalloc.start()
    try:
        items = read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(items[0]) == f"{location}: {problem}, above the limit of 1,000,000 for an article; split it"
    assert [i.id for i in items[1:]] == (["small"] if suffix == ".jsonl" else [])
    assert peak < 16 * 1024 * 1024  # the 20 MB are counted, never held


def test_an_article_over_the_limit_in_a_short_enough_line_is_counted_exactly(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "ب" * (MAX_CHARS + 1)}, ensure_ascii=False) + "\n", "utf-8")
    [bad] = read(path)
    assert str(bad) == (f"{path}:1: the article is 1,000,001 characters, above the limit of 1,000,000 "
                        f"for an article; split it")


def test_an_article_at_the_limit_is_read(tmp_path):
    (tmp_path / "a.txt").write_text("ب" * MAX_CHARS, "utf-8")
    [article] = read(tmp_path / "a.txt")
    assert len(article.text) == MAX_CHARS


def test_atomic_write_to_a_device_writes_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    with atomic_write(fifo) as handle:
        handle.write("through the pipe\n")
    assert reader.communicate(timeout=10)[0] == "through the pipe\n".encode()
    assert not fifo.is_file() and list(tmp_path.iterdir()) == [fifo]
