"""What the counter reads in one go (screens/counter_view.py, read_counter): the windows
customers wait for and whether the shift is still open, each read with as few queries as
it can (issue 16)."""

from __future__ import annotations

from cxdesk.domain import visits
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in, sign_out
from cxdesk.screens.counter_view import line_rows, read_counter
from tests.factories import FIXED_NOW, SUPERVISOR, add_waiting


def notes(view, here) -> list[str]:
    """The line's Note column."""
    return [cells[5] for _key, cells in line_rows(view, here, "America/Chicago", _Catalog(), _Catalog())]


class _Catalog(dict):
    """No labels: a code is shown as itself."""


def test_a_customer_handed_to_another_window_shows_its_code(db, office, signed_in):
    add_waiting(db, office, 2)
    with db.session() as session:
        w2 = get_station(session, office, "W2")
        at_w2 = sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2], station=w2, now=FIXED_NOW)
        first = visits.call_next(session, office, signed_in, FIXED_NOW)
        visits.transfer(session, first, w2, FIXED_NOW)
        here = read_counter(session, office, signed_in, FIXED_NOW)
        there = read_counter(session, office, at_w2, FIXED_NOW)
    assert here.station_codes == {w2.id: "W2"}
    assert notes(here, signed_in.station.id)[0] == "→ W2"
    assert notes(there, w2.id)[0] == "→ HERE"


def test_no_window_is_read_when_nobody_waits_for_one(db, office, signed_in):
    add_waiting(db, office, 2)
    with db.session() as session:
        view = read_counter(session, office, signed_in, FIXED_NOW)
    assert view.station_codes == {}
    assert notes(view, signed_in.station.id) == ["", ""]


def test_a_shift_closed_at_another_terminal_is_seen_at_the_next_read(db, office, signed_in):
    with db.session() as session:
        assert read_counter(session, office, signed_in, FIXED_NOW).shift_open
        with db.session() as elsewhere:
            sign_out(elsewhere, signed_in, FIXED_NOW)
        assert not read_counter(session, office, signed_in, FIXED_NOW).shift_open
