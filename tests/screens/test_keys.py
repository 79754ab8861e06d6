"""Keyboard only, predictably (issue 15; Section 508): every screen is reached by keys
alone, F1 lists its keys anywhere staff work, Escape backs out one level, and a key
that means something across screens means the same thing on every one of them.

Letters are each screen's own verbs (n is "next" at the counter and "note" on a
complaint); what is checked here is what a clerk's fingers learn once: Escape,
Enter, the number keys, Ctrl+S/R/Q and the function keys.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

from tests.pilot import press
from tests.tour import STOPS, app_for, go_to

# What each key means wherever it is bound: the actions allowed for it.
BACK_OUT = {"back", "cancel", "close", "later", "leave", "skip", "end_survey"}
MEANING = {
    "escape": BACK_OUT,
    "enter": {"next", "save", "sign_in", "open_detail", "answer_now", "field_done"},
    "ctrl+s": {"save"},
    "ctrl+r": {"reload"},
    "ctrl+q": {"quit", "staff_quit"},
    "f1": {"help", "close"},  # F1 opens the help, and closes it again
    "f2": {"open_complaint"},
    "f3": {"standards"},
    "f4": {"switch_language"},
    "f5": {"staff_settings"},
    "f6": {"survey_results"},
    "f7": {"complaints"},
    "f8": {"supervisor_summary"},
    "f9": {"staff_take_back"},
    "f10": {"sign_out"},
    "ctrl+y": {"barrier_survey"},
    "ctrl+o": {"change_own_pin"},
    "0": {"skip", "skip_question"},
    "left": {"back"},
    "pageup": {"back"},
}
# Number keys 1-9 answer or pick on every screen that binds them.
NUMBER_ACTIONS = ("answer(",)


def cxdesk_bindings() -> list[tuple[str, str, str, str]]:
    """(key, action, label, class) for every binding declared in cxdesk.screens."""
    import cxdesk.screens as package

    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(package.__path__, "cxdesk.screens.")]
    seen: set[type] = set()
    found = []
    for module in modules:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls in seen or not issubclass(cls, DOMNode) or not cls.__module__.startswith("cxdesk."):
                continue
            seen.add(cls)
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, tuple):
                    binding = Binding(*binding)
                for key in binding.key.split(","):
                    found.append((key.strip(), binding.action.split("(")[0] + ("(" if "(" in binding.action
                                                                                else ""),
                                  binding.description, cls.__name__))
    return found


def test_the_same_key_means_the_same_thing_on_every_screen():
    wrong = []
    bindings = cxdesk_bindings()
    assert len(bindings) > 80, "the bindings were not found"
    for key, action, label, where in bindings:
        bare = action.rstrip("(")
        if key in MEANING and bare not in MEANING[key]:
            wrong.append(f"{where}: {key} does {action} ({label}), elsewhere {sorted(MEANING[key])}")
        if key.isdigit() and key != "0" and not action.startswith(NUMBER_ACTIONS):
            wrong.append(f"{where}: number key {key} does {action}, elsewhere it answers or picks")
    assert not wrong, "\n".join(wrong)


def test_every_action_has_one_key_and_one_label():
    """An action is not "Save" on one screen and "Keep" on another with a different key."""
    keys_of: dict[str, set[str]] = {}
    for key, action, _label, _where in cxdesk_bindings():
        if key in MEANING or key.isdigit():
            keys_of.setdefault(action, set()).add(key)
    for action in ("save", "reload", "back", "switch_language", "help"):
        assert action in keys_of
    assert keys_of["save"] == {"ctrl+s", "enter"}
    assert keys_of["reload"] == {"ctrl+r"}


# Where Escape leads from each stop of the tour: one level back. The customer's survey is
# the exception by design: Escape ends it, and the screen stays the customer's until the
# clerk's PIN (F9) takes it back.
ESCAPE_TO = {
    "counter-serving": None, "counter": None, "sign-in": None, "sign-in-wrong-pin": None,
    "kiosk-welcome": None,
    "finish-dialog": "CounterScreen",
    "channel-step": "CounterScreen",
    "check-in-dialog": "CounterScreen",
    "help": "CounterScreen",
    "complaint-form": "CounterScreen",
    "complaint-form-refused": "CounterScreen",
    "complaint-receipt": "CounterScreen",
    "complaints-queue": "CounterScreen",
    "survey-handover": "SurveyScreen",
    "barrier-survey": "CounterScreen",
    "kiosk-survey": "KioskIdleScreen",
    "summary": "CounterScreen",
    "standards": "CounterScreen",
    "staff-settings": "CounterScreen",
    "survey-results": "CounterScreen",
}


@pytest.mark.parametrize("stop", STOPS, ids=[stop.name for stop in STOPS])
async def test_every_screen_is_reached_by_keys_and_escape_backs_out_one_level(stop, db, office, db_url, clock):
    assert stop.name in ESCAPE_TO, f"{stop.name}: say where Escape leads from it"
    app = app_for(stop, db, office, db_url, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, stop)  # keys alone; go_to checks the screen reached
        here = app.screen
        staff = not getattr(here, "CUSTOMER_FACING", False) and not stop.kiosk and stop.staff is not None
        if staff and type(here).__name__ != "HelpScreen":
            await press(pilot, "f1")
            assert type(app.screen).__name__ == "HelpScreen", f"{stop.name}: F1 did not open the help"
            await press(pilot, "escape")
            assert app.screen is here, f"{stop.name}: Escape from the help did not come back here"
        expected = ESCAPE_TO[stop.name]
        if expected is None:
            return
        await press(pilot, "escape")
        if stop.kiosk:
            # A kiosk's survey ends with Escape and, after its thank-you, goes back to the welcome.
            await press(pilot, "escape")
        assert type(app.screen).__name__ == expected, (
            f"{stop.name}: Escape led to {type(app.screen).__name__}, not {expected}")
        if stop.name == "survey-handover":
            assert app.screen.status is not None, "Escape did not end the customer's survey"
