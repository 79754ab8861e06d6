"""Snapshots of the customer survey screens, English and Spanish: start, a middle question, thank-you."""

from __future__ import annotations

import pytest
from cxdesk.screens.kiosk import KioskApp

from cxdesk import vocab
from cxdesk.domain.office import get_station
from cxdesk.domain.surveys import invitations
from tests.factories import FIXED_NOW, serve
from tests.pilot import settle

SIZE = (100, 32)
STEPS = {
    "start": [],
    "middle": ["4", "1", "3"],  # trust answered; "what went well" with two picks
    # A-11 branch: after a negative trust answer, "what didn't go so well" (one pick)
    "negative": ["2", "2"],
    "thanks": ["4", "enter", "7", "enter"],
}


def kiosk_with_survey(db, office, signed_in, db_url, clock, language):
    visit = serve(db, office, signed_in, language=language)
    with db.session() as session:
        invitations.offer(session, office, visit.id, mode=vocab.KIOSK, now=FIXED_NOW,
                      station=get_station(session, office, "W1"))
    app = KioskApp(db_url, "W1", clock=clock, poll_seconds=3600)
    app.survey_thanks_seconds = 3600  # the thank-you must still be up for the picture
    return app


async def show_survey(pilot) -> None:
    await settle(pilot)
    pilot.app.check_for_survey()
    await settle(pilot)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("step", list(STEPS))
def test_customer_survey_screen(snap_compare, db, office, signed_in, db_url, clock, language, step):
    app = kiosk_with_survey(db, office, signed_in, db_url, clock, language)
    assert snap_compare(app, press=STEPS[step], terminal_size=SIZE, run_before=show_survey)


def test_kiosk_waiting_screen(snap_compare, db, office, db_url, clock, monkeypatch):
    # The kiosk names its database file; the test's file lives in a folder that changes per run.
    monkeypatch.setattr("cxdesk.screens.kiosk._database_name", lambda url: "/srv/cxdesk/office.db")
    app = KioskApp(db_url, "W1", clock=clock, poll_seconds=3600)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_customer_survey_at_80x24(snap_compare, db, office, signed_in, db_url, clock):
    app = kiosk_with_survey(db, office, signed_in, db_url, clock, "es")
    assert snap_compare(app, press=["4"], terminal_size=(80, 24), run_before=show_survey)


def test_handover_waits_for_the_clerk(snap_compare, db, office, signed_in, db_url, clock):
    """After a handed-over survey: "please return the screen to the clerk", F9 for staff."""
    from tests.pilot import make_app, press, sign_in

    serve(db, office, signed_in)

    async def run_before(pilot):
        await sign_in(pilot)
        await press(pilot, "v", "escape")
        pilot.app.screen._after_thanks()  # what the thank-you's timer calls
        await settle(pilot)

    app = make_app(db_url, clock)
    app.survey_thanks_seconds = 3600
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_survey_outcome_dialog(snap_compare, db, office, signed_in, db_url, clock, size):
    """`o` after a visit: offer it now, declined, or not offered and why."""
    from cxdesk.domain.staff import sign_out
    from tests.pilot import after, make_app

    serve(db, office, signed_in)
    with db.session() as session:
        sign_out(session, signed_in, FIXED_NOW)  # the app signs the clerk in again at W1
    assert snap_compare(make_app(db_url, clock), terminal_size=size, run_before=after("o"))
