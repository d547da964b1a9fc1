"""Speaker attribution: candidate mentions around each quote, and within-article resolution.

`mentions` lists where a quote's speaker may be named (after the cue, before it, after the
closing mark, the source of بحسب, the words before a colon, a titled name in the narration
since the previous quote, or the previous quote's speaker);
a ranker trained on the corpus scores them (`mention_records` are its input). `resolve` turns a
title or a bare surname into the fuller name the article gave earlier.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from predict import lexicon
from predict.quotes import Candidate, Document, apposed_name, cue_of, definite_name_word, name_like, posted_title
from predict.text import normalize, normalize_phrase

_EDGE_RE = re.compile(r"^[\W_]+|[\W_]+$")
_WORD_RE = re.compile(r"[^\W_]+")
# words that open a clause rather than a name; trimmed from the front of a mention
_LEADING_FILLERS = frozenset({"كما", "وقد", "قد", "ثم", "لكن", "ولكن", "بينما", "فيما", "حيث", "اذ",
                              "وكان", "كان", "وكانت", "كانت", "فقد", "وفي", "في", "بدوره", "بدورها",
                              "من", "جهته", "جهتها", "ومن", "و", "ف", "اما", "واما"})


# a mention that is only one of these (لـ، فيها) names nobody
_FUNCTION_WORDS = frozenset({"ل", "له", "لها", "لهم", "فيه", "فيها", "فيهم", "منه", "منها", "عنه", "عنها", "به", "بها",
                             "ان", "انه", "انها", "ما", "هذا", "هذه", "ذلك", "الذي", "التي"})
_SAYING = frozenset({"قوله", "قولها", "قولهم", "قولهما"})  # "... عن X قوله": X said


class Mention(NamedTuple):
    """A place where the speaker of a quote may be named (a named tuple: a quote has several)."""

    text: str
    position: str
    distance: int
    in_sentence: bool = False  # the previous speaker's quote ended in this quote's sentence


def mentions(doc: Document, candidate: Candidate, has_previous: bool, since: int = 0) -> list[Mention]:
    """Candidate speaker mentions of one quote.

    With `has_previous`, the last quote's speaker is a candidate too; its text is left empty
    so that its score depends on the quote's construction alone and all mentions of a batch
    can be scored at once. A quote without a subject of its own (وأضاف، مشيراً) may also belong
    to a person the narration named after the previous quote, which ended at offset `since`.
    """
    found = []
    places = (("subject", candidate.subject), ("before", candidate.before), ("after", candidate.after))
    for position, (first, last) in places:
        text = _clean(doc, first, last)
        if text:
            if position == "subject" and candidate.frame == "source":
                position = "source"
            if position == "before" and candidate.frame == "marks" and not candidate.cue:
                position = "colon"
            found.append(Mention(text, position, _distance(candidate, first, last)))
    if candidate.frame == "participle" and (main := _main_subject(doc, candidate)):
        found.append(Mention(doc.span_text(*main), "main", _distance(candidate, *main)))
    if candidate.frame == "interview":  # the interviewee: the first titled name of the article
        introduced = _titled_name(doc, 0, doc.token_at(candidate.start), reverse=False)
        if introduced:
            found.append(Mention(doc.span_text(*introduced), "interviewee", 0))
    if candidate.subject[1] <= candidate.subject[0]:
        narrated = _narrated(doc, doc.token_at(since), candidate)
        if narrated:
            found.append(Mention(doc.span_text(*narrated), "narration", _distance(candidate, *narrated)))
    if has_previous:  # its distance: how far back the previous quote ended (the same clause, or paragraphs)
        cue = candidate.cue_token if candidate.cue_token >= 0 else doc.token_at(candidate.start)
        previous_end = doc.token_at(since)
        found.append(Mention("", "previous", max(0, cue - previous_end),
                             previous_end >= doc.sentences[candidate.sentence].first))
    return found


def _main_subject(doc: Document, candidate: Candidate) -> tuple[int, int] | None:
    """The subject of the verb that opens a participle's sentence: «واستقبل الرئيس فلان ...، مؤكداً»."""
    sentence = doc.sentences[candidate.sentence]
    first = sentence.first
    while first < candidate.cue_token and not doc.texts[first].isalpha():
        first += 1
    if first + 1 >= candidate.cue_token or doc.norms[first].startswith(("ال", "وال")) \
            or doc.norms[first] in _LEADING_FILLERS:
        return None  # the sentence opens with a noun or a connective: its subject is not after a verb
    last = first + 1
    while last < candidate.cue_token and last - first <= 7:
        word = doc.norms[last]
        posted = word == "الي" and posted_title(doc, first, last)  # المبعوث الأممي إلى ليبيا
        if not doc.texts[last].isalpha() or word in lexicon.SPEAKER_BREAKS or cue_of(doc.norms[last]) \
                or (word in lexicon.CUE_PREPOSITIONS and not posted):
            break
        last += 1
    return (first + 1, last) if last > first + 1 else None


def _narrated(doc: Document, first: int, candidate: Candidate) -> tuple[int, int] | None:
    """The last title followed by a name in the narration from token `first` to the quote's cue."""
    end = candidate.cue_token if candidate.cue_token >= 0 else doc.token_at(candidate.start)
    return _titled_name(doc, first, end)


def _titled_name(doc: Document, first: int, end: int, reverse: bool = True) -> tuple[int, int] | None:
    """The last (or first) title followed by a name between tokens `first` and `end`."""
    for index in (range(end - 1, first - 1, -1) if reverse else range(first, end)):
        word = doc.norms[index]
        if word not in lexicon.TITLES and word.removeprefix("ال") not in lexicon.TITLES:
            continue
        last, named = index + 1, False
        while last < end and last - index < 8 and doc.norms[last].isalpha() \
                and doc.norms[last] not in lexicon.SPEAKER_BREAKS and doc.norms[last] not in lexicon.COMPLEMENTIZERS \
                and doc.norms[last] not in _SAYING and not cue_of(doc.norms[last]):
            word = doc.norms[last]
            if named and name_like(doc, last) and doc.norms[last - 1].startswith("ال"):
                break  # "نادر السعدي | وفد ...": a bare word after the name's ال-word opens the object
            named = named or name_like(doc, last)
            last += 1
        if last + 1 < end and doc.texts[last] in "،," and name_like(doc, last + 1):
            last, apposed = last + 1, last + 1  # "رئيس الرابطة، نجيب الحمروني،": the name after a comma
            while last < end and last - apposed < 4 and doc.norms[last].isalpha() and (
                    name_like(doc, last) or doc.norms[last].startswith("ال")):
                last += 1
            named = True
        if named:
            return index, last
    return None


def mention_records(candidate: Candidate, found: list[Mention]) -> list[dict]:
    """The ranker's inputs for the mentions `found` for one quote, in their order."""
    # a quote right after another in one sentence often shares its speaker («ونفى X ...، ووصف
    # الاتهامات بأنها»): what follows the cue is then its object, not a new subject
    after = next(("sentence" if m.in_sentence else "earlier" for m in found if m.position == "previous"), "none")
    return [_mention_record(mention, candidate, len(found) == 1, after) for mention in found]


def _mention_record(mention: Mention, candidate: Candidate, alone: bool, after: str) -> dict:
    text, n_words, has_title, first, last, pronoun, agency = _mention_words(mention.text)
    construction, near = _construction_keys(mention.position, candidate.frame, candidate.kind, candidate.cue_lemma,
                                            n_words, has_title, alone, after,
                                            candidate.subject[1] > candidate.subject[0], _nearness(mention.distance))
    features = dict.fromkeys(construction, 1.0)
    features[first] = features[last] = 1.0
    features["pronoun"], features["agency"] = pronoun, agency
    features["distance"] = min(mention.distance, 30) / 30
    features[near] = 1.0
    return {"text": text, "features": features}


@lru_cache(maxsize=1 << 14)  # a few hundred constructions recur: their keys are made once
def _construction_keys(position: str, frame: str, kind: str, cue: str, n_words: int, has_title: bool, alone: bool,
                       after: str, has_subject: bool, near: str) -> tuple[tuple[str, ...], str]:
    """The ranker's keys for where a mention is and how its quote was found, and for how near it is."""
    return ((f"position={position}", f"position={position}+frame={frame}", f"position={position}+kind={kind}",
             f"position={position}+cue={cue}", f"position={position}+n={n_words}",
             f"position={position}+title={has_title}", f"position={position}+alone={alone}",
             f"position={position}+after_quote={after}", f"position={position}+has_subject={has_subject}"),
            f"position={position}+near={near}")


@lru_cache(maxsize=1 << 14)  # the same names and titles come back quote after quote
def _mention_words(mention: str) -> tuple[str, int, bool, str, str, float, float]:
    """A mention's normalised text and what the ranker reads in its words: how many (up to 6),
    whether one is a title, the keys of the first and the last, whether all are pronouns, whether
    one is an agency."""
    text = normalize(mention)
    words = text.split()
    return (text, min(len(words), 6), any(map(_is_title_word, words)),
            f"first={words[0] if words else ''}", f"last={words[-1] if words else ''}",
            float(bool(words) and all(w in lexicon.PRONOUNS for w in words)),
            float(any(w in lexicon.AGENCIES for w in words)))


def _nearness(distance: int) -> str:
    return "adjacent" if distance <= 3 else "clause" if distance <= 12 else "sentence" if distance <= 40 else "far"


def resolve(name: str, doc: Document, before: int, known: list[str]) -> str:
    """Return the fullest name for a title, pronoun-like phrase or surname used at `before`.

    `known` holds the speakers already named in the article, latest last. A short mention is
    resolved to a longer known speaker containing its words; a title is also looked up in the
    text before it, where the article usually introduced the person with a name behind it.
    """
    words, normalized = _content_words(name), normalize_phrase(name).split()
    if not words or len(words) > (8 if _is_title_word(normalized[0]) else 4):  # «المتحدث باسم القيادة العامة للجيش»
        return name
    for earlier in reversed(known):
        if len(earlier) > len(name) and words <= _content_words(earlier):
            return earlier
    if all(w in lexicon.TITLES or ("ال" + w) in lexicon.TITLES or w.startswith(("ال", "لل")) or w == "باسم"
           for w in normalized):  # «المتحدث باسم القيادة العامة للجيش»: a title, however long
        if len(normalized) == 1 and not _is_title_word(normalized[0]):
            return _first_named(normalized[0], doc, before) or name  # a family name such as الفيتوري
        return _introduced(name, doc, before) or name
    return name


def _is_title_word(word: str) -> bool:
    return word in lexicon.TITLES or word.removeprefix("ال") in lexicon.TITLES


def _first_named(surname: str, doc: Document, before: int) -> str:
    """The full name ending in `surname` where a title introduced it: «الرئيس عمر الفيتوري»."""
    for index in doc.positions(surname, 1, doc.token_at(before)):
        first = index
        while first > 0 and index - first < 3 and name_like(doc, first - 1) \
                and not _is_title_word(doc.norms[first - 1]) and not cue_of(doc.norms[first - 1]):
            first -= 1
        opener = doc.norms[first - 1] if first > 0 else ""
        if first < index and (_is_title_word(opener) or opener.startswith("ال")):
            return doc.span_text(first, index + 1)
    return ""


def _introduced(title: str, doc: Document, before: int) -> str:
    """The title followed by name words at its first use in the text before `before`."""
    wanted = normalize_phrase(title).split()
    limit = doc.token_at(before)
    for index in doc.positions(wanted[0], 0, max(0, limit - len(wanted))):
        if doc.norms[index:index + len(wanted)] != wanted:
            continue
        last = index + len(wanted)
        if last < limit and doc.texts[last] in "،,":  # «مدير المستشفى، منذر السمان،»
            apposed = apposed_name(doc, index, last, limit)
            if apposed:
                return doc.span_text(index, apposed)
        first = last + (last + 1 < limit and _is_title_word(doc.norms[last]))  # a rank: «... العميد فلان»
        named = first
        while named < limit and named - first < 4 and (name_like(doc, named) or named > first and definite_name_word(doc, named)):
            named += 1
        if named > first:
            return doc.span_text(index, named)
    return ""


@lru_cache(maxsize=1 << 14)  # every quote compares its mention with all the article's known names
def _content_words(name: str) -> frozenset[str]:
    return frozenset(w.removeprefix("ال") for w in _WORD_RE.findall(normalize(name)) if len(w) > 1)  # «الفلسطينية،» too


def _clean(doc: Document, first: int, last: int) -> str:
    """The mention's text without leading fillers and edge punctuation.

    A relay (نقلت الشبكة عن مدير المستشفى قوله) keeps the source after «عن», without «قوله».
    """
    words = doc.norms[first:last]
    if words and words[-1] in _SAYING:
        last -= 1
        if "عن" in words:
            first += len(words) - words[::-1].index("عن")
    while first < last and (doc.norms[first] in _LEADING_FILLERS or not doc.texts[first].isalnum()):
        first += 1
    text = doc.span_text(first, last)
    if not (text[:1].isalnum() and text[-1:].isalnum()):  # [\W_] is what isalnum() refuses: most need no pass
        text = _EDGE_RE.sub("", text)
    if len(text.replace(" ", "")) < 2 or (last - first == 1 and doc.norms[first] in _FUNCTION_WORDS):
        return ""
    return text


def _distance(candidate: Candidate, first: int, last: int) -> int:
    if candidate.cue_token < 0:
        return 0
    return min(abs(first - candidate.cue_token), abs(last - candidate.cue_token))
