"""Snapshots of the lobby board: the calls page (both languages), the standards in English
and in Spanish, at 120x40 and 80x24."""

from __future__ import annotations

import pytest
from cxdesk.screens.board import BoardApp

from cxdesk.clock import fixed_clock
from tests.factories import LOBBY_NOW, lobby_day
from tests.pilot import settle

# Pages are turned by key here; nothing turns or refreshes on its own during the picture.
PAGES = {"calls": [], "standards-en": ["right"], "standards-es": ["right", "right", "right"]}


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("page", list(PAGES))
def test_lobby_board(snap_compare, db, office, signed_in, people, db_url, page, size):
    lobby_day(db, office, signed_in, people)
    app = BoardApp(db_url, clock=fixed_clock(LOBBY_NOW), poll_seconds=3600, page_seconds=3600,
                   standards_seconds=3600)
    assert snap_compare(app, press=PAGES[page], terminal_size=size, run_before=settle)
