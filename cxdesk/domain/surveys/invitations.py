"""Offering the survey after a visit (handover or kiosk) and storing what the customer answered.

Responses carry no staff identity: answers are anonymous to the clerk.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cxdesk.domain.surveys.questions import (
    Answer,
    QuestionSet,
    SurveyTexts,
    answer_rows,
    clean_comment,
    load_question_set,
)
from cxdesk.errors import CxdeskError
from cxdesk.store.models import (
    KioskHeartbeat,
    Office,
    Station,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    Visit,
)
from cxdesk.vocab import KIOSK, LANGUAGES, NOT_OFFERED_REASONS, SURVEY_MODES, SurveyOffer, SurveyStatus, VisitState

# A kiosk survey nobody picked up in this time is stale: the customer has gone.
KIOSK_PICKUP = timedelta(minutes=10)
# A kiosk looks about once a second and notes it every few seconds; one not seen
# for this long is not listening (closed, crashed, unplugged).
KIOSK_HEARTBEAT_EVERY = timedelta(seconds=5)
KIOSK_SILENT_AFTER = timedelta(seconds=20)


@dataclass(frozen=True)
class SurveyRun:
    """Everything a customer screen needs to show one offered survey."""

    invitation_id: uuid.UUID
    question_set: QuestionSet
    language: str
    service: str | None
    mode: str

    @property
    def texts(self) -> SurveyTexts:
        return self.question_set.texts


def last_finished_visit(session: Session, office: Office, station: Station, now: datetime) -> Visit | None:
    """The visit this station finished last today: the one a survey is offered for."""
    day = office.local_day(now)
    return session.exec(
        select(Visit).where(Visit.office_id == office.id, Visit.day == day,
                            Visit.station_id == station.id, Visit.state == VisitState.DONE)
        .order_by(col(Visit.finished_at).desc()).limit(1)
    ).first()


def offer(session: Session, office: Office, visit_id: uuid.UUID, *, mode: str, now: datetime,
          language: str | None = None, station: Station | None = None) -> SurveyRun:
    """Offer the survey for a finished visit, handed over or sent to a station's kiosk.

    A visit already answered is refused; an earlier unanswered offer is replaced.
    """
    if mode not in SURVEY_MODES:
        raise CxdeskError(f"Survey mode must be {' or '.join(SURVEY_MODES)}.")
    visit = session.get(Visit, visit_id)
    if visit is None or visit.office_id != office.id:
        raise CxdeskError("That visit no longer exists.")
    if visit.state != VisitState.DONE:
        raise CxdeskError("Finish the visit before offering the survey.")
    language = language or visit.language
    if language not in LANGUAGES:
        raise CxdeskError(f"Survey language must be one of {', '.join(LANGUAGES)}.")
    if mode == KIOSK and station is None:
        raise CxdeskError("Say which station's kiosk should show the survey.")
    question_set = load_question_set(office.survey_set)
    answered = session.exec(select(SurveyResponse.id).where(SurveyResponse.visit_id == visit.id)).first()
    if answered is not None:
        raise CxdeskError("This customer has already answered the survey for this visit.")
    stale = [SurveyInvitation.visit_id == visit.id]
    if mode == KIOSK:
        # One survey waits at a kiosk at a time: the newest customer's.
        stale.append(sa.and_(SurveyInvitation.station_id == station.id,
                             SurveyInvitation.status == SurveyStatus.PENDING))
    session.execute(
        sa.update(SurveyInvitation)
        .where(sa.or_(*stale), col(SurveyInvitation.status).in_(SurveyStatus.OPEN))
        .values(status=SurveyStatus.EXPIRED, closed_at=now)
    )
    invitation = SurveyInvitation(
        office_id=office.id, visit_id=visit.id, survey_set=question_set.code, mode=mode,
        language=language, station_id=station.id if mode == KIOSK else None,
        status=SurveyStatus.PENDING if mode == KIOSK else SurveyStatus.SHOWN, offered_at=now,
        shown_at=None if mode == KIOSK else now,
    )
    session.add(invitation)
    if mode != KIOSK:
        # Handed over: in front of the customer now. A kiosk survey counts once a
        # kiosk shows it (claim_for_kiosk): one nobody picked up was no offer.
        _mark_offered(visit)
        session.add(visit)
    session.commit()
    return SurveyRun(invitation.id, question_set, language, visit.service or visit.service_wanted, mode)


def _mark_offered(visit: Visit) -> None:
    visit.survey_offer = SurveyOffer.OFFERED
    visit.survey_not_offered_reason = None


def record_survey_offer(session: Session, office: Office, visit_id: uuid.UUID, outcome: str,
                        reason: str | None = None) -> Visit:
    """What the counter says at the end of a visit: the survey was offered, declined,
    or not offered (with a reason from vocab.NOT_OFFERED_REASONS).

    A-11 asks for "customers offered the survey": this makes it a counted fact.
    A visit whose customer answered stays "offered" whatever is recorded later.
    """
    if outcome not in SurveyOffer.ALL:
        raise CxdeskError(f"The survey was {', '.join(SurveyOffer.ALL)}; not {outcome!r}.")
    if outcome == SurveyOffer.NOT_OFFERED:
        if reason not in NOT_OFFERED_REASONS:
            raise CxdeskError("Say why the survey was not offered: " + ", ".join(NOT_OFFERED_REASONS) + ".")
    elif reason is not None:
        raise CxdeskError("A reason goes only with a survey that was not offered.")
    visit = session.get(Visit, visit_id)
    if visit is None or visit.office_id != office.id:
        raise CxdeskError("That visit no longer exists.")
    if visit.state != VisitState.DONE:
        raise CxdeskError("Finish the visit before recording the survey offer.")
    answered = session.exec(select(SurveyResponse.id).where(SurveyResponse.visit_id == visit.id)).first()
    if answered is not None and outcome != SurveyOffer.OFFERED:
        raise CxdeskError("This customer answered the survey: it was offered.")
    visit.survey_offer = outcome
    visit.survey_not_offered_reason = reason
    session.add(visit)
    session.commit()
    session.refresh(visit)
    return visit


def claim_for_kiosk(session: Session, office: Office, station: Station, now: datetime) -> SurveyRun | None:
    """The survey waiting for this station's kiosk, marked as shown; None if there is none.

    The claim is a conditional UPDATE, so a survey appears on one kiosk only, even
    with several processes polling the same database.
    """
    # Polled every second by each kiosk: a plain read unless something is waiting.
    waiting = session.exec(
        select(SurveyInvitation).where(SurveyInvitation.station_id == station.id,
                                       SurveyInvitation.status == SurveyStatus.PENDING)
        .order_by(col(SurveyInvitation.offered_at).desc()).limit(1)
    ).first()
    if waiting is None:
        return None
    if waiting.offered_at < now - KIOSK_PICKUP:
        session.execute(
            sa.update(SurveyInvitation)
            .where(SurveyInvitation.station_id == station.id, SurveyInvitation.status == SurveyStatus.PENDING,
                   SurveyInvitation.offered_at < now - KIOSK_PICKUP)
            .values(status=SurveyStatus.EXPIRED, closed_at=now)
        )
        session.commit()
        return None
    claimed = session.execute(
        sa.update(SurveyInvitation)
        .where(SurveyInvitation.id == waiting.id, SurveyInvitation.status == SurveyStatus.PENDING)
        .values(status=SurveyStatus.SHOWN, shown_at=now)
    )
    session.commit()
    if claimed.rowcount != 1:
        return None
    visit = session.get(Visit, waiting.visit_id)
    _mark_offered(visit)
    session.add(visit)
    session.commit()
    return SurveyRun(waiting.id, load_question_set(waiting.survey_set), waiting.language,
                     visit.service or visit.service_wanted, KIOSK)


def finish(session: Session, invitation_id: uuid.UUID, answers: Mapping[str, Answer], *,
           language: str, ended_early: bool, now: datetime) -> str:
    """Store what the customer answered and close the invitation; returns its status.

    Nothing answered: skipped, no response row. Ended early with some answers:
    partial. No staff identity is written (the response is anonymous to staff).
    """
    invitation = session.get(SurveyInvitation, invitation_id)
    if invitation is None:
        raise CxdeskError("That survey no longer exists.")
    session.refresh(invitation)
    if invitation.status not in SurveyStatus.OPEN:
        raise CxdeskError("This survey is already closed.")
    if language not in LANGUAGES:
        raise CxdeskError(f"Survey language must be one of {', '.join(LANGUAGES)}.")
    question_set = load_question_set(invitation.survey_set)
    question_set.check_branches(answers)
    rows: list[dict] = []
    comment = None
    for code, answer in answers.items():
        question = question_set.question(code)
        if question.kind == "comment":
            comment = clean_comment(answer.text)
        else:
            rows.extend(answer_rows(question, answer))
    status = SurveyStatus.SKIPPED if not rows and comment is None else SurveyStatus.PARTIAL if ended_early else SurveyStatus.COMPLETED
    invitation.status = status
    invitation.closed_at = now
    invitation.language = language
    session.add(invitation)
    if status != SurveyStatus.SKIPPED:
        response = SurveyResponse(
            invitation_id=invitation.id, visit_id=invitation.visit_id, office_id=invitation.office_id,
            survey_set=invitation.survey_set, language=language, completed=status == SurveyStatus.COMPLETED,
            comment=comment, answered_at=now,
        )
        session.add(response)
        session.flush()
        session.add_all(SurveyAnswer(response_id=response.id, **row) for row in rows)
    session.commit()
    return status



# --- is a kiosk listening? -------------------------------------------------------------------


def kiosk_heartbeat(session: Session, station: Station, now: datetime) -> None:
    """The kiosk at ``station`` is running and looking for surveys."""
    beat = session.get(KioskHeartbeat, station.id)
    if beat is None:
        session.add(KioskHeartbeat(station_id=station.id, seen_at=now))
    else:
        beat.seen_at = now
        session.add(beat)
    session.commit()


def kiosk_closed(session: Session, station: Station) -> None:
    """The kiosk at ``station`` was closed on purpose: not listening from now on."""
    session.execute(sa.delete(KioskHeartbeat).where(KioskHeartbeat.station_id == station.id))
    session.commit()


def kiosk_last_seen(session: Session, station: Station) -> datetime | None:
    beat = session.get(KioskHeartbeat, station.id)
    if beat is None:
        return None
    session.refresh(beat)
    return beat.seen_at


def kiosk_listening(session: Session, station: Station, now: datetime) -> bool:
    seen = kiosk_last_seen(session, station)
    return seen is not None and now - seen <= KIOSK_SILENT_AFTER
