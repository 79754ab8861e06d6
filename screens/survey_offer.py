"""Offering the customer survey from the counter: `v` hands the screen over, `k` sends
it to the station's kiosk (and, with no kiosk listening there, says so and offers
the handover instead), `o` records that the customer declined it or why it was not
offered. Handing over and a kiosk showing it record "offered" by themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cxdesk.screens.survey import SurveyScreen
from textual.screen import Screen

from cxdesk.vocab import HANDOVER, KIOSK, NOT_OFFERED_REASONS, SurveyOffer

if TYPE_CHECKING:
    from cxdesk.domain.surveys.invitations import SurveyRun


STATUS_WORDS = {
    "completed": "Survey answered. Thank you for offering it.",
    "partial": "Survey partly answered.",
    "skipped": "The customer skipped the survey.",
}


def offer_survey(counter: Screen, mode: str) -> None:
    """Offer the survey for the last visit finished at this station.

    ``k`` with no kiosk listening at the station says so and offers the handover.
    """
    app = counter.app
    if app.signed_in is None:
        return
    office, station = app.office, app.signed_in.station

    def work(session) -> SurveyRun | str:
        from cxdesk.domain.surveys import invitations as surveys
        from cxdesk.errors import CxdeskError

        now = app.now()
        visit = surveys.last_finished_visit(session, office, station, now)
        if visit is None:
            raise CxdeskError("No visit finished at this station today: finish one, then offer the survey.")
        if mode == KIOSK and not surveys.kiosk_listening(session, station, now):
            seen = surveys.kiosk_last_seen(session, station)
            return "never" if seen is None else seen.astimezone(office.zone).strftime("%H:%M")
        return surveys.offer(session, office, visit.id, mode=mode, station=station, now=now)

    def offered(run: SurveyRun | str) -> None:
        if isinstance(run, str):
            no_kiosk(run)
            return
        if mode == KIOSK:
            app.notify(f"Survey sent to the kiosk at {station.name}.", timeout=4)
            return

        def back(status: str | None) -> None:
            if status in STATUS_WORDS:
                app.notify(STATUS_WORDS[status], timeout=4)
            refresh = getattr(counter, "refresh_view", None)
            if refresh is not None:
                refresh()

        app.push_screen(SurveyScreen(run, idle_seconds=office.survey_idle_seconds), back)

    def no_kiosk(last_seen: str) -> None:
        from cxdesk.screens.dialogs import ChoiceDialog

        seen = "never seen" if last_seen == "never" else f"last seen at {last_seen}"
        question = ChoiceDialog(
            f"No kiosk is listening at {station.name}",
            f"Its kiosk ({seen}) is not running. Start it on the customer's terminal with: "
            + getattr(app, "kiosk_command", "cxdesk kiosk --station {station}").format(station=station.code),
            [(HANDOVER, "Hand this screen to the customer instead"), ("cancel", "Do not offer the survey now")])

        def answered(choice: str | None) -> None:
            if choice == HANDOVER:
                offer_survey(counter, HANDOVER)

        app.push_screen(question, answered)

    app.run_db(work, offered, description=f"offer the survey ({mode})")


DECLINED_CHOICE = "declined"
OUTCOME_CHOICES = [(HANDOVER, "Offer it now: hand this screen to the customer"),
                   (KIOSK, "Offer it now: send it to this station's kiosk"),
                   (DECLINED_CHOICE, "Offered; the customer declined"),
                   *((f"not:{code}", f"Not offered: {label[0].lower()}{label[1:]}")
                     for code, label in NOT_OFFERED_REASONS.items())]


def record_outcome(counter: Screen) -> None:
    """Ask what happened with the survey for the last visit finished here, and record it."""
    app = counter.app
    if app.signed_in is None:
        return
    office, station = app.office, app.signed_in.station

    def find(session):
        from cxdesk.domain.surveys import invitations as surveys
        from cxdesk.errors import CxdeskError

        visit = surveys.last_finished_visit(session, office, station, app.now())
        if visit is None:
            raise CxdeskError("No visit finished at this station today.")
        return visit

    def ask(visit) -> None:
        from cxdesk.screens.dialogs import ChoiceDialog

        recorded = {SurveyOffer.OFFERED: "offered", SurveyOffer.DECLINED: "declined"}.get(visit.survey_offer or "")
        if visit.survey_offer == SurveyOffer.NOT_OFFERED:
            recorded = "not offered: " + NOT_OFFERED_REASONS.get(visit.survey_not_offered_reason or "", "?")
        detail = f"Ticket {visit.ticket}. " + (f"Recorded so far: {recorded}." if recorded else "Nothing recorded yet.")
        app.push_screen(ChoiceDialog("The survey for this customer", detail, OUTCOME_CHOICES),
                        lambda choice: chosen(visit, choice))

    def chosen(visit, choice: str | None) -> None:
        if choice is None:
            return
        if choice in (HANDOVER, KIOSK):
            offer_survey(counter, choice)
            return
        outcome, reason = ((SurveyOffer.DECLINED, None) if choice == DECLINED_CHOICE
                           else (SurveyOffer.NOT_OFFERED, choice.removeprefix("not:")))

        def store(session):
            from cxdesk.domain.surveys.invitations import record_survey_offer

            return record_survey_offer(session, office, visit.id, outcome, reason)

        def stored(saved) -> None:
            words = "declined the survey" if outcome == SurveyOffer.DECLINED else \
                f"was not offered the survey ({NOT_OFFERED_REASONS[reason].lower()})"
            app.notify(f"Recorded: {saved.ticket} {words}.", timeout=4)

        app.run_db(store, stored, description="record the survey offer")

    app.run_db(find, ask, description="find the last visit finished here")
