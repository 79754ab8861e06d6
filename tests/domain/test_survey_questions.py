"""Survey question sets: every text in English and Spanish, the A-11 order, refused overrides."""

from __future__ import annotations

import pathlib
import re

import pytest

from cxdesk import vocab
from cxdesk.config import catalog_override_dir
from cxdesk.domain.surveys import questions
from cxdesk.errors import CxdeskError


@pytest.mark.parametrize("code", list(vocab.SURVEY_SET_FILES))
def test_every_question_and_option_is_in_english_and_spanish(code):
    qset = questions.load_question_set(code)
    for lang in vocab.LANGUAGES:
        assert qset.titles[lang].strip()
        for q in qset.questions:
            wording = qset.wording(q, lang, service="change_address")
            assert wording.strip() and "[" not in wording, (q.code, lang)
            for option in q.options:
                assert option.label(lang).strip()
    for q in qset.questions:
        assert q.texts["en"] != q.texts["es"], q.code


def test_every_screen_text_exists_in_both_languages():
    texts = questions.load_survey_texts()
    for key in questions.SCREEN_TEXTS:
        for lang in vocab.LANGUAGES:
            assert texts.text(key, lang, n=1, total=2).strip(), (key, lang)
    for lang in vocab.LANGUAGES:
        assert len(texts.scale[lang]) == 5


def test_screen_code_asks_only_for_known_texts():
    # A text key used by a screen but absent from the data would be a blank on screen.
    used = set()
    for module in ("survey.py", "kiosk.py"):
        source = (pathlib.Path(__file__).parents[2] / "screens" / module).read_text()
        used |= set(re.findall(r'\.text\(\s*"([a-z_]+)"', source))
    assert used and used <= set(questions.SCREEN_TEXTS)


@pytest.mark.parametrize("code", list(vocab.SURVEY_SET_FILES))
def test_each_set_asks_what_service_the_customer_wishes_for_before_the_comment(code):
    codes = [q.code for q in questions.load_question_set(code).questions]
    assert codes[-1] == "comment"
    assert codes[-2] == "wish"


def test_likert_set_fills_the_service_into_satisfaction_and_trust():
    qset = questions.load_question_set("likert")
    text = qset.wording(qset.question("satisfaction"), "es", service="change_address")
    assert text == "Estoy satisfecho con el servicio que recibí de Cambio de dirección."
    assert [q.driver for q in qset.scale_questions()] == [
        "satisfied", "trust", "effective", "easy", "efficient", "transparent", "employee"]


def test_a_missing_spanish_text_is_refused_not_shown_blank():
    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    builtin = (pathlib.Path(__file__).parents[2] / "data" / "survey_likert.toml").read_text()
    (folder / "survey_likert.toml").write_text(
        builtin.replace('text_es = "Se atendió mi necesidad."\n', ""), encoding="utf-8")
    with pytest.raises(CxdeskError, match=r"question 'effectiveness' has no Spanish text \(text_es\)"):
        questions.load_question_set("likert")


def test_a_spanish_text_copied_from_english_is_a_missing_translation():
    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    common = (pathlib.Path(__file__).parents[2] / "data" / "survey_common.toml").read_text()
    (folder / "survey_common.toml").write_text(
        common.replace('thanks_title_es = "¡Gracias!"', 'thanks_title_es = "Thank you!"'), encoding="utf-8")
    with pytest.raises(CxdeskError, match="text 'thanks_title' has the same English and Spanish text"):
        questions.load_survey_texts()


def test_unknown_survey_set_is_refused():
    with pytest.raises(CxdeskError, match="No survey set 'smileys'"):
        questions.load_question_set("smileys")
