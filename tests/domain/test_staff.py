"""Staff, PINs, lockout and shifts (domain, no UI)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from cxdesk.domain.office import get_station
from cxdesk.domain.staff import (
    MAX_FAILED_PINS,
    add_staff,
    change_pin,
    check_pin,
    hash_pin,
    reset_pin,
    set_active,
    sign_in,
    sign_out,
    verify_pin,
)
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Shift, Staff
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, supervisor_of


def test_pin_is_stored_only_as_salted_scrypt_hash(db, office):
    with db.session() as session:
        clerk = session.exec(select(Staff).where(Staff.code == CLERK[0])).one()
    assert CLERK[2] not in clerk.pin_hash
    assert clerk.pin_hash.startswith("scrypt$")
    assert hash_pin("1357") != hash_pin("1357")  # salted
    assert verify_pin("1357", clerk.pin_hash)
    assert not verify_pin("1358", clerk.pin_hash)


def test_sign_in_opens_a_shift_and_sign_out_closes_it(db, office):
    with db.session() as session:
        station = get_station(session, office, "W1")
        who = sign_in(session, office, code="clk1", pin=CLERK[2], station=station, now=FIXED_NOW)
        sign_out(session, who, FIXED_NOW + timedelta(hours=4))
        shift = session.get(Shift, who.shift.id)
    assert shift.started_at == FIXED_NOW
    assert shift.ended_at == FIXED_NOW + timedelta(hours=4)


def test_wrong_pin_says_so_and_counts_down(db, office):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="4 tries left"):
            check_pin(session, office, CLERK[0], "0000", FIXED_NOW)


def test_five_wrong_pins_lock_the_code_until_a_stated_time(db, office):
    with db.session() as session:
        for _ in range(MAX_FAILED_PINS - 1):
            with pytest.raises(CxdeskError):
                check_pin(session, office, CLERK[0], "0000", FIXED_NOW)
        with pytest.raises(CxdeskError, match=r"locked until 09:45"):
            check_pin(session, office, CLERK[0], "0000", FIXED_NOW)
        # Even the right PIN is refused while locked ...
        with pytest.raises(CxdeskError, match="locked until"):
            check_pin(session, office, CLERK[0], CLERK[2], FIXED_NOW + timedelta(minutes=5))
        # ... and accepted after the lock runs out.
        staff = check_pin(session, office, CLERK[0], CLERK[2], FIXED_NOW + timedelta(minutes=16))
    assert staff.failed_pins == 0 and staff.locked_until is None


def test_unknown_code_gets_the_same_message_as_a_wrong_pin(db, office):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Staff code or PIN is not right"):
            check_pin(session, office, "NOBODY", "1357", FIXED_NOW)


@pytest.mark.parametrize("code, pin, message", [
    ("", "1357", "Enter a staff code"),
    ("A B", "1357", "no spaces"),
    ("CLK9", "12", "4 to 12 digits"),
    ("CLK9", "1111", "too easy"),
    ("CLK1", "8642", "already taken"),
])
def test_adding_staff_refuses_bad_input(db, office, code, pin, message):
    with db.session() as session:
        with pytest.raises(CxdeskError, match=message):
            add_staff(session, office, supervisor_of(session, office), code=code, name="New Person", role="clerk", pin=pin, now=FIXED_NOW)
        assert len(session.exec(select(Staff)).all()) == 2


def test_reset_pin_forces_a_new_pin_at_next_sign_in(db, office):
    with db.session() as session:
        clerk = session.exec(select(Staff).where(Staff.code == CLERK[0])).one()
        reset_pin(session, clerk, "8642", by=supervisor_of(session, office))
        assert clerk.must_change_pin
        with pytest.raises(CxdeskError, match="different"):
            change_pin(session, clerk, "8642")
        change_pin(session, clerk, "9753")
        assert not clerk.must_change_pin
        assert check_pin(session, office, CLERK[0], "9753", FIXED_NOW).id == clerk.id


def test_deactivated_staff_cannot_sign_in_and_last_supervisor_stays(db, office):
    with db.session() as session:
        sup = session.exec(select(Staff).where(Staff.code == SUPERVISOR[0])).one()
        clerk = session.exec(select(Staff).where(Staff.code == CLERK[0])).one()
        set_active(session, clerk, False, by=sup)
        with pytest.raises(CxdeskError, match="not right"):
            check_pin(session, office, CLERK[0], CLERK[2], FIXED_NOW)
        with pytest.raises(CxdeskError, match="yourself"):
            set_active(session, sup, False, by=sup)
        other = add_staff(session, office, sup, code="SUP2", name="Cy Lee", role="supervisor", pin="8642",
                          now=FIXED_NOW)
        with pytest.raises(CxdeskError):
            set_active(session, other, False, by=other)


def test_station_names_are_checked_before_anything_is_added(db, office):
    from cxdesk.domain.office import add_station, stations

    with db.session() as session:
        with pytest.raises(CxdeskError, match="Station name cannot be empty"):
            add_station(session, office, supervisor_of(session, office), "   ")
        added = add_station(session, office, supervisor_of(session, office), "Window 3")
        assert [s.code for s in stations(session, office)] == ["W1", "W2", "W3"]
    assert added.name == "Window 3"


def test_one_open_shift_per_station_names_who_holds_it(db, office):
    from cxdesk.domain.staff import StationTaken

    with db.session() as session:
        station = get_station(session, office, "W1")
        clerk = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=station, now=FIXED_NOW)
        with pytest.raises(StationTaken, match=r"Window 1 is signed in by CLK1 \(Ben Okafor\) since 09:30"):
            sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2], station=station,
                    now=FIXED_NOW + timedelta(minutes=5))
        sup = sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2], station=station,
                      now=FIXED_NOW + timedelta(minutes=6), take_over=True)
        open_shifts = session.exec(select(Shift).where(Shift.ended_at.is_(None))).all()
        closed = session.get(Shift, clerk.shift.id)
    assert [shift.id for shift in open_shifts] == [sup.shift.id]
    assert closed.ended_at == FIXED_NOW + timedelta(minutes=6)


def test_signing_in_again_after_a_crash_closes_your_own_stale_shift(db, office):
    with db.session() as session:
        station = get_station(session, office, "W1")
        first = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=station, now=FIXED_NOW)
        second = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=station,
                         now=FIXED_NOW + timedelta(minutes=3))
        assert session.get(Shift, first.shift.id).ended_at == FIXED_NOW + timedelta(minutes=3)
        assert session.get(Shift, second.shift.id).ended_at is None


def test_a_locked_only_supervisor_is_told_the_recovery_command(db, office):
    from cxdesk.domain.staff import UNLOCK_COMMAND

    with db.session() as session:
        for _ in range(MAX_FAILED_PINS - 1):
            with pytest.raises(CxdeskError):
                check_pin(session, office, SUPERVISOR[0], "0000", FIXED_NOW)
        with pytest.raises(CxdeskError) as locked:
            check_pin(session, office, SUPERVISOR[0], "0000", FIXED_NOW)
        for _ in range(MAX_FAILED_PINS):
            with pytest.raises(CxdeskError):
                check_pin(session, office, CLERK[0], "0000", FIXED_NOW)
        with pytest.raises(CxdeskError) as clerk_locked:
            check_pin(session, office, CLERK[0], CLERK[2], FIXED_NOW)
    assert "Ask a supervisor" not in str(locked.value)
    assert "until 09:45" in str(locked.value) and f"{UNLOCK_COMMAND} SUP1" in str(locked.value)
    assert "ask a supervisor to unlock it" in str(clerk_locked.value)


def test_staff_change_their_own_pin_with_the_current_one_and_the_new_one_twice(db, office):
    from cxdesk.domain.staff import change_own_pin

    with db.session() as session:
        clerk = session.exec(select(Staff).where(Staff.code == CLERK[0])).one()
        with pytest.raises(CxdeskError, match="Current PIN"):
            change_own_pin(session, office, clerk.id, old_pin="9999", new_pin="8642", new_pin_again="8642",
                           now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="differ"):
            change_own_pin(session, office, clerk.id, old_pin=CLERK[2], new_pin="8642", new_pin_again="8643",
                           now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="same as the current"):
            change_own_pin(session, office, clerk.id, old_pin=CLERK[2], new_pin=CLERK[2],
                           new_pin_again=CLERK[2], now=FIXED_NOW)
        change_own_pin(session, office, clerk.id, old_pin=CLERK[2], new_pin="8642", new_pin_again="8642",
                       now=FIXED_NOW)
        assert check_pin(session, office, CLERK[0], "8642", FIXED_NOW).id == clerk.id
