"""Survey results (read-only): volumes from visits and invitations, driver figures that
match an independent SQL count, periods in office-local days and fiscal quarters, the A-11 summary."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from cxdesk import vocab
from cxdesk.domain.office import get_station
from cxdesk.domain.surveys import invitations
from cxdesk.reports import a11, periods, survey_results
from cxdesk.reports.survey_results import ResultsFilter
from tests.factories import FIXED_NOW, answer_all, serve, supervisor_of, survey_many

DAY = FIXED_NOW.date()


def test_volumes_are_counted_from_visits_and_invitations(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        vol = survey_results.volumes(session, office, ResultsFilter(DAY - timedelta(days=1), DAY + timedelta(days=1)))
        assert (vol.served, vol.offered, vol.respondents) == (6, 5, 4)
        assert vol.response_rate == pytest.approx(80.0)
        veterans = survey_results.volumes(session, office, ResultsFilter(DAY, DAY, segment="veteran"))
        assert (veterans.served, veterans.offered, veterans.respondents) == (1, 1, 1)


def test_a_kiosk_survey_never_shown_is_not_counted_as_offered(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        station = get_station(session, office, "W1")
        invitations.offer(session, office, visit.id, mode=vocab.KIOSK, station=station, now=FIXED_NOW)
        assert survey_results.volumes(session, office, ResultsFilter(DAY, DAY)).offered == 0
        invitations.claim_for_kiosk(session, office, station, FIXED_NOW)
        assert survey_results.volumes(session, office, ResultsFilter(DAY, DAY)).offered == 1


def test_results_match_an_independent_sql_count(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        res = survey_results.results(session, office, ResultsFilter(DAY, DAY), supervisor_of(session, office))
    trust = next(d for d in res.drivers if d.question == "trust")
    assert trust.counts == (0, 1, 0, 2, 1)
    assert trust.point_scale == Decimal("3.75")
    assert trust.percent_agree == Decimal("75.0")
    assert trust.index == Decimal("68.8")  # (0 + 25 + 2*75 + 100) / 4 = 68.75
    with db.engine.connect() as conn:
        raw = conn.execute(sa.text(
            "SELECT a.question, SUM(a.score), COUNT(*), SUM(CASE WHEN a.score >= 4 THEN 1 ELSE 0 END) "
            "FROM surveyanswer a JOIN surveyresponse r ON r.id = a.response_id "
            "WHERE a.choice = '' AND a.score IS NOT NULL GROUP BY a.question")).all()
    assert raw
    for question, total, n, agree in raw:
        driver = next(d for d in res.drivers if d.question == question)
        assert driver.answers == n
        assert driver.point_scale == (Decimal(total) / n).quantize(Decimal("0.01"))
        assert driver.percent_agree == (Decimal(100 * agree) / n).quantize(Decimal("0.1"))
    went_well = {t.option: (t.picked, t.asked) for t in res.tallies if t.question == "went_well"}
    # A-11 branch: "what went well" is asked after 4-5 only (three respondents).
    assert went_well["effectiveness"] == (3, 3) and went_well["ease"] == (0, 3)
    not_well = {t.option: (t.picked, t.asked) for t in res.tallies if t.question == "not_well"}
    assert not_well["effectiveness"] == (1, 1)
    assert [c.text for c in res.comments] == ["Too slow"]


def test_results_filter_by_service(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        res = survey_results.results(session, office, ResultsFilter(DAY, DAY, service="replacement_card"), supervisor_of(session, office))
    trust = next(d for d in res.drivers if d.question == "trust")
    assert trust.counts == (0, 1, 0, 1, 0) and trust.point_scale == Decimal("3.00")
    assert res.volumes.respondents == 2


def test_results_of_an_empty_period_have_no_numbers(db, office):
    with db.session() as session:
        res = survey_results.results(session, office, ResultsFilter(DAY, DAY), supervisor_of(session, office))
    assert res.volumes == survey_results.Volumes(0, 0, 0) and res.volumes.response_rate is None
    assert all(d.point_scale is None and d.index is None for d in res.drivers)


@pytest.mark.parametrize("period, expected", [
    ("today", ("2026-11-24", "2026-11-24")),
    ("week", ("2026-11-23", "2026-11-29")),
    ("month", ("2026-11-01", "2026-11-30")),
    ("quarter", ("2026-10-01", "2026-12-31")),  # FY2027 Q1
    ("last_quarter", ("2026-07-01", "2026-09-30")),
    ("fiscal_year", ("2026-10-01", "2027-09-30")),
])
def test_periods_are_office_local_days_and_fiscal_quarters(period, expected):
    start, end = periods.period_days(period, DAY)
    assert (start.isoformat(), end.isoformat()) == expected


def test_last_quarter_in_january_is_the_first_fiscal_quarter():
    from datetime import date

    assert periods.period_days("last_quarter", date(2027, 1, 15)) == (date(2026, 10, 1), date(2026, 12, 31))


def test_a11_quarter_per_service_matches_the_results_view(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        quarter = a11.a11_quarter(session, 2027, 1)
        rows = {row.service: row for row in quarter.lines}
        card = survey_results.results(session, office, ResultsFilter(DAY, DAY, service="replacement_card"),
                                      supervisor_of(session, office))
    assert set(rows) == {"change_address", "replacement_card"}
    # one skipped, one never offered
    assert (rows["change_address"].served, rows["change_address"].offered, rows["change_address"].respondents) \
        == (4, 3, 2)
    assert (rows["replacement_card"].served, rows["replacement_card"].offered,
            rows["replacement_card"].respondents) == (card.volumes.served, card.volumes.offered,
                                                       card.volumes.respondents)
    assert quarter.offices == ("CHI01",) and rows["change_address"].channel == "in_person"
    # The current set has no Likert drivers: the legacy summary's columns are absent.
    assert rows["change_address"].point_scale("satisfied") is None


@pytest.mark.postgres
def test_survey_round_trip_and_results_on_postgresql(pg_url):
    """Two sessions stand for the counter and the kiosk processes sharing the office database."""
    from cxdesk.domain.staff import sign_in
    from cxdesk.store.db import open_database
    from tests.factories import CLERK, make_office

    counter_db, kiosk_db = open_database(pg_url, create=True), open_database(pg_url)
    try:
        office = make_office(counter_db)
        with counter_db.session() as session:
            station = get_station(session, office, "W1")
            who = sign_in(session, office, code=CLERK[0], pin=CLERK[2], station=station, now=FIXED_NOW)
        visit = serve(counter_db, office, who, language="es")
        with counter_db.session() as session:
            sent = invitations.offer(session, office, visit.id, mode=vocab.KIOSK, station=station, now=FIXED_NOW)
        with kiosk_db.session() as session:
            run = invitations.claim_for_kiosk(session, office, station, FIXED_NOW)
            assert run.invitation_id == sent.invitation_id and run.language == "es"
            assert invitations.claim_for_kiosk(session, office, station, FIXED_NOW) is None
            invitations.finish(session, run.invitation_id, answer_all(run, 5), language="es",
                           ended_early=False, now=FIXED_NOW)
        with counter_db.session() as session:
            res = survey_results.results(session, office, ResultsFilter(DAY, DAY), supervisor_of(session, office))
        assert res.volumes == survey_results.Volumes(1, 1, 1)
        assert next(d for d in res.drivers if d.question == "trust").point_scale == Decimal("5.00")
    finally:
        counter_db.dispose()
        kiosk_db.dispose()
