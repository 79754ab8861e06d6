"""Staff, PINs, sign-in delays and shifts (domain, no UI)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from cxdesk.domain import pins, signin_delays
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import (
    WRONG,
    add_staff,
    change_pin,
    check_pin,
    hash_pin,
    reset_pin,
    set_active,
    sign_in,
    sign_out,
    unlock,
    verify_pin,
)
from cxdesk.errors import CxdeskError
from cxdesk.store.models import Shift, Staff
from tests.factories import CLERK, FIXED_NOW, SUPERVISOR, clerk_of, supervisor_of


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


def test_wrong_pin_says_only_that(db, office):
    with db.session() as session:
        with pytest.raises(CxdeskError) as wrong:
            check_pin(session, office, CLERK[0], "0000", FIXED_NOW, place="W1")
    assert str(wrong.value) == "Staff code or PIN is not right."


def _try(session, office, code, pin, at, place="W1"):
    """The message a sign-in attempt gets ("" when it succeeds)."""
    try:
        check_pin(session, office, code, pin, at, place=place)
    except CxdeskError as exc:
        return str(exc)
    return ""


def test_three_wrong_pins_slow_that_code_at_that_station_only(db, office):
    with db.session() as session:
        messages = [_try(session, office, CLERK[0], "0000", FIXED_NOW) for _ in range(3)]
        assert messages[:2] == [WRONG, WRONG]
        assert messages[2].startswith(WRONG) and "wait 30 seconds" in messages[2]
        # Even the right PIN waits at W1 ...
        assert "wait 20 seconds" in _try(session, office, CLERK[0], CLERK[2], FIXED_NOW + timedelta(seconds=10))
        # ... but the same clerk signs in at W2 at once, and at W1 once the wait is over.
        assert _try(session, office, CLERK[0], CLERK[2], FIXED_NOW, place="W2") == ""
        assert _try(session, office, CLERK[0], CLERK[2], FIXED_NOW + timedelta(seconds=30)) == ""
        # A right PIN clears the count at that station.
        assert _try(session, office, CLERK[0], "0000", FIXED_NOW + timedelta(seconds=31)) == WRONG


def test_the_wait_doubles_after_each_wrong_pin_up_to_fifteen_minutes():
    waits = [signin_delays.wait_after(n) for n in range(1, 12)]
    assert waits[:2] == [None, None]
    assert [w.total_seconds() for w in waits[2:8]] == [30, 60, 120, 240, 480, 900]
    assert max(waits[2:]) == timedelta(minutes=15)


def test_twenty_wrong_pins_for_everybody_lock_nobody_out(db, office):
    """The probe that locked the whole office for 15 minutes: 20 wrong PINs for every
    code from one station. Everybody still signs in at another station at once, and
    at that one when its wait is over (not renewable by trying during the wait)."""
    with db.session() as session:
        for _ in range(20):
            for code in (SUPERVISOR[0], CLERK[0]):
                _try(session, office, code, "0000", FIXED_NOW)
        assert _try(session, office, SUPERVISOR[0], SUPERVISOR[2], FIXED_NOW, place="W2") == ""
        assert _try(session, office, CLERK[0], CLERK[2], FIXED_NOW, place="W2") == ""
        assert _try(session, office, CLERK[0], CLERK[2], FIXED_NOW + timedelta(seconds=31)) == ""


def test_unknown_and_known_codes_read_the_same(db, office):
    with db.session() as session:
        known = [_try(session, office, CLERK[0], "0000", FIXED_NOW + timedelta(seconds=i)) for i in range(5)]
        unknown = [_try(session, office, "NOBODY", "0000", FIXED_NOW + timedelta(seconds=i)) for i in range(5)]
        clerk = session.exec(select(Staff).where(Staff.code == CLERK[0])).one()
        set_active(session, clerk, False, by=supervisor_of(session, office))
        inactive = [_try(session, office, CLERK[0], CLERK[2], FIXED_NOW + timedelta(seconds=i), place="W2")
                    for i in range(5)]
    assert [m.replace("NOBODY", CLERK[0]) for m in unknown] == known == inactive
    assert known[0] == WRONG and "wait" in known[3]


def test_every_check_costs_exactly_one_pin_hash(db, office, monkeypatch):
    """Same work for an unknown code, an inactive one, a wrong PIN, a try during a wait
    and a right PIN: one hash each (counted, not timed)."""
    calls = []
    real = pins._scrypt
    monkeypatch.setattr(pins, "_scrypt", lambda *args: calls.append(1) or real(*args))
    cases = [
        ("NOBODY", "1357", FIXED_NOW, "W1"),
        (CLERK[0], "0000", FIXED_NOW, "W1"),
        (CLERK[0], "0000", FIXED_NOW, "W1"),
        (CLERK[0], "0000", FIXED_NOW, "W1"),  # the third wrong PIN starts a wait
        (CLERK[0], CLERK[2], FIXED_NOW + timedelta(seconds=1), "W1"),  # during the wait
        (CLERK[0], CLERK[2], FIXED_NOW, "W2"),  # right
        (CLERK[0], "\udcff", FIXED_NOW, "W2"),  # a broken character is a wrong PIN
    ]
    pins._decoy_hash()  # made once per process, not per check
    with db.session() as session:
        for code, pin, at, place in cases:
            calls.clear()
            _try(session, office, code, pin, at, place)
            assert len(calls) == 1, (code, pin, place)


def test_a_supervisor_clears_a_delay_and_a_clerk_cannot(db, office):
    with db.session() as session:
        for _ in range(3):
            _try(session, office, SUPERVISOR[0], "0000", FIXED_NOW)
        assert set(signin_delays.waiting_codes(session, office, FIXED_NOW)) == {SUPERVISOR[0]}
        with pytest.raises(CxdeskError, match="Only a supervisor"):
            unlock(session, office, clerk_of(session, office), SUPERVISOR[0])
        other = add_staff(session, office, supervisor_of(session, office), code="SUP2", name="Cy Lee",
                          role="supervisor", pin="86421357", now=FIXED_NOW)
        assert unlock(session, office, other, "sup1") == 1
        assert signin_delays.waiting_codes(session, office, FIXED_NOW) == {}
        assert _try(session, office, SUPERVISOR[0], SUPERVISOR[2], FIXED_NOW) == ""


def test_a_pin_reset_clears_the_delay(db, office):
    with db.session() as session:
        for _ in range(4):
            _try(session, office, CLERK[0], "0000", FIXED_NOW)
        reset_pin(session, clerk_of(session, office), "8642", by=supervisor_of(session, office))
        assert _try(session, office, CLERK[0], "8642", FIXED_NOW) == ""


def test_an_older_cheaper_hash_still_works_and_is_upgraded_at_the_right_pin(db, office):
    old = pins.ScryptCost(n=2**9, r=8, p=1)
    with db.session() as session:
        clerk = clerk_of(session, office)
        salt = b"0123456789abcdef"
        digest = pins._scrypt(CLERK[2], salt, old, 32)
        import base64

        clerk.pin_hash = (f"scrypt${old.n}${old.r}${old.p}$"
                          f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}")
        session.add(clerk)
        session.commit()
        assert pins.needs_rehash(clerk.pin_hash)
        assert _try(session, office, CLERK[0], "0000", FIXED_NOW) == WRONG
        assert clerk_of(session, office).pin_hash.startswith(f"scrypt${old.n}$")
        assert _try(session, office, CLERK[0], CLERK[2], FIXED_NOW) == ""
        upgraded = clerk_of(session, office).pin_hash
    assert upgraded.startswith(f"scrypt${pins.CURRENT.n}${pins.CURRENT.r}$") and not pins.needs_rehash(upgraded)
    assert verify_pin(CLERK[2], upgraded)


def test_a_planted_hash_that_asks_for_gigabytes_is_never_run(db, office):
    assert not verify_pin("1357", "scrypt$1073741824$8$1$MDEyMzQ1Njc4OWFiY2RlZg==$AAAA")
    assert not verify_pin("1357", "bcrypt$whatever")


def test_the_sign_in_cost_is_memory_hard_and_not_the_old_one():
    cost = pins.SIGN_IN_COST
    assert cost.n >= 2**15 and cost.memory >= 32 * 2**20  # 0.095 s CPU a hash when measured


def test_supervisor_pins_need_eight_digits(db, office):
    with db.session() as session:
        sup = supervisor_of(session, office)
        with pytest.raises(CxdeskError, match="supervisor's PIN is 8 to 12 digits"):
            add_staff(session, office, sup, code="SUP2", name="Cy Lee", role="supervisor", pin="8642",
                      now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="8 to 12 digits"):
            reset_pin(session, sup, "8642", by=sup)
        with pytest.raises(CxdeskError, match="8 to 12 digits"):
            change_pin(session, sup, "86421")
        add_staff(session, office, sup, code="CLK2", name="Cora Diaz", role="clerk", pin="8642", now=FIXED_NOW)


def test_a_supervisor_with_an_old_short_pin_must_choose_a_longer_one(db, office):
    with db.session() as session:
        sup = supervisor_of(session, office)
        sup.pin_hash = hash_pin("2468")  # set before the 8-digit rule
        session.add(sup)
        session.commit()
        staff = check_pin(session, office, SUPERVISOR[0], "2468", FIXED_NOW)
        assert staff.must_change_pin
        with pytest.raises(CxdeskError, match="8 to 12 digits"):
            change_pin(session, staff, "1357")
        change_pin(session, staff, "97531864")
        assert not check_pin(session, office, SUPERVISOR[0], "97531864", FIXED_NOW).must_change_pin


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
        other = add_staff(session, office, sup, code="SUP2", name="Cy Lee", role="supervisor", pin="86421357",
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


def test_a_slowed_sign_in_names_the_recovery_command_whoever_it_is(db, office):
    """Issue 8: when the only supervisor is the one slowed down, "ask a supervisor" is no
    help; the message also names the command for whoever holds the machine's account, and
    reads the same for every code (it must not tell codes apart)."""
    from cxdesk.domain.signin_delays import FREE_TRIES
    from cxdesk.domain.staff import UNLOCK_COMMAND

    with db.session() as session:
        for _ in range(FREE_TRIES - 1):
            with pytest.raises(CxdeskError):
                check_pin(session, office, SUPERVISOR[0], "0000", FIXED_NOW)
        with pytest.raises(CxdeskError) as slowed:
            check_pin(session, office, SUPERVISOR[0], "0000", FIXED_NOW)
        for _ in range(FREE_TRIES):
            with pytest.raises(CxdeskError) as unknown:
                check_pin(session, office, "NOSUCH", "0000", FIXED_NOW)
    assert f"{UNLOCK_COMMAND} SUP1" in str(slowed.value) and "wait" in str(slowed.value)
    assert str(unknown.value) == str(slowed.value).replace("SUP1", "NOSUCH")


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
