"""The waiting line and visits (domain, no UI)."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk.domain import visits
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in
from cxdesk.domain.visits import Finish
from cxdesk.errors import CxdeskError
from cxdesk.reports import counter
from cxdesk.store.models import Visit, VisitChannelOffer
from tests.factories import FIXED_NOW, SUPERVISOR

MIN = timedelta(minutes=1)


def walk_in(session, office, minutes_after=0, **kwargs):
    kwargs.setdefault("segment", "retiree")
    kwargs.setdefault("service", "change_address")
    return visits.check_in(session, office, now=FIXED_NOW + minutes_after * MIN, **kwargs)


def test_check_in_numbers_tickets_per_day(db, office):
    with db.session() as session:
        first = walk_in(session, office)
        second = walk_in(session, office, 1, appointment_at=FIXED_NOW + 30 * MIN)
        tomorrow = walk_in(session, office, 24 * 60)
    assert (visits.ticket(first), visits.ticket(second), visits.ticket(tomorrow)) == ("A001", "P002", "A001")
    assert first.day.isoformat() == "2026-11-24"  # office-local day (Chicago)


def test_line_puts_due_appointments_first_then_first_come(db, office):
    with db.session() as session:
        early = walk_in(session, office, 0)
        later_appt = walk_in(session, office, 1, appointment_at=FIXED_NOW + 60 * MIN)
        due_appt = walk_in(session, office, 2, appointment_at=FIXED_NOW + 5 * MIN)
        late = walk_in(session, office, 3)
        line = visits.waiting_line(session, office, FIXED_NOW + 4 * MIN)
    assert [entry.id for entry in line] == [due_appt.id, early.id, later_appt.id, late.id]


def test_call_next_serves_and_finish_records_times(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW + 12 * MIN)
        visits.start_serving(session, visit, signed_in, FIXED_NOW + 13 * MIN)
        visits.finish(session, visit, Finish("change_address", "resolved", note=" moved "), signed_in,
                      FIXED_NOW + 19 * MIN)
        stored = session.get(Visit, visit.id)
    assert stored.state == "done"
    assert stored.wait_seconds == 12 * 60 and stored.service_seconds == 6 * 60
    assert stored.staff_id == signed_in.staff.id and stored.shift_id == signed_in.shift.id
    assert stored.note == "moved"


def test_call_next_with_nobody_waiting_says_so(db, office, signed_in):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Nobody is waiting"):
            visits.call_next(session, office, signed_in, FIXED_NOW)


def test_call_next_reads_the_line_again_when_other_counters_took_the_one_it_read(db, office, signed_in,
                                                                                 monkeypatch):
    """Counters pressing "next" at once: the customer one read was called elsewhere before
    it could claim them. It must call the next one, not say "Nobody is waiting" to a
    clerk with people in line."""
    with db.session() as session:
        for minute in range(3):
            walk_in(session, office, minute)
        taken = session.execute(sa.select(Visit.id, Visit.arrived_at, Visit.called_at)
                                .where(Visit.seq == 1)).one()
        session.execute(sa.update(Visit).where(Visit.id == taken.id).values(state="called"))
        session.commit()  # called at another window meanwhile
    reads = []
    real = visits._first_in_line

    def racing_read(session, first, **kwargs):
        reads.append(first)
        return taken if len(reads) == 1 else real(session, first, **kwargs)

    monkeypatch.setattr(visits, "_first_in_line", racing_read)
    with db.session() as session:
        called = visits.call_next(session, office, signed_in, FIXED_NOW + 30 * MIN)
    assert visits.ticket(called) == "A002"
    assert len(reads) == 2


def test_the_line_reads_only_what_it_shows_in_calling_order(db, office):
    with db.session() as session:
        walk_in(session, office, 0)
        walk_in(session, office, 1, appointment_at=FIXED_NOW + 5 * MIN, language="es")
        line = visits.waiting_line(session, office, FIXED_NOW + 2 * MIN)
    assert [(e.ticket, e.language, e.appointment_at, e.state, e.hold_count, e.sent_back) for e in line] == [
        ("P002", "es", FIXED_NOW + 5 * MIN, "waiting", 0, False),
        ("A001", "en", None, "waiting", 0, False)]


def test_one_customer_at_a_time_per_station(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        walk_in(session, office, 1)
        visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        with pytest.raises(CxdeskError, match="Finish A001 first"):
            visits.call_next(session, office, signed_in, FIXED_NOW + 3 * MIN)


def test_two_stations_never_call_the_same_customer(db, office, signed_in):
    with db.session() as session:
        other = sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2],
                        station=get_station(session, office, "W2"), now=FIXED_NOW)
        walk_in(session, office)
        walk_in(session, office, 1)
        a = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        b = visits.call_next(session, office, other, FIXED_NOW + 2 * MIN)
    assert a.id != b.id


def test_hold_returns_to_line_and_keeps_first_wait(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW + 5 * MIN)
        visits.hold(session, visit)
        line = visits.waiting_line(session, office, FIXED_NOW + 6 * MIN)
        again = visits.call_next(session, office, signed_in, FIXED_NOW + 9 * MIN)
    assert line[0].state == "on_hold" and again.id == visit.id
    assert again.wait_seconds == 5 * 60 and again.hold_count == 1


def test_transfer_to_a_staffed_station_puts_the_customer_first_in_its_line(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        waiting = walk_in(session, office, 1)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        w2 = get_station(session, office, "W2")
        with pytest.raises(CxdeskError, match="Nobody is signed in at Window 2"):
            visits.transfer(session, visit, w2, FIXED_NOW + 3 * MIN)
        at_w2 = sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2], station=w2, now=FIXED_NOW)
        visits.transfer(session, visit, w2, FIXED_NOW + 3 * MIN)
        # Back in the line, counted, never "called" at a window: only W2's clerk calls them.
        assert visits.at_station(session, office, signed_in.station) is None
        assert visits.at_station(session, office, w2) is None
        assert counter.day_counts(session, office, FIXED_NOW + 3 * MIN).waiting == 2
        line = visits.waiting_line(session, office, FIXED_NOW + 3 * MIN, station=w2)
        assert [entry.id for entry in line] == [visit.id, waiting.id] and line[0].waits_for == w2.id
        assert visits.call_next(session, office, signed_in, FIXED_NOW + 4 * MIN).id == waiting.id
        assert visits.call_next(session, office, at_w2, FIXED_NOW + 4 * MIN).id == visit.id
        with pytest.raises(CxdeskError, match="this station"):
            visits.transfer(session, visit, w2, FIXED_NOW + 5 * MIN)


def test_transfer_to_the_office_line_goes_first_for_any_window(db, office, signed_in):
    with db.session() as session:
        first_come = walk_in(session, office)
        due = walk_in(session, office, 1, appointment_at=FIXED_NOW + 5 * MIN)
        visit = visits.call_visit(session, office, signed_in, first_come.id, FIXED_NOW + 2 * MIN)
        visits.transfer(session, visit, None, FIXED_NOW + 3 * MIN)
        stored = session.get(Visit, visit.id)
        assert (stored.state, stored.station_id, stored.transferred_from) == ("waiting", None,
                                                                             signed_in.station.id)
        line = visits.waiting_line(session, office, FIXED_NOW + 3 * MIN)
        assert [entry.id for entry in line] == [visit.id, due.id] and line[0].sent_back


def test_sign_out_sends_customers_waiting_for_that_station_to_the_office_line(db, office, signed_in):
    from cxdesk.domain.staff import sign_out

    with db.session() as session:
        walk_in(session, office)
        w2 = get_station(session, office, "W2")
        at_w2 = sign_in(session, office, code=SUPERVISOR[0], pin=SUPERVISOR[2], station=w2, now=FIXED_NOW)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW + MIN)
        visits.transfer(session, visit, w2, FIXED_NOW + 2 * MIN)
        sign_out(session, at_w2, FIXED_NOW + 3 * MIN)
        [entry] = visits.waiting_line(session, office, FIXED_NOW + 3 * MIN, station=signed_in.station)
    assert entry.id == visit.id and entry.waits_for is None and entry.sent_back


def test_one_station_never_has_two_customers_called(db, office, signed_in, monkeypatch):
    """The claim re-checks the station in its own UPDATE: even if the first check is
    passed by two presses of "next" at once, the second finds the window taken."""
    with db.session() as session:
        walk_in(session, office)
        walk_in(session, office, 1)
        first = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        monkeypatch.setattr(visits, "_require_free", lambda *args: None)  # the race: both passed it
        with pytest.raises(CxdeskError, match="Nobody is waiting"):
            visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        at_counter = session.exec(select(Visit).where(Visit.state == "called")).all()
    assert [v.id for v in at_counter] == [first.id]


def test_a_no_show_or_left_marked_by_mistake_is_undone_within_two_minutes(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        gone = walk_in(session, office, 1)
        called = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        visits.no_show(session, called, FIXED_NOW + 3 * MIN)
        visits.left_line(session, gone, FIXED_NOW + 3 * MIN)
        with pytest.raises(CxdeskError, match="Too late"):
            visits.undo_end(session, gone.id, signed_in, FIXED_NOW + 6 * MIN)
        visits.undo_end(session, gone.id, signed_in, FIXED_NOW + 4 * MIN)
        back = visits.undo_end(session, called.id, signed_in, FIXED_NOW + 4 * MIN)
        assert (back.state, back.station_id, back.finished_at) == ("called", signed_in.station.id, None)
        assert session.get(Visit, gone.id).state == "waiting"


def test_a_customer_left_at_a_window_is_taken_over_or_sent_back(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        walk_in(session, office, 1)
        stranded = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        # The app crashed; the clerk signs in again at the same window (their old shift is closed).
        again = sign_in(session, office, code="CLK1", pin="1357", station=signed_in.station,
                        now=FIXED_NOW + 10 * MIN)
        kept = visits.take_over(session, visits.at_station(session, office, again.station), again)
        assert kept.id == stranded.id and kept.shift_id == again.shift.id
        visits.send_back_to_line(session, kept, FIXED_NOW + 11 * MIN)
        line = visits.waiting_line(session, office, FIXED_NOW + 11 * MIN)
    assert line[0].id == stranded.id and line[0].sent_back


def test_no_show_and_left_before_service(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        gone = walk_in(session, office, 1)
        called = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        visits.no_show(session, called, FIXED_NOW + 4 * MIN)
        visits.left_line(session, gone, FIXED_NOW + 5 * MIN)
        counts = counter.day_counts(session, office, FIXED_NOW + 6 * MIN)
    assert (counts.no_shows, counts.left, counts.waiting, counts.served) == (1, 1, 0, 0)


def test_leaving_records_the_stage_left_from(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        tired = walk_in(session, office, 1)
        held = visits.call_next(session, office, signed_in, FIXED_NOW + 2 * MIN)
        visits.hold(session, held)
        visits.left_line(session, tired, FIXED_NOW + 40 * MIN)
        visits.left_line(session, held, FIXED_NOW + 50 * MIN)
    assert (tired.state, tired.left_stage) == ("left", "waiting")
    assert (held.state, held.left_stage, held.hold_count) == ("left", "on_hold", 1)


@pytest.mark.parametrize("details, message", [
    (Finish("", "resolved"), "Choose a service"),
    (Finish("teleportation", "resolved"), "Unknown service"),
    (Finish("change_address", "vanished"), "Unknown outcome"),
    (Finish("change_address", "referred"), "referral"),
    (Finish("change_address", "not_served"), "could not be served"),
    (Finish("change_address", "resolved", note="x" * 501), "too long"),
])
def test_finish_refuses_bad_input_and_writes_nothing(db, office, signed_in, details, message):
    with db.session() as session:
        walk_in(session, office)
        visit = visits.call_next(session, office, signed_in, FIXED_NOW + MIN)
        with pytest.raises(CxdeskError, match=message):
            visits.finish(session, visit, details, signed_in, FIXED_NOW + 2 * MIN)
        session.expire_all()
        assert session.get(Visit, visit.id).state == "called"


def test_referral_and_reason_are_kept(db, office, signed_in):
    with db.session() as session:
        walk_in(session, office)
        walk_in(session, office, 1)
        a = visits.call_next(session, office, signed_in, FIXED_NOW + MIN)
        visits.finish(session, a, Finish("ssi_question", "referred", referral="state_medicaid"), signed_in,
                      FIXED_NOW + 2 * MIN)
        b = visits.call_next(session, office, signed_in, FIXED_NOW + 3 * MIN)
        visits.finish(session, b, Finish("new_card", "not_served", not_served_reason="missing_documents"),
                      signed_in, FIXED_NOW + 4 * MIN)
    assert (a.referral, b.not_served_reason) == ("state_medicaid", "missing_documents")


def test_quick_log_records_a_finished_visit_without_waiting(db, office, signed_in):
    with db.session() as session:
        visit = visits.quick_log(session, office, signed_in, segment="worker",
                                 details=Finish("general_info", "resolved"), now=FIXED_NOW)
    assert visit.state == "done" and visit.wait_seconds == 0 and visit.seq == 1


def test_channel_choice_is_recorded_or_skipped(db, office, signed_in):
    with db.session() as session:
        visit = visits.quick_log(session, office, signed_in, segment="worker",
                                 details=Finish("general_info", "resolved"), now=FIXED_NOW)
        visits.record_channels(session, visit, ["online", "phone", "online"], "online")
        offers = session.exec(select(VisitChannelOffer.channel).where(
            VisitChannelOffer.visit_id == visit.id)).all()
        assert sorted(offers) == ["online", "phone"]
        assert visit.preferred_channel == "online" and visit.channel_step == "done"
        with pytest.raises(CxdeskError, match="Unknown channel"):
            visits.record_channels(session, visit, ["carrier_pigeon"], None)
        other = visits.quick_log(session, office, signed_in, segment="worker",
                                 details=Finish("general_info", "resolved"), now=FIXED_NOW)
        visits.skip_channels(session, other)
        assert other.channel_step == "skipped"


def test_unknown_segment_or_language_is_refused(db, office):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Unknown customer segment|Unknown segment"):
            walk_in(session, office, segment="martian")
        with pytest.raises(CxdeskError, match="Language"):
            walk_in(session, office, language="fr")
        assert session.exec(select(Visit)).all() == []


def test_customers_who_arrive_in_the_same_instant_are_called_by_ticket_number(db, office, signed_in):
    from tests.factories import FIXED_NOW

    with db.session() as session:
        arrivals = [visits.check_in(session, office, segment="worker", service="general_info", now=FIXED_NOW)
                    for _ in range(6)]
        line = visits.waiting_line(session, office, FIXED_NOW)
        called = visits.call_next(session, office, signed_in, FIXED_NOW)
    assert [entry.id for entry in line] == [visit.id for visit in sorted(arrivals, key=lambda v: v.seq)]
    assert called.id == min(arrivals, key=lambda v: v.seq).id


def test_a_visit_got_for_a_step_is_as_the_database_has_it_now(db, office):
    """A step reads its visit again even when its session already holds it: another counter
    may have changed it meanwhile (a no-show marked, the channel step done)."""
    with db.session() as session:
        visit = walk_in(session, office)
        held = visits.get_visit(session, visit.id)
        with db.session() as other:
            visits.skip_channels(other, visits.get_visit(other, visit.id))
        assert visits.get_visit(session, visit.id) is held
        assert held.channel_step == "skipped"
    with pytest.raises(CxdeskError, match="no longer exists"), db.session() as session:
        visits.get_visit(session, uuid.uuid4())
