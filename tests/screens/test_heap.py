"""The quiet collector: full GC passes in the clerk's pauses (screens/heap.py, issue 16)."""

import gc

import pytest
from cxdesk.screens import heap


@pytest.fixture
def passes(monkeypatch) -> list[str]:
    """Every gc call the collector makes, recorded instead of made (thresholds are process-wide)."""
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect"))
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    monkeypatch.setattr(gc, "set_threshold", lambda *values: calls.append(f"threshold {values}"))
    return calls


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_start_freezes_and_turns_the_automatic_full_pass_off(passes):
    collector = heap.QuietCollector(FakeClock())
    collector.start()
    collector.start()
    assert passes == ["freeze", f"threshold {(700, 10, heap.NEVER)}", "collect", "freeze"]


def test_a_full_pass_waits_for_a_pause_in_the_typing(passes):
    clock = FakeClock()
    collector = heap.QuietCollector(clock)
    for _ in range(int(heap.MOST_S) - 1):  # a key every 0.5 s: never quiet, not yet overdue
        clock.now += 0.5
        collector.input()
        clock.now += 0.5
        assert not collector.tick()
    clock.now += heap.QUIET_S  # the clerk stops typing
    assert collector.tick() and passes == ["collect"]
    clock.now += 1
    assert not collector.tick()  # not again so soon, quiet or not
    clock.now += heap.LEAST_S
    assert collector.tick() and passes == ["collect", "collect"]


def test_a_clerk_who_never_pauses_still_gets_a_full_pass_in_time(passes):
    clock = FakeClock()
    collector = heap.QuietCollector(clock)
    ran = []
    for _ in range(int(heap.MOST_S * 4) + 2):
        clock.now += 0.25
        collector.input()
        ran.append(collector.tick())
    assert 1 <= sum(ran) <= 2 and passes.count("collect") == sum(ran)
