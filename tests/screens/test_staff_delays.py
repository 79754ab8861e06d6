"""Pilot: a supervisor clears a clerk's sign-in delay from the staff screen (F5)."""

from __future__ import annotations

import pytest

from cxdesk.domain.signin_delays import waiting_codes
from cxdesk.domain.staff import check_pin
from cxdesk.errors import CxdeskError
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR
from tests.pilot import make_app, press, sign_in

SIZE = (110, 34)


async def test_supervisor_clears_a_sign_in_delay_on_the_staff_screen(db_url, clock, db, office):
    with db.session() as session:
        for _ in range(3):
            with pytest.raises(CxdeskError):
                check_pin(session, office, CLERK[0], "0000", FIXED_NOW, place="W1")
        assert CLERK[0] in waiting_codes(session, office, FIXED_NOW)
    app = make_app(db_url, clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR[0], SUPERVISOR[2])
        await press(pilot, "f5")
        table = app.screen.query_one("#staff")
        assert "slowed" in str(table.get_row_at(0)[3])  # CLK1 is the first row
        await press(pilot, "u")
        assert "slowed" not in str(table.get_row_at(0)[3])
    with db.session() as session:
        assert waiting_codes(session, office, FIXED_NOW) == {}
