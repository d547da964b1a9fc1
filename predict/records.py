"""Records and their JSON Lines I/O (ANNOTATION.md §4).

The in-memory `Article` and `Quote` have the fields of the on-disk records. Readers stream: one
article at a time, so a 1 GB archive never sits in memory, and an article longer than
`MAX_CHARS` is counted, reported as a bad record and never held whole. Problems are reported as
`QawlError` (or `BadRecord`) with the file, the line and what is wrong.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from itertools import chain
from dataclasses import dataclass, field
from pathlib import Path

import orjson

INPUT_SUFFIXES = (".jsonl", ".txt")
# longest article read (some 250 pages, a hundred times a long news article); a longer one is a
# bad record: it is hardly one article, and tagging it would take minutes and hundreds of MB
MAX_CHARS = 1_000_000
# a JSON line may spell each character as a 6-byte \uXXXX escape; longer lines are read in pieces
_MAX_LINE_BYTES = 6 * MAX_CHARS + 65_536
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))  # UTF-8 bytes that do not start a character
QUOTE_FIELDS = ("quote", "kind", "cue", "speaker", "speaker_name", "via", "stance")


class QawlError(Exception):
    """A problem a user can act on; the CLI prints it as one line."""


KINDS = ("direct", "indirect")  # ANNOTATION.md §1


@dataclass(slots=True)
class Quote:
    """One quoted or reported statement; `start`/`end` index the article text."""

    quote: str
    start: int = -1
    end: int = -1
    kind: str = "indirect"
    cue: str = ""
    speaker: list[str] = field(default_factory=list)
    speaker_name: str = ""
    via: str = ""
    stance: str = ""
    stance_score: float | None = None
    speaker_score: float | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies every value and was a tenth of prediction time
        record = {"quote": self.quote, "start": self.start, "end": self.end, "kind": self.kind, "cue": self.cue,
                  "speaker": list(self.speaker), "speaker_name": self.speaker_name, "via": self.via,
                  "stance": self.stance}
        for name in ("stance_score", "speaker_score"):
            if getattr(self, name) is not None:
                record[name] = getattr(self, name)
        return {**record, **self.extra}


@dataclass(slots=True)
class Article:
    """An article: its id, its text and the quotes in it, plus any other fields it came with."""

    id: str
    text: str
    quotes: list[Quote] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"id": self.id, **self.extra, "text": self.text,
                "quotes": [quote.to_dict() for quote in self.quotes]}


@dataclass(frozen=True, slots=True)
class _LongLine:
    """A line longer than any article may be: counted while read past, never held."""

    chars: int
    opening: str  # its first non-blank character, to tell JSON from text


@dataclass(frozen=True, slots=True)
class BadRecord:
    """A record that could not be read; batch jobs report it and go on."""

    location: str
    problem: str

    def __str__(self) -> str:
        return f"{self.location}: {self.problem}"


def quote_from_dict(record: dict) -> Quote:
    """Build a `Quote` from a JSON object, keeping unknown fields in `extra`."""
    known = {name: record[name] for name in Quote.__slots__ if name in record and name != "extra"}
    speaker = known.get("speaker", [])
    known["speaker"] = [speaker] if isinstance(speaker, str) else list(speaker or [])
    for name in ("cue", "speaker_name", "via", "stance", "kind"):
        if name in known and known[name] is None:
            known[name] = ""
    extra = {k: v for k, v in record.items() if k not in Quote.__slots__}
    return Quote(**known, extra=extra)


def article_from_dict(record: dict, location: str) -> Article:
    """Build an `Article` from a JSON object; raise `QawlError` naming `location` if it is unusable."""
    if not isinstance(record, dict):
        raise QawlError(f"{location}: a record must be a JSON object, not {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise QawlError(f"{location}: the record has no \"text\" string")
    quotes = record.get("quotes") or []
    if not isinstance(quotes, list) or not all(isinstance(q, dict) for q in quotes):
        raise QawlError(f"{location}: \"quotes\" must be a list of objects")
    extra = {k: v for k, v in record.items() if k not in ("id", "text", "quotes")}
    article_id = record.get("id")
    return Article(str(article_id) if article_id is not None else location, text,
                   [quote_from_dict(q) for q in quotes], extra)


def locate_quotes(article: Article) -> list[Quote | None]:
    """Give every quote of a labeled article its offsets, by ANNOTATION.md §4's search rule.

    A quote is found at its first occurrence after the previous quote's start; quotes that are
    not in the text at all come back as None.
    """
    located = []
    position = 0
    for quote in article.quotes:
        start = article.text.find(quote.quote, position) if quote.quote else -1
        if start < 0:
            start = article.text.find(quote.quote) if quote.quote else -1
        if start < 0:
            located.append(None)
            continue
        quote.start, quote.end = start, start + len(quote.quote)
        position = start + 1
        located.append(quote)
    return located


def iter_input_files(paths: Iterable[str]) -> Iterator[Path]:
    """Expand paths (files or directories of .txt/.jsonl files) into files, in a stable order."""
    for raw in paths:
        if raw == "-":
            yield Path("-")
            continue
        path = Path(raw)
        if not path.exists():
            raise QawlError(f"{raw}: no such file or directory")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in INPUT_SUFFIXES)
            if not files:
                raise QawlError(f"{raw}: the directory holds no .txt or .jsonl files")
            yield from files
        else:
            yield path


def read_articles(paths: Iterable[str]) -> Iterator[Article | BadRecord]:
    """Stream articles from .txt files, .jsonl files, directories and `-` (stdin).

    File-level problems (missing, binary, not UTF-8, empty) raise `QawlError`; a bad line of a
    JSON Lines file is yielded as a `BadRecord` so a batch can report it and go on.
    """
    seen: dict[str, str] = {}
    for path in iter_input_files(paths):
        for item in _read_file(path):
            if isinstance(item, Article):
                first = seen.get(item.id)
                if first is not None:
                    yield BadRecord(item.extra.get("_location", str(path)),
                                    f"id {item.id!r} repeats the record at {first}")
                    continue
                seen[item.id] = item.extra.get("_location", str(path))
            yield item


def _read_file(path: Path) -> Iterator[Article | BadRecord]:
    name = "<stdin>" if str(path) == "-" else str(path)
    with (nullcontext(sys.stdin.buffer) if name == "<stdin>" else path.open("rb")) as stream:
        lines = _decoded_lines(stream, name)
        head = []
        for item in lines:  # look ahead to the first non-blank line, keeping what was read
            head.append(item)
            if _opening(item[1]):
                break
        if not head or not _opening(head[-1][1]):
            raise QawlError(f"{name}: the file is empty")
        lines = chain(head, lines)
        is_json = _opening(head[-1][1]).startswith("{")
        if path.suffix == ".txt" or (name == "<stdin>" and not is_json):
            yield _whole_text(lines, name, path.name if name != "<stdin>" else "stdin")
            return
        yield from _parse_jsonl(lines, name)


def _opening(line: str | _LongLine) -> str:
    return line.opening if isinstance(line, _LongLine) else line.lstrip()[:1]


def _too_long(what: str, chars: int) -> str:
    return f"the {what} is {chars:,} characters, above the limit of {MAX_CHARS:,} for an article; split it"


def _whole_text(lines: Iterator[tuple[int, str | _LongLine]], name: str, article_id: str) -> Article | BadRecord:
    """A text file is one article; past `MAX_CHARS` its lines are only counted."""
    parts, chars = [], 0
    for _, line in lines:
        chars += line.chars if isinstance(line, _LongLine) else len(line)
        if chars <= MAX_CHARS:
            parts.append(line)
        elif parts:
            parts.clear()
    if chars > MAX_CHARS:
        return BadRecord(name, _too_long("article", chars))
    return Article(article_id, "".join(parts).replace("\r\n", "\n"), extra={"_location": name})


def _parse_jsonl(lines: Iterator[tuple[int, str | _LongLine]], name: str) -> Iterator[Article | BadRecord]:
    for number, line in lines:
        location = f"{name}:{number}"
        if isinstance(line, _LongLine):
            yield BadRecord(location, _too_long("record", line.chars))
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield BadRecord(location, f"not valid JSON ({error.msg} at column {error.colno})")
            continue
        try:
            article = article_from_dict(record, location)
        except QawlError as error:
            yield BadRecord(location, str(error).removeprefix(f"{location}: "))
            continue
        if len(article.text) > MAX_CHARS:
            yield BadRecord(location, _too_long("article", len(article.text)))
            continue
        article.extra["_location"] = location
        yield article


def _decoded_lines(stream: io.BufferedIOBase, name: str) -> Iterator[tuple[int, str | _LongLine]]:
    number = 0
    while raw := stream.readline(_MAX_LINE_BYTES):
        number += 1
        if len(raw) == _MAX_LINE_BYTES and not raw.endswith(b"\n"):
            opening = raw[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()[:1].decode("utf-8", "replace")
            yield number, _LongLine(_count_chars(raw) + _rest_of_line(stream), opening)
            continue
        if b"\x00" in raw:
            raise QawlError(f"{name}:{number}: this is a binary file, not text")
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise QawlError(
                f"{name}:{number}: the file is not UTF-8 (Arabic text in Windows-1256? convert it "
                f"with: iconv -f WINDOWS-1256 -t UTF-8 {name} > fixed{Path(name).suffix})"
            ) from None


def _rest_of_line(stream: io.BufferedIOBase) -> int:
    """Read past the rest of a line in 1 MB pieces; return how many characters it held."""
    chars = 0
    while piece := stream.readline(1 << 20):
        chars += _count_chars(piece)
        if piece.endswith(b"\n"):
            break
    return chars


def _count_chars(raw: bytes) -> int:
    """Characters in UTF-8 bytes, counted 1 MB at a time without decoding them."""
    step = 1 << 20
    return sum(len(raw[i:i + step].translate(None, _CONTINUATION_BYTES)) for i in range(0, len(raw), step))


def json_line(record: dict) -> bytes:
    """One JSON Lines record, newline included.

    orjson encodes about ten times faster than json.dumps, and gives bytes that are written as
    they are: a text handle would decode them only to encode them again.
    """
    return orjson.dumps(record, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE)


def article_line(article: Article) -> bytes:
    """A tagged article as its output line (what `qawl predict --jobs N` workers send back)."""
    return json_line(article.to_dict())


def write_jsonl(records: Iterable[dict], output: str | None) -> int:
    """Write records as JSON Lines to `output` (atomically) or to stdout when it is None or '-'."""
    return write_lines(map(json_line, records), output)


def write_lines(lines: Iterable[bytes], output: str | None) -> int:
    """Write encoded lines to `output` (atomically) or to stdout when it is None or '-'."""
    if output in (None, "-"):
        sys.stdout.flush()  # text printed earlier must come out before the bytes written below
    with (nullcontext(sys.stdout.buffer) if output in (None, "-") else atomic_write(output, "wb")) as handle:
        count = 0
        for line in lines:
            handle.write(line)
            count += 1
        handle.flush()
    return count


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w"):
    """Write to a temporary file beside `path` and rename it into place only on success.

    A target that exists but is not a regular file (/dev/null, a named pipe) is written directly:
    renaming over it would replace the device or pipe.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open(mode, **({"encoding": "utf-8"} if "b" not in mode else {})) as handle:
            yield handle
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(mode, dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part", delete=False,
                                         **({"encoding": "utf-8"} if "b" not in mode else {}))
    os.chmod(handle.name, 0o666 & ~_umask())  # as an ordinary new file would be, not mkstemp's 0600
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
