"""Starting a Textual app: the only part of the command line that imports ``cxdesk.screens``."""

from __future__ import annotations

import sys


def run_app(url: str, *, theme: str | None = None, demo_hint: str | None = None,
            kiosk_command: str | None = None, screen_reader: bool = False) -> None:
    """The counter app on the database at ``url``; ``kiosk_command`` is how its kiosks start
    (with ``{station}``), said to a clerk sending a survey to a kiosk that is not running."""
    from cxdesk.screens.app import CxdeskApp

    extra = {"kiosk_command": kiosk_command} if kiosk_command else {}
    app = CxdeskApp(db_url=url, theme_name=theme, demo_hint=demo_hint, screen_reader=screen_reader, **extra)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def run_kiosk(url: str, station_code: str, *, theme: str | None = None, screen_reader: bool = False) -> None:
    """The customer-facing survey kiosk of a station."""
    from cxdesk.screens.kiosk import KioskApp

    app = KioskApp(db_url=url, station_code=station_code, theme_name=theme, screen_reader=screen_reader)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def run_board(url: str, *, theme: str | None = None) -> None:
    """The lobby board: calls, the estimated wait and the posted standards."""
    from cxdesk.screens.board import BoardApp

    app = BoardApp(db_url=url, theme_name=theme)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)
