"""Speaker attribution: candidate mentions around each quote, and within-article resolution.

`mentions` lists where a quote's speaker may be named (after the cue, before it, after the
closing mark, the source of بحسب, the words before a colon, a titled name in the narration
since the previous quote, or the previous quote's speaker);
a ranker trained on the corpus scores them (`mention_record` is its input). `resolve` turns a
title or a bare surname into the fuller name the article gave earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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


@dataclass(frozen=True, slots=True)
class Mention:
    """A place where the speaker of a quote may be named."""

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
    while first < candidate.cue_token and not doc.tokens[first].text.isalpha():
        first += 1
    if first + 1 >= candidate.cue_token or doc.tokens[first].norm.startswith(("ال", "وال")) \
            or doc.tokens[first].norm in _LEADING_FILLERS:
        return None  # the sentence opens with a noun or a connective: its subject is not after a verb
    last = first + 1
    while last < candidate.cue_token and last - first <= 7:
        word = doc.tokens[last].norm
        posted = word == "الي" and posted_title(doc.tokens, first, last)  # المبعوث الأممي إلى ليبيا
        if not doc.tokens[last].text.isalpha() or word in lexicon.SPEAKER_BREAKS or cue_of(doc.tokens[last]) \
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
    tokens = doc.tokens
    for index in (range(end - 1, first - 1, -1) if reverse else range(first, end)):
        word = tokens[index].norm
        if word not in lexicon.TITLES and word.removeprefix("ال") not in lexicon.TITLES:
            continue
        last, named = index + 1, False
        while last < end and last - index < 8 and tokens[last].norm.isalpha() \
                and tokens[last].norm not in lexicon.SPEAKER_BREAKS and tokens[last].norm not in lexicon.COMPLEMENTIZERS \
                and tokens[last].norm not in _SAYING and not cue_of(tokens[last]):
            word = tokens[last].norm
            if named and name_like(tokens[last]) and tokens[last - 1].norm.startswith("ال"):
                break  # "نادر السعدي | وفد ...": a bare word after the name's ال-word opens the object
            named = named or name_like(tokens[last])
            last += 1
        if last + 1 < end and tokens[last].text in "،," and name_like(tokens[last + 1]):
            last, apposed = last + 1, last + 1  # "رئيس الرابطة، نجيب الحمروني،": the name after a comma
            while last < end and last - apposed < 4 and tokens[last].norm.isalpha() and (
                    name_like(tokens[last]) or tokens[last].norm.startswith("ال")):
                last += 1
            named = True
        if named:
            return index, last
    return None


def mention_record(mention: Mention, candidate: Candidate, found: list[Mention]) -> dict:
    """The ranker's input for one of the mentions `found` for a quote."""
    text, n_words, has_title, first, last, pronoun, agency = _mention_words(mention.text)
    # a quote right after another in one sentence often shares its speaker («ونفى X ...، ووصف
    # الاتهامات بأنها»): what follows the cue is then its object, not a new subject
    after = next(("sentence" if m.in_sentence else "earlier" for m in found if m.position == "previous"), "none")
    features = {
        f"position={mention.position}": 1.0,
        f"position={mention.position}+frame={candidate.frame}": 1.0,
        f"position={mention.position}+kind={candidate.kind}": 1.0,
        f"position={mention.position}+cue={candidate.cue_lemma}": 1.0,
        f"position={mention.position}+n={n_words}": 1.0,
        f"position={mention.position}+title={has_title}": 1.0,
        f"position={mention.position}+alone={len(found) == 1}": 1.0,
        f"position={mention.position}+after_quote={after}": 1.0,
        f"position={mention.position}+has_subject={candidate.subject[1] > candidate.subject[0]}": 1.0,
        f"first={first}": 1.0,
        f"last={last}": 1.0,
        "pronoun": pronoun,
        "agency": agency,
        "distance": min(mention.distance, 30) / 30,
        f"position={mention.position}+near={_nearness(mention.distance)}": 1.0,
    }
    return {"text": text, "features": features}


@lru_cache(maxsize=1 << 14)  # the same names and titles come back quote after quote
def _mention_words(mention: str) -> tuple[str, int, bool, str, str, float, float]:
    """A mention's normalised text and what the ranker reads in its words: how many (up to 6),
    whether one is a title, the first and the last, whether all are pronouns, whether one is an agency."""
    text = normalize(mention)
    words = text.split()
    return (text, min(len(words), 6), any(map(_is_title_word, words)),
            words[0] if words else "", words[-1] if words else "",
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
    tokens = doc.tokens
    for index in doc.positions(surname, 1, doc.token_at(before)):
        first = index
        while first > 0 and index - first < 3 and name_like(tokens[first - 1]) \
                and not _is_title_word(tokens[first - 1].norm) and not cue_of(tokens[first - 1]):
            first -= 1
        opener = tokens[first - 1].norm if first > 0 else ""
        if first < index and (_is_title_word(opener) or opener.startswith("ال")):
            return doc.span_text(first, index + 1)
    return ""


def _introduced(title: str, doc: Document, before: int) -> str:
    """The title followed by name words at its first use in the text before `before`."""
    wanted = normalize_phrase(title).split()
    tokens = doc.tokens
    limit = doc.token_at(before)
    for index in doc.positions(wanted[0], 0, max(0, limit - len(wanted))):
        if doc.norms[index:index + len(wanted)] != wanted:
            continue
        last = index + len(wanted)
        if last < limit and tokens[last].text in "،,":  # «مدير المستشفى، منذر السمان،»
            apposed = apposed_name(doc, index, last, limit)
            if apposed:
                return doc.span_text(index, apposed)
        first = last + (last + 1 < limit and _is_title_word(tokens[last].norm))  # a rank: «... العميد فلان»
        named = first
        while named < limit and named - first < 4 and (name_like(tokens[named]) or named > first and definite_name_word(tokens[named])):
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
    while first < last and (doc.tokens[first].norm in _LEADING_FILLERS or not doc.tokens[first].text.isalnum()):
        first += 1
    text = _EDGE_RE.sub("", doc.span_text(first, last))
    if len(text.replace(" ", "")) < 2 or (last - first == 1 and doc.tokens[first].norm in _FUNCTION_WORDS):
        return ""
    return text


def _distance(candidate: Candidate, first: int, last: int) -> int:
    if candidate.cue_token < 0:
        return 0
    return min(abs(first - candidate.cue_token), abs(last - candidate.cue_token))
