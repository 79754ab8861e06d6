"""Service standards: defaults in both languages, versions from a day, retirement,
benchmarks, the counter's LONG threshold, and who may change them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cxdesk.domain import standards
from cxdesk.domain.standards import StandardDraft, default_standards
from cxdesk.errors import CxdeskError
from cxdesk.reports.scope import day_scope
from cxdesk.reports.standards import load_standards, long_wait_minutes, measure_standards, standard_history
from tests.factories import FIXED_NOW, clerk_of, serve, supervisor_of

TODAY = date(2026, 11, 24)


def wait_draft(minutes: int, target: float = 90) -> StandardDraft:
    return StandardDraft(measure="wait_within", target=target, threshold=minutes,
                         wording_en=f"We will call you within {minutes} minutes.",
                         wording_es=f"Le llamaremos dentro de {minutes} minutos.")


def test_every_default_standard_has_english_and_spanish_wording_and_a_known_measure():
    defaults = default_standards()
    assert {d.draft.measure for d in defaults} == set(standards.MEASURES)
    for default in defaults:
        assert default.draft.wording_en and default.draft.wording_es
        assert default.draft.wording_en != default.draft.wording_es


def test_the_defaults_are_in_force_until_a_supervisor_changes_one(db, office):
    with db.session() as session:
        views = load_standards(session, office)
    assert [v.code for v in views][:2] == ["wait_20", "card_20"]
    assert all(v.versions[0].effective_from is None for v in views)


def test_a_change_is_a_new_version_and_past_days_keep_the_old_one(db, office):
    with db.session() as session:
        sup = supervisor_of(session, office)
        standards.change_standard(session, office, sup, "wait_20", wait_draft(15), now=FIXED_NOW,
                                  effective_from=TODAY + timedelta(days=1), note="Two more windows open.")
        history = standard_history(session, office, "wait_20")
    assert [v.threshold for v in history.versions] == [20, 15]
    assert history.versions[0].effective_from == office.local_day(office.created_at)
    assert history.version_on(TODAY).threshold == 20
    assert history.version_on(TODAY + timedelta(days=1)).threshold == 15
    assert history.versions[1].note == "Two more windows open." and history.versions[1].created_by == "SUP1"


def test_a_change_cannot_reach_back_into_measured_days(db, office):
    with db.session() as session, pytest.raises(CxdeskError, match="today or later"):
        standards.change_standard(session, office, supervisor_of(session, office), "wait_20", wait_draft(15),
                                  now=FIXED_NOW, effective_from=TODAY - timedelta(days=1))


def test_a_retired_standard_is_not_in_force_and_keeps_its_history(db, office):
    with db.session() as session:
        standards.retire_standard(session, office, supervisor_of(session, office), "left_5", now=FIXED_NOW,
                                  note="Replaced by the waiting-time standard.")
        view = standard_history(session, office, "left_5")
        results = measure_standards(session, office, day_scope(office, TODAY), TODAY)
    assert view.version_on(TODAY) is None and view.versions[-1].retired
    assert "left_5" not in {r.code for r in results}


@pytest.mark.parametrize("action", ["add", "change", "retire", "benchmark"])
def test_a_clerk_cannot_change_the_standards(db, office, action):
    with db.session() as session:
        clerk = clerk_of(session, office)
        with pytest.raises(CxdeskError, match="Only a supervisor"):
            if action == "add":
                standards.add_standard(session, office, clerk, "wait_15", wait_draft(15), now=FIXED_NOW)
            elif action == "change":
                standards.change_standard(session, office, clerk, "wait_20", wait_draft(15), now=FIXED_NOW)
            elif action == "retire":
                standards.retire_standard(session, office, clerk, "wait_20", now=FIXED_NOW)
            else:
                standards.add_benchmark(session, office, clerk, "wait_20", value=80, source="Peer office",
                                        as_of=TODAY, now=FIXED_NOW)


@pytest.mark.parametrize("draft, message", [
    (StandardDraft("wait_within", 90, "w", "w", threshold=None), "threshold"),
    (StandardDraft("wait_within", 190, "w", "w", threshold=20), "target"),
    (StandardDraft("service_within", 90, "w", "w", threshold=20), "service"),
    (StandardDraft("no_such", 90, "w", "w"), "Unknown measure"),
    (StandardDraft("first_visit", 90, "w", ""), "Spanish wording"),
    (StandardDraft("survey_driver", 9, "w", "w", question="trust", scale="points"), "target"),
])
def test_a_draft_says_what_is_wrong(draft, message):
    with pytest.raises(CxdeskError, match=message):
        draft.validated()


def test_the_counter_marks_long_waits_from_the_waiting_standard(db, office):
    with db.session() as session:
        assert long_wait_minutes(session, office, TODAY) == 20
        standards.change_standard(session, office, supervisor_of(session, office), "wait_20", wait_draft(30),
                                  now=FIXED_NOW)
        assert long_wait_minutes(session, office, TODAY) == 30
        standards.retire_standard(session, office, supervisor_of(session, office), "wait_20", now=FIXED_NOW)
        assert long_wait_minutes(session, office, TODAY) == 60  # no waiting standard: an hour


def test_the_gap_is_to_the_best_benchmark_published_by_the_end_of_the_period(db, office, signed_in):
    serve(db, office, signed_in)  # a walk-up: called at once, resolved
    with db.session() as session:
        sup = supervisor_of(session, office)
        standards.add_benchmark(session, office, sup, "first_visit", value=85, source="Peer office",
                                as_of=TODAY - timedelta(days=30), now=FIXED_NOW)
        standards.add_benchmark(session, office, sup, "first_visit", value=92.5, source="Private-sector index",
                                as_of=TODAY, note="Retail banking", now=FIXED_NOW)
        today = {r.code: r for r in measure_standards(session, office, day_scope(office, TODAY), TODAY)}
        view = standard_history(session, office, "first_visit")
        with pytest.raises(CxdeskError, match="not in the future"):
            standards.add_benchmark(session, office, sup, "first_visit", value=90, source="x",
                                    as_of=TODAY + timedelta(days=1), now=FIXED_NOW)
    first = today["first_visit"]
    assert (first.value, first.mark, first.benchmark.source) == (100.0, "✔ MET", "Private-sector index")
    assert first.gap_to_benchmark == 7.5 and first.benchmark_text.startswith("7.50 pp ahead of")
    assert view.best_benchmark(TODAY - timedelta(days=1)).source == "Peer office"


def test_a_missed_standard_says_so_in_words_and_a_symbol(db, office, signed_in):
    from cxdesk.domain import visits

    with db.session() as session:
        visits.check_in(session, office, segment="retiree", service="change_address",
                        now=FIXED_NOW - timedelta(minutes=45))
        visits.call_next(session, office, signed_in, FIXED_NOW)
        results = {r.code: r for r in measure_standards(session, office, day_scope(office, TODAY), TODAY)}
    wait = results["wait_20"]
    assert (wait.measured, wait.within, wait.value, wait.status, wait.mark) == (1, 0, 0.0, "missed", "✖ MISSED")
