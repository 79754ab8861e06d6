"""Spanish everywhere a customer reads (EO 12862 1(g); issue 15).

Catalog-driven, not a hand list: the English words are every word of every
English text in the catalogs (data/*.toml, ``*_en`` keys) and of every string
literal in the code of the customer's screens; the Spanish words are those of
the Spanish texts. A customer's screen walked in Spanish must show no word that
is English only. And every English text of every catalog has its Spanish.
"""

from __future__ import annotations

import ast
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from textual.strip import Strip

from tests.pilot import press, settle
from tests.tour import STOPS, app_for, go_to

SCREENS = Path(__file__).resolve().parents[2] / "screens"
# The code that draws what a customer reads.
CUSTOMER_MODULES = ("survey.py", "kiosk.py")
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑÜáéíóúñü]{3,}")


def catalogs() -> dict[str, dict]:
    folder = resources.files("cxdesk.data")
    return {entry.name: tomllib.loads(entry.read_text(encoding="utf-8"))
            for entry in folder.iterdir() if entry.name.endswith(".toml")}


def texts(node, lang: str, where: str = ""):
    """(where, text) for every text of ``lang`` in a catalog, however deep."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith(f"_{lang}"):
                for text in value if isinstance(value, list) else [value]:
                    yield f"{where}.{key}", str(text)
            else:
                yield from texts(value, lang, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from texts(item, lang, f"{where}[{index}]")


def literals(module: Path) -> list[str]:
    """The string literals of a module, its docstrings left out."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def words(strings) -> set[str]:
    return {word.lower() for text in strings for word in WORD.findall(text)}


@cache
def english_only() -> frozenset[str]:
    english = set()
    spanish = set()
    for data in catalogs().values():
        english |= words(text for _, text in texts(data, "en"))
        spanish |= words(text for _, text in texts(data, "es"))
    for module in CUSTOMER_MODULES:
        english |= words(literals(SCREENS / module))
    return frozenset(english - spanish)


def test_every_english_text_of_every_catalog_has_its_spanish():
    missing = []
    for name, data in catalogs().items():
        spanish = dict(texts(data, "es"))
        for where, text in texts(data, "en"):
            twin = where[: -len("_en")] + "_es"
            if not spanish.get(twin, "").strip() and text.strip():
                missing.append(f"{name}{where}: {text!r} has no Spanish")
    assert catalogs(), "no catalog found"
    assert not missing, "\n".join(missing)


def test_the_english_word_list_catches_english():
    """The detector itself: English-only words it must know, Spanish ones it must not flag."""
    flagged = english_only()
    assert {"press", "skip", "thank", "survey"} <= flagged
    assert not {"pregunta", "gracias", "encuesta", "english"} & flagged


def screen_text(app) -> list[str]:
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    app.screen.refresh()
    return [Strip.join(row).text for row in update.strips]


def english_left(app, where: str, allowed: set[str]) -> list[str]:
    flagged = english_only()
    found = []
    for y, line in enumerate(screen_text(app)):
        left = sorted({w for w in words([line]) if w in flagged and w not in allowed})
        if left:
            found.append(f"{where} row {y}: {left} in {line.strip()!r}")
    return found


async def answer(pilot) -> None:
    """Answer the question on screen the way a customer would, whatever its kind."""
    screen = pilot.app.screen
    question = screen.question
    if screen.typing or question.kind == "comment":
        await pilot.press(*"bien", "enter")
    elif question.kind == "scale":
        await pilot.press("4")
    elif question.kind == "drivers":
        await pilot.press("1", "enter")
    else:
        number = next(n for n, option in enumerate(question.options, 1) if not option.asks_text)
        await pilot.press(str(number))
    await settle(pilot)


@pytest.mark.parametrize("survey_set", ["a11_v2_radio", "likert"])
async def test_the_kiosk_survey_walked_in_spanish_shows_no_english(survey_set, db, office, db_url, clock):
    from cxdesk.store.models import Office

    with db.session() as session:
        session.get(Office, office.id).survey_set = survey_set
        session.commit()
    stop = next(stop for stop in STOPS if stop.name == "kiosk-survey")
    app = app_for(stop, db, office, db_url, clock)
    found: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, stop)
        screen = app.screen
        assert type(screen).__name__ == "SurveyScreen" and screen.lang == "es"
        steps = 0
        while screen.status is None and steps < 20:
            found += english_left(app, f"question {screen.index + 1} ({screen.question.code})", set())
            await answer(pilot)
            steps += 1
        assert screen.status is not None, "the survey did not end"
        found += english_left(app, "thank-you", set())
    assert steps >= 4
    assert not found, "\n".join(found)


async def test_the_handed_over_survey_in_spanish_to_the_return_screen(db, office, db_url, clock):
    stop = next(stop for stop in STOPS if stop.name == "survey-handover")
    app = app_for(stop, db, office, db_url, clock)
    found: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, stop)
        screen = app.screen
        assert screen.lang == "es"
        found += english_left(app, "first question", set())
        await press(pilot, "escape")
        found += english_left(app, "ended", set())
        screen._after_thanks()  # what the thank-you's timer calls
        await settle(pilot)
        found += english_left(app, "return to the clerk", set())
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", ["kiosk-welcome", "complaint-receipt"])
async def test_the_bilingual_screens_carry_their_spanish(name, db, office, db_url, clock):
    """The kiosk's welcome and the complaint receipt face every customer in both languages:
    each English sentence a customer reads there is matched by its Spanish."""
    stop = next(stop for stop in STOPS if stop.name == name)
    app = app_for(stop, db, office, db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, stop)
        shown = " ".join(" ".join(line.split()) for line in screen_text(app))
        if name == "kiosk-welcome":
            common = catalogs()["survey_common.toml"]["text"]
            expected = [common["kiosk_title_es"], common["kiosk_body_es"]]
        else:
            from cxdesk.domain.complaints import receipt_lines

            expected = ["Queja registrada", "Número de referencia", receipt_lines(app.screen.complaint)["es"][:60]]
        for text in expected:
            assert " ".join(text.split()) in shown, f"{name}: {text!r} is not on screen"


async def test_the_walk_would_see_english(db, office, db_url, clock):
    """The same look at a survey in English finds English words: the walk above can fail."""
    from tests.tour import a_survey_at_the_kiosk

    stop = next(stop for stop in STOPS if stop.name == "kiosk-survey")
    from dataclasses import replace

    english = replace(stop, prepare=lambda db, office: a_survey_at_the_kiosk(db, office, language="en"))
    app = app_for(english, db, office, db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, english)
        assert app.screen.lang == "en"
        assert english_left(app, "English survey", set())
