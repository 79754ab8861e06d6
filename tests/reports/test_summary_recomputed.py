"""Every figure of the supervisor summary, recomputed from the raw rows of a demo office by
another route (plain SQL written here, then Python over the rows) and compared: a demo
day and a demo fiscal quarter."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from cxdesk.demo.office import generate
from cxdesk.domain.office import require_office
from cxdesk.domain.staff import get_staff
from cxdesk.domain.workdays import add_working_days
from cxdesk.reports.scope import resolve_scope
from cxdesk.reports.summary import office_summary, summary_dict
from cxdesk.store.db import open_database
from tests.factories import FIXED_NOW

ZONE = ZoneInfo("America/Chicago")
TODAY = FIXED_NOW.astimezone(ZONE).date()
DAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(f"sqlite:///{path}", create=True)
    generate(db, days=45, now=FIXED_NOW)
    yield db, path
    db.dispose()


def plain(summary) -> dict:
    """The summary as JSON would carry it (lists, ISO dates)."""
    return json.loads(json.dumps(summary_dict(summary), default=str))


def summary_for(db, kind, **kwargs):
    with db.session() as session:
        office = require_office(session)
        scope = resolve_scope(session, office, kind, TODAY, **kwargs)
        return office_summary(session, office, scope, get_staff(session, office, "SUP1"), TODAY)


def instant(text):
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def pct(values, p):
    """percentile_cont, by hand."""
    values = sorted(values)
    if not values:
        return None
    position = p * (len(values) - 1)
    lo = math.floor(position)
    hi = min(lo + 1, len(values) - 1)
    return round(values[lo] + (values[hi] - values[lo]) * (position - lo), 1)


def rows(conn, sql, *params):
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute(sql, params)]


def expected(path, start: date, end: date) -> dict:
    conn = sqlite3.connect(path)
    visits = rows(conn, "SELECT * FROM visit WHERE day BETWEEN ? AND ?", start.isoformat(), end.isoformat())
    ids = {v["id"] for v in visits}
    done = [v for v in visits if v["state"] == "done"]
    out: dict = {}
    out["volumes"] = {
        "arrived": len(visits), "served": len(done),
        "no_shows": sum(v["state"] == "no_show" for v in visits), "left": sum(v["state"] == "left" for v in visits),
        "in_line": sum(v["state"] in ("waiting", "on_hold") for v in visits),
        "at_counter": sum(v["state"] in ("called", "serving") for v in visits),
        "walk_ups": sum(v["wait_seconds"] == 0 and v["service_seconds"] == 0 for v in done),
        "appointments": sum(bool(v["appointment"]) for v in visits),
        "transferred": sum(v["transferred_from"] is not None for v in visits),
        "held": sum(v["hold_count"] > 0 for v in visits),
    }
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for v in visits:
        hours[instant(v["arrived_at"]).astimezone(ZONE).hour][0] += 1
    for v in done:
        hours[instant(v["finished_at"]).astimezone(ZONE).hour][1] += 1
    out["hours"] = [{"hour": h, "arrived": a, "served": s} for h, (a, s) in sorted(hours.items())]
    waits = [v["wait_seconds"] for v in visits if v["wait_seconds"] is not None]
    services = [v["service_seconds"] for v in done if v["service_seconds"] is not None]
    for name, values in (("waiting", waits), ("service", services)):
        out[name] = {"count": len(values), "median": pct(values, 0.5), "p90": pct(values, 0.9),
                     "mean": round(sum(values) / len(values), 1) if values else None,
                     "longest": max(values) if values else None}
    by_service = defaultdict(list)
    for v in done:
        by_service[v["service"]].append(v["service_seconds"])
    out["service_by_type"] = {s: (len(x), pct(x, 0.5), pct(x, 0.9)) for s, x in by_service.items()}
    left = [v for v in visits if v["state"] == "left"]
    out["left_stages"] = {"left_waiting": sum(v["hold_count"] == 0 for v in left),
                          "left_after_hold": sum(v["hold_count"] > 0 for v in left),
                          "no_show": out["volumes"]["no_shows"]}
    out["outcomes"] = Counter(v["outcome"] for v in done)
    out["referrals"] = Counter(v["referral"] for v in done if v["referral"])
    out["not_served_reasons"] = Counter(v["not_served_reason"] for v in done if v["not_served_reason"])
    out["segments"] = Counter(v["segment"] for v in visits)
    out["languages"] = Counter(v["language"] for v in visits)
    out["channels_preferred"] = Counter(v["preferred_channel"] for v in done if v["preferred_channel"])
    out["channel_step"] = {"done": sum(v["channel_step"] == "done" for v in done),
                           "skipped": sum(v["channel_step"] == "skipped" for v in done),
                           "": sum(v["channel_step"] not in ("done", "skipped") for v in done)}
    offers = rows(conn, "SELECT * FROM visitchanneloffer")
    out["channels_offered"] = Counter(o["channel"] for o in offers if o["visit_id"] in ids)

    invitations = [i for i in rows(conn, "SELECT * FROM surveyinvitation") if i["visit_id"] in ids]
    responses = [r for r in rows(conn, "SELECT * FROM surveyresponse") if r["visit_id"] in ids]
    response_ids = {r["id"] for r in responses}
    answers = [a for a in rows(conn, "SELECT * FROM surveyanswer") if a["response_id"] in response_ids]
    reached = {i["visit_id"] for i in invitations if i["status"] not in ("pending", "expired")}
    # Declined at the counter: offered, though no invitation was made.
    offered = len(reached | {v["id"] for v in visits if v.get("survey_offer") == "declined"})
    trust = Counter(a["score"] for a in answers if a["question"] == "trust" and a["choice"] == "")
    n = sum(trust.values())
    out["surveys"] = {
        "served": len(done), "offered": offered, "respondents": len(responses),
        "response_rate": round(100 * len(responses) / offered, 1) if offered else None,
        "trust": ([trust.get(k, 0) for k in range(1, 6)],
                  round(100 * (trust.get(4, 0) + trust.get(5, 0)) / n, 1) if n else None,
                  round(sum(k * c for k, c in trust.items()) / n, 2) if n else None),
        "went_well_ease": sum(a["score"] == 1 for a in answers if a["question"] == "went_well" and a["choice"] == "ease"),
    }

    complaints = rows(conn, "SELECT * FROM complaint WHERE day BETWEEN ? AND ?", start.isoformat(), end.isoformat())
    every = rows(conn, "SELECT * FROM complaint")
    open_states = ("received", "acknowledged", "in_progress", "escalated", "reopened")
    as_of = min(TODAY, end)
    served_by = Counter(v["service"] for v in done)
    wanted_by = Counter(v["service_wanted"] for v in visits)
    per_service = Counter(c["service"] for c in complaints)
    out["complaints"] = {
        "opened": len(complaints),
        "acknowledged": sum((c["acknowledged_at"] or c["resolved_at"]) is not None for c in complaints),
        "resolved": sum(c["resolved_at"] is not None for c in complaints),
        "due": sum(c["state"] in open_states and c["next_due"] is not None
                   and start.isoformat() <= c["next_due"] <= end.isoformat() for c in every),
        "overdue": sum(c["state"] in open_states and c["next_due"] is not None
                       and c["next_due"] < as_of.isoformat() for c in every),
        "by_service": {s or "": (k, served_by.get(s) or wanted_by.get(s, 0)) for s, k in per_service.items()},
    }

    for who in ("staff_id", "station_id"):
        table = {}
        groups = defaultdict(list)
        for v in visits:
            if v[who] is not None:
                groups[v[who]].append(v)
        for key, group in groups.items():
            g_done = [v for v in group if v["state"] == "done"]
            resolved = sum(v["outcome"] == "resolved" for v in g_done)
            table[key] = (len(g_done), sum(v["state"] == "no_show" for v in group),
                          round(100 * resolved / len(g_done), 1) if g_done else None,
                          pct([v["wait_seconds"] for v in group if v["wait_seconds"] is not None], 0.5),
                          pct([v["service_seconds"] for v in g_done], 0.5),
                          pct([v["service_seconds"] for v in g_done], 0.9))
        names = {r["id"]: r["code"] for r in rows(conn, f"SELECT id, code FROM {'staff' if who == 'staff_id' else 'station'}")}
        out[who] = {names[k]: t for k, t in table.items()}

    out["standards"] = expected_standards(conn, visits, done, answers, responses, complaints, start, end)
    conn.close()
    return out


def expected_standards(conn, visits, done, answers, responses, complaints, start, end) -> dict:
    """Each standard per version in force, from the version rows and the raw rows."""
    by_response_visit = {r["id"]: r["visit_id"] for r in responses}
    visit_day = {v["id"]: v["day"] for v in visits}
    results = {}
    standards = rows(conn, "SELECT * FROM servicestandard")
    for standard in standards:
        versions = rows(conn, "SELECT * FROM standardversion WHERE standard_id = ? ORDER BY effective_from, created_at",
                        standard["id"])
        for index, version in enumerate(versions):
            begins = date.fromisoformat(version["effective_from"])
            following = date.fromisoformat(versions[index + 1]["effective_from"]) if index + 1 < len(versions) else None
            lo = max(begins, start)
            hi = min(following - timedelta(days=1), end) if following else end
            if lo > hi or version["retired"]:
                continue
            span = (lo.isoformat(), hi.isoformat())

            def inside(day):
                return span[0] <= day <= span[1]

            m, t = standard["measure"], version["threshold"]
            if m == "wait_within":
                judged = [v for v in visits if inside(v["day"]) and v["wait_seconds"] is not None]
                ok = sum(v["wait_seconds"] <= t * 60 for v in judged)
            elif m == "service_within":
                judged = [v for v in done if inside(v["day"]) and v["service"] == version["service"]]
                ok = sum(v["service_seconds"] <= t * 60 for v in judged)
            elif m == "first_visit":
                judged = [v for v in done if inside(v["day"])]
                ok = sum(v["outcome"] == "resolved" for v in judged)
            elif m == "left_unserved":
                judged = [v for v in visits if inside(v["day"])]
                ok = sum(v["state"] in ("left", "no_show") for v in judged)
            elif m == "survey_driver":
                judged = [a for a in answers if a["question"] == version["question"] and a["choice"] == ""
                          and inside(visit_day[by_response_visit[a["response_id"]]])]
                ok = sum(a["score"] >= 4 for a in judged)
            else:
                judged, ok = [], 0
                for c in complaints:
                    if not inside(c["day"]):
                        continue
                    done_at = instant(c["resolved_at"] if m == "complaint_resolved"
                                      else (c["acknowledged_at"] or c["resolved_at"]))
                    deadline = add_working_days(date.fromisoformat(c["day"]), t)
                    if done_at is None and TODAY <= deadline:
                        continue  # still inside its window
                    judged.append(c)
                    ok += done_at is not None and done_at.astimezone(ZONE).date() <= deadline
            value = round(100 * ok / len(judged), 1) if judged else None
            results[(standard["code"], lo.isoformat(), hi.isoformat())] = (len(judged), ok, value, version["target"])
    return results


def counts_of(items):
    return {item["code"]: item["count"] for item in items if item["count"]}


@pytest.mark.parametrize("kind", ["day", "quarter"])
def test_every_figure_recomputed_from_the_raw_rows(demo, kind):
    db, path = demo
    if kind == "day":
        actual = plain(summary_for(db, "day", day=DAY))
        want = expected(path, DAY, DAY)
    else:
        actual = plain(summary_for(db, "quarter", quarter="FY2027Q1"))
        want = expected(path, date(2026, 10, 1), date(2026, 12, 31))

    assert actual["volumes"] == want["volumes"]
    assert actual["hours"] == want["hours"]
    assert actual["waiting"] == want["waiting"]
    assert actual["service"] == want["service"]
    assert {r["service"]: (r["served"], r["median"], r["p90"]) for r in actual["service_by_type"]} == want["service_by_type"]
    assert {c["code"]: c["count"] for c in actual["left_stages"]} == want["left_stages"]
    for name in ("outcomes", "referrals", "not_served_reasons", "segments", "languages", "channels_offered",
                 "channels_preferred"):
        assert counts_of(actual[name]) == dict(want[name]), name
    assert {c["code"]: c["count"] for c in actual["channel_step"]} == want["channel_step"]

    surveys = actual["surveys"]
    for name in ("served", "offered", "respondents", "response_rate"):
        assert surveys[name] == want["surveys"][name], name
    trust = next(d for d in surveys["drivers"] if d["question"] == "trust")
    assert (list(trust["counts"]), trust["percent_agree"], trust["point_scale"]) == want["surveys"]["trust"]
    ease = next(p for p in surveys["picked"] if (p["question"], p["option"]) == ("went_well", "ease"))
    assert ease["picked"] == want["surveys"]["went_well_ease"]

    complaints = actual["complaints"]
    for name in ("opened", "acknowledged", "resolved", "due", "overdue"):
        assert complaints[name] == want["complaints"][name], name
    assert {r["service"]: (r["complaints"], r["visits"]) for r in complaints["by_service"]} == \
        want["complaints"]["by_service"]

    for section, key in (("clerks", "staff_id"), ("stations", "station_id")):
        got = {r["code"]: (r["served"], r["no_shows"], r["resolved_share"], r["median_wait"], r["median_service"],
                           r["p90_service"]) for r in actual[section]}
        assert got == want[key], section

    got = {(r["code"], r["start"], r["end"]): (r["measured"], r["within"], r["value"], r["target"])
           for r in actual["standards"]}
    assert got == want["standards"]
    assert len(got) >= 7


def test_the_quarter_measures_the_changed_standard_against_each_version(demo):
    db, _path = demo
    summary = summary_for(db, "quarter", quarter="FY2027Q1")
    card = [r for r in summary.standards if r.code == "card_20"]
    assert len(card) == 2
    assert [r.target for r in card] == [85.0, 90.0]
    assert card[0].end + timedelta(days=1) == card[1].start
    for result in summary.standards:
        assert result.mark in ("✔ MET", "✖ MISSED", "– NO DATA")
        assert result.benchmark is not None and result.benchmark_text
