"""Screen-reader mode (issue 15): the terminal's own cursor on what has focus after every
key, and one plain sentence on the fixed status line for each screen change and result.

The cursor is read after each key of the six-key visit and of the complaint form, and
checked against what is on screen there (the highlighted row's words, the typed
character's cell), not against the code that placed it.
"""

from __future__ import annotations

from textual.geometry import Offset
from textual.widgets import Input, OptionList

from cxdesk.domain import visits
from cxdesk.vocab import VisitState
from tests.factories import CLERK
from tests.pilot import make_app, press, settle, sign_in
from tests.tour import STOPS, a_line, app_for, go_to

STATUS_LINE = Offset(0, 0)


def row_text(app, y: int) -> str:
    from textual.strip import Strip

    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    app.screen.refresh()
    return Strip.join(update.strips[y]).text


def assert_cursor_on_focus(app, key: str) -> None:
    """The cursor is inside the focused widget, on its highlighted row or typing position."""
    at = app.cursor_position
    focused = app.focused
    assert focused is not None, f"after {key}: nothing has focus"
    widget, _ = app.screen.get_widget_at(*at)
    assert widget is focused, f"after {key}: the cursor {at} is on {widget}, not on {focused}"
    if isinstance(focused, OptionList) and focused.highlighted is not None:
        prompt = focused.get_option_at_index(focused.highlighted).prompt
        label = str(getattr(prompt, "plain", prompt)).strip()
        assert label[:12] in row_text(app, at.y), f"after {key}: row {at.y} is not {label!r}"
    if isinstance(focused, Input):
        assert at == focused.cursor_screen_offset, f"after {key}: not at the typing position"


async def test_the_six_key_visit_puts_the_cursor_on_each_focused_item_and_says_each_result(
        db, office, db_url, clock):
    a_line(db, office)
    app = make_app(db_url, clock, screen_reader=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        assert app.spoken[-1].startswith("Counter."), app.spoken
        said: dict[str, list[str]] = {}
        for key in ("n", "f", "1", "1", "enter", "escape"):
            before = len(app.spoken)
            await press(pilot, key)
            said[key] = app.spoken[before:]
            if said[key]:
                # A new sentence: the cursor is on the status line, which shows it.
                assert app.cursor_position == STATUS_LINE, (key, app.cursor_position)
                assert row_text(app, 0).strip() == said[key][-1][:118].strip()
            else:
                assert_cursor_on_focus(app, key)
        assert said["n"] == ["Called A001 to Window 1."]
        assert "A001" in said["f"][-1]  # the finish dialog names the visit
        assert said["1"] == []  # the service pick moves the focus to the outcome: no sentence
        assert any("A001" in sentence for sentence in said["enter"])  # the channel step of the visit
        assert said["escape"] and said["escape"][-1].startswith("Counter.")
        assert app.animation_level == "none"
    from cxdesk.store.models import Visit
    from sqlmodel import select

    with db.session() as session:
        done = session.exec(select(Visit).where(Visit.state == VisitState.DONE)).all()
        assert [visits.ticket(v) for v in done] == ["A001"]


async def test_the_complaint_form_puts_the_cursor_on_each_field_and_character(db, office, db_url, clock):
    app = make_app(db_url, clock, screen_reader=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await press(pilot, "f2")
        assert app.cursor_position == STATUS_LINE
        assert "complaint" in app.spoken[-1].lower()
        for key in ("1", "1", "1"):
            await press(pilot, key)
            assert_cursor_on_focus(app, key)
        field = app.focused
        assert isinstance(field, Input) and field.id == "what"
        start = app.cursor_position.x
        for n, key in enumerate("Waited", 1):
            await press(pilot, key)
            assert_cursor_on_focus(app, key)
            assert app.cursor_position.x == start + n
        for key in ("enter", "enter"):
            await press(pilot, key)
            assert_cursor_on_focus(app, key)
        before = len(app.spoken)
        await press(pilot, "enter")
        assert type(app.screen).__name__ == "ComplaintReceiptScreen"
        assert any("Queja registrada" in sentence for sentence in app.spoken[before:])
        assert app.cursor_position == STATUS_LINE
    from cxdesk.store.models import Complaint
    from sqlmodel import select

    with db.session() as session:
        assert session.exec(select(Complaint)).one().what_happened == "Waited"


async def test_an_error_is_said_and_the_cursor_goes_to_it(db, office, db_url, clock):
    app = make_app(db_url, clock, screen_reader=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, *CLERK[0], "enter", "9", "9", "9", "9", "enter")
        assert app.spoken[-1].startswith("Error: "), app.spoken
        assert app.cursor_position == STATUS_LINE
        assert row_text(app, 0).strip().startswith("Error: ")
        await press(pilot, "backspace")  # the next key: back to the PIN field
        assert_cursor_on_focus(app, "backspace")


async def test_a_customer_hears_the_survey_in_spanish_and_no_staff_message(db, office, db_url, clock):
    stop = next(stop for stop in STOPS if stop.name == "kiosk-survey")
    app = app_for(stop, db, office, db_url, clock, screen_reader=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, stop)
        assert app.spoken[-1].startswith("Pregunta 1 de"), app.spoken
        app.notify("Saved A012.")  # a staff message must not reach the customer's status line
        await pilot.pause()
        assert "Saved A012." not in app.spoken
        await press(pilot, "4")
        assert app.spoken[-1].startswith("Pregunta 2 de")
        question = app.screen.query_one("#survey-question")
        assert app.cursor_position == STATUS_LINE
        app._spoken_fresh = False
        app.place_cursor()
        assert app.cursor_position == question.content_region.offset


async def test_without_the_mode_nothing_is_added(db, office, db_url, clock, monkeypatch):
    monkeypatch.delenv("CXDESK_SCREEN_READER", raising=False)
    a_line(db, office)
    app = make_app(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        await press(pilot, "n")
        assert app.spoken == []
        assert not app.screen.query("#spoken-line")


async def test_the_setting_of_the_account_turns_it_on(db, office, db_url, clock, monkeypatch):
    monkeypatch.setenv("CXDESK_SCREEN_READER", "1")
    app = make_app(db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen_reader and app.spoken == ["Sign in to the counter"]
