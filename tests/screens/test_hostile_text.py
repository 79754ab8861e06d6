"""Text from people is data (issue 9, the screens' half): markup, links and control
characters typed into names, comments and complaints are shown as typed, on every
screen that shows them, and never crash one."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxdesk.errors import CxdeskError
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, make_office
from tests.pilot import make_app, press, settle, sign_in

LINK = "[link=https://evil.example]x[/link]"
HOSTILE = {
    "office": "[/] Loop [bold red]",
    "station": LINK,
    "staff": "[bold red]Eve[/] Doe",
    "comment": "[/] slow [link=https://evil.example]x[/link]",
    "complaint": "Told [bold]nothing[/bold] [/]",
}


def store_hostile_text(database, office, texts: dict[str, str]) -> list[str]:
    """Put each text where people type it, through the domain; returns the ones stored
    (the domain may refuse some with a sentence: that is fine, a crash is not)."""
    from cxdesk.domain import complaints as cx
    from cxdesk.domain.office import add_station, update_office
    from cxdesk.domain.staff import add_staff, get_staff, sign_in as domain_sign_in
    from cxdesk.domain.surveys import invitations
    from cxdesk.domain.surveys.questions import Answer
    from cxdesk.domain.visits import Finish, quick_log
    from cxdesk.vocab import HANDOVER

    stored = []

    def attempt(what, step):
        try:
            with database.session() as session:
                step(session)
            stored.append(what)
        except CxdeskError:
            pass

    attempt("office", lambda s: update_office(s, s.merge(office), get_staff(s, office, SUPERVISOR[0]),
                                              name=texts["office"], timezone=office.timezone))
    attempt("station", lambda s: add_station(s, office, get_staff(s, office, SUPERVISOR[0]), texts["station"]))
    attempt("staff", lambda s: add_staff(s, office, get_staff(s, office, SUPERVISOR[0]), code="EVE1",
                                         name=texts["staff"], role="clerk", pin="8642", now=FIXED_NOW))

    def comment(session):
        from cxdesk.domain.office import get_station

        clerk = domain_sign_in(session, office, code=CLERK[0], pin=CLERK[2],
                               station=get_station(session, office, "W2"), now=FIXED_NOW)
        visit = quick_log(session, office, clerk, segment="retiree",
                          details=Finish(service="change_address", outcome="resolved"), now=FIXED_NOW)
        run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
        invitations.finish(session, run.invitation_id, {"comment": Answer(text=texts["comment"])},
                           language="en", ended_early=False, now=FIXED_NOW)

    attempt("comment", comment)
    attempt("complaint", lambda s: cx.open_complaint(s, office, get_staff(s, office, CLERK[0]), cx.ComplaintIntake(
        received_via="counter", category="other", what_happened=texts["complaint"], wanted=texts["complaint"],
        contact=cx.ContactDetails(name=texts["staff"][:80], phone="312 555 0100"), consent=True), FIXED_NOW))
    return stored


async def walk_the_screens(db_url: str, clock, complaint_stored: bool = True) -> list[str]:
    """Sign in as the supervisor and open every screen that shows people's text; the SVG
    of each (what the terminal would show) is returned."""
    app = make_app(db_url, clock)
    pictures = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pictures.append(app.export_screenshot())  # sign-in: office and station names
        await sign_in(pilot, SUPERVISOR[0], SUPERVISOR[2])
        pictures.append(app.export_screenshot())  # counter: the header
        detail, assign = ("ComplaintDetailScreen", "StepDialog") if complaint_stored else ("ComplaintsScreen",) * 2
        back = ("escape", "escape", "f1") if complaint_stored else ("escape", "f1")
        for keys, shown in ((("f5",), "StaffScreen"), (("escape", "f6"), "SurveyResultsScreen"),
                            (("escape", "f7"), "ComplaintsScreen"), (("enter",), detail),
                            (("g",), assign), (back, "HelpScreen"),
                            (("escape", "f2"), "ComplaintIntakeScreen")):
            await press(pilot, *keys)
            await settle(pilot)
            assert type(app.screen).__name__ == shown, (keys, app.screen)
            pictures.append(app.export_screenshot())
        assert app.is_running and app.return_code is None
    return pictures


async def test_markup_in_names_comments_and_complaints_is_shown_as_typed(db_url, clock, db, office):
    assert store_hostile_text(db, office, HOSTILE) == list(HOSTILE)
    pictures = "".join(await walk_the_screens(db_url, clock))
    # Each text appears literally (markup would have been eaten): "&#160;" is the SVG's space.
    for text in ("[/]&#160;Loop&#160;[bold&#160;red]", "[link=https://evil.example]x[/link]",
                 "[bold&#160;red]Eve[/]&#160;Doe", "Told&#160;[bold]nothing[/bold]"):
        assert text in pictures, text
    assert "href=" not in pictures  # no link was made


TEXT_PIECES = st.sampled_from([
    "[/]", "[", "]", LINK, "[bold red]", "[b]", "[@click=app.quit]", "\\[", "\x1b]0;pwned\x07",
    "\x1b[31m", "\x9b2J", "\x00", "\udcff", "\t", "\n", "\r", "é", "数", "🙂", "x" * 300, " ",
])
HOSTILE_TEXT = st.lists(st.one_of(TEXT_PIECES, st.text(max_size=12)), min_size=1, max_size=8).map("".join)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(texts=st.fixed_dictionaries({key: HOSTILE_TEXT for key in HOSTILE}))
def test_any_text_people_type_is_stored_clean_or_refused_and_every_screen_shows_it(texts, clock):
    from cxdesk.store.db import open_database

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'cxdesk.db'}"
        database = open_database(url, create=True)
        try:
            office = make_office(database)
            stored = store_hostile_text(database, office, texts)
        finally:
            database.dispose()
        pictures = asyncio.run(walk_the_screens(url, clock, "complaint" in stored))
    assert len(pictures) == 9
    for picture in pictures:
        assert "\x1b" not in picture and "\x07" not in picture  # nothing for the terminal to obey
