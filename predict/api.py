"""The Python API for notebooks and scripts: load a model once, then tag text or records.

    import qawl
    model = qawl.load("models/default")
    model.predict("قال وزير الخارجية إن ...")        # -> [{"quote": ..., "speaker_name": ..., "stance": ...}]
    model.predict_records([{"id": "a1", "text": "..."}])  # -> [{"id": "a1", "text": ..., "quotes": [...]}]
    model.classify([{"id": "a1", "text": "...", "quotes": [{"quote": "...", "cue": "قال"}]}])

Plain dicts in and out, with the fields of the JSON Lines records (ANNOTATION.md §4) that
`qawl predict` writes. Problems raise `QawlError` with a message saying what to fix; nothing
here prints, exits or needs click.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from predict.bundle import load_bundle
from predict.parallel import batches
from predict.pipeline import Tagger
from predict.records import Article, QawlError, article_from_dict, locate_quotes

DEFAULT_MODEL = "models/default"


class Model:
    """A loaded bundle, ready to tag. Build it with `load`."""

    def __init__(self, tagger: Tagger, schema: dict, metadata: dict, path: str):
        self.tagger = tagger
        self.schema = schema
        self.metadata = metadata
        self.path = path

    def __repr__(self) -> str:
        return f"<qawl.Model {self.path!r}: {len(self.labels)} stance labels>"

    @property
    def labels(self) -> list[str]:
        """The stance labels this model chooses from, in the schema's order."""
        return [label["name"] for label in self.schema["labels"]]

    def predict(self, text: str) -> list[dict]:
        """The quotes of one article's text, in text order, as dicts.

        A text with no quote (or no Arabic at all) gives an empty list.
        """
        if not isinstance(text, str):
            raise QawlError(f"predict() takes the article text as a string, not {type(text).__name__}; "
                            f"use predict_records() for records")
        [article] = self.predict_records([{"id": "text", "text": text}])
        return article["quotes"]

    def predict_records(self, records: Iterable[dict]) -> list[dict]:
        """Articles `{"id", "text", ...}` with their quotes found, attributed and classified.

        Any quotes a record brings are replaced; its other fields are kept.
        """
        return [article.to_dict() for batch in batches(_articles(records))
                for article in self.tagger.tag_batch(batch)]

    def classify(self, records: Iterable[dict]) -> list[dict]:
        """Records that already carry `quotes`, with each quote's stance and scores filled in."""
        done = []
        for batch in batches(_articles(records)):
            for article in batch:
                locate_quotes(article)  # offsets in the output, as `qawl predict` gives them
            done += [article.to_dict() for article in self.tagger.classify_batch(batch)]
        return done


def load(path: str | os.PathLike = DEFAULT_MODEL, min_confidence: float = 0.0) -> Model:
    """Load and check a bundle once (see `qawl train`); stances below `min_confidence` become `other`."""
    if not 0.0 <= min_confidence <= 1.0:
        raise QawlError(f"min_confidence must be between 0 and 1, not {min_confidence!r}")
    models, schema, metadata = load_bundle(path)
    return Model(Tagger(models, min_confidence=min_confidence), schema, metadata, str(path))


def _articles(records: Iterable[dict]) -> Iterator[Article]:
    if isinstance(records, (str, bytes, dict)):
        raise QawlError("expected a list of records such as [{\"id\": \"a1\", \"text\": \"...\"}], "
                        f"not a single {type(records).__name__}")
    for number, record in enumerate(records, 1):
        yield article_from_dict(record, f"record {number}")
