"""Feature extraction shared by training and prediction.

Every learned stage takes a list of plain dicts (one per quote, candidate or mention): a
normalised `text` for TF-IDF and a `features` dict of hand-made cues. The analyzers that cut the
text into n-grams live here because training (`train.estimators`) and prediction
(`predict.linear`) must cut it the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from itertools import compress

from predict import lexicon
from predict.text import WordMemo, light_stem, normalize


def _index_phrases(phrases: dict[str, list[str]]) -> tuple[dict, dict, list[int]]:
    """Multi-word phrases by their first and second words; one-word phrases (matched inside a word)
    by text."""
    multi, single = defaultdict(lambda: defaultdict(list)), defaultdict(list)
    for label, entries in phrases.items():
        for phrase in entries:
            words = tuple(phrase.split())
            if len(words) == 1:
                single[words[0]].append((label, words))
            else:
                multi[words[0]][words[1]].append((label, words))
    return ({first: dict(by_second) for first, by_second in multi.items()}, dict(single),
            sorted({len(text) for text in single}))


_MULTI_PHRASES, _SINGLE_PHRASES, _SINGLE_LENGTHS = _index_phrases(lexicon.STANCE_PHRASES)
_SINGLE_HEADS = frozenset(text[:_SINGLE_LENGTHS[0]] for text in _SINGLE_PHRASES)
_LONGEST_PHRASE = max(len(phrase) for by_second in _MULTI_PHRASES.values()
                      for entries in by_second.values() for _, phrase in entries)
_WORD_RE = re.compile(r"\w\w+")  # scikit-learn's default token pattern


def words_of(text: str) -> list[str]:
    """The words n-gram analyzers see: runs of two or more word characters."""
    return _WORD_RE.findall(text)


def word_parts(word: str) -> list[str]:
    """`words_of` one word without spaces: a word all of letters and digits (what `\\w` adds
    only `_` to) is its own single run, found without the regex."""
    return [word] if word.isalnum() and len(word) > 1 else _WORD_RE.findall(word)


@dataclass(frozen=True)
class WordNgrams:
    """Word n-grams of normalised text, words being runs of two or more word characters."""

    n_min: int = 1
    n_max: int = 2

    def __call__(self, text: str) -> list[str]:
        words = words_of(text)
        grams = words.copy() if self.n_min == 1 else []
        for n in range(max(2, self.n_min), self.n_max + 1):
            grams += map(" ".join, zip(*(words[i:] for i in range(n))))
        return grams

    def spec(self) -> dict:
        return {"type": "words", **asdict(self)}


@dataclass(frozen=True)
class CharNgrams:
    """Character n-grams inside each space-padded word (scikit-learn's `char_wb`)."""

    n_min: int = 2
    n_max: int = 5

    def __call__(self, text: str) -> list[str]:
        return [gram for word in text.split() for gram in self.word_grams(word)]

    def word_grams(self, word: str) -> list[str]:
        """The n-grams of one word: a text's n-grams are its words', cut in this order (as
        `predict.linear.CharGrams` cuts a batch of words at once)."""
        padded = f" {word} "
        return [padded[i:i + n] for n in range(self.n_min, min(self.n_max, len(padded)) + 1)
                for i in range(len(padded) - n + 1)]

    def spec(self) -> dict:
        return {"type": "chars", **asdict(self)}


@dataclass(frozen=True)
class WordStems:
    """The light stem of each word (`predict.text.light_stem`), words as in `WordNgrams`."""

    def __call__(self, text: str) -> list[str]:
        return list(map(light_stem, words_of(text)))

    def spec(self) -> dict:
        return {"type": "stems"}


ANALYZERS = {"words": WordNgrams, "chars": CharNgrams, "stems": WordStems}


def analyzer_from_spec(spec: dict):
    """The analyzer a saved model names; KeyError or TypeError for anything else."""
    fields = dict(spec)
    return ANALYZERS[fields.pop("type")](**{key: int(value) for key, value in fields.items()})


def stance_record(quote: str, cue_lemma: str, frame: str) -> dict:
    """The stance model's input for one quote."""
    text = normalize(quote)
    return {"text": text, "features": stance_cues(text, cue_lemma, frame)}


def stance_cues(text: str, cue_lemma: str, frame: str) -> dict:
    """Cue, negation and lexicon features of normalised text: what a reader keys on besides the words."""
    words = text.split()
    features = {f"cue={cue_lemma}": 1.0, f"frame={frame}": 1.0}
    negatable = words[:min(60, len(words) - 1)]  # a negation and the word it negates
    if not lexicon.NEGATIONS.isdisjoint(negatable):
        for index, word in enumerate(negatable):
            if word in lexicon.NEGATIONS:
                features[f"neg+{words[index + 1]}"] = 1.0
                features["negation"] = 1.0
    seen = set()
    entries = _lexicon_entries_of(words)
    for index in compress(range(len(words)), entries):
        for label, phrase in _phrases_at(words, index, *entries[index]):
            if (label, phrase) in seen:  # each phrase counts once, at its first occurrence
                continue
            seen.add((label, phrase))
            negated = not lexicon.NEGATIONS.isdisjoint(words[max(0, index - 2):index])
            key = f"lex={label}" + ("+neg" if negated else "")
            features[key] = features.get(key, 0.0) + 1.0
            features[f"cue={cue_lemma}+lex={label}"] = 1.0
            if index < 4:  # a position stated at the start of the quote is usually its point
                features[f"lex_head={label}"] = 1.0
    return features


def _phrases_at(words: list[str], index: int, starting: tuple, inside: tuple) -> list[tuple[str, tuple[str, ...]]]:
    """Lexicon phrases found at `index`: whole multi-word phrases, one-word phrases inside the word.

    `starting` holds the phrases that may start at the word by their second word, per clitic form,
    fullest form first: the first form with a whole phrase wins, so none counts twice.
    """
    following = words[index + 1] if index + 1 < len(words) else None
    for by_second in starting:
        if following in by_second:  # most words that may start a phrase are not followed by its second word
            rest = tuple(words[index + 1:index + _LONGEST_PHRASE])
            found = [(label, phrase) for label, phrase in by_second[following] if rest[:len(phrase) - 1] == phrase[1:]]
            if found:
                return found + list(inside)
    return list(inside)


def _lexicon_entries(word: str) -> tuple:
    """(phrases that may start at the word, per clitic form; one-word phrases inside it), or ()
    for the many words that touch no phrase.

    A multi-word phrase may start after the first word's clitics (بوقف اطلاق النار, ولوقف ...).
    """
    starting = [_MULTI_PHRASES[word]] if word in _MULTI_PHRASES else []
    form = word
    for clitics in ("وف", "بلك"):
        if len(form) > 3 and form[0] in clitics:
            form = form[1:]
            if form in _MULTI_PHRASES:
                starting.append(_MULTI_PHRASES[form])
    inside = _phrases_inside(word)
    return (tuple(starting), tuple(inside)) if starting or inside else ()


_lexicon_entries_of = WordMemo(lambda words: list(map(_lexicon_entries, words)))  # news repeats words


def _phrases_inside(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """One-word lexicon phrases found inside a word."""
    shortest = _SINGLE_LENGTHS[0]
    if len(word) < shortest or _SINGLE_HEADS.isdisjoint([word[start:start + shortest]
                                                         for start in range(len(word) - shortest + 1)]):
        return []  # most words: no phrase starts anywhere in them, found with one slice per position
    return [entry for n in _SINGLE_LENGTHS for start in range(len(word) - n + 1)
            for entry in _SINGLE_PHRASES.get(word[start:start + n], ())]
