"""A progress bar for long jobs: on a terminal only, on stderr, so piped output stays clean."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

from predict.records import QawlError, iter_input_files


def progress(items: Iterable, inputs: Iterable[str], unit: str = "articles") -> Iterator:
    """`items` with a bar (done, rate, ETA when the total is known) when stderr is a terminal."""
    if not sys.stderr.isatty():
        return iter(items)
    from tqdm import tqdm

    return iter(tqdm(items, total=_count_records(inputs), unit=f" {unit}", file=sys.stderr,
                     dynamic_ncols=True, mininterval=0.5))


def _count_records(inputs: Iterable[str]) -> int | None:
    """Records in the inputs (lines of .jsonl, one per .txt), or None when stdin is read."""
    total = 0
    try:
        for path in iter_input_files(inputs):
            if str(path) == "-":
                return None
            if path.suffix != ".jsonl":
                total += 1
                continue
            with path.open("rb") as handle:
                total += sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    except (OSError, QawlError):  # the reader itself reports a bad input, with file and line
        return None
    return total
