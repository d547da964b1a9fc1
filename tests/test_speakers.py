"""Speaker mentions, resolution within the article, and the trained ranker's choices."""

import pytest

from predict.quotes import Document, find_candidates
from predict.records import Article
from predict.speakers import mentions, resolve


def mention_texts(text):
    doc = Document.from_text(text)
    return [{m.position: m.text for m in mentions(doc, c, has_previous=False)} for c in find_candidates(doc)]


@pytest.mark.parametrize("text, position, speaker", [
    # verb-subject with a long apposition
    ("قال المسؤول الكبير في المعارضة المسلحة سامر الحلبي إن الفصائل لن تنسحب.", "subject",
     "المسؤول الكبير في المعارضة المسلحة سامر الحلبي"),
    # the speaker phrase ends before a time or channel phrase
    ("وقال وزير الخارجية في مؤتمر صحفي إن الاتفاق بات قريباً.", "subject", "وزير الخارجية"),
    # a title's name set off by commas stays in the subject
    ("وقال المتحدث باسم منظمة الطاقة الذرية، بهروز نجفي، إن البرنامج سلمي.", "subject",
     "المتحدث باسم منظمة الطاقة الذرية، بهروز نجفي"),
    # with a rank before the name
    ("وقال قائد القوات البرية، العميد سالم حرسي، إن الجنود صدوا الهجوم.", "subject",
     "قائد القوات البرية، العميد سالم حرسي"),
    # ... also before a noun object, and after a title the list had missed (آمر)
    ("وأعلن الناطق باسم الشرطة، النقيب خالد المصراتي، ضبط شحنة أسلحة.", "subject",
     "الناطق باسم الشرطة، النقيب خالد المصراتي"),
    ("وقال آمر الكتيبة، العقيد فرج العبيدي، إن الطريق مفتوح.", "subject", "آمر الكتيبة، العقيد فرج العبيدي"),
    # the noun «باسم» governs is part of the title before a noun object
    ("ونفى المتحدث باسم وزارة الداخلية، العميد حيدر العبيدي، تعرض المحتجزين لسوء المعاملة.", "subject",
     "المتحدث باسم وزارة الداخلية، العميد حيدر العبيدي"),
    # but an aside after a comma does not
    ("وقال وزير الخارجية، في مؤتمر صحفي، إن الاتفاق بات قريباً.", "subject", "وزير الخارجية"),
    # روى is a reporting verb; the speaker comes after the quote
    ("«سمعنا الانفجار عند الفجر»، روت الممرضة سعاد الجبوري.", "after", "الممرضة سعاد الجبوري"),
    # subject-verb order
    ("رئيس الوزراء حسن العمري، أكد أن الانتخابات ستجري في موعدها.", "before", "رئيس الوزراء حسن العمري"),
    # ... past a relative clause set off by commas
    ("مدير الميناء فادي الشامي، الذي رافق الوفد في جولته، قال إن الأرصفة جاهزة.", "before",
     "مدير الميناء فادي الشامي"),
    # speaker after the quote
    ("«الوضع تحت السيطرة»، قال قائد الشرطة.", "after", "قائد الشرطة"),
    # the words before a colon
    ("الناطق باسم الحركة: «لا تراجع عن مطالبنا»", "colon", "الناطق باسم الحركة"),
    # the source of a fact
    ("وبحسب منظمة الهجرة الدولية، نزح عشرة آلاف شخص.", "source", "منظمة الهجرة الدولية"),
])
def test_mention_positions(text, position, speaker):
    assert mention_texts(text)[0].get(position) == speaker


def test_title_resolves_to_the_name_given_earlier():
    text = ("وصل المبعوث الدولي يوهان لارسن إلى العاصمة أمس.\n"
            "وقال المبعوث الدولي إن المحادثات ستبدأ الأسبوع المقبل.")
    doc = Document.from_text(text)
    assert resolve("المبعوث الدولي", doc, text.index("وقال"), []) == "المبعوث الدولي يوهان لارسن"


def test_title_resolves_to_the_name_in_apposition():
    text = ("وصل مدير المستشفى، منذر السمان، إلى المعبر أمس.\n"
            "وقال مدير المستشفى إن الوقود نفد.")
    doc = Document.from_text(text)
    assert resolve("مدير المستشفى", doc, text.index("وقال"), []) == "مدير المستشفى، منذر السمان"


def test_surname_resolves_to_a_known_speaker():
    doc = Document.from_text("نص")
    assert resolve("الحلبي", doc, 0, ["سامر الحلبي", "وزارة الصحة"]) == "سامر الحلبي"


def test_the_preposition_ala_is_no_name_but_the_name_ali_is():
    doc = Document.from_text("وشددت وزيرة الخارجية على ضرورة التنسيق. وقال وزير المالية علي حسن إن العجز تراجع.")
    assert resolve("وزيرة الخارجية", doc, len(doc.text), []) == "وزيرة الخارجية"
    assert resolve("وزير المالية", doc, len(doc.text), []) == "وزير المالية علي حسن"


def test_family_name_resolves_to_the_titled_name_given_earlier():
    doc = Document.from_text("استقبل رئيس المجلس البلدي نزار القباني وفد المانحين. وقال القباني إن المشاريع ستبدأ.")
    assert resolve("القباني", doc, len(doc.text) - 25, []) == "نزار القباني"


@pytest.mark.parametrize("text", [
    "وقال لصحفيين في المطار إن الطائرات عادت إلى العمل.",  # the addressee
    "وتابع قائلاً إن الطائرات عادت إلى العمل.",  # a participle that repeats the cue
    "وأشار إلى أنه تلقى تطمينات من الوسطاء.",  # the cue's preposition
    "وأضاف، بحسب ما نقلت عنه وكالة محلية، أن الجسر أعيد فتحه.",  # an aside
])
def test_no_subject_after_the_cue(text):
    assert [m for m in mention_texts(text) if "subject" in m] == []


def test_participle_takes_the_subject_of_the_sentence_verb():
    text = "وشارك وزير الدفاع خالد النمر في اجتماع الحلف، موضحاً أن بلاده لن تقبل بأي تهديد."
    [found] = mention_texts(text)
    assert found["main"] == "وزير الدفاع خالد النمر"


def test_a_paper_relaying_a_source_is_via():
    doc = Document.from_text("وذكرت صحيفة الوطن نقلاً عن مصادر أمنية أن الحملة ستشمل ثلاث محافظات.")
    [candidate] = find_candidates(doc)
    assert candidate.via == "صحيفة الوطن" and doc.span_text(*candidate.subject) == "مصادر أمنية"


def test_a_trailing_source_relays_the_cued_clause():
    text = "وشدد الوزير على أن الانتخابات ستجرى في موعدها، وفقاً لما أوردته وكالة الأنباء الرسمية."
    doc = Document.from_text(text)
    [candidate] = find_candidates(doc)
    assert candidate.frame != "source" and text[candidate.start:candidate.end].startswith("الانتخابات")


def test_continuation_takes_the_previous_speaker(tagger):
    text = ("قال المتحدث باسم الهلال الأحمر كمال الشامي إن فرق الإنقاذ انتشلت عشرين جثة.\n"
            "وأضاف أن آلاف العائلات باتت بلا مأوى مع اقتراب الشتاء.")
    [article] = tagger.tag_batch([Article("t", text)])
    assert len(article.quotes) == 2
    assert "كمال الشامي" in article.quotes[0].speaker_name
    assert article.quotes[1].speaker_name == article.quotes[0].speaker_name


def test_relaying_agency_is_via_not_speaker(tagger):
    text = "ونقلت وكالة رويترز عن مسؤول في وزارة الطاقة قوله إن الإمدادات ستعود خلال يومين."
    [article] = tagger.tag_batch([Article("t", text)])
    [quote] = article.quotes
    assert "رويترز" in quote.via and "رويترز" not in quote.speaker_name
    assert "مسؤول في وزارة الطاقة" in quote.speaker_name


def test_narration_names_a_candidate_for_a_quote_without_subject():
    text = ("قال الوزير إن الميزانية جاهزة.\n"
            "وفي السياق نفسه التقى رئيس البرلمان نادر السعدي وفد الصندوق.\n"
            "وأضاف أن الجلسة ستعقد غداً.")
    doc = Document.from_text(text)
    first, second = find_candidates(doc)[:2]
    found = {m.position: m.text for m in mentions(doc, second, has_previous=True, since=first.end)}
    assert found["narration"] == "رئيس البرلمان نادر السعدي"
    assert "previous" in found
    # a quote with its own subject gets no narration candidate
    assert "narration" not in {m.position for m in mentions(doc, first, has_previous=False)}


@pytest.mark.parametrize("text", [
    "ونقلت الشبكة المحلية عن مدير المستشفى الدكتور وسيم عزام قوله: «استقبلنا مئة جريح».",
    "الشبكة المحلية نقلت عن مدير المستشفى الدكتور وسيم عزام قوله: «استقبلنا مئة جريح».",
])
def test_relay_keeps_the_source_without_qawluhu(text):
    assert "مدير المستشفى الدكتور وسيم عزام" in mention_texts(text)[-1].values()


def test_interview_answer_has_the_interviewee_as_candidate():
    text = ("تونس - التقينا رئيس الرابطة التونسية للدفاع عن حقوق الإنسان، نجيب الحمروني، في مقر الرابطة.\n"
            "س: كيف تقيمون الأوضاع؟\nج: نرصد تراجعاً واضحاً.")
    assert mention_texts(text)[-1]["interviewee"] == "رئيس الرابطة التونسية للدفاع عن حقوق الإنسان، نجيب الحمروني"


def test_a_lone_function_word_is_no_mention():
    # «وقال لـ"الشبكة" إن ...»: the word after the cue is a preposition, not a speaker
    positions = mention_texts("وقال له إن الوضع تحت السيطرة.")[0]
    assert "subject" not in positions


def test_title_resolves_to_the_previous_speaker_named_in_apposition():
    text = "ودان الناطق باسم الحكومة، رامي الخطيب، اقتحام المخيم، معتبراً ذلك عقاباً جماعياً."
    doc = Document.from_text(text)
    known = ["الناطق باسم الحكومة، رامي الخطيب"]
    assert resolve("الناطق باسم الحكومة", doc, text.index("معتبراً"), known) == known[0]


def test_a_long_title_with_basm_resolves_to_its_name():
    text = ("وصل المتحدث باسم القيادة العامة للجيش العميد سالم الورفلي إلى المدينة.\n"
            "وقال المتحدث باسم القيادة العامة للجيش إن الطريق مفتوح.")
    doc = Document.from_text(text)
    assert resolve("المتحدث باسم القيادة العامة للجيش", doc, text.index("وقال"), []) \
        == "المتحدث باسم القيادة العامة للجيش العميد سالم الورفلي"


def test_an_outlet_in_marks_after_the_cue_is_no_subject():
    cued = mention_texts("وقال الوزير لـ«الحياة» إن الحكومة باقية.")[-1]  # [0] is the outlet in marks
    assert cued.get("subject") == "الوزير"


def test_the_speaker_before_an_anonymity_aside_is_the_candidate():
    cued = mention_texts("ونائب في البرلمان، طلب عدم ذكر اسمه، قال لـ«الحياة» إن الحكومة باقية.")[-1]
    assert "subject" not in cued and cued.get("before") == "ونائب في البرلمان"


@pytest.mark.parametrize("joint, in_sentence", [("، ووصف", True), (".\nووصف", False)])
def test_previous_speaker_knows_whether_its_quote_ended_in_this_sentence(joint, in_sentence):
    text = f"نفى الوزير أن تكون القوات انسحبت من المدينة{joint} التقارير بأنها كاذبة."
    doc = Document.from_text(text)
    first, second = find_candidates(doc)[:2]
    [previous] = [m for m in mentions(doc, second, has_previous=True, since=first.end) if m.position == "previous"]
    assert previous.in_sentence is in_sentence


def test_object_after_a_joined_cue_is_not_taken_for_its_speaker(tagger):
    # «ووصف الاتهامات بأنها ...»: the clause goes on with the same speaker, the noun is its object
    text = ("ونفى المتحدث باسم الجيش العقيد سامر خليل أن تكون قواته قصفت السوق الشعبي، "
            "ووصف الاتهامات بأنها محاولة لتشويه صورة الجيش.")
    [article] = tagger.tag_batch([Article("t", text)])
    assert len(article.quotes) == 2
    assert all(quote.speaker_name.endswith("سامر خليل") for quote in article.quotes)
