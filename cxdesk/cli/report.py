"""`cxdesk report ...`: the supervisor's reports from the shell. `report summary` prints the
same figures as the F8 screen, as text, CSV (through exchange.csvfile) or JSON."""

from __future__ import annotations

import io
import json
import sys
from datetime import date

import click

from cxdesk.cli.base import db_option, open_db
from cxdesk.errors import CxdeskError

FORMATS = ("text", "csv", "json")
CSV_COLUMNS = ("section", "item", "figure", "value")


@click.group("report")
def report_group() -> None:
    """Reports for supervisors (EO 12862 1(c), Sec. 2)."""


@report_group.command("summary")
@db_option
@click.option("--period", type=click.Choice(["shift", "day", "week", "quarter"]), default="day",
              show_default=True, help="A shift, a day, the week (Monday-Sunday) or a fiscal quarter.")
@click.option("--date", "day_text", metavar="YYYY-MM-DD", help="A day in the period (default: today).")
@click.option("--quarter", metavar="FY2027Q1", help="A federal fiscal quarter (FY2027 Q1 = Oct-Dec 2026).")
@click.option("--station", "station_code", metavar="CODE", help="Only this station (for a shift: its station).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--staff", "staff_code", metavar="CODE", required=True,
              help="Your staff code (a supervisor); the PIN is asked for.")
@click.pass_context
def summary_command(ctx: click.Context, db_url: str | None, period: str, day_text: str | None,
                    quarter: str | None, station_code: str | None, fmt: str, staff_code: str) -> None:
    """The supervisor summary: volumes, waits, outcomes, surveys, complaints, standards."""
    from cxdesk.clock import utcnow
    from cxdesk.domain.office import require_office
    from cxdesk.domain.staff import check_pin
    from cxdesk.reports.scope import resolve_scope
    from cxdesk.reports.summary import office_summary

    day = _parse_day(day_text) if day_text else None
    database = open_db(ctx, db_url)
    try:
        with database.session() as session:
            office = require_office(session)
            now = utcnow()
            pin = click.prompt(f"PIN for {staff_code.upper()}", hide_input=sys.stdin.isatty(), err=True)
            viewer = check_pin(session, office, staff_code, pin, now)
            today = office.local_day(now)
            scope = resolve_scope(session, office, period, today, day=day, quarter=quarter,
                                  station_code=station_code)
            summary = office_summary(session, office, scope, viewer, today)
    finally:
        database.dispose()
    if fmt == "json":
        from cxdesk.reports.summary import summary_dict

        click.echo(json.dumps(summary_dict(summary), indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        from cxdesk.exchange.csvfile import write_csv

        buffer = io.StringIO()
        write_csv(buffer, CSV_COLUMNS, csv_rows(summary))
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(summary_text(summary))


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CxdeskError(f"--date wants a date like 2026-11-24, not {text!r}.") from None


def minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def csv_rows(s) -> list[dict]:
    """One row per figure: section, item, figure, value (long format, easy to pivot)."""
    rows: list[dict] = []

    def add(section: str, item: str, figure: str, value) -> None:
        rows.append({"section": section, "item": item, "figure": figure, "value": value})

    add("period", s.kind, "start", s.start.isoformat())
    add("period", s.kind, "end", s.end.isoformat())
    add("period", s.kind, "label", s.label)
    for name, value in vars(s.volumes).items():
        add("volumes", name, "count", value)
    for row in s.hours:
        add("hours", f"{row.hour:02d}", "arrived", row.arrived)
        add("hours", f"{row.hour:02d}", "served", row.served)
    for section, times in (("waiting", s.waiting), ("service", s.service)):
        for name, value in vars(times).items():
            add(section, "all", f"{name} seconds" if name != "count" else name, value)
    for row in s.service_by_type:
        add("service time", row.service, "served", row.served)
        add("service time", row.service, "median seconds", row.median)
        add("service time", row.service, "p90 seconds", row.p90)
    for section, items in (("left before service", s.left_stages), ("outcomes", s.outcomes),
                           ("referrals", s.referrals), ("not served reasons", s.not_served_reasons),
                           ("segments", s.segments), ("languages", s.languages),
                           ("channels offered", s.channels_offered), ("channels preferred", s.channels_preferred),
                           ("channel step", s.channel_step)):
        for c in items:
            add(section, c.code, "count", c.count)
    survey = s.surveys
    for name in ("served", "offered", "respondents", "response_rate"):
        add("surveys", "volumes", name, getattr(survey, name))
    for d in survey.drivers:
        add("surveys", d.question, "answers", d.answers)
        add("surveys", d.question, "percent agree", d.percent_agree)
        add("surveys", d.question, "point scale", d.point_scale)
    for p in survey.picked:
        add("surveys", f"{p.question}:{p.option}", "picked", p.picked)
        add("surveys", f"{p.question}:{p.option}", "asked", p.asked)
    c = s.complaints
    for name in ("opened", "acknowledged", "resolved", "due", "overdue"):
        add("complaints", "all", name, getattr(c, name))
    for rate in c.by_service:
        add("complaints", rate.service or "(none)", "complaints", rate.complaints)
        add("complaints", rate.service or "(none)", "per 1000 visits", rate.per_1000)
    for section, breakdown in (("clerks", s.clerks), ("stations", s.stations)):
        for row in breakdown:
            for name in ("served", "no_shows", "resolved_share", "median_wait", "median_service", "p90_service"):
                add(section, row.code, name, getattr(row, name))
    for r in s.standards:
        item = r.code if r.start == s.start and r.end == s.end else f"{r.code} {r.start}..{r.end}"
        add("standards", item, "result", r.value)
        add("standards", item, "target", r.target)
        add("standards", item, "status", r.mark)
        add("standards", item, "measured", r.measured)
        add("standards", item, "benchmark", r.benchmark.value if r.benchmark else None)
        add("standards", item, "benchmark source", r.benchmark.source if r.benchmark else None)
        add("standards", item, "gap to benchmark", r.gap_to_benchmark)
    if s.signoff is not None:
        add("sign-off", s.signoff.signed_by_code, "status", s.signoff.mark)
        add("sign-off", s.signoff.signed_by_code, "signed at", s.signoff.signed_at.isoformat())
        add("sign-off", s.signoff.signed_by_code, "note", s.signoff.note)
        for change in s.signoff.changes:
            add("sign-off", change.figure, "changed", f"{change.before} -> {change.after}")
    return rows


def summary_text(s) -> str:
    """The summary as a plain report for a terminal or a printout."""
    v = s.volumes
    lines = [f"{s.office_name} ({s.office_code}) · {s.label}", ""]
    lines.append(f"Arrived {v.arrived} · served {v.served} · no-shows {v.no_shows} · left before service {v.left}"
                 f" · still in line {v.in_line} · at a counter {v.at_counter}")
    lines.append(f"Walk-ups logged without queueing {v.walk_ups} · appointments {v.appointments}"
                 f" · transferred {v.transferred} · put on hold {v.held}")
    lines += ["", "Waiting time: median {} · 90th percentile {} · mean {} · longest {}".format(
        minutes(s.waiting.median), minutes(s.waiting.p90), minutes(s.waiting.mean), minutes(s.waiting.longest)),
        "Service time: median {} · 90th percentile {} · mean {} · longest {}".format(
        minutes(s.service.median), minutes(s.service.p90), minutes(s.service.mean), minutes(s.service.longest))]
    lines += ["", "STANDARDS"]
    for r in s.standards:
        span = "" if (r.start, r.end) == (s.start, s.end) else f" [{r.start} – {r.end}]"
        lines.append(f"  {r.mark:<11} {r.description}{span}: {r.show(r.value)} (target {r.target_text};"
                     f" {r.measured} measured) · {r.benchmark_text}")
    lines += ["", "ARRIVALS AND SERVED BY HOUR", "  hour  arrived  served"]
    lines += [f"  {h.hour:02d}:00 {h.arrived:8d} {h.served:7d}" for h in s.hours]
    for title, items in (("LEFT BEFORE SERVICE", s.left_stages), ("OUTCOMES", s.outcomes),
                         ("REFERRALS", s.referrals), ("COULD NOT BE SERVED, WHY", s.not_served_reasons),
                         ("SEGMENTS", s.segments), ("LANGUAGES", s.languages),
                         ("CHANNELS OFFERED", s.channels_offered), ("CHANNELS PREFERRED", s.channels_preferred),
                         ("CHANNEL STEP", s.channel_step)):
        lines += ["", title] + [f"  {c.count:6d}  {c.label}" for c in items]
    lines += ["", "SERVICE TIME BY SERVICE", "  served  median   p90     service"]
    lines += [f"  {r.served:6d}  {minutes(r.median):>8} {minutes(r.p90):>9}  {r.label}" for r in s.service_by_type]
    sv = s.surveys
    rate = "–" if sv.response_rate is None else f"{sv.response_rate:.1f}%"
    lines += ["", f"SURVEYS: served {sv.served} · offered {sv.offered} · respondents {sv.respondents}"
                  f" · response rate {rate}"]
    for d in sv.drivers:
        agree = "–" if d.percent_agree is None else f"{d.percent_agree:.1f}%"
        scale = "–" if d.point_scale is None else f"{d.point_scale:.2f}"
        lines.append(f"  {d.question}: {d.answers} answers · {agree} agree · point scale {scale}")
    c = s.complaints
    lines += ["", f"COMPLAINTS: opened {c.opened} · acknowledged {c.acknowledged} · resolved {c.resolved}"
                  f" · due in the period {c.due} · overdue {c.overdue}"]
    lines += [f"  {r.complaints:4d}  {'–' if r.per_1000 is None else f'{r.per_1000:.1f}':>6} per 1,000  {r.label}"
              for r in c.by_service]
    for title, rows in (("CLERKS", s.clerks), ("STATIONS", s.stations)):
        lines += ["", f"{title}  served  no-shows  resolved  median wait  median service  p90 service"]
        lines += [f"  {r.code:<6} {r.served:6d} {r.no_shows:9d} "
                  f"{'–' if r.resolved_share is None else f'{r.resolved_share:.1f}%':>9} {minutes(r.median_wait):>12}"
                  f" {minutes(r.median_service):>14} {minutes(r.p90_service):>12}  {r.name}" for r in rows]
    if s.signoff is not None:
        so = s.signoff
        from zoneinfo import ZoneInfo

        at = so.signed_at.astimezone(ZoneInfo(s.timezone))
        lines += ["", f"SIGN-OFF: {so.mark} by {so.signed_by_code} {so.signed_by_name} on {at:%a %d %b %Y %H:%M}",
                  f"  note: {so.note or '–'}"]
        lines += [f"  changed since: {change}" for change in so.changes]
    elif s.can_sign_off:
        lines += ["", "SIGN-OFF: not signed off yet"]
    return "\n".join(lines)


# Each report of its own module joins the group here (loaded with `cxdesk report`).
from cxdesk.cli import report_barriers, report_estimates, report_surveys

for _report in (report_barriers.barriers, report_estimates.estimates, report_surveys.surveys):
    report_group.add_command(_report)
