"""Arabic text layer: normalisation, tokens with character offsets, sentences.

Everything downstream works on `Token`s whose `start`/`end` index the original text, so spans
found on normalised forms can always be cut from the article exactly as it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

_TATWEEL = "\u0640"
_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064A]")
# sentence ends: full stop, Arabic and Latin question marks, exclamation, and line breaks
_SENTENCE_END_RE = re.compile(r"[.!?؟]+(?=\s|$|[»”\"’])|\n+")


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the original text with its offsets and normalised form."""

    text: str
    start: int
    end: int
    norm: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a character span and the indices of its tokens."""

    start: int
    end: int
    first: int
    last: int  # exclusive token index


def normalize(text: str) -> str:
    """Return the matching form of Arabic text.

    Unicode compatibility forms, diacritics and tatweel are removed; alef variants, alef maksura
    and teh marbuta are unified. Used for features and lexicon look-ups, never for output spans.
    """
    text = normalize_unicode(text).replace(_TATWEEL, "")
    text = dediac_ar(text)
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(text)))


def normalize_word(word: str) -> str:
    """Normalise one word without Unicode compatibility decomposition, which may split it."""
    word = dediac_ar(word.replace(_TATWEEL, ""))
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(word)))


def has_arabic(text: str) -> bool:
    """Return True when the text contains at least one Arabic letter."""
    return _ARABIC_LETTER_RE.search(text) is not None


def tokenize(text: str) -> list[Token]:
    """Split text with camel-tools' `simple_word_tokenize` and keep each token's offsets."""
    tokens = []
    position = 0
    for piece in simple_word_tokenize(text):
        start = text.find(piece, position)
        if start < 0:  # the tokenizer never rewrites characters, but stay safe on odd input
            continue
        position = start + len(piece)
        tokens.append(Token(piece, start, position, normalize_word(piece)))
    return tokens


def split_sentences(text: str, tokens: list[Token]) -> list[Sentence]:
    """Group tokens into sentences ending at . ! ? ؟ or a line break."""
    bounds = [match.end() for match in _SENTENCE_END_RE.finditer(text)]
    bounds.append(len(text) + 1)
    sentences = []
    first = 0
    bound_index = 0
    for index, token in enumerate(tokens):
        while token.start >= bounds[bound_index]:
            bound_index += 1
            if index > first:
                sentences.append(_sentence(tokens, first, index))
                first = index
    if first < len(tokens):
        sentences.append(_sentence(tokens, first, len(tokens)))
    return sentences


def _sentence(tokens: list[Token], first: int, last: int) -> Sentence:
    return Sentence(tokens[first].start, tokens[last - 1].end, first, last)
