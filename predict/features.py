"""Feature extraction shared by training and prediction.

Every learned stage takes a list of plain dicts (one per quote, candidate or mention): a
normalised `text` for TF-IDF and a `features` dict of hand-made cues. The analyzers that cut the
text into n-grams live here because training (`train.estimators`) and prediction
(`predict.linear`) must cut it the same way.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from predict import lexicon
from predict.text import normalize

_PHRASES = [(label, tuple(phrase.split())) for label, phrases in lexicon.STANCE_PHRASES.items()
            for phrase in phrases]
_WORD_RE = re.compile(r"\w\w+")  # scikit-learn's default token pattern


@dataclass(frozen=True)
class WordNgrams:
    """Word n-grams of normalised text, words being runs of two or more word characters."""

    n_min: int = 1
    n_max: int = 2

    def __call__(self, text: str) -> list[str]:
        words = _WORD_RE.findall(text)
        return [" ".join(words[i:i + n]) for n in range(self.n_min, self.n_max + 1)
                for i in range(len(words) - n + 1)]

    def spec(self) -> dict:
        return {"type": "words", **asdict(self)}


@dataclass(frozen=True)
class CharNgrams:
    """Character n-grams inside each space-padded word (scikit-learn's `char_wb`)."""

    n_min: int = 2
    n_max: int = 5

    def __call__(self, text: str) -> list[str]:
        grams = []
        for word in text.split():
            padded = f" {word} "
            for n in range(self.n_min, min(self.n_max, len(padded)) + 1):
                grams += [padded[i:i + n] for i in range(len(padded) - n + 1)]
        return grams

    def spec(self) -> dict:
        return {"type": "chars", **asdict(self)}


ANALYZERS = {"words": WordNgrams, "chars": CharNgrams}


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
    for index, word in enumerate(words[:60]):
        if word in lexicon.NEGATIONS and index + 1 < len(words):
            features[f"neg+{words[index + 1]}"] = 1.0
            features["negation"] = 1.0
    for label, phrase in _PHRASES:
        for index in range(len(words) - len(phrase) + 1):
            if tuple(words[index:index + len(phrase)]) == phrase or \
                    (len(phrase) == 1 and phrase[0] in words[index]):
                negated = any(w in lexicon.NEGATIONS for w in words[max(0, index - 2):index])
                key = f"lex={label}" + ("+neg" if negated else "")
                features[key] = features.get(key, 0.0) + 1.0
                features[f"cue={cue_lemma}+lex={label}"] = 1.0
                break
    return features
