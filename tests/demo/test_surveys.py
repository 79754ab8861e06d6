"""Demo survey rows: scores that fall with the wait, both languages, added through the extender."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select

from cxdesk.demo import surveys as demo_surveys
from cxdesk.domain.office import get_station
from cxdesk.reports import survey_results
from cxdesk.reports.survey_results import ResultsFilter
from cxdesk.store.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
    new_id,
)
from tests.factories import FIXED_NOW, serve, supervisor_of

DAY = FIXED_NOW.date()


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


def test_demo_generator_adds_surveys_through_the_extender_hook(db_url):
    from cxdesk.demo import surveys as demo_surveys
    from cxdesk.demo.office import generate
    from cxdesk.domain.office import get_office
    from cxdesk.store.db import open_database

    database = open_database(db_url, create=True)
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
