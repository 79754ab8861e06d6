"""Headquarters' report sections: barrier categories with the rule of three applied across
offices (no figure rests on, or can be subtracted down to, fewer than 3 answers) and
the standards met per office."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from cxdesk.domain.barrier.answers import BarrierAnswers, answer_rows
from cxdesk.exchange import hq_csv
from cxdesk.reports import hq
from cxdesk.reports.barrier import WITHHELD
from cxdesk.store.db import open_database
from cxdesk.store.models import BarrierAnswer, BarrierPick
from cxdesk.publish.hq_report import render_html

Q1 = ("FY2027Q1", date(2026, 10, 1), date(2026, 12, 31))


def _office(conn, code: str) -> uuid.UUID:
    office_id = uuid.uuid4()
    conn.exec_driver_sql(
        "INSERT INTO office (id, code, name, timezone, survey_set, survey_idle_seconds, created_at, version) "
        "VALUES (?, ?, ?, 'America/Chicago', 'likert', 120, '2026-01-01 00:00:00.000000', 1)",
        (office_id.hex, code, f"Office {code}"))
    return office_id


def _answers(conn, office_id, period: str, categories: list[frozenset[str]]) -> None:
    for picked in categories:
        answer, _items, picks = answer_rows(office_id, period, None, BarrierAnswers({}, picked, None))
        conn.execute(sa.insert(BarrierAnswer.__table__), [answer])
        conn.execute(sa.insert(BarrierPick.__table__), picks)


def _report(tmp_path, fill):
    central = open_database(f"sqlite:///{tmp_path / 'central.db'}", create=True)
    try:
        with central.engine.begin() as conn:
            fill(conn)
        with central.session() as session:
            return hq.quarter_report(session, *Q1, as_of=date(2027, 1, 5))
    finally:
        central.dispose()


def test_an_office_with_two_answers_is_withheld_and_left_out_of_the_nation(tmp_path):
    def fill(conn):
        big, small, other = _office(conn, "BIG1"), _office(conn, "SMALL1"), _office(conn, "OTHER1")
        _answers(conn, big, "2026-10", [frozenset({"staffing"})] * 3 + [frozenset({"it_system"})])
        _answers(conn, small, "2026-10", [frozenset({"forms"})] * 2)
        # Three answers, but over two months of one office: two groups of fewer than 3 people.
        _answers(conn, other, "2026-10", [frozenset({"training"})] * 2)
        _answers(conn, other, "2026-11", [frozenset({"training"})])
        # Outside the quarter: not counted.
        _answers(conn, big, "2026-09", [frozenset({"policy"})] * 5)

    report = _report(tmp_path, fill)
    cells = {office.code: office.extra for office in report.offices}
    assert cells["BIG1"] == {**cells["BIG1"], "barrier_answers": "4", "barrier_top_categories": "staffing:3 it_system:1"}
    for withheld in ("SMALL1", "OTHER1"):
        assert cells[withheld]["barrier_answers"] == ""
        assert cells[withheld]["barrier_top_categories"] == WITHHELD
    # The nation is BIG1 alone: nothing of the withheld offices can be had by subtraction.
    assert report.national.extra["barrier_answers"] == "4"
    assert report.national.extra["barrier_top_categories"] == "staffing:3 it_system:1"
    assert "forms" not in render_html(report) and "training" not in hq_csv.as_csv(report)


def test_a_quarter_period_and_its_months_both_count_when_each_has_three(tmp_path):
    def fill(conn):
        office = _office(conn, "ONE1")
        _answers(conn, office, "FY2027Q1", [frozenset({"facilities"})] * 3)
        _answers(conn, office, "2026-12", [frozenset({"authority", "facilities"})] * 3)

    report = _report(tmp_path, fill)
    assert report.offices[0].extra["barrier_answers"] == "6"
    assert report.offices[0].extra["barrier_top_categories"] == "facilities:6 authority:3"


def test_no_answers_anywhere_says_so(tmp_path):
    report = _report(tmp_path, lambda conn: _office(conn, "NONE1"))
    assert report.national.extra["barrier_top_categories"] == "no answers"
    assert "barrier_answers" not in report.offices[0].extra


def test_the_periods_within_a_quarter():
    assert hq.barrier_periods_within(*Q1[1:]) == ["2026-10", "2026-11", "2026-12", "FY2027Q1"]
    assert hq.barrier_periods_within(date(2026, 11, 1), date(2026, 11, 30)) == ["2026-11"]


def test_standards_met_counts_each_office_against_its_own_standards(db, office, signed_in):
    from tests.factories import serve

    serve(db, office, signed_in)
    with db.session() as session:
        report = hq.quarter_report(session, *Q1, as_of=date(2027, 1, 5))
    met, judged = report.offices[0].extra["standards_met"].split("/")
    assert int(judged) >= 1 and 0 <= int(met) <= int(judged)
    assert report.national.extra["standards_met"] == report.offices[0].extra["standards_met"]
    assert "STANDARDS_MET" in hq.as_text(report)
