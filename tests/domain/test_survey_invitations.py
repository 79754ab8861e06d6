"""Survey invitations and responses: handover and kiosk, skipped, partial, answered once,
nothing written for a bad answer, kiosk claims and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk import vocab
from cxdesk.domain.office import get_station
from cxdesk.domain.surveys import invitations
from cxdesk.domain.surveys.questions import Answer
from cxdesk.domain.visits import check_in
from cxdesk.errors import CxdeskError
from cxdesk.store.models import (
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from cxdesk.vocab import SurveyStatus
from tests.factories import FIXED_NOW, answer_all, serve


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


def test_the_survey_offer_is_recorded_with_a_reason_only_when_not_offered(db, office, signed_in):
    import pytest

    from cxdesk.errors import CxdeskError
    from cxdesk.vocab import SurveyOffer

    visit = serve(db, office, signed_in)
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Say why"):
            invitations.record_survey_offer(session, office, visit.id, SurveyOffer.NOT_OFFERED)
        with pytest.raises(CxdeskError, match="only with a survey that was not offered"):
            invitations.record_survey_offer(session, office, visit.id, SurveyOffer.DECLINED, "hurry")
        saved = invitations.record_survey_offer(session, office, visit.id, SurveyOffer.NOT_OFFERED, "complaint")
        assert (saved.survey_offer, saved.survey_not_offered_reason) == ("not_offered", "complaint")


def test_an_answered_survey_stays_offered(db, office, signed_in):
    import pytest

    from cxdesk.errors import CxdeskError
    from cxdesk.vocab import HANDOVER, SurveyOffer

    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
        invitations.finish(session, run.invitation_id, answer_all(run, 5), language="en", ended_early=False,
                           now=FIXED_NOW)
        with pytest.raises(CxdeskError, match="it was offered"):
            invitations.record_survey_offer(session, office, visit.id, SurveyOffer.DECLINED)


def test_an_answer_to_the_branch_not_taken_is_refused(db, office, signed_in):
    import pytest

    from cxdesk.domain.surveys.questions import Answer
    from cxdesk.errors import CxdeskError
    from cxdesk.vocab import HANDOVER

    visit = serve(db, office, signed_in)
    with db.session() as session:
        run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
        answers = {"trust": Answer(score=3), "went_well": Answer(picked=frozenset({"ease"}))}
        with pytest.raises(CxdeskError, match="only after a positive trust answer"):
            invitations.finish(session, run.invitation_id, answers, language="en", ended_early=False, now=FIXED_NOW)
