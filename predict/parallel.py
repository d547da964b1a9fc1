"""Tag a stream of article batches in this process, in joblib worker processes or on a Dask cluster.

Every route runs the same `Tagger.tag_batch` on the same batches and yields the articles in input
order, so the output is byte for byte the same whichever route made it. Batches are handed out
a few at a time ahead of the results, never all at once, so memory stays flat on any input size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from predict.bundle import load_bundle
from predict.pipeline import Tagger
from predict.records import Article, QawlError

BATCH_SIZE = 64
_WORKER_TAGGERS: dict[tuple[str, float], Tagger] = {}  # one loaded model per worker process


def batches(articles: Iterable[Article], size: int = BATCH_SIZE) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, size)):
        yield batch


def tag_articles(articles: Iterable[Article], model: str, min_confidence: float = 0.0, jobs: int = 1,
                 scheduler: str | None = None, encode: Callable[[Article], Any] | None = None) -> Iterator:
    """Tagged articles in input order: here (jobs 1), in `jobs` processes, or on a Dask scheduler.

    With `encode` (a module-level function, so it pickles), each tagged article is passed through
    it where it was tagged and the results come back instead: a worker that encodes its own output
    lines spares the parent, which shares the cores, from rebuilding and encoding every article.
    The model is loaded and checked (and the scheduler reached) before any article is read.
    """
    tagger = Tagger(load_bundle(model)[0], min_confidence)
    if scheduler:
        results = _on_dask(batches(articles), tagger, scheduler, encode)
    elif jobs == 1:
        results = (tagged_batch(tagger, batch, encode) for batch in batches(articles))
    else:
        from joblib import Parallel, delayed

        sent: deque[list[Article]] = deque()

        def dispatched() -> Iterator[list[Article]]:
            for batch in batches(articles):
                sent.append(batch)
                yield batch

        parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")
        found = parallel(delayed(tag_in_worker)(model, min_confidence, batch, encode) for batch in dispatched())
        results = (_received(sent.popleft(), done, encode) for done in found)
    return (item for batch in results for item in batch)


def tagged_batch(tagger: Tagger, batch: list[Article], encode: Callable[[Article], Any] | None) -> list:
    """The batch tagged, each article passed through `encode` when one is given."""
    tagged = tagger.tag_batch(batch)
    return tagged if encode is None else list(map(encode, tagged))


def tag_in_worker(model: str, min_confidence: float, batch: list[Article],
                  encode: Callable[[Article], Any] | None = None) -> list:
    """One batch tagged with this process's copy of the model (loaded on first use).

    Without `encode` only the quotes travel back: the articles' text is already in the parent.
    """
    key = (model, min_confidence)
    if key not in _WORKER_TAGGERS:
        _WORKER_TAGGERS[key] = Tagger(load_bundle(model)[0], min_confidence)
    if encode is None:
        return [article.quotes for article in _WORKER_TAGGERS[key].tag_batch(batch)]
    return tagged_batch(_WORKER_TAGGERS[key], batch, encode)


def _received(batch: list[Article], done: list, encode: Callable[[Article], Any] | None) -> list:
    """A worker's results for `batch`: encoded articles as they came, or its quotes put back."""
    if encode is not None:
        return done
    return [Article(article.id, article.text, found, article.extra) for article, found in zip(batch, done)]


def _on_dask(work: Iterator[list[Article]], tagger: Tagger, address: str,
             encode: Callable[[Article], Any] | None) -> Iterator[list]:
    """Submit batches to the cluster with a bounded number in flight; results come back in order.

    The checked model is sent to every worker once, so workers need no access to the model folder.
    """
    from distributed import Client

    try:
        client = Client(address, timeout="5s")
    except OSError as error:
        raise QawlError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    shared = client.scatter(tagger, broadcast=True)
    window = 2 * max(1, sum(client.nthreads().values()))

    def results() -> Iterator[list]:
        with client:
            pending: deque = deque()
            for batch in work:
                pending.append(client.submit(tagged_batch, shared, batch, encode, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    return results()
