"""Arabic text layer: normalisation, tokens with character offsets, sentences.

Everything downstream works on tokens whose start and end offsets index the original text, so
spans found on normalised forms can always be cut from the article exactly as it was written.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import is_
from typing import NamedTuple

from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)
from emoji import EMOJI_DATA
import regex

# tatweel, and the harakat camel-tools' `dediac_ar` removes (its AR_DIAC_CHARSET), written out:
# importing `dediac_ar` builds all of camel-tools' charsets (see `_SYMBOLS`); a test checks the
# class against it on every code point
_TATWEEL_AND_HARAKAT_RE = re.compile("[\u0640\u064b-\u0652\u0670]")
# camel-tools' normalize_unicode runs a per-character Python loop to replace these two ligatures,
# then NFKC; the loop is skipped when neither occurs (the result is identical)
_LIGATURES_RE = re.compile("[\ufdfc\ufdfd]")
# the characters camel-tools' `simple_word_tokenize` splits off: every punctuation and symbol
# character and each one-character emoji. Its charsets module finds them with a Python loop over
# every code point, from a third of a second to a second of `qawl predict`'s start-up; C-level
# maps find the same set (a test checks) in a third of the time.
_PUNCT_SYMBOL_CATEGORIES = frozenset({"Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Sc", "Sk", "Sm", "So"})
_EVERY_CODE_POINT = range(sys.maxunicode + 1)
_SYMBOLS = frozenset(compress(map(chr, _EVERY_CODE_POINT), map(_PUNCT_SYMBOL_CATEGORIES.__contains__,
                                                              map(unicodedata.category, map(chr, _EVERY_CODE_POINT))))
                     ).union(emoji for emoji in EMOJI_DATA if len(emoji) == 1)
# simple_word_tokenize as one regex pass that also gives offsets: every punctuation or symbol
# character is a token, and so is every run of other non-space characters. camel-tools' symbol
# set comes from an older Unicode than the regex module's \p{P}\p{S}: its few extra characters are
# added to the class, and text whose symbols fall outside the set goes through camel-tools
# itself, as does text with a multi-character emoji sequence (each contains a joiner, keycap,
# variation selector, skin tone, regional indicator or tag character).
_SYMBOL_CLASS = r"\p{P}\p{S}" + "".join(map(regex.escape, sorted(
    _SYMBOLS.difference(regex.findall(r"[\p{P}\p{S}]", "".join(_SYMBOLS))))))
_WORD_CHAR_CLASS = f"[^\\s\\x1c-\\x1f{_SYMBOL_CLASS}]"  # neither one of str.split's spaces nor a symbol
# Arabic letters and harakat are word characters the regex module tests by range, faster than
# by the class: a run that starts with them goes on as any other (the same tokens, 15% faster)
_ARABIC_RUN = "[\u0621-\u0652]+"
# split on tokens, text becomes [spaces, token, its symbol, spaces, token, its symbol, ..., spaces]:
# between tokens there are only spaces, so the pieces' lengths give every token's offsets
_TOKEN_SPLIT_RE = regex.compile(f"(([{_SYMBOL_CLASS}])|{_ARABIC_RUN}{_WORD_CHAR_CLASS}*|{_WORD_CHAR_CLASS}+)")
# every symbol is a token of its own (group 2): a symbol token outside this set is one the regex
# module knows but camel-tools' older set does not, and such text goes through camel-tools
_KNOWN_SYMBOL_GROUPS = _SYMBOLS | {None}
_EMOJI_SEQUENCE_RE = re.compile("[\u200d\u20e3\ufe0f\U0001F1E6-\U0001F1FF\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]")
_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064A]")
# what `light_stem` strips from a normalised word (teh marbuta is already heh), by length, longest first
_STEM_PREFIXES = ((3, frozenset({"وال", "بال", "فال", "كال"})), (2, frozenset({"لل", "ال"})),
                  (1, frozenset({"و", "ف", "ب", "ل", "س"})))
_STEM_SUFFIXES = ((3, frozenset({"هما"})), (2, frozenset({"ها", "هم", "هن", "كم", "نا", "ات", "ون", "ين", "ان"})),
                  (1, frozenset({"ه", "ي"})))
# sentence ends: full stop, Arabic and Latin question marks, exclamation, and line breaks (the
# regex module scans this alternation three times faster than re)
_SENTENCE_END_RE = regex.compile(r"[.!?؟]+(?=\s|$|[»”\"’])|\n+")
_Match = type(_SENTENCE_END_RE.match("."))


class Sentence(NamedTuple):
    """A sentence as a character span and the indices of its tokens (a named tuple: cheap to build)."""

    start: int
    end: int
    first: int
    last: int  # exclusive token index


def normalize(text: str) -> str:
    """Return the matching form of Arabic text.

    Unicode compatibility forms, diacritics and tatweel are removed; alef variants, alef maksura
    and teh marbuta are unified. Used for features and lexicon look-ups, never for output spans.
    """
    text = normalize_unicode(text) if _LIGATURES_RE.search(text) else unicodedata.normalize("NFKC", text)
    text = _TATWEEL_AND_HARAKAT_RE.sub("", text)
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(text)))


@lru_cache(maxsize=1 << 14)
def normalize_phrase(phrase: str) -> str:
    """`normalize`, remembered for the short phrases that come back quote after quote: names,
    titles and subjects."""
    return normalize(phrase)


def normalize_word(word: str) -> str:
    """Normalise one word without Unicode compatibility decomposition, which may split it.

    Every step maps character by character, so words joined by line breaks are normalised as
    each word alone (`normalize_words`)."""
    word = _TATWEEL_AND_HARAKAT_RE.sub("", word)
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(word)))


class WordMemo:
    """A function of each of a text's words, remembered for up to `size` words.

    News vocabulary repeats, and a dict look-up is cheaper than an `lru_cache` hit, which also
    moves the entry in its list. The words new to a call are computed together (`compute` takes
    and returns a list), and past `size` words everything is forgotten at once.
    """

    def __init__(self, compute: Callable[[list[str]], list], size: int = 1 << 16):
        self.compute, self.size = compute, size
        self.values: dict[str, object] = {}

    def __call__(self, words: list[str]) -> list:
        values = list(map(self.values.get, words))
        if None in values:
            fresh = list(dict.fromkeys(compress(words, map(is_, values, repeat(None)))))
            found = dict(zip(fresh, self.compute(fresh)))
            values = list(map(found.get, words, values))  # the new values where remembered ones were missing
            if len(self.values) + len(found) > self.size:
                self.values.clear()
            self.values.update(found)
        return values


# words without spaces, joined by line breaks, normalise as each alone: one pass for all new words
normalize_words = WordMemo(lambda words: normalize_word("\n".join(words)).split("\n"))


def light_stem(word: str) -> str:
    """Strip one leading clitic and one ending from a normalised word, keeping three letters.

    A rough stem, not a morphological analysis: it lets «بالهدنه», «الهدنه» and «هدنه» share a
    feature where word n-grams would see three unrelated words.
    """
    for size, prefixes in _STEM_PREFIXES:  # one set look-up per length, not one test per clitic
        if len(word) - size >= 3 and word[:size] in prefixes:
            word = word[size:]
            break
    for size, suffixes in _STEM_SUFFIXES:
        if len(word) - size >= 3 and word[-size:] in suffixes:
            return word[:-size]
    return word


def has_arabic(text: str) -> bool:
    """Return True when the text contains at least one Arabic letter."""
    return _ARABIC_LETTER_RE.search(text) is not None


def tokenize(text: str) -> tuple[list[str], list[int], list[int], list[str]]:
    """Split text as camel-tools' `simple_word_tokenize` does, keeping offsets: the tokens as four
    parallel lists, their texts, start and end offsets, and normalised forms."""
    if not _EMOJI_SEQUENCE_RE.search(text):
        # one split and C-level sums rather than a match object per token: prediction's hottest lines
        pieces = _TOKEN_SPLIT_RE.split(text)
        if _KNOWN_SYMBOL_GROUPS.issuperset(pieces[2::3]):
            del pieces[2::3]
            offsets = list(accumulate(map(len, pieces), initial=0))
            pieces = pieces[1::2]
            return pieces, offsets[1:-1:2], offsets[2::2], normalize_words(pieces)
    from camel_tools.tokenizers.word import simple_word_tokenize  # only here: its import builds those charsets

    pieces, starts, ends = [], [], []
    position = 0
    for piece in simple_word_tokenize(text):
        start = text.find(piece, position)
        if start < 0:  # the tokenizer never rewrites characters, but stay safe on odd input
            continue
        position = start + len(piece)
        pieces.append(piece)
        starts.append(start)
        ends.append(position)
    return pieces, starts, ends, normalize_words(pieces)


def split_sentences(text: str, starts: list[int], ends: list[int]) -> list[Sentence]:
    """Group tokens, given by their start and end offsets, into sentences ending at . ! ? ؟ or a
    line break."""
    # a sentence starts at the first token at or after each end mark (bisect: no per-token loop)
    cuts = sorted(set(map(bisect_left, repeat(starts), map(_Match.end, _SENTENCE_END_RE.finditer(text))))
                  - {0, len(starts)})
    edges = [0, *cuts, len(starts)] if starts else []
    return [Sentence(starts[first], ends[last - 1], first, last) for first, last in zip(edges, edges[1:])]
