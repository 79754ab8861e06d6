"""The harness's own bookkeeping (benchmarks/run.py), without measuring anything:
the verdicts are about ratios and targets, never about this machine's timings."""

import json

from benchmarks import run
from cxdesk.store.migrate import HEAD_REVISION


def test_the_cached_database_is_keyed_by_size_seed_schema_head_and_generator_version(monkeypatch, tmp_path):
    monkeypatch.setenv("CXDESK_BENCH_CACHE", str(tmp_path))
    path = run.bench_database_path(50_000, 7)
    assert path.parent == tmp_path
    assert path.name == f"bench-50000-seed7-{HEAD_REVISION}-gen{run.GENERATOR_VERSION}.db"
    monkeypatch.setattr(run, "GENERATOR_VERSION", run.GENERATOR_VERSION + 1)
    assert run.bench_database_path(50_000, 7) != path


def test_the_cache_is_outside_the_repository_by_default(monkeypatch):
    monkeypatch.delenv("CXDESK_BENCH_CACHE", raising=False)
    assert run.HERE.parent not in run.cache_dir().parents


def test_a_figure_is_judged_by_its_ratio_to_the_baseline_of_the_same_run():
    bare = run.Figure("bare", 200.0)
    ready = run.Figure("ready", 390.0, None, bare, target_ratio=2.0)
    slow = run.Figure("slow", 410.0, None, bare, target_ratio=2.0)
    assert (bare.ratio(), bare.verdict()) == ("1.00×", "")
    assert (ready.ratio(), ready.target(), ready.verdict()) == ("1.95×", "≤ 2×", "met")
    assert slow.verdict() == "MISSED"
    # Time left out of a figure (the PIN hash) comes off before the ratio.
    counter = run.Figure("counter", 600.0, None, bare, target_ratio=2.5, excluded_ms=120.0)
    assert counter.ratio() == "2.40×" and counter.met()


def test_millisecond_targets_judge_the_median_or_the_p99():
    count = run.Figure("count", 2.0)
    day = run.summarise("day", [30_000_000] * 19 + [90_000_000], count, target_ms=50)
    assert day.met() and day.ratio() == "15.00×"
    save = run.summarise("save", [5_000_000] * 90 + [40_000_000] * 10, count, target_p99_ms=20)
    assert not save.met() and save.verdict() == "MISSED"
    assert json.loads(json.dumps(save.as_json()))["met"] is False


def test_fewer_than_twenty_samples_have_their_slowest_as_the_p99():
    few = run.summarise("call next", [10_000_000] * 14 + [35_000_000], target_ms=16, target_p99_ms=33)
    assert few.p99_ms == 35.0 and not few.met() and "the slowest of 15" in few.note
    assert run.summarise("call next", [10_000_000] * 15, target_p99_ms=33).met()
    assert run.summarise("start", [10_000_000] * 3).p99_ms is None


def test_a_figure_with_a_yes_no_part_misses_when_that_part_fails():
    keys = run.Figure("keys for a common visit", 6, unit="keys", target_ms=6, check=True, alone=True)
    assert (keys.target(), keys.verdict(), keys.ratio()) == ("≤ 6 keys", "met", "")
    assert run.Figure("same keys, burst differs", 6, unit="keys", target_ms=6, check=False).verdict() == "MISSED"
    errors = run.summarise("8 at once: call next", [5_000_000] * 30, check=False, target_p99_ms=20)
    assert errors.verdict() == "MISSED" and errors.as_json()["met"] is False
    small = run.Figure("counter, 10k", 100.0, unit="MB")
    assert run.Figure("counter, 1M", 125.0, None, small, unit="MB", target_ratio=1.3).verdict() == "met"
    assert run.Figure("counter, 1M", 140.0, None, small, unit="MB", target_ratio=1.3).as_json()["unit"] == "MB"


def test_the_terminal_output_is_read_as_the_text_it_shows():
    from benchmarks.keystrokes import screen_text

    raw = "\x1b[?2026h\x1b[3;5H\x1b[38;2;1;2;3mA105   ☎ CALLED since\x1b[0m\x1b]0;title\x07\x1b[?2026l"
    assert screen_text(raw) == "A105   ☎ CALLED since"


def test_eight_counters_in_rounds_are_released_together_and_timed_from_the_release():
    """benchmarks/counters.py's rounds: every round releases all eight with one instant, and
    waits for all eight before the next (workers here only echo, to keep the test quick)."""
    import sys

    from benchmarks import counters

    worker = ("import json, sys, time\n"
              "print('ready', flush=True)\n"
              "seen = []\n"
              "for line in sys.stdin:\n"
              "    word, *rest = line.split()\n"
              "    if word != 'go':\n"
              "        break\n"
              "    seen.append([int(rest[0]), time.perf_counter_ns() - int(rest[0])])\n"
              "    print('done', flush=True)\n"
              "print(json.dumps({'samples': {'seen': seen}, 'errors': []}))\n")
    results = counters._run_in_rounds([[sys.executable, "-c", worker]] * counters.COUNTERS, None, 3)
    assert len(results) == counters.COUNTERS
    releases = [[release for release, _waited in result["samples"]["seen"]] for result in results]
    assert all(len(seen) == 3 for seen in releases)
    assert all(seen == releases[0] for seen in releases)  # one instant per round, the same for all eight
    assert releases[0] == sorted(set(releases[0]))  # three distinct rounds, in order
    assert all(waited >= 0 for result in results for _release, waited in result["samples"]["seen"])


def test_the_eight_counters_postgresql_office_is_built_once_and_copied(pg_url, monkeypatch):
    """benchmarks/counters.py: the five-day demo office is built once (a template, named for
    the schema head and the day) and each run gets a copy; another day's template is dropped
    and a build cut off part-way is never copied (the demo is faked here: one table)."""
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    import sqlalchemy as sa

    from benchmarks import counters

    monkeypatch.syspath_prepend(str(Path(counters.__file__).parent))  # as run.py runs it
    prefix = f"cxdesk_test_tpl_{uuid.uuid4().hex[:8]}_"
    monkeypatch.setattr(counters, "TEMPLATE_PREFIX", prefix)
    admin = sa.create_engine(sa.engine.make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    built: list[str] = []

    def fake_demo(command, **_kwargs):
        url = command[command.index("--db") + 1]
        built.append(url)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE office (code text)")
            conn.exec_driver_sql("INSERT INTO office VALUES ('DEMO1')")
        engine.dispose()

    def databases() -> set[str]:
        with admin.connect() as conn:
            return set(conn.exec_driver_sql("SELECT datname FROM pg_database WHERE datname LIKE %(p)s",
                                            {"p": prefix + "%"}).scalars())

    try:
        with admin.connect() as conn:  # another day's template, and a build cut off
            conn.exec_driver_sql(f'CREATE DATABASE "{prefix}0001_old_20000101"')
            conn.exec_driver_sql(f'CREATE DATABASE "{prefix}building_cutoff"')
        monkeypatch.setattr(subprocess, "run", fake_demo)
        copies = [counters.postgres_office(Path(sys.executable), {}) for _ in range(2)]
        assert len(built) == 1
        [template] = databases()
        assert template.startswith(prefix) and "building" not in template and "20000101" not in template
        for url, _name in copies:
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT code FROM office").scalar_one() == "DEMO1"
            engine.dispose()
    finally:
        from benchmarks.exchange import drop_central

        for name in databases() | {name for _url, name in locals().get("copies", [])}:
            drop_central(name)
        admin.dispose()
