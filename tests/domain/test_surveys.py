"""Customer surveys, domain: question sets, invitations, responses, volumes, results, demo rows."""

from __future__ import annotations

import pathlib
import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk import vocab
from cxdesk.config import catalog_override_dir
from cxdesk.demo import surveys as demo_surveys
from cxdesk.domain.office import get_station
from cxdesk.domain.surveys import invitations, questions
from cxdesk.domain.surveys.questions import Answer
from cxdesk.domain.visits import check_in
from cxdesk.errors import CxdeskError
from cxdesk.exchange import touchpoints
from cxdesk.reports import a11, periods, survey_results
from cxdesk.reports.survey_results import ResultsFilter
from cxdesk.store.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
    new_id,
)
from cxdesk.vocab import SurveyStatus
from tests.factories import FIXED_NOW, answer_all, serve, supervisor_of, survey_many

DAY = FIXED_NOW.date()


# --- question sets ------------------------------------------------------------


@pytest.mark.parametrize("code", list(vocab.SURVEY_SET_FILES))
def test_every_question_and_option_is_in_english_and_spanish(code):
    qset = questions.load_question_set(code)
    for lang in vocab.LANGUAGES:
        assert qset.titles[lang].strip()
        for q in qset.questions:
            wording = qset.wording(q, lang, service="change_address")
            assert wording.strip() and "[" not in wording, (q.code, lang)
            for option in q.options:
                assert option.label(lang).strip()
    for q in qset.questions:
        assert q.texts["en"] != q.texts["es"], q.code


def test_every_screen_text_exists_in_both_languages():
    texts = questions.load_survey_texts()
    for key in questions.SCREEN_TEXTS:
        for lang in vocab.LANGUAGES:
            assert texts.text(key, lang, n=1, total=2).strip(), (key, lang)
    for lang in vocab.LANGUAGES:
        assert len(texts.scale[lang]) == 5


def test_screen_code_asks_only_for_known_texts():
    # A text key used by a screen but absent from the data would be a blank on screen.
    used = set()
    for module in ("survey.py", "kiosk.py"):
        source = (pathlib.Path(__file__).parents[2] / "screens" / module).read_text()
        used |= set(re.findall(r'\.text\(\s*"([a-z_]+)"', source))
    assert used and used <= set(questions.SCREEN_TEXTS)


@pytest.mark.parametrize("code", list(vocab.SURVEY_SET_FILES))
def test_each_set_asks_what_service_the_customer_wishes_for_before_the_comment(code):
    codes = [q.code for q in questions.load_question_set(code).questions]
    assert codes[-1] == "comment"
    assert codes[-2] == "wish"


def test_likert_set_fills_the_service_into_satisfaction_and_trust():
    qset = questions.load_question_set("likert")
    text = qset.wording(qset.question("satisfaction"), "es", service="change_address")
    assert text == "Estoy satisfecho con el servicio que recibí de Cambio de dirección."
    assert [q.driver for q in qset.scale_questions()] == [
        "satisfied", "trust", "effective", "easy", "efficient", "transparent", "employee"]


def test_a_missing_spanish_text_is_refused_not_shown_blank():
    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    builtin = (pathlib.Path(__file__).parents[2] / "data" / "survey_likert.toml").read_text()
    (folder / "survey_likert.toml").write_text(
        builtin.replace('text_es = "Se atendió mi necesidad."\n', ""), encoding="utf-8")
    with pytest.raises(CxdeskError, match=r"question 'effectiveness' has no Spanish text \(text_es\)"):
        questions.load_question_set("likert")


def test_a_spanish_text_copied_from_english_is_a_missing_translation():
    folder = catalog_override_dir()
    folder.mkdir(parents=True)
    common = (pathlib.Path(__file__).parents[2] / "data" / "survey_common.toml").read_text()
    (folder / "survey_common.toml").write_text(
        common.replace('thanks_title_es = "¡Gracias!"', 'thanks_title_es = "Thank you!"'), encoding="utf-8")
    with pytest.raises(CxdeskError, match="text 'thanks_title' has the same English and Spanish text"):
        questions.load_survey_texts()


def test_unknown_survey_set_is_refused():
    with pytest.raises(CxdeskError, match="No survey set 'smileys'"):
        questions.load_question_set("smileys")


# --- invitations and responses --------------------------------------------------


def test_handover_offer_and_full_answers_land_in_the_database(db, office, signed_in):
    visit = serve(db, office, signed_in, language="es")
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)
        assert run.language == "es" and run.service == "change_address"
        answers = answer_all(run, 4)
        answers["comment"] = Answer(text="  Muy   bien  ")
        status = invitations.finish(session, run.invitation_id, answers, language="es",
                                ended_early=False, now=FIXED_NOW)
    assert status == SurveyStatus.COMPLETED
    with db.session() as session:
        invitation = session.get(SurveyInvitation, run.invitation_id)
        assert (invitation.mode, invitation.status, invitation.station_id) == ("handover", "completed", None)
        response = session.exec(select(SurveyResponse)).one()
        assert response.visit_id == visit.id and response.completed and response.comment == "Muy bien"
        rows = session.exec(select(SurveyAnswer).where(SurveyAnswer.question == "went_well")).all()
        # Every offered driver is recorded: 1 picked, 0 offered and not picked.
        assert sorted(r.score for r in rows) == [0] * 6 + [1]
    # No staff identity on what the customer answered.
    assert not {"staff_id", "shift_id", "station_id"} & set(SurveyResponse.model_fields)
    assert not {"staff_id", "shift_id"} & set(SurveyAnswer.model_fields)


def test_nothing_answered_is_skipped_without_a_response(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)
        status = invitations.finish(session, run.invitation_id, {}, language="en", ended_early=True,
                                now=FIXED_NOW)
        assert status == SurveyStatus.SKIPPED
        assert session.exec(select(SurveyResponse)).all() == []


def test_ending_early_after_some_answers_is_partial(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)
        status = invitations.finish(session, run.invitation_id, {"trust": Answer(score=2)}, language="en",
                                ended_early=True, now=FIXED_NOW)
        assert status == SurveyStatus.PARTIAL
        assert session.exec(select(SurveyResponse.completed)).one() is False


def test_a_closed_survey_cannot_be_answered_twice(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)
        invitations.finish(session, run.invitation_id, {"trust": Answer(score=5)}, language="en",
                       ended_early=False, now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="already closed"):
            invitations.finish(session, run.invitation_id, {"trust": Answer(score=1)}, language="en",
                           ended_early=False, now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="already answered"):
            invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)


def test_a_bad_answer_writes_nothing(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="takes a number from 1 to 5"):
            invitations.finish(session, run.invitation_id, {"trust": Answer(score=7)}, language="en",
                           ended_early=False, now=FIXED_NOW)
        session.rollback()
        assert session.get(SurveyInvitation, run.invitation_id).status == SurveyStatus.SHOWN
        assert session.exec(select(SurveyResponse)).all() == []


def test_a_visit_still_at_the_counter_cannot_be_surveyed(db, office):
    with db.session() as session:
        visit = check_in(session, office, segment="retiree", service="change_address", now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="Finish the visit"):
            invitations.offer(session, office, visit.id, mode=vocab.HANDOVER, now=FIXED_NOW)


def test_last_finished_visit_is_the_newest_at_this_station(db, office, signed_in):
    serve(db, office, signed_in, now=FIXED_NOW - timedelta(minutes=5))
    newest = serve(db, office, signed_in)
    with db.session() as session:
        station = get_station(session, office, "W1")
        assert invitations.last_finished_visit(session, office, station, FIXED_NOW).id == newest.id
        assert invitations.last_finished_visit(session, office, get_station(session, office, "W2"),
                                           FIXED_NOW) is None


def test_kiosk_survey_is_claimed_once_and_the_newest_wins(db, office, signed_in):
    first = serve(db, office, signed_in, now=FIXED_NOW - timedelta(minutes=3))
    second = serve(db, office, signed_in)
    with db.session() as session:
        station = get_station(session, office, "W1")
        invitations.offer(session, office, first.id, mode=vocab.KIOSK, station=station,
                      now=FIXED_NOW - timedelta(minutes=2))
        sent = invitations.offer(session, office, second.id, mode=vocab.KIOSK, station=station, now=FIXED_NOW)
        assert invitations.claim_for_kiosk(session, office, get_station(session, office, "W2"), FIXED_NOW) is None
        claimed = invitations.claim_for_kiosk(session, office, station, FIXED_NOW)
        assert claimed.invitation_id == sent.invitation_id and claimed.mode == "kiosk"
        assert invitations.claim_for_kiosk(session, office, station, FIXED_NOW) is None
        statuses = dict(session.execute(sa.select(SurveyInvitation.visit_id, SurveyInvitation.status)).all())
        assert statuses == {first.id: "expired", second.id: "shown"}


def test_a_kiosk_survey_nobody_picked_up_expires(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        station = get_station(session, office, "W1")
        invitations.offer(session, office, visit.id, mode=vocab.KIOSK, station=station, now=FIXED_NOW)
        later = FIXED_NOW + invitations.KIOSK_PICKUP + timedelta(seconds=1)
        assert invitations.claim_for_kiosk(session, office, station, later) is None
        assert session.exec(select(SurveyInvitation.status)).one() == "expired"


# --- volumes and results --------------------------------------------------------


def test_volumes_are_counted_from_visits_and_invitations(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        vol = survey_results.volumes(session, office, ResultsFilter(DAY - timedelta(days=1), DAY + timedelta(days=1)))
        assert (vol.served, vol.offered, vol.respondents) == (6, 5, 4)
        assert vol.response_rate == pytest.approx(80.0)
        veterans = survey_results.volumes(session, office, ResultsFilter(DAY, DAY, segment="veteran"))
        assert (veterans.served, veterans.offered, veterans.respondents) == (1, 1, 1)


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
    assert went_well["effectiveness"] == (4, 4) and went_well["ease"] == (0, 4)
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


# --- demo rows --------------------------------------------------------------------


def test_demo_responses_are_realistic_and_insert_cleanly(db, office, signed_in):
    rng = random.Random(7)
    with db.session() as session:
        station = get_station(session, office, "W1")
    base = serve(db, office, signed_in)
    visits = []
    with db.session() as session:
        for n in range(1200):
            visit_id = new_id()
            wait = 90 * 60 if n % 2 else 5 * 60
            language = "es" if n % 5 == 0 else "en"
            session.add(Visit(id=visit_id, office_id=office.id, day=base.day, seq=1000 + n, segment="retiree",
                              service_wanted="change_address", service="change_address", state="done",
                              language=language, arrived_at=FIXED_NOW, finished_at=FIXED_NOW,
                              wait_seconds=wait, station_id=station.id))
            visits.append(dict(id=visit_id, service="change_address", wait_seconds=wait,
                               finished_at=FIXED_NOW, language=language, station_id=station.id))
        session.commit()
    invitations, responses, answers = demo_surveys.demo_responses(rng, visits, office_id=office.id)
    assert 0.35 <= len(responses) / len(visits) <= 0.45
    assert {row["mode"] for row in invitations} == {"handover", "kiosk"}
    comments = {r["language"] for r in responses if r["comment"]}
    assert comments == {"en", "es"}
    with db.session() as session:
        session.execute(sa.insert(SurveyInvitation), invitations)
        session.execute(sa.insert(SurveyResponse), responses)
        session.execute(sa.insert(SurveyAnswer), answers)
        session.commit()
        by_wait = dict(session.execute(sa.text(
            "SELECT v.wait_seconds, AVG(a.score) FROM surveyanswer a "
            "JOIN surveyresponse r ON r.id = a.response_id JOIN visit v ON v.id = r.visit_id "
            "WHERE a.question = 'trust' GROUP BY v.wait_seconds")).all())
        assert by_wait[90 * 60] < by_wait[5 * 60] - 0.5
        vol = survey_results.volumes(session, office, ResultsFilter(DAY, DAY))
        assert vol.respondents == len(responses) and vol.offered == len(invitations)


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


@pytest.mark.postgres
def test_survey_round_trip_and_results_on_postgresql(pg_url):
    """Two sessions stand for the counter and the kiosk processes sharing the office database."""
    from cxdesk.domain.staff import sign_in
    from cxdesk.store.db import open_database
    from tests.factories import CLERK, make_office

    counter_db, kiosk_db = open_database(pg_url), open_database(pg_url)
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


def test_a_kiosk_survey_never_shown_is_not_counted_as_offered(db, office, signed_in):
    visit = serve(db, office, signed_in)
    with db.session() as session:
        station = get_station(session, office, "W1")
        invitations.offer(session, office, visit.id, mode=vocab.KIOSK, station=station, now=FIXED_NOW)
        assert survey_results.volumes(session, office, ResultsFilter(DAY, DAY)).offered == 0
        invitations.claim_for_kiosk(session, office, station, FIXED_NOW)
        assert survey_results.volumes(session, office, ResultsFilter(DAY, DAY)).offered == 1


def test_kiosk_command_refuses_an_unknown_station(db, office, db_url):
    from click.testing import CliRunner

    from cxdesk.cli import main

    result = CliRunner().invoke(main, ["kiosk", "--station", "W9", "--db", db_url])
    assert result.exit_code == 1
    assert "No station 'W9' in this office." in result.output


def test_demo_generator_adds_surveys_through_the_extender_hook(db_url):
    from cxdesk.demo import surveys as demo_surveys
    from cxdesk.demo.office import generate
    from cxdesk.domain.office import get_office
    from cxdesk.store.db import open_database

    database = open_database(db_url)
    try:
        generate(database, days=3, seed=5, now=FIXED_NOW,
                 extenders=[demo_surveys.EXTENDER])
        with database.session() as session:
            office = get_office(session)
            first = FIXED_NOW.date() - timedelta(days=10)
            vol = survey_results.volumes(session, office, ResultsFilter(first, FIXED_NOW.date()))
            assert vol.served > 100
            assert 0.3 <= vol.respondents / vol.served <= 0.5
            late = session.exec(select(SurveyInvitation).where(SurveyInvitation.offered_at > FIXED_NOW)).all()
            assert late == []
            res = survey_results.results(session, office, ResultsFilter(first, FIXED_NOW.date()),
                                         supervisor_of(session, office))
            trust = next(d for d in res.drivers if d.question == "trust")
            assert Decimal("3.0") < trust.point_scale < Decimal("4.6")
    finally:
        database.dispose()


def test_a11_summary_per_service_matches_the_results_view(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        rows = {row.service: row for row in a11.a11_summary(session, office, DAY, DAY)}
        card = survey_results.results(session, office, ResultsFilter(DAY, DAY, service="replacement_card"), supervisor_of(session, office))
    assert set(rows) == {"change_address", "replacement_card"}
    assert rows["change_address"].volumes == survey_results.Volumes(4, 3, 2)  # one skipped, one never offered
    assert rows["replacement_card"].volumes == card.volumes
    assert rows["replacement_card"].point_scale("trust") == Decimal("3.00")
    assert rows["change_address"].point_scale("trust") == Decimal("4.50")
    # The current set asks only trust on the 1-5 scale; the Likert drivers are absent.
    assert rows["change_address"].point_scale("satisfied") is None


def test_touchpoints_rows_have_the_csv_columns_and_values(db, office, signed_in):
    survey_many(db, office, signed_in)
    with db.session() as session:
        rows = list(touchpoints.touchpoints_responses(session, office, DAY, DAY))
    assert len(rows) == 4
    expected_columns = ["external_id", "question_1",
                        *(f"positive_{d}" for d in touchpoints.TOUCHPOINTS_DRIVERS),
                        *(f"negative_{d}" for d in touchpoints.TOUCHPOINTS_DRIVERS), "question_4"]
    assert all(sorted(row) == sorted(expected_columns) for row in rows)
    assert sorted(row["question_1"] for row in rows) == [2, 4, 4, 5]
    assert all(row["positive_effectiveness"] == 1 and row["positive_ease"] == 0 for row in rows)
    assert [row["question_4"] for row in rows if row["question_4"]] == ["Too slow"]


def test_a_kiosk_is_listening_only_while_its_heartbeat_is_fresh(db, office):
    from datetime import timedelta

    from cxdesk.domain.office import get_station
    from cxdesk.domain.surveys.invitations import (
        KIOSK_SILENT_AFTER,
        kiosk_closed,
        kiosk_heartbeat,
        kiosk_last_seen,
        kiosk_listening,
    )

    with db.session() as session:
        w1 = get_station(session, office, "W1")
        assert not kiosk_listening(session, w1, FIXED_NOW) and kiosk_last_seen(session, w1) is None
        kiosk_heartbeat(session, w1, FIXED_NOW)
        kiosk_heartbeat(session, w1, FIXED_NOW + timedelta(seconds=5))
        assert kiosk_listening(session, w1, FIXED_NOW + timedelta(seconds=6))
        assert not kiosk_listening(session, w1, FIXED_NOW + timedelta(seconds=6) + KIOSK_SILENT_AFTER)
        kiosk_closed(session, w1)
        assert not kiosk_listening(session, w1, FIXED_NOW + timedelta(seconds=6))
