"""Rule candidates for every construction, on sentences written for these tests."""

import pytest

from predict.quotes import Document, find_candidates


def spans(text):
    doc = Document.from_text(text)
    return [(text[c.start:c.end], c.kind, c.cue) for c in find_candidates(doc)]


@pytest.mark.parametrize("text, quote, kind, cue", [
    # direct quotes in every mark style, including a mismatched pair
    ("قال الوزير: «لن نقبل بأي تسوية».", "لن نقبل بأي تسوية", "direct", "قال"),
    ("وقالت الناطقة “نحن باقون هنا”.", "نحن باقون هنا", "direct", "وقالت"),
    ('وأكد القائد "سنواصل العمليات حتى النهاية".', "سنواصل العمليات حتى النهاية", "direct", "وأكد"),
    ("وقال المسؤول ”المعابر مغلقة منذ أسبوع”.", "المعابر مغلقة منذ أسبوع", "direct", "وقال"),
    # multi-sentence direct quote is one quote
    ("قال الطبيب: «المستشفى بلا كهرباء. نحتاج الوقود فوراً».", "المستشفى بلا كهرباء. نحتاج الوقود فوراً", "direct", "قال"),
    # indirect quotes after reporting cues and complementizers
    ("قال وزير المالية إن العجز سيتراجع هذا العام.", "العجز سيتراجع هذا العام", "indirect", "قال"),
    ("وأكدت الوزارة أن المفاوضات ستستأنف قريباً.", "المفاوضات ستستأنف قريباً", "indirect", "وأكدت"),
    ("وأشار المحلل إلى أن الأسعار ارتفعت بشدة.", "الأسعار ارتفعت بشدة", "indirect", "وأشار"),
    ("وأوضح بأن القوافل عبرت الحدود.", "القوافل عبرت الحدود", "indirect", "وأوضح"),
    # less common reporting verbs and participles
    ("وردّ المتحدث باسم الحركة بأن الحركة لم تتلق أي تمويل.", "الحركة لم تتلق أي تمويل", "indirect", "وردّ"),
    ("ويقدّر الباحث أن عدد المقاتلين تراجع.", "عدد المقاتلين تراجع", "indirect", "ويقدّر"),
    ("ونبّه المسؤول إلى أن المخزون يكفي أسبوعاً.", "المخزون يكفي أسبوعاً", "indirect", "ونبّه"),
    # a fused complementizer stays in the span
    ("وقال إنه لن يستقيل من منصبه.", "إنه لن يستقيل من منصبه", "indirect", "وقال"),
    # a cue's preposition before a fused complementizer is no subject; the pronoun stays
    ("وأشار إلى أنه تلقى تطمينات من الوسطاء.", "أنه تلقى تطمينات من الوسطاء", "indirect", "وأشار"),
    # an aside between commas does not hide the complementizer
    ("وأضاف، بحسب ما نقلت عنه وكالة محلية، أن الجسر أعيد فتحه.", "الجسر أعيد فتحه", "indirect", "وأضاف"),
    # after كان the subject came first: what follows the cue is its object
    ("وكانت الهيئة الوطنية للإغاثة دعت سكان القرى إلى مغادرة منازلهم.", "سكان القرى إلى مغادرة منازلهم", "indirect", "دعت"),
    ("وكانت الحكومة أكدت تزامناً مع الحملة الأمنية، أنها لن تتهاون مع المسلحين.", "أنها لن تتهاون مع المسلحين", "indirect", "أكدت"),
    # resumed narration ends the content
    ("قالت الجزائر اليوم إنها ترفض أي وساطة وذلك رداً على تصريحات وزير فرنسي.", "إنها ترفض أي وساطة", "indirect", "قالت"),
    ("وأكد الوزير أن بلاده ستدعم الاتفاق، في إشارة إلى المبادرة الأخيرة.", "بلاده ستدعم الاتفاق", "indirect", "وأكد"),
    # an agency's name in marks and a «نقلاً عن» relay belong to the speaker phrase
    ("ونقلت وكالة «سبوتنيك» عن مصدر في الوزارة أن المحادثات ستستأنف.", "المحادثات ستستأنف", "indirect", "ونقلت"),
    ("وذكرت صحيفة الوطن نقلاً عن مصادر أمنية أن الحملة ستشمل ثلاث محافظات.", "الحملة ستشمل ثلاث محافظات", "indirect", "وذكرت"),
    # a reporting verb without أن takes its preposition and a noun
    ("وشددت وزيرة الخارجية على ضرورة تنسيق الجهود الإقليمية.", "ضرورة تنسيق الجهود الإقليمية", "indirect", "وشددت"),
    ("وأعرب رئيس البعثة عن قلقه البالغ من تدهور الأوضاع.", "قلقه البالغ من تدهور الأوضاع", "indirect", "وأعرب"),
    ("وأفاد تقرير للمنظمة بارتفاع عدد الأطفال المصابين.", "بارتفاع عدد الأطفال المصابين", "indirect", "وأفاد"),
    # continuation cue with a dropped subject
    ("وأضاف أن الحكومة ستدفع الرواتب.", "الحكومة ستدفع الرواتب", "indirect", "وأضاف"),
    # colon without marks
    ("وتابع: نحن مستعدون للحوار مع الجميع.", "نحن مستعدون للحوار مع الجميع", "indirect", "وتابع"),
    # object cues: the content keeps the preposition
    ("طالب المحتجون بوقف الاعتقالات التعسفية.", "بوقف الاعتقالات التعسفية", "indirect", "طالب"),
    ("دعت المنظمة إلى فتح ممرات آمنة للمدنيين.", "إلى فتح ممرات آمنة للمدنيين", "indirect", "دعت"),
    # a noun object after a title and its genitives (no complementizer)
    ("ونفت وزارة الدفاع السورية قصف الأحياء السكنية.", "قصف الأحياء السكنية", "indirect", "ونفت"),
    # ... a spokesman's «باسم» and «لل» genitives, and his name in apposition, belong to the subject
    ("وأعلن المتحدث باسم القيادة العامة للجيش، العقيد سالم الورفلي، دخول وحدات الجيش إلى الحي.",
     "دخول وحدات الجيش إلى الحي", "indirect", "وأعلن"),
    ("ودان الناطق باسم الحكومة، رامي الخطيب، اقتحام المخيم.", "اقتحام المخيم", "indirect", "ودان"),
    # ... also after a construct title, and before the object of an object cue, whatever follows
    ("ونفى آمر غرفة العمليات، العقيد سالم الورفلي، سيطرة المهاجمين على المطار، مؤكداً أن الوضع مستقر.",
     "سيطرة المهاجمين على المطار", "indirect", "ونفى"),
    ("وحمّل وزير الداخلية، حسن العلي، الحركة المسؤولية عن الهجوم.", "الحركة المسؤولية عن الهجوم",
     "indirect", "وحمّل"),
    # an indefinite office noun is a title too: its genitive is not the object; the addressee is
    ("ودعا المبعوث الخاص الأطراف إلى ضبط النفس.", "الأطراف إلى ضبط النفس", "indirect", "ودعا"),
    ("وطالبت منظمة العفو الدولية السلطات بالإفراج عن المعتقلين.", "السلطات بالإفراج عن المعتقلين", "indirect", "وطالبت"),
    # a time word after the subject does not open the object
    ("دعت إيران اليوم تركيا إلى عدم التصعيد.", "إلى عدم التصعيد", "indirect", "دعت"),
    # a feminine title is a title: its genitive is not the object
    ("وطالبت منسقة السياسة الخارجية سارة النجار النظام بوقف القصف.", "النظام بوقف القصف", "indirect", "وطالبت"),
    # an envoy's "to <place>" is part of the title; the addressee after the name opens the object
    ("دعا المبعوث الأممي إلى ليبيا سامي الحداد الأطراف الليبية إلى الحوار.", "الأطراف الليبية إلى الحوار",
     "indirect", "دعا"),
    # reporting verbs of claims, counts and threats
    ("وادعى التنظيم أن مقاتليه أسقطوا طائرة مسيرة.", "مقاتليه أسقطوا طائرة مسيرة", "indirect", "وادعى"),
    ("وأحصت المنظمة نزوح ألفي أسرة من الحي.", "نزوح ألفي أسرة من الحي", "indirect", "وأحصت"),
    ("ولوّح الاتحاد بإضراب عام في القطاع.", "بإضراب عام في القطاع", "indirect", "ولوّح"),
    ("وتبنت داعش الهجوم على الحاجز.", "الهجوم على الحاجز", "indirect", "وتبنت"),
    # sources of facts
    ("وبحسب وزارة الصحة، ارتفع عدد الإصابات إلى مئتين.", "ارتفع عدد الإصابات إلى مئتين", "indirect", "وبحسب"),
    ("ارتفع عدد النازحين إلى ألف أسرة، وفقا للأمم المتحدة.", "ارتفع عدد النازحين إلى ألف أسرة", "indirect", "وفقا"),
])
def test_construction(text, quote, kind, cue):
    assert (quote, kind, cue) in spans(text)


def test_participle_opens_a_second_quote():
    found = spans("قال القائد إن الهجوم فشل، مؤكداً أن قواته ستتقدم.")
    assert ("الهجوم فشل", "indirect", "قال") in found
    assert ("قواته ستتقدم", "indirect", "مؤكداً") in found


def test_partly_quoted_content_is_one_quote():
    found = spans('وقال الوزير إن العقوبات "غير مقبولة على الإطلاق".')
    assert len(found) == 1 and found[0][0].startswith("العقوبات")


def test_relayed_statement_records_the_agency():
    text = "ونقلت وكالة الأنباء الرسمية عن قائد الشرطة قوله إن الهدوء عاد إلى المدينة."
    doc = Document.from_text(text)
    [candidate] = find_candidates(doc)
    assert text[candidate.start:candidate.end] == "الهدوء عاد إلى المدينة"
    assert candidate.via == "وكالة الأنباء الرسمية"
    assert "قائد الشرطة" in doc.span_text(*candidate.subject)


def test_speaker_after_the_quote():
    text = "«لن نسمح بتكرار ما حدث»، قال رئيس البلدية."
    doc = Document.from_text(text)
    [candidate] = find_candidates(doc)
    assert candidate.cue == "قال" and doc.span_text(*candidate.after) == "رئيس البلدية"


@pytest.mark.parametrize("text", [
    "قال الوزير: «هذا نص بلا نهاية",          # unbalanced opener: skipped, no crash
    "»«“”\"„",                                # marks only
    "",
    "قال",
])
def test_broken_marks_never_crash(text):
    for quote, _, _ in spans(text):
        assert quote in text


@pytest.mark.parametrize("text, answer", [
    ("حاورنا الوزير سامي نادر.\nس: أين وصل التأليف؟\nج: الرئيس المكلف أنهى الاستشارات.", "الرئيس المكلف أنهى الاستشارات"),
    ("حاورنا الوزير سامي نادر.\n- هل وصلت الجداول؟\n- لم تصل حتى الآن.", "لم تصل حتى الآن"),
    ("حاورنا الوزير سامي نادر. هل ثمة أسماء؟ •• حتى الآن ليست هناك صورة واضحة.", "حتى الآن ليست هناك صورة واضحة"),
    # a marked question line, then the answer on an unmarked line
    ("حاورنا القائد.\n- كيف تصفون الوضع؟\nهادئ نسبياً لكن الخلايا تتحرك ليلاً.", "هادئ نسبياً لكن الخلايا تتحرك ليلاً"),
])
def test_interview_answers(text, answer):
    assert (answer, "direct", "") in spans(text)


def test_a_noun_object_in_a_long_sentence_is_still_a_candidate():
    text = ("وأعلن الرئيس الصومالي الجفاف الذي يضرب معظم أقاليم البلاد منذ أشهر طويلة كارثة وطنية، ودعا "
            "المجتمع الدولي ورجال الأعمال والمغتربين في كل مكان إلى التبرع العاجل لإنقاذ ملايين الأشخاص "
            "المهددين بالمجاعة في الأقاليم الوسطى والجنوبية قبل حلول موسم الأمطار المقبل.")
    assert any(cue == "وأعلن" for _, _, cue in spans(text))


def test_a_cue_in_a_relative_clause_is_not_a_quote():
    assert spans("وشارك الآلاف في الإضراب الذي دعا إليه الاتحاد العام للشغل في كل الولايات.") == []
    assert spans("ورفع المحتجون لافتات كتب عليها العدالة للضحايا.") == []
    # but a relative clause whose verb reports a statement still does
    assert spans("وزير الخارجية الذي قال إن المفاوضات انتهت غادر القاعة.")


def test_a_question_put_to_a_source_is_not_a_quote():
    assert spans("• هل تتوقع أن ينجح المؤتمر؟") == []
    assert spans("ألا ترى أن الأحداث حولت الاهتمام؟") == []
