"""Quote extraction: direct quotes in marks and indirect quotes after reporting cues.

`find_candidates` yields every rule candidate with the token ranges where its speaker may be
mentioned; a learned filter (`QuoteFilter`, in `models`) keeps the real ones. Spans follow
ANNOTATION.md §1: the content only, without cue, speaker, complementizer or quotation marks.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import NamedTuple

import regex

from predict import lexicon
from predict.text import Sentence, split_sentences, tokenize

# which closing marks may end a quote opened by each mark (real sites mix them up)
CLOSERS: dict[str, str] = {"«": "»", "“": "”“", "„": "“”", '"': '"', "”": "”“"}
MAX_QUOTE_CHARS = 3000
_TRIM = " \t\n.،,:;؛-–—"
_PUNCT_RE = re.compile(r"^\W+$")

_CUE_FRAMES: dict[str, tuple[str, str]] = {}
for _frame, _table in (("say", lexicon.SAY_CUES), ("object", lexicon.OBJECT_CUES),
                       ("participle", lexicon.PARTICIPLE_CUES)):
    for _lemma, _forms in _table.items():
        for _form in _forms:
            _CUE_FRAMES.setdefault(_form, (_frame, _lemma))
for _form in lexicon.SOURCE_CUES:
    _CUE_FRAMES[_form] = ("source", _form)
for _form in lexicon.RELAY_VERBS:
    _CUE_FRAMES[_form] = ("relay", "نقل")
_CUE_FRAMES["جاء"] = ("said_in", "جاء")
# every form with and without و/ف, so that the look-up asked of every token is one dict access;
# a listed form wins over the same letters read as a prefix and a shorter form
_CUE_FORMS: dict[str, tuple[str, str]] = dict(_CUE_FRAMES)
for _prefix in ("و", "ف", "وف"):
    for _form, _found in _CUE_FRAMES.items():
        _CUE_FORMS.setdefault(_prefix + _form, _found)
# the narration connectors that end content after a comma, by their first word
_CONNECTORS_BY_FIRST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _phrase in lexicon.CONTENT_END_AFTER_COMMA:
    _CONNECTORS_BY_FIRST_WORD.setdefault(_phrase[0], []).append(_phrase)


class Candidate(NamedTuple):
    """A possible quote: its content span, how it was found and where its speaker may be.

    Token ranges are (first, last) with `last` exclusive; (0, 0) means "none". A named tuple:
    an article makes several, and a frozen dataclass is slower to build.
    """

    start: int
    end: int
    kind: str
    frame: str
    cue: str = ""
    cue_lemma: str = ""
    cue_token: int = -1
    subject: tuple[int, int] = (0, 0)
    before: tuple[int, int] = (0, 0)
    after: tuple[int, int] = (0, 0)
    via: str = ""
    marks: str = ""
    sentence: int = 0


@dataclass(frozen=True, slots=True)
class Document:
    """An article's text with its tokens and sentences, shared by every stage.

    The tokens are four parallel lists, straight from `tokenize`: an article has hundreds,
    and building and freeing a `Token` for each was a twentieth of prediction time.
    """

    text: str
    texts: list[str]  # each token as written,
    starts: list[int]  # where it starts and ends in `text`,
    ends: list[int]
    norms: list[str]  # and its normalised form
    sentences: list[Sentence]
    sentence_of: list[int]

    @classmethod
    def from_text(cls, text: str) -> Document:
        texts, starts, ends, norms = tokenize(text)
        sentences = split_sentences(text, starts, ends)
        sentence_of = [number for number, sentence in enumerate(sentences)
                       for _ in range(sentence.last - sentence.first)]  # sentences cover every token
        return cls(text, texts, starts, ends, norms, sentences, sentence_of)

    def span_text(self, first: int, last: int) -> str:
        if last <= first:
            return ""
        return self.text[self.starts[first]:self.ends[last - 1]]

    def token_at(self, offset: int) -> int:
        """Index of the first token that starts at or after `offset`."""
        return bisect_left(self.starts, offset)

    def positions(self, norm: str, first: int, last: int) -> Iterator[int]:
        """Indices of the tokens from `first` to `last` (exclusive) whose normalised form is `norm`."""
        index = first - 1
        while True:
            try:
                index = self.norms.index(norm, index + 1, last)
            except ValueError:
                return
            yield index


def cue_of(word: str) -> tuple[str, str] | None:
    """Return (frame, lemma) when a normalised word is a reporting cue, also after و/ف."""
    return _CUE_FORMS.get(word)


def find_candidates(doc: Document) -> list[Candidate]:
    """All rule candidates of a document, in text order, partly quoted ones merged."""
    direct = list(_direct_spans(doc))
    cued = [candidate for index in compress(range(len(doc.norms)), map(_CUE_FORMS.get, doc.norms))
            for candidate in _cued(doc, index, *_CUE_FORMS[doc.norms[index]], direct)]
    return _merge(doc, direct, cued + list(_interview_answers(doc)))


def _interview_answers(doc: Document) -> Iterator[Candidate]:
    """Interview answers: after a question, a paragraph or segment opened by ج: / - / • / ••, or
    the unmarked paragraph after a question line that such a marker (or س:) opened.

    The answer runs to the end of its paragraph; its speaker is the interviewee (the previous
    answer's speaker, or the person the introduction named).
    """
    starts = sorted({m.end() for m in _ANSWER_RE.finditer(doc.text)} | {m.end() for m in _MARKED_QUESTION_RE.finditer(doc.text)})
    for start in starts:
        paragraph_end = doc.text.find("\n", start)
        span = _trim(doc.text, start, len(doc.text) if paragraph_end < 0 else paragraph_end)
        if span:
            sentence = doc.sentence_of[min(doc.token_at(span[0]), len(doc.norms) - 1)]
            yield Candidate(*span, "direct", "interview", sentence=sentence)


# a question mark (and any closing mark), then an answer marker at once or on the next line
_ANSWER_RE = re.compile(r"؟[\s»”\"]*(?:••|•|ج\s*[:：]|[-–—](?=\s))\s*")
# or a question on a line of its own opened by - / • / س:, and the answer on the next, unmarked line
# (the regex module tries the line starts four times faster than re)
_MARKED_QUESTION_RE = regex.compile(r"(?m)^[ \t]*(?:[-–—•]|س\s*[:：])[^\n]*؟[ \t»”\"]*\n(?![ \t]*(?:[-–—•]|[سج]\s*[:：]))")


def _direct_spans(doc: Document) -> Iterator[Candidate]:
    """Quote-mark pairs inside one paragraph; an opener without a closer is skipped."""
    text = doc.text
    position = 0
    while position < len(text):
        opener_at = _next_mark(text, position, "".join(CLOSERS))
        if opener_at < 0:
            return
        opener = text[opener_at]
        paragraph_end = text.find("\n", opener_at)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        closer_at = _next_mark(text, opener_at + 1, CLOSERS[opener], paragraph_end)
        if closer_at < 0 or closer_at - opener_at > MAX_QUOTE_CHARS:
            position = opener_at + 1
            continue
        span = _trim(text, opener_at + 1, closer_at)
        if span:
            start, end = _drop_complementizer(doc, *span)
            sentence = doc.sentence_of[min(doc.token_at(start), len(doc.norms) - 1)]
            yield Candidate(start, end, "direct", "marks", marks=opener + text[closer_at],
                            sentence=sentence)
        position = closer_at + 1


def _next_mark(text: str, start: int, marks: str, stop: int | None = None) -> int:
    found = _marks_pattern(marks).search(text, start, len(text) if stop is None else stop)
    return found.start() if found else -1


@lru_cache(maxsize=None)  # one pattern per set of marks: a handful in all
def _marks_pattern(marks: str) -> re.Pattern:
    return re.compile(f"[{re.escape(marks)}]")


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start] in _TRIM:
        start += 1
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return (start, end) if end > start else None


def _drop_complementizer(doc: Document, start: int, end: int) -> tuple[int, int]:
    index = doc.token_at(start)
    if index < len(doc.norms) - 1 and doc.norms[index] in lexicon.COMPLEMENTIZERS:
        if doc.starts[index + 1] < end:
            return doc.starts[index + 1], end
    return start, end


def _cued(doc: Document, index: int, frame: str, lemma: str,
          direct: list[Candidate]) -> Iterator[Candidate]:
    """The candidate a cue token introduces, if its clause has content."""
    sentence = doc.sentences[doc.sentence_of[index]]
    if _is_question(doc, sentence):
        return  # a question put to a source (هل تتوقع أن ...؟) is not a quote (ANNOTATION.md §1)
    if index + 1 < len(doc.norms) and doc.norms[index + 1] in lexicon.RESUMPTIVE_PRONOUNS \
            and not doc.texts[index + 1].endswith("ة"):  # آلية is no إليه
        return  # «الإضراب الذي دعا إليه الاتحاد»: the cue's object is the noun before it, no statement
    if frame == "source":
        yield from _source_candidate(doc, index, sentence)
        return
    subject_end, content_first = _find_content(doc, index, sentence, frame, lemma, direct)
    subject_first = index + 1
    if _after_auxiliary(doc, index, sentence):  # «وكانت الحكومة دعت السكان إلى ...»: the subject came first
        if content_first is not None and content_first == subject_end \
                and doc.norms[content_first] not in lexicon.FUSED_COMPLEMENTIZERS:
            content_first = index + 1  # no أن: what follows the cue is its object
        subject_first = subject_end
    via = ""
    if frame == "relay":
        subject_first, via = _relayed_subject(doc, index, subject_end)
        if not via:
            return
    if frame == "said_in":
        if index + 1 >= len(doc.norms) or doc.norms[index + 1] != "في":
            return
        subject_first = index + 2
    if content_first is None or content_first >= sentence.last:
        return
    start = doc.starts[content_first]
    end = _content_end(doc, content_first, sentence, direct)
    if end <= start:
        return
    relayed_from = _relayed_from(doc, subject_first, subject_end)
    if relayed_from:  # the paper relays; the source after «نقلاً عن» is the speaker
        via, subject_first = doc.span_text(subject_first, relayed_from - 2), relayed_from
    subject = _cut_subject(doc, subject_first, subject_end)
    before = _before(doc, index, sentence)
    yield Candidate(start, end, "indirect", frame, doc.texts[index], lemma, index,
                    subject, before, via=via or _outlet(doc, subject[1], subject_end),
                    sentence=doc.sentence_of[index])


def _say_preposition(doc: Document, index: int, limit: int, lemma: str) -> tuple[int, int] | None:
    """(subject end, content start) where a reporting verb without أن takes its preposition:
    the content follows «إلى / على / عن», or starts with the word that «بـ» is fused to."""
    prepositions = lexicon.SAY_PREPOSITIONS.get(lemma, ())
    for position in range(index + 1, min(limit - 1, index + 12)):
        word = doc.norms[position]
        if not doc.texts[position].isalpha() and doc.texts[position] not in "،,":
            return None
        if word in prepositions:
            return position, position + 1
        if _has_preposition(word, prepositions):
            return position, position  # the clitic بـ stays on its word
    return None


def _is_complementizer(word: str) -> bool:
    """إن/أن/بأن, bare or fused with a pronoun (إنه، أنها)."""
    return word in lexicon.COMPLEMENTIZERS or word in lexicon.FUSED_COMPLEMENTIZERS


def _has_preposition(word: str, prepositions: tuple[str, ...]) -> bool:
    """The word is one of the prepositions, or starts with one that is a clitic (ب، ل)."""
    return word in prepositions or any(
        len(p) == 1 and word.startswith(p) and len(word) > 3 and word not in lexicon.OBJECT_PREFIX_EXCEPTIONS
        for p in prepositions)


def _after_auxiliary(doc: Document, index: int, sentence: Sentence) -> bool:
    """Whether كان/كانت opens the cue's clause a few words back, with the subject between them."""
    for position in range(index - 2, max(sentence.first, index - 8) - 1, -1):
        if not doc.texts[position].isalpha():
            return False
        if doc.norms[position] in lexicon.AUXILIARIES:
            return True
    return False


def _find_content(doc: Document, index: int, sentence: Sentence, frame: str, lemma: str,
                  direct: list[Candidate]) -> tuple[int, int | None]:
    """Return (end of the subject region, first content token) for a cue at `index`."""
    limit = min(sentence.last, index + 30)
    skip_to = index
    for position in range(index + 1, limit):
        if position < skip_to:
            continue
        word = doc.norms[position]
        if doc.texts[position] in CLOSERS and (name_end := _marked_name_end(doc, position, direct, limit)):
            skip_to = name_end  # a name in marks inside the speaker phrase, not the quote
            continue
        if _is_complementizer(word):
            # أشار إلى أن(ه): the preposition belongs to the cue; a fused pronoun stays in the content
            end = position - 1 if doc.norms[position - 1] in lexicon.CUE_PREPOSITIONS else position
            return max(end, index + 1), position + (word in lexicon.COMPLEMENTIZERS)
        if word in "،," and position > index + 1 and (frame == "object" or lemma in lexicon.NOUN_OBJECT_CUES) \
                and (named := apposed_name(doc, index + 1, position, limit)) and named + 1 < limit \
                and doc.texts[named] in "،," and not _is_complementizer(doc.norms[named + 1]):
            return named, named + 1  # «وحمّل الوزير، فلان الفلاني، الحركة المسؤولية»: the object follows the name
        if word in "،," and (after := _parenthetical_end(doc, position, limit)):
            skip_to = after  # وأضاف، بحسب ما نقلت عنه الوكالة، أن ...: the aside is no clause of its own
            continue
        if word == ":" or doc.texts[position] in CLOSERS:
            return position, position + 1 + (word == ":" and position + 1 < limit
                                              and doc.texts[position + 1] in CLOSERS)
        if word in lexicon.RELAYING_SOURCES:
            continue  # «وذكرت الصحيفة نقلاً عن مصادر أن ...»: the relay is part of the speaker phrase
        if position > index + 1 and cue_of(doc.norms[position]):
            break  # the next clause has a cue of its own
        if frame in ("object", "participle") and _opens_object(doc, index, position, lemma):
            return position, position
    if (opened := _say_preposition(doc, index, limit, lemma)) is not None:
        return opened
    if lemma in lexicon.NOUN_OBJECT_CUES and index + 3 < sentence.last:
        # no complementizer: the cue takes a noun object (أعلن الجيش مقتل ...); the subject
        # cannot be told from the object without a parser, so the content runs from after the
        # first word and the quote filter, trained on the corpus, decides whether to keep it
        first = index + 2
        if _is_title(doc.norms[index + 1]):  # نفت وزارة الدفاع السورية | قصف ...: a title's genitives
            while first < sentence.last - 1 and (doc.norms[first].startswith(("ال", "لل"))
                                                 or "باسم" in (doc.norms[first], doc.norms[first - 1])):
                first += 1  # «باسم» and the noun it governs: «المتحدث باسم وزارة الداخلية»
        return first, first
    return index + 1, None


def _relayed_from(doc: Document, first: int, last: int) -> int:
    """The token after «نقلاً عن» inside a speaker phrase, or 0."""
    for position in range(first + 1, last - 1):
        if doc.norms[position] in lexicon.RELAYING_SOURCES and doc.norms[position + 1] == "عن":
            return position + 2
    return 0


def _parenthetical_end(doc: Document, comma: int, limit: int) -> int:
    """The closing comma of an aside that a complementizer follows, or 0."""
    for position in range(comma + 1, min(limit, comma + 15) - 1):
        if doc.texts[position] in "،,":
            return position if _is_complementizer(doc.norms[position + 1]) else 0
    return 0


def _marked_name_end(doc: Document, position: int, direct: list[Candidate], limit: int) -> int:
    """Token index after a short marked span at `position` when a complementizer comes later in the
    clause: a name in marks inside the speaker phrase («نقلت وكالة «تاس» عن الوزارة أن ...»)."""
    opener_end = doc.ends[position]
    for candidate in direct:
        if opener_end <= candidate.start <= opener_end + 1:
            after = doc.token_at(candidate.end) + 1
            short = len(doc.text[candidate.start:candidate.end].split()) <= 4
            if short and any(map(_is_complementizer, doc.norms[after:limit])):
                return after
    return 0


def _opens_object(doc: Document, index: int, position: int, lemma: str) -> bool:
    """Whether the object of an object cue starts here: its preposition, or a definite noun
    right after a one-word subject (أدانت مصر الهجوم)."""
    word = doc.norms[position]
    if position + 1 < len(doc.norms) and doc.norms[position + 1] in lexicon.COMPLEMENTIZERS:
        return False
    if (word == "الي" and posted_title(doc, index, position)) or \
            (doc.norms[position - 1] == "الي" and posted_title(doc, index, position - 1)):
        return False  # the post and its place, not the object
    # "المبعوث إلى اليمن كريم الصالحي الأطراف ...": after the post and a two-word name, a
    # definite noun is the addressee that opens the object
    if word.startswith("ال") and position - 4 > index and doc.norms[position - 4] == "الي" \
            and posted_title(doc, index, position - 4) and not doc.norms[position - 2].startswith("ال"):
        return True
    if _has_preposition(word, lexicon.OBJECT_PREPOSITIONS.get(lemma, ())):
        return True
    previous = doc.norms[position - 1]
    if word in lexicon.ADDRESSEES and position > index + 1 and lemma in lexicon.OBJECT_PREPOSITIONS \
            and not _is_title(previous):
        return True
    return position == index + 2 and word.startswith("ال") and not previous.startswith("ال") \
        and not _is_title(previous) and word not in lexicon.SPEAKER_BREAKS  # دعت إيران اليوم ...


def _is_title(word: str) -> bool:
    masculine = word.removesuffix("ه")  # منسقه، المتحدثه: the feminine of a listed title
    return any(form in lexicon.TITLES or form.removeprefix("ال") in lexicon.TITLES or "ال" + form in lexicon.TITLES
               for form in {word, masculine})


def _is_question(doc: Document, sentence: Sentence) -> bool:
    """A sentence that opens with a question word and ends with a question mark."""
    if "؟" not in doc.text[doc.starts[sentence.last - 1]:doc.ends[sentence.last - 1] + 1]:
        return False
    first = next((word for word in doc.norms[sentence.first:sentence.last] if word.isalpha()), None)
    return first is not None and first in lexicon.QUESTION_WORDS


def posted_title(doc: Document, index: int, preposition: int) -> bool:
    """Whether `preposition` (إلى) names the post of a title just before it: المبعوث الخاص إلى اليمن."""
    return preposition + 1 < len(doc.norms) and doc.norms[preposition + 1] in lexicon.POSTS and \
        any(word.removeprefix("ال") in lexicon.POSTED_TITLES for word in doc.norms[max(index + 1, preposition - 3):preposition])


def _content_end(doc: Document, first: int, sentence: Sentence, direct: list[Candidate]) -> int:
    """End of indirect content: the sentence end, or before a participle cue opening a new clause."""
    last = sentence.last
    for position in range(first + 1, sentence.last):
        after_comma = doc.texts[position - 1] in "،,"
        if doc.norms[position] in lexicon.CONTENT_END_WORDS or (after_comma and _resumes_narration(doc, position)):
            last = position - 1 if after_comma else position
            break
    end = doc.ends[last - 1]
    for candidate in direct:  # a quote in marks that the clause opened runs to its closing mark
        if candidate.start - 1 <= doc.starts[first] < candidate.end or \
                doc.starts[first] <= candidate.start < end < candidate.end:
            end = max(end, candidate.end)
    span = _trim(doc.text, doc.starts[first], end)
    return span[1] if span else -1


def _resumes_narration(doc: Document, position: int) -> bool:
    """After a comma: a new cue (..., مضيفاً) or a narration connector (..., في إشارة إلى)."""
    return bool(cue_of(doc.norms[position])) or any(
        tuple(doc.norms[position:position + len(phrase)]) == phrase
        for phrase in _CONNECTORS_BY_FIRST_WORD.get(doc.norms[position], ()))


def _cut_subject(doc: Document, first: int, last: int) -> tuple[int, int]:
    """The speaker phrase after a cue, up to a time, place or channel phrase.

    A title's name in apposition stays in it: «المتحدث باسم الوكالة، فريدريك لانغ، إن».
    """
    for position in range(first, last):
        word = doc.norms[position]
        channel = word == "في" and position + 1 < last and doc.norms[position + 1] in lexicon.CHANNEL_WORDS
        aside = word in "،," or (position > first and word in ".()؛:!?؟")  # وأضاف، بحسب ...، أن: no subject
        if word in "،," and position > first and (named := apposed_name(doc, first, position, last)):
            return first, named
        if channel or word in lexicon.SPEAKER_BREAKS or aside:
            return first, position
    return first, last


def apposed_name(doc: Document, first: int, comma: int, last: int) -> int:
    """The end of a name set off by commas after a titled phrase, or 0 when there is none."""
    name = comma + 1
    if name + 1 < last and _is_title(doc.norms[name]):
        name += 1  # a rank before the name: «قائد القوات البرية، العميد محمد علي حرسي،»
    if not any(map(_is_title, doc.norms[first:comma])) or name >= last \
            or not (name_like(doc, name) or definite_name_word(doc, name) and not _is_title(doc.norms[name])) \
            or cue_of(doc.norms[name]):
        return 0
    end = name + 1
    while end < last and end - name < 4 and doc.norms[end].isalpha() \
            and (name_like(doc, end) or doc.norms[end].startswith("ال")) and not cue_of(doc.norms[end]):
        end += 1
    return end if end == last or doc.texts[end] in "،," else 0


def definite_name_word(doc: Document, index: int) -> bool:
    """Whether token `index` is an ال-word that can be part of a name: «سالم الورفلي», and where
    commas set a name off «المنصف الحرباوي» (not a time word, a preposition or a cue)."""
    word = doc.norms[index]
    return word.startswith("ال") and doc.texts[index].isalpha() and word not in lexicon.SPEAKER_BREAKS \
        and word not in lexicon.CUE_PREPOSITIONS and word not in lexicon.COMPLEMENTIZERS and not cue_of(word)


def name_like(doc: Document, index: int) -> bool:
    """Whether token `index` can be part of a name: not definite, no break, complementizer or
    preposition (the preposition على normalises to the name علي; the written alef maksura tells
    them apart)."""
    word = doc.norms[index]
    return word.isalpha() and not word.startswith("ال") and word not in lexicon.SPEAKER_BREAKS \
        and word not in lexicon.COMPLEMENTIZERS and len(word) > 1 \
        and (word not in lexicon.CUE_PREPOSITIONS or (word == "علي" and not doc.texts[index].endswith("ى")))


def _outlet(doc: Document, first: int, last: int) -> str:
    """An agency or outlet the speaker talked to: «في تصريح لوكالة رويترز» -> via."""
    for position in range(first, last):
        word = doc.norms[position]
        if word.startswith("ل") and (word[1:] in lexicon.AGENCIES or word in lexicon.SPEAKER_BREAKS
                                     and word.startswith(("لوك", "لصحيف", "لقن", "لمو"))):
            phrase = doc.span_text(position, last)
            return phrase[1:] if phrase.startswith("ل") else phrase
    return ""


def _before(doc: Document, index: int, sentence: Sentence) -> tuple[int, int]:
    """Tokens before a cue in its sentence, back to a comma: the subject in subject-verb order.

    One comma right before the cue is passed over: «رئيس الوزراء فلان، أكد أن».
    """
    if index > sentence.first and doc.texts[index - 1] in "،,":
        index -= 1
    first = _clause_start(doc, index, sentence)
    if first > sentence.first + 1 and (doc.norms[index - 1] in lexicon.ANONYMITY_WORDS
                                       or doc.norms[first] in lexicon.RELATIVE_PRONOUNS):
        index = first - 1  # «مصدر مقرب، رفض الكشف عن اسمه، قال»، «فلان، الذي حضر الجلسة، قال»: an aside
        first = _clause_start(doc, index, sentence)
    return (first, index) if first < index else (0, 0)


def _clause_start(doc: Document, index: int, sentence: Sentence) -> int:
    """The first token after the comma, colon or closing mark before token `index`."""
    first = index
    while first > sentence.first and doc.texts[first - 1] not in "،,:»”\"" and index - first < 12:
        first -= 1
    return first


def _relayed_subject(doc: Document, index: int, end: int) -> tuple[int, str]:
    """«نقلت رويترز عن المسؤول قوله»: the subject starts after عن; the relaying agency is via."""
    for position in range(index + 1, end):
        if doc.norms[position] == "عن":
            return position + 1, doc.span_text(index + 1, position)
    return index + 1, ""


def _source_candidate(doc: Document, index: int, sentence: Sentence) -> Iterator[Candidate]:
    """«بحسب X» and «وفقا لـ X»: the statement is the rest of the sentence, before or after X."""
    source_first = index + 1
    if source_first < sentence.last and doc.norms[source_first] in ("ل", "عن", "قال", "قالت", "ذكر", "ذكرت"):
        source_first += 1
    source_last = source_first
    while source_last < sentence.last and doc.texts[source_last] not in "،,.:" \
            and source_last - source_first < 10:
        source_last += 1
    at_start = index <= sentence.first + 1
    if at_start:
        first = source_last + 1
        if first < sentence.last and doc.norms[first] in ("فان", "ان", "فانه", "فقد"):
            first += doc.norms[first] in ("فان", "ان")
        span = _trim(doc.text, doc.starts[min(first, sentence.last - 1)], sentence.end) \
            if first < sentence.last else None
    else:
        if any((cue := cue_of(word)) and cue[0] != "source" for word in doc.norms[sentence.first:index]):
            return  # «قال الوزير إن ...، بحسب الوكالة»: the clause has its own cue; the source only relays it
        span = _trim(doc.text, sentence.start, doc.starts[index])
    if span is None:
        return
    yield Candidate(span[0], span[1], "indirect", "source", doc.texts[index], cue_of(doc.norms[index])[1],
                    index, (source_first, source_last), sentence=doc.sentence_of[index])


def _merge(doc: Document, direct: list[Candidate], cued: list[Candidate]) -> list[Candidate]:
    """Join each quote in marks to the clause that introduces it; keep the rest as they are."""
    merged: list[Candidate] = []
    used: set[int] = set()
    for candidate in cued:
        inside = [i for i, d in enumerate(direct) if candidate.start - 2 <= d.start and d.end <= candidate.end + 2]
        for i in inside:
            used.add(i)
        if inside:
            marked = sum(len(doc.text[direct[i].start:direct[i].end].split()) for i in inside)
            share = marked / max(1, len(doc.text[candidate.start:candidate.end].split()))
            if share > 0.5:
                first = direct[inside[0]]
                candidate = candidate._replace(kind="direct", marks=first.marks,
                                    start=min(candidate.start, first.start) if share < 0.9 else first.start,
                                    end=max(d.end for d in (direct[i] for i in inside)))
        merged.append(candidate)
    for i, candidate in enumerate(direct):
        if i not in used:
            merged.append(_attach_following(doc, candidate))
    merged.sort(key=lambda c: (c.start, -c.end))
    return _drop_overlaps(merged)


def _attach_following(doc: Document, candidate: Candidate) -> Candidate:
    """A quote in marks with no cue before it: look for «..., قال فلان» after the closing mark."""
    index = doc.token_at(candidate.end)
    while index < len(doc.norms) and _PUNCT_RE.match(doc.texts[index]) and doc.texts[index] not in "«“":
        index += 1
    colon_head = _colon_head(doc, candidate)
    if index < len(doc.norms) and (cue := cue_of(doc.norms[index])) and cue[0] in ("say", "participle", "source"):
        sentence = doc.sentences[doc.sentence_of[index]]
        subject = _cut_subject(doc, index + 1, min(sentence.last, index + 12))
        return candidate._replace(cue=doc.texts[index], cue_lemma=cue[1], cue_token=index,
                       after=subject, before=colon_head)
    return candidate._replace(before=colon_head)


def _colon_head(doc: Document, candidate: Candidate) -> tuple[int, int]:
    """«فلان: "..."»: the words before a colon that directly precedes the quote."""
    index = doc.token_at(candidate.start) - 1
    while index >= 0 and doc.texts[index] in CLOSERS:
        index -= 1
    if index < 0 or doc.texts[index] != ":":
        return (0, 0)
    sentence = doc.sentences[doc.sentence_of[index]]
    return _before(doc, index, sentence)


def _drop_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Of candidates that overlap, keep the earlier-starting, then the cued one."""
    kept: list[Candidate] = []
    for candidate in candidates:
        if kept and candidate.start < kept[-1].end:
            previous = kept[-1]
            if previous.frame == "marks" and candidate.frame != "marks" and candidate.start <= previous.start:
                kept[-1] = candidate
            continue
        kept.append(candidate)
    return kept
