"""Snapshots of the lobby board: the calls page (both languages), the standards in English
and in Spanish, at 120x40 and 80x24; at 80x24 the standards take two pages."""

from __future__ import annotations

import pytest
from cxdesk.screens.board import BoardApp

from cxdesk.clock import fixed_clock
from tests.factories import LOBBY_NOW, lobby_day
from tests.pilot import settle


def turned_to(page: str):
    """Settle, then turn pages by key (as `→` does) until ``page`` is shown."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for _ in range(12):
            if pilot.app.board.current_page == page:
                break
            await pilot.press("right")
        assert pilot.app.board.current_page == page
        await settle(pilot)

    return run_before


def lobby_board(db, office, signed_in, people, db_url) -> BoardApp:
    lobby_day(db, office, signed_in, people)
    # Nothing turns or refreshes on its own during the picture.
    return BoardApp(db_url, clock=fixed_clock(LOBBY_NOW), poll_seconds=3600, page_seconds=3600,
                    standards_seconds=3600)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("page", ["calls", "standards-en-1", "standards-es-1"])
def test_lobby_board(snap_compare, db, office, signed_in, people, db_url, page, size):
    app = lobby_board(db, office, signed_in, people, db_url)
    assert snap_compare(app, terminal_size=size, run_before=turned_to(page))


def test_more_standards_than_fit_go_on_a_second_page_at_80x24(snap_compare, db, office, signed_in, people,
                                                                db_url):
    from cxdesk.domain.standards import StandardDraft, add_standard
    from tests.factories import FIXED_NOW, supervisor_of

    with db.session() as session:
        for minutes in (10, 15, 30):
            add_standard(session, office, supervisor_of(session, office), f"address_{minutes}", StandardDraft(
                measure="service_within", service="change_address", threshold=minutes, target=80,
                wording_en=f"A change of address takes no more than {minutes} minutes at the window.",
                wording_es=f"Un cambio de dirección no toma más de {minutes} minutos en la ventanilla."),
                now=FIXED_NOW)
    app = lobby_board(db, office, signed_in, people, db_url)
    assert snap_compare(app, terminal_size=(80, 24), run_before=turned_to("standards-es-2"))
