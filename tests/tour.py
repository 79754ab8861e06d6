"""A tour of every screen state that matters, reached by keys alone, for the accessibility tests.

Each stop is an app (counter or kiosk), the data it needs, and the keys that
bring it there from start. The contrast, Spanish and keyboard tests walk the
same list, so a new screen added here is checked by all three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from cxdesk.screens.kiosk import KioskApp

from cxdesk import vocab
from cxdesk.domain import visits
from tests.factories import FIXED_NOW, SUPERVISOR, serve, start_barrier_survey
from tests.pilot import make_app, press, settle, sign_in, steady

SUPERVISOR_SIGN_IN = (SUPERVISOR[0], SUPERVISOR[2])


def a_line(db, office) -> None:
    """Three customers waiting, one over an hour, one in Spanish."""
    with db.session() as session:
        visits.check_in(session, office, segment="retiree", service="replacement_card",
                        now=FIXED_NOW - timedelta(minutes=72))
        visits.check_in(session, office, segment="worker", service="change_address", language="es",
                        now=FIXED_NOW - timedelta(minutes=25))
        visits.check_in(session, office, segment="parent_guardian", service="new_card",
                        now=FIXED_NOW - timedelta(minutes=3))


def a_survey_at_the_kiosk(db, office, language: str = "es") -> None:
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in as domain_sign_in
    from cxdesk.domain.surveys import invitations
    from tests.factories import CLERK

    with db.session() as session:
        signed_in = domain_sign_in(session, office, code=CLERK[0], pin=CLERK[2],
                                   station=get_station(session, office, "W1"), now=FIXED_NOW)
    visit = serve(db, office, signed_in, language=language)
    with db.session() as session:
        invitations.offer(session, office, visit.id, mode=vocab.KIOSK, now=FIXED_NOW,
                          station=get_station(session, office, "W1"))


def a_served_visit(db, office) -> None:
    from cxdesk.domain.office import get_station
    from cxdesk.domain.staff import sign_in as domain_sign_in
    from tests.factories import CLERK

    with db.session() as session:
        signed_in = domain_sign_in(session, office, code=CLERK[0], pin=CLERK[2],
                                   station=get_station(session, office, "W1"), now=FIXED_NOW)
    serve(db, office, signed_in, language="es")


@dataclass(frozen=True)
class Stop:
    name: str
    keys: tuple[str, ...] = ()
    staff: tuple[str, str] | None = ("CLK1", "1357")
    prepare: Callable | None = None
    kiosk: bool = False
    typed: str = ""
    # Customer-facing: what a customer reads here must be in Spanish when the customer's language is.
    customer: bool = False
    after_keys: tuple[str, ...] = field(default=())
    # The class name of the screen the keys must reach (checked, so a changed key fails loudly).
    expect: str = ""


STOPS: tuple[Stop, ...] = (
    Stop("sign-in", staff=None, expect="SignInScreen"),
    Stop("sign-in-wrong-pin", ("C", "L", "K", "1", "enter", "9", "9", "9", "9", "enter"), staff=None,
         expect="SignInScreen"),
    Stop("counter", prepare=a_line, expect="CounterScreen"),
    Stop("counter-serving", ("n", "s"), prepare=a_line, expect="CounterScreen"),
    Stop("finish-dialog", ("n", "f"), prepare=a_line, expect="FinishDialog"),
    Stop("channel-step", ("n", "f", "1", "1", "enter"), prepare=a_line, expect="ChannelDialog"),
    Stop("check-in-dialog", ("i",), prepare=a_line, expect="CheckInDialog"),
    Stop("help", ("f1",), expect="HelpScreen"),
    Stop("complaint-form", ("f2",), expect="ComplaintIntakeScreen"),
    Stop("complaint-receipt", ("f2", "1", "1", "1"), typed="Waited an hour.", after_keys=("enter", "enter", "enter"),
         customer=True, expect="ComplaintReceiptScreen"),
    Stop("complaint-form-refused", ("f2", "ctrl+s"), expect="ComplaintIntakeScreen"),
    Stop("complaints-queue", ("f7",), expect="ComplaintsScreen"),
    Stop("survey-handover", ("v",), prepare=a_served_visit, customer=True, expect="SurveyScreen"),
    Stop("barrier-survey", ("ctrl+y",), prepare=lambda db, office: start_barrier_survey(db, office),
         expect="BarrierSurveyScreen"),
    Stop("kiosk-welcome", staff=None, kiosk=True, customer=True, expect="KioskIdleScreen"),
    Stop("kiosk-survey", staff=None, kiosk=True, prepare=a_survey_at_the_kiosk, customer=True,
         expect="SurveyScreen"),
    Stop("summary", ("f8",), staff=SUPERVISOR_SIGN_IN, expect="SummaryScreen"),
    Stop("standards", ("f3",), staff=SUPERVISOR_SIGN_IN, expect="StandardsScreen"),
    Stop("staff-settings", ("f5",), staff=SUPERVISOR_SIGN_IN, expect="StaffScreen"),
    Stop("survey-results", ("f6",), staff=SUPERVISOR_SIGN_IN, expect="SurveyResultsScreen"),
)


def app_for(stop: Stop, db, office, db_url: str, clock, **options):
    if stop.prepare is not None:
        stop.prepare(db, office)
    if stop.kiosk:
        app = KioskApp(db_url, "W1", clock=clock, poll_seconds=3600, **options)
        app.survey_thanks_seconds = 3600
        return app
    app = make_app(db_url, clock, **options)
    app.survey_thanks_seconds = 3600
    return app


async def go_to(pilot, stop: Stop) -> None:
    """From the app's start to the stop, by keys alone."""
    await settle(pilot)
    if stop.kiosk:
        pilot.app.check_for_survey()
        await settle(pilot)
    if stop.staff is not None:
        await sign_in(pilot, *stop.staff)
        if type(pilot.app.screen).__name__ == "BarrierPrompt":
            await press(pilot, "escape")  # "later": the survey is opened by its own key below
    await press(pilot, *stop.keys)
    if stop.typed:
        await pilot.press(*stop.typed)
        await settle(pilot)
    await press(pilot, *stop.after_keys)
    steady(pilot.app)
    if stop.expect:
        reached = type(pilot.app.screen).__name__
        assert reached == stop.expect, f"{stop.name}: the keys reached {reached}, not {stop.expect}" 


