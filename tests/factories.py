"""Shared test data: the fixed clock, the test office and its staff, served and surveyed visits.

Every test module takes its data from here (and its fixtures from conftest);
no test module imports another.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from cxdesk.domain.surveys import invitations
from cxdesk.domain.surveys.questions import Answer
from cxdesk.domain.visits import Finish, quick_log
from cxdesk.vocab import HANDOVER

# Tuesday 24 November 2026, 09:30 in Chicago: the office is open.
FIXED_NOW = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)
SUPERVISOR = ("SUP1", "Ana Ruiz", "24681357")  # supervisors need 8 digits or more
CLERK = ("CLK1", "Ben Okafor", "1357")
PG_ADMIN_URL = os.environ.get("CXDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def make_office(database, now=FIXED_NOW):
    """The test office: CHI01 in Chicago, stations W1 and W2, a supervisor and a clerk."""
    from cxdesk.domain.office import setup_office
    from cxdesk.domain.staff import add_staff, get_staff

    with database.session() as session:
        office = setup_office(
            session, code="CHI01", name="Chicago Loop", timezone="America/Chicago",
            station_names=["Window 1", "Window 2"], supervisor_code=SUPERVISOR[0],
            supervisor_name=SUPERVISOR[1], supervisor_pin=SUPERVISOR[2], now=now,
        )
        supervisor = get_staff(session, office, SUPERVISOR[0])
        add_staff(session, office, supervisor, code=CLERK[0], name=CLERK[1], role="clerk", pin=CLERK[2],
                  now=now)
    return office


def supervisor_of(session, office):
    from cxdesk.domain.staff import get_staff

    return get_staff(session, office, SUPERVISOR[0])


def clerk_of(session, office):
    from cxdesk.domain.staff import get_staff

    return get_staff(session, office, CLERK[0])


def serve(db, office, signed_in, *, service="change_address", segment="retiree", language="en",
          now=FIXED_NOW):
    with db.session() as session:
        return quick_log(session, office, signed_in, segment=segment,
                         details=Finish(service=service, outcome="resolved"), language=language, now=now)


def answer_all(run: invitations.SurveyRun, score: int) -> dict[str, Answer]:
    answers = {}
    for q in run.question_set.questions:
        if q.kind == "scale":
            answers[q.code] = Answer(score=score)
        elif q.kind == "drivers":
            answers[q.code] = Answer(picked=frozenset({q.options[0].code}))
        elif q.kind == "choice":
            answers[q.code] = Answer(choice=q.options[0].code)
    return answers


def survey_many(db, office, signed_in):
    """Six served visits: five offered, four respond (scores 5, 4, 4, 2), one skips."""
    scores = {"change_address": [5, 4], "replacement_card": [4, 2]}
    for service, values in scores.items():
        for score in values:
            visit = serve(db, office, signed_in, service=service,
                          segment="veteran" if score == 2 else "retiree")
            with db.session() as session:
                run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
                answers = answer_all(run, score)
                if score == 2:
                    answers["comment"] = Answer(text="Too slow")
                invitations.finish(session, run.invitation_id, answers, language="en", ended_early=False,
                               now=FIXED_NOW)
    skipped = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, skipped.id, mode=HANDOVER, now=FIXED_NOW)
        invitations.finish(session, run.invitation_id, {}, language="en", ended_early=True, now=FIXED_NOW)
    serve(db, office, signed_in)  # served, never offered


# --- barrier survey ---------------------------------------------------------------


def start_barrier_survey(db, office, *, period="month", deferrals=2, now=FIXED_NOW):
    """The supervisor starts the front-line barrier survey (off until then)."""
    from cxdesk.domain.barrier import set_barrier_settings

    with db.session() as session:
        return set_barrier_settings(session, office, supervisor_of(session, office), period=period,
                                    deferrals=deferrals, now=now)


EXTRA_PIN = "2580"
# Supervisors need 8 to 12 digits.
EXTRA_SUPERVISOR_PIN = "25803691"


def more_staff(db, office, count, *, role="clerk", prefix="CLK", first=2, now=FIXED_NOW):
    """``count`` more staff (CLK2, CLK3 ..., PIN EXTRA_PIN, or EXTRA_SUPERVISOR_PIN for supervisors)
    added by the supervisor; their codes."""
    from cxdesk.domain.staff import add_staff

    codes = []
    with db.session() as session:
        boss = supervisor_of(session, office)
        for number in range(first, first + count):
            code = f"{prefix}{number}"
            add_staff(session, office, boss, code=code, name=f"Person {prefix.title()} {number}", role=role,
                      pin=EXTRA_SUPERVISOR_PIN if role == "supervisor" else EXTRA_PIN, now=now)
            codes.append(code)
    return codes


def answer_barrier(db, office, code, *, items=None, categories=(), idea=None, now=FIXED_NOW, names_ok=False):
    """Staff member ``code`` answers the barrier survey for the period of ``now``."""
    from cxdesk.domain.barrier import BarrierAnswers, submit_answers
    from cxdesk.domain.staff import get_staff

    with db.session() as session:
        return submit_answers(session, office, get_staff(session, office, code),
                              BarrierAnswers(items if items is not None else {"workload": 4},
                                             frozenset(categories), idea),
                              now=now, names_ok=names_ok)
