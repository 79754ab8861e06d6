"""Every screen, rendered in each accessible theme, meets WCAG AA contrast, and no state
is told by colour alone (EO 12862 1(g); Section 508 for the staff who use cxdesk all day).

The figures come from the rendered segments (tests/contrast.py): every visible
character's colour against its cell's background, so a colour a stylesheet mixes
with transparency, a faint placeholder or a theme variable nobody thought of is
measured as the clerk sees it. The screens are the tour's (tests/tour.py), reached
by keys alone.
"""

from __future__ import annotations

import re

import pytest
from cxdesk.screens.themes import ACCESSIBLE_THEMES

from tests.contrast import measure_screen, status_colour_rows
from tests.tour import STOPS, app_for, go_to

SIZE = (120, 40)
# Textual's default theme is checked for colour-alone states too: it is what most clerks see.
ALL_THEMES = ("textual-dark", *ACCESSIBLE_THEMES)
# What says a state without colour: a mark, or the state's word.
STATE_MARK = re.compile(r"[✔✖⚠▶ℹ]|\b(error|overdue|due|long|met|missed|serving|called|not)\b", re.IGNORECASE)


@pytest.mark.parametrize("stop", STOPS, ids=[stop.name for stop in STOPS])
async def test_every_screen_meets_wcag_aa_and_never_tells_a_state_by_colour_alone(stop, db, office, db_url,
                                                                                   clock):
    app = app_for(stop, db, office, db_url, clock)
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, stop)
        for theme in ALL_THEMES:
            app.theme = theme
            await pilot.pause()
            for row, colour, text in status_colour_rows(app):
                if not STATE_MARK.search(text):
                    failures.append(f"{stop.name} [{theme}] row {row}: {colour} with no mark or word: {text.strip()!r}")
            if theme not in ACCESSIBLE_THEMES:
                continue
            found = measure_screen(app, f"{stop.name} [{theme}]")
            # The figures for the record (pytest -s shows them).
            print(f"CONTRAST {found.name}: text {found.lowest_text:.2f}:1, graphics {found.lowest_graphic:.2f}:1, "
                  f"{found.cells} cells")
            assert found.cells > 20, f"{found.name}: almost nothing rendered"
            failures += [str(finding) for finding in found.failures]
    assert not failures, "\n".join(failures)


def test_the_contrast_check_fails_faint_text():
    """The measure itself: grey on black below 4.5:1 is caught, white on black is not."""
    from tests.contrast import contrast_ratio

    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast_ratio((0x60, 0x60, 0x60), (0, 0, 0)) < 4.5
    assert contrast_ratio((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


async def test_an_error_is_found_by_its_colour_and_carries_a_mark(db, office, db_url, clock):
    """The colour-alone check sees a refused sign-in's red line (so it is not looking at nothing),
    and that line says ✖ in words as well."""
    stop = next(stop for stop in STOPS if stop.name == "sign-in-wrong-pin")
    app = app_for(stop, db, office, db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, stop)
        for theme in ALL_THEMES:
            app.theme = theme
            await pilot.pause()
            rows = status_colour_rows(app)
            assert any(colour.endswith("error") and "✖" in text for _row, colour, text in rows), (theme, rows)
