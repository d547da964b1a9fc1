"""Quote extraction: direct quotes in marks and indirect quotes after reporting cues.

`find_candidates` yields every rule candidate with the token ranges where its speaker may be
mentioned; a learned filter (`QuoteFilter`, in `models`) keeps the real ones. Spans follow
ANNOTATION.md §1: the content only, without cue, speaker, complementizer or quotation marks.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import compress
from operator import attrgetter

from predict import lexicon
from predict.text import Sentence, Token, split_sentences, tokenize

# which closing marks may end a quote opened by each mark (real sites mix them up)
CLOSERS: dict[str, str] = {"«": "»", "“": "”“", "„": "“”", '"': '"', "”": "”“"}
MAX_QUOTE_CHARS = 3000
_TRIM = " \t\n.،,:;؛-–—"
_PUNCT_RE = re.compile(r"^\W+$")
_start_of = attrgetter("start")

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


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible quote: its content span, how it was found and where its speaker may be.

    Token ranges are (first, last) with `last` exclusive; (0, 0) means "none".
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
    """An article's text with its tokens and sentences, shared by every stage."""

    text: str
    tokens: list[Token]
    sentences: list[Sentence]
    sentence_of: list[int]
    norms: list[str]  # each token's normalised form, for scans at C speed

    @classmethod
    def from_text(cls, text: str) -> Document:
        tokens = tokenize(text)
        sentences = split_sentences(text, tokens)
        sentence_of = [number for number, sentence in enumerate(sentences)
                       for _ in range(sentence.last - sentence.first)]  # sentences cover every token
        return cls(text, tokens, sentences, sentence_of, [token.norm for token in tokens])

    def span_text(self, first: int, last: int) -> str:
        if last <= first:
            return ""
        return self.text[self.tokens[first].start:self.tokens[last - 1].end]

    def token_at(self, offset: int) -> int:
        """Index of the first token that starts at or after `offset`."""
        return bisect_left(self.tokens, offset, key=_start_of)

    def positions(self, norm: str, first: int, last: int) -> Iterator[int]:
        """Indices of the tokens from `first` to `last` (exclusive) whose normalised form is `norm`."""
        index = first - 1
        while True:
            try:
                index = self.norms.index(norm, index + 1, last)
            except ValueError:
                return
            yield index


def cue_of(token: Token) -> tuple[str, str] | None:
    """Return (frame, lemma) when the token is a reporting cue, also after و/ف."""
    return _CUE_FORMS.get(token.norm)


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
            sentence = doc.sentence_of[min(doc.token_at(span[0]), len(doc.tokens) - 1)]
            yield Candidate(*span, "direct", "interview", sentence=sentence)


# a question mark (and any closing mark), then an answer marker at once or on the next line
_ANSWER_RE = re.compile(r"؟[\s»”\"]*(?:••|•|ج\s*[:：]|[-–—](?=\s))\s*")
# or a question on a line of its own opened by - / • / س:, and the answer on the next, unmarked line
_MARKED_QUESTION_RE = re.compile(r"(?m)^[ \t]*(?:[-–—•]|س\s*[:：])[^\n]*؟[ \t»”\"]*\n(?![ \t]*(?:[-–—•]|[سج]\s*[:：]))")


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
            sentence = doc.sentence_of[min(doc.token_at(start), len(doc.tokens) - 1)]
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
    if index < len(doc.tokens) - 1 and doc.tokens[index].norm in lexicon.COMPLEMENTIZERS:
        following = doc.tokens[index + 1]
        if following.start < end:
            return following.start, end
    return start, end


def _cued(doc: Document, index: int, frame: str, lemma: str,
          direct: list[Candidate]) -> Iterator[Candidate]:
    """The candidate a cue token introduces, if its clause has content."""
    sentence = doc.sentences[doc.sentence_of[index]]
    if _is_question(doc, sentence):
        return  # a question put to a source (هل تتوقع أن ...؟) is not a quote (ANNOTATION.md §1)
    if index + 1 < len(doc.tokens) and doc.tokens[index + 1].norm in lexicon.RESUMPTIVE_PRONOUNS \
            and not doc.tokens[index + 1].text.endswith("ة"):  # آلية is no إليه
        return  # «الإضراب الذي دعا إليه الاتحاد»: the cue's object is the noun before it, no statement
    if frame == "source":
        yield from _source_candidate(doc, index, sentence)
        return
    subject_end, content_first = _find_content(doc, index, sentence, frame, lemma, direct)
    subject_first = index + 1
    if _after_auxiliary(doc, index, sentence):  # «وكانت الحكومة دعت السكان إلى ...»: the subject came first
        if content_first is not None and content_first == subject_end \
                and doc.tokens[content_first].norm not in lexicon.FUSED_COMPLEMENTIZERS:
            content_first = index + 1  # no أن: what follows the cue is its object
        subject_first = subject_end
    via = ""
    if frame == "relay":
        subject_first, via = _relayed_subject(doc, index, subject_end)
        if not via:
            return
    if frame == "said_in":
        if index + 1 >= len(doc.tokens) or doc.tokens[index + 1].norm != "في":
            return
        subject_first = index + 2
    if content_first is None or content_first >= sentence.last:
        return
    start = doc.tokens[content_first].start
    end = _content_end(doc, content_first, sentence, direct)
    if end <= start:
        return
    relayed_from = _relayed_from(doc, subject_first, subject_end)
    if relayed_from:  # the paper relays; the source after «نقلاً عن» is the speaker
        via, subject_first = doc.span_text(subject_first, relayed_from - 2), relayed_from
    subject = _cut_subject(doc, subject_first, subject_end)
    before = _before(doc, index, sentence)
    yield Candidate(start, end, "indirect", frame, doc.tokens[index].text, lemma, index,
                    subject, before, via=via or _outlet(doc, subject[1], subject_end),
                    sentence=doc.sentence_of[index])


def _say_preposition(tokens: list[Token], index: int, limit: int, lemma: str) -> tuple[int, int] | None:
    """(subject end, content start) where a reporting verb without أن takes its preposition:
    the content follows «إلى / على / عن», or starts with the word that «بـ» is fused to."""
    prepositions = lexicon.SAY_PREPOSITIONS.get(lemma, ())
    for position in range(index + 1, min(limit - 1, index + 12)):
        word = tokens[position].norm
        if not tokens[position].text.isalpha() and tokens[position].text not in "،,":
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
        token = doc.tokens[position]
        if not token.text.isalpha():
            return False
        if token.norm in lexicon.AUXILIARIES:
            return True
    return False


def _find_content(doc: Document, index: int, sentence: Sentence, frame: str, lemma: str,
                  direct: list[Candidate]) -> tuple[int, int | None]:
    """Return (end of the subject region, first content token) for a cue at `index`."""
    tokens = doc.tokens
    limit = min(sentence.last, index + 30)
    skip_to = index
    for position in range(index + 1, limit):
        if position < skip_to:
            continue
        word = tokens[position].norm
        if tokens[position].text in CLOSERS and (name_end := _marked_name_end(doc, position, direct, limit)):
            skip_to = name_end  # a name in marks inside the speaker phrase, not the quote
            continue
        if _is_complementizer(word):
            # أشار إلى أن(ه): the preposition belongs to the cue; a fused pronoun stays in the content
            end = position - 1 if tokens[position - 1].norm in lexicon.CUE_PREPOSITIONS else position
            return max(end, index + 1), position + (word in lexicon.COMPLEMENTIZERS)
        if word in "،," and position > index + 1 and (frame == "object" or lemma in lexicon.NOUN_OBJECT_CUES) \
                and (named := apposed_name(doc, index + 1, position, limit)) and named + 1 < limit \
                and tokens[named].text in "،," and not _is_complementizer(tokens[named + 1].norm):
            return named, named + 1  # «وحمّل الوزير، فلان الفلاني، الحركة المسؤولية»: the object follows the name
        if word in "،," and (after := _parenthetical_end(tokens, position, limit)):
            skip_to = after  # وأضاف، بحسب ما نقلت عنه الوكالة، أن ...: the aside is no clause of its own
            continue
        if word == ":" or tokens[position].text in CLOSERS:
            return position, position + 1 + (word == ":" and position + 1 < limit
                                              and tokens[position + 1].text in CLOSERS)
        if word in lexicon.RELAYING_SOURCES:
            continue  # «وذكرت الصحيفة نقلاً عن مصادر أن ...»: the relay is part of the speaker phrase
        if position > index + 1 and cue_of(tokens[position]):
            break  # the next clause has a cue of its own
        if frame in ("object", "participle") and _opens_object(tokens, index, position, lemma):
            return position, position
    if (opened := _say_preposition(tokens, index, limit, lemma)) is not None:
        return opened
    if lemma in lexicon.NOUN_OBJECT_CUES and index + 3 < sentence.last:
        # no complementizer: the cue takes a noun object (أعلن الجيش مقتل ...); the subject
        # cannot be told from the object without a parser, so the content runs from after the
        # first word and the quote filter, trained on the corpus, decides whether to keep it
        first = index + 2
        if _is_title(tokens[index + 1].norm):  # نفت وزارة الدفاع السورية | قصف ...: a title's genitives
            while first < sentence.last - 1 and (tokens[first].norm.startswith(("ال", "لل"))
                                                 or "باسم" in (tokens[first].norm, tokens[first - 1].norm)):
                first += 1  # «باسم» and the noun it governs: «المتحدث باسم وزارة الداخلية»
        return first, first
    return index + 1, None


def _relayed_from(doc: Document, first: int, last: int) -> int:
    """The token after «نقلاً عن» inside a speaker phrase, or 0."""
    for position in range(first + 1, last - 1):
        if doc.tokens[position].norm in lexicon.RELAYING_SOURCES and doc.tokens[position + 1].norm == "عن":
            return position + 2
    return 0


def _parenthetical_end(tokens: list[Token], comma: int, limit: int) -> int:
    """The closing comma of an aside that a complementizer follows, or 0."""
    for position in range(comma + 1, min(limit, comma + 15) - 1):
        if tokens[position].text in "،,":
            return position if _is_complementizer(tokens[position + 1].norm) else 0
    return 0


def _marked_name_end(doc: Document, position: int, direct: list[Candidate], limit: int) -> int:
    """Token index after a short marked span at `position` when a complementizer comes later in the
    clause: a name in marks inside the speaker phrase («نقلت وكالة «تاس» عن الوزارة أن ...»)."""
    opener_end = doc.tokens[position].end
    for candidate in direct:
        if opener_end <= candidate.start <= opener_end + 1:
            after = doc.token_at(candidate.end) + 1
            short = len(doc.text[candidate.start:candidate.end].split()) <= 4
            if short and any(_is_complementizer(t.norm) for t in doc.tokens[after:limit]):
                return after
    return 0


def _opens_object(tokens: list[Token], index: int, position: int, lemma: str) -> bool:
    """Whether the object of an object cue starts here: its preposition, or a definite noun
    right after a one-word subject (أدانت مصر الهجوم)."""
    word = tokens[position].norm
    if position + 1 < len(tokens) and tokens[position + 1].norm in lexicon.COMPLEMENTIZERS:
        return False
    if (word == "الي" and posted_title(tokens, index, position)) or \
            (tokens[position - 1].norm == "الي" and posted_title(tokens, index, position - 1)):
        return False  # the post and its place, not the object
    # "المبعوث إلى اليمن كريم الصالحي الأطراف ...": after the post and a two-word name, a
    # definite noun is the addressee that opens the object
    if word.startswith("ال") and position - 4 > index and tokens[position - 4].norm == "الي" \
            and posted_title(tokens, index, position - 4) and not tokens[position - 2].norm.startswith("ال"):
        return True
    if _has_preposition(word, lexicon.OBJECT_PREPOSITIONS.get(lemma, ())):
        return True
    previous = tokens[position - 1].norm
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
    if "؟" not in doc.text[doc.tokens[sentence.last - 1].start:doc.tokens[sentence.last - 1].end + 1]:
        return False
    first = next((t for t in doc.tokens[sentence.first:sentence.last] if t.norm.isalpha()), None)
    return first is not None and first.norm in lexicon.QUESTION_WORDS


def posted_title(tokens: list[Token], index: int, preposition: int) -> bool:
    """Whether `preposition` (إلى) names the post of a title just before it: المبعوث الخاص إلى اليمن."""
    return preposition + 1 < len(tokens) and tokens[preposition + 1].norm in lexicon.POSTS and \
        any(t.norm.removeprefix("ال") in lexicon.POSTED_TITLES for t in tokens[max(index + 1, preposition - 3):preposition])


def _content_end(doc: Document, first: int, sentence: Sentence, direct: list[Candidate]) -> int:
    """End of indirect content: the sentence end, or before a participle cue opening a new clause."""
    tokens = doc.tokens
    last = sentence.last
    for position in range(first + 1, sentence.last):
        after_comma = tokens[position - 1].text in "،,"
        if tokens[position].norm in lexicon.CONTENT_END_WORDS or (after_comma and _resumes_narration(tokens, position)):
            last = position - 1 if after_comma else position
            break
    end = tokens[last - 1].end
    for candidate in direct:  # a quote in marks that the clause opened runs to its closing mark
        if candidate.start - 1 <= tokens[first].start < candidate.end or \
                tokens[first].start <= candidate.start < end < candidate.end:
            end = max(end, candidate.end)
    span = _trim(doc.text, tokens[first].start, end)
    return span[1] if span else -1


def _resumes_narration(tokens: list[Token], position: int) -> bool:
    """After a comma: a new cue (..., مضيفاً) or a narration connector (..., في إشارة إلى)."""
    return bool(cue_of(tokens[position])) or any(
        tuple(t.norm for t in tokens[position:position + len(phrase)]) == phrase
        for phrase in _CONNECTORS_BY_FIRST_WORD.get(tokens[position].norm, ()))


def _cut_subject(doc: Document, first: int, last: int) -> tuple[int, int]:
    """The speaker phrase after a cue, up to a time, place or channel phrase.

    A title's name in apposition stays in it: «المتحدث باسم الوكالة، فريدريك لانغ، إن».
    """
    for position in range(first, last):
        word = doc.tokens[position].norm
        channel = word == "في" and position + 1 < last and doc.tokens[position + 1].norm in lexicon.CHANNEL_WORDS
        aside = word in "،," or (position > first and word in ".()؛:!?؟")  # وأضاف، بحسب ...، أن: no subject
        if word in "،," and position > first and (named := apposed_name(doc, first, position, last)):
            return first, named
        if channel or word in lexicon.SPEAKER_BREAKS or aside:
            return first, position
    return first, last


def apposed_name(doc: Document, first: int, comma: int, last: int) -> int:
    """The end of a name set off by commas after a titled phrase, or 0 when there is none."""
    tokens = doc.tokens
    name = comma + 1
    if name + 1 < last and _is_title(tokens[name].norm):
        name += 1  # a rank before the name: «قائد القوات البرية، العميد محمد علي حرسي،»
    if not any(_is_title(t.norm) for t in tokens[first:comma]) or name >= last \
            or not (name_like(tokens[name]) or definite_name_word(tokens[name]) and not _is_title(tokens[name].norm)) \
            or cue_of(tokens[name]):
        return 0
    end = name + 1
    while end < last and end - name < 4 and tokens[end].norm.isalpha() \
            and (name_like(tokens[end]) or tokens[end].norm.startswith("ال")) and not cue_of(tokens[end]):
        end += 1
    return end if end == last or tokens[end].text in "،," else 0


def definite_name_word(token: Token) -> bool:
    """An ال-word that can be part of a name: «سالم الورفلي», and where commas set a name off
    «المنصف الحرباوي» (not a time word, a preposition or a cue)."""
    word = token.norm
    return word.startswith("ال") and token.text.isalpha() and word not in lexicon.SPEAKER_BREAKS \
        and word not in lexicon.CUE_PREPOSITIONS and word not in lexicon.COMPLEMENTIZERS and not cue_of(token)


def name_like(token: Token) -> bool:
    """A word that can be part of a name: not definite, no break, complementizer or preposition
    (the preposition على normalises to the name علي; the written alef maksura tells them apart)."""
    word = token.norm
    return word.isalpha() and not word.startswith("ال") and word not in lexicon.SPEAKER_BREAKS \
        and word not in lexicon.COMPLEMENTIZERS and len(word) > 1 \
        and (word not in lexicon.CUE_PREPOSITIONS or (word == "علي" and not token.text.endswith("ى")))


def _outlet(doc: Document, first: int, last: int) -> str:
    """An agency or outlet the speaker talked to: «في تصريح لوكالة رويترز» -> via."""
    for position in range(first, last):
        word = doc.tokens[position].norm
        if word.startswith("ل") and (word[1:] in lexicon.AGENCIES or word in lexicon.SPEAKER_BREAKS
                                     and word.startswith(("لوك", "لصحيف", "لقن", "لمو"))):
            phrase = doc.span_text(position, last)
            return phrase[1:] if phrase.startswith("ل") else phrase
    return ""


def _before(doc: Document, index: int, sentence: Sentence) -> tuple[int, int]:
    """Tokens before a cue in its sentence, back to a comma: the subject in subject-verb order.

    One comma right before the cue is passed over: «رئيس الوزراء فلان، أكد أن».
    """
    if index > sentence.first and doc.tokens[index - 1].text in "،,":
        index -= 1
    first = _clause_start(doc, index, sentence)
    if first > sentence.first + 1 and (doc.tokens[index - 1].norm in lexicon.ANONYMITY_WORDS
                                       or doc.tokens[first].norm in lexicon.RELATIVE_PRONOUNS):
        index = first - 1  # «مصدر مقرب، رفض الكشف عن اسمه، قال»، «فلان، الذي حضر الجلسة، قال»: an aside
        first = _clause_start(doc, index, sentence)
    return (first, index) if first < index else (0, 0)


def _clause_start(doc: Document, index: int, sentence: Sentence) -> int:
    """The first token after the comma, colon or closing mark before token `index`."""
    first = index
    while first > sentence.first and doc.tokens[first - 1].text not in "،,:»”\"" and index - first < 12:
        first -= 1
    return first


def _relayed_subject(doc: Document, index: int, end: int) -> tuple[int, str]:
    """«نقلت رويترز عن المسؤول قوله»: the subject starts after عن; the relaying agency is via."""
    for position in range(index + 1, end):
        if doc.tokens[position].norm == "عن":
            return position + 1, doc.span_text(index + 1, position)
    return index + 1, ""


def _source_candidate(doc: Document, index: int, sentence: Sentence) -> Iterator[Candidate]:
    """«بحسب X» and «وفقا لـ X»: the statement is the rest of the sentence, before or after X."""
    tokens = doc.tokens
    source_first = index + 1
    if source_first < sentence.last and tokens[source_first].norm in ("ل", "عن", "قال", "قالت", "ذكر", "ذكرت"):
        source_first += 1
    source_last = source_first
    while source_last < sentence.last and tokens[source_last].text not in "،,.:" \
            and source_last - source_first < 10:
        source_last += 1
    at_start = index <= sentence.first + 1
    if at_start:
        first = source_last + 1
        if first < sentence.last and tokens[first].norm in ("فان", "ان", "فانه", "فقد"):
            first += tokens[first].norm in ("فان", "ان")
        span = _trim(doc.text, tokens[min(first, sentence.last - 1)].start, sentence.end) \
            if first < sentence.last else None
    else:
        if any((cue := cue_of(token)) and cue[0] != "source" for token in tokens[sentence.first:index]):
            return  # «قال الوزير إن ...، بحسب الوكالة»: the clause has its own cue; the source only relays it
        span = _trim(doc.text, sentence.start, tokens[index].start)
    if span is None:
        return
    yield Candidate(span[0], span[1], "indirect", "source", tokens[index].text, cue_of(tokens[index])[1],
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
                candidate = replace(candidate, kind="direct", marks=first.marks,
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
    tokens = doc.tokens
    while index < len(tokens) and _PUNCT_RE.match(tokens[index].text) and tokens[index].text not in "«“":
        index += 1
    colon_head = _colon_head(doc, candidate)
    if index < len(tokens) and (cue := cue_of(tokens[index])) and cue[0] in ("say", "participle", "source"):
        sentence = doc.sentences[doc.sentence_of[index]]
        subject = _cut_subject(doc, index + 1, min(sentence.last, index + 12))
        return replace(candidate, cue=tokens[index].text, cue_lemma=cue[1], cue_token=index,
                       after=subject, before=colon_head)
    return replace(candidate, before=colon_head)


def _colon_head(doc: Document, candidate: Candidate) -> tuple[int, int]:
    """«فلان: "..."»: the words before a colon that directly precedes the quote."""
    index = doc.token_at(candidate.start) - 1
    while index >= 0 and doc.tokens[index].text in CLOSERS:
        index -= 1
    if index < 0 or doc.tokens[index].text != ":":
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
