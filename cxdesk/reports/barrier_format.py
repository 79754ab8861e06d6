"""A BarrierReport as text lines, CSV records or JSON-ready data: one rendering for
the command line, the supervisor summary and exports."""

from __future__ import annotations

from decimal import Decimal

from cxdesk.domain.barrier.answers import MIN_GROUP
from cxdesk.domain.barrier.survey import load_barrier_survey
from cxdesk.reports.barrier import WITHHELD, BarrierReport, ItemResult

CSV_COLUMNS = ("office", "period", "section", "group", "code", "label", "value", "answered", "dont_know",
               "previous", "change", "note")
ROLE_NAMES = {"clerk": "Clerks", "supervisor": "Supervisors"}


def pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value}%"


def points(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:+} points"


def rate_line(report: BarrierReport) -> str:
    if report.active_staff:
        rate = (f"{report.respondents} answers from {report.active_staff} staff who signed in: "
                f"response rate {pct(report.response_rate)}")
    else:
        rate = f"{report.respondents} answers; no sign-ins recorded in the period, so no response rate"
    if report.previous_response_rate is not None:
        rate += (f" (previous period {pct(report.previous_response_rate)}, "
                 f"{points(report.response_rate_change)})")
    return rate


def withheld_line(count: int) -> str:
    return f"⚠ Withheld: {WITHHELD} ({count} answer{'s' if count != 1 else ''}; at least {MIN_GROUP} are needed)."


def text_lines(report: BarrierReport, lang: str = "en") -> list[str]:
    """The report as plain text, for a terminal or a summary."""
    survey = load_barrier_survey()
    lines = [f"Barrier survey · {report.office_code} · {report.period.label()} ({report.period.code})",
             rate_line(report), ""]
    if report.withheld:
        lines.append(withheld_line(report.respondents))
        return lines
    lines.append('Percent positive (agree + strongly agree, of those who answered other than "don\'t know"):')
    lines += _item_lines(report.items, survey, lang)
    lines += ["", "Barriers, most picked first (up to three each):"]
    for category in report.categories:
        change = "" if category.change is None else f"  ({category.change:+d} since {report.previous_period.code})"
        lines.append(f"  {category.rank:>2}. {survey.category(category.category).label(lang):<34} "
                     f"{category.picks:>3}{change}")
    lines += ["", "Ideas (listed in an order that says nothing about who wrote them or when):"]
    lines += [f"  • {idea}" for idea in report.ideas] or ["  (none this period)"]
    if report.roles:
        lines += ["", "By role:"]
        for group in report.roles:
            lines.append(f"  {ROLE_NAMES.get(group.group, group.group)}: {group.respondents} answers")
            if group.withheld:
                lines.append("    " + withheld_line(group.respondents))
            else:
                lines += ["  " + line for line in _item_lines(group.items, survey, lang)]
    if report.unrecorded_roles:
        lines += ["", f"{report.unrecorded_roles} answers carry no role: the office had a role with fewer "
                      f"than {MIN_GROUP} staff, and a role that small would name the person."]
    return lines


def _item_lines(items: tuple[ItemResult, ...], survey, lang: str) -> list[str]:
    lines = []
    for item in items:
        text = survey.item(item.item).text(lang)
        if item.withheld:
            lines.append(f"  {text:<58} ⚠ withheld ({item.answered} answered 1-5)")
            continue
        change = "" if item.change is None else f"  {points(item.change)}"
        lines.append(f"  {text:<58} {pct(item.percent_positive):>6}  of {item.answered}"
                     f", {item.dont_know} don't know{change}")
    return lines


def csv_records(report: BarrierReport, lang: str = "en") -> list[dict]:
    """One record per figure (long format), for write_csv with CSV_COLUMNS."""
    survey = load_barrier_survey()
    base = {"office": report.office_code, "period": report.period.code}
    records = [
        dict(base, section="response", code="respondents", label="Answers", value=report.respondents,
             previous=report.previous_respondents, change=report.respondents - report.previous_respondents),
        dict(base, section="response", code="active_staff", label="Staff who signed in",
             value=report.active_staff, previous=report.previous_active_staff),
        dict(base, section="response", code="response_rate", label="Response rate (%)",
             value=report.response_rate, previous=report.previous_response_rate,
             change=report.response_rate_change),
    ]
    if report.withheld:
        records.append(dict(base, section="results", label="Results", note=WITHHELD))
        return records
    groups = [("all", report.items)] + [(g.group, g.items) for g in report.roles if not g.withheld]
    for group, items in groups:
        for item in items:
            records.append(dict(base, section="item", group=group, code=item.item,
                                label=survey.item(item.item).text(lang), value=item.percent_positive,
                                answered=item.answered, dont_know=item.dont_know, previous=item.previous_percent,
                                change=item.change, note=WITHHELD if item.withheld else ""))
    for group in report.roles:
        if group.withheld:
            records.append(dict(base, section="item", group=group.group, label="Results", note=WITHHELD))
    for category in report.categories:
        records.append(dict(base, section="category", group="all", code=category.category,
                            label=survey.category(category.category).label(lang), value=category.picks,
                            previous=category.previous_picks, change=category.change,
                            note=f"rank {category.rank}"))
    records += [dict(base, section="idea", group="all", label=idea) for idea in report.ideas]
    return records


def as_data(report: BarrierReport) -> dict:
    """JSON-ready: numbers as numbers (percentages as floats to one decimal), None as null."""

    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    def items(results: tuple[ItemResult, ...]) -> list[dict]:
        return [dict(item=i.item, percent_positive=num(i.percent_positive), answered=i.answered,
                     dont_know=i.dont_know, withheld=i.withheld, previous_percent_positive=num(i.previous_percent),
                     change_points=num(i.change)) for i in results]

    return dict(
        office=report.office_code,
        period=dict(code=report.period.code, kind=report.period.kind, label=report.period.label(),
                    start=report.period.start.isoformat(), end=report.period.end.isoformat()),
        respondents=report.respondents,
        active_staff=report.active_staff,
        response_rate=num(report.response_rate),
        withheld=report.withheld,
        withheld_reason=WITHHELD if report.withheld else None,
        minimum_group=MIN_GROUP,
        items=items(report.items),
        categories=[dict(category=c.category, picks=c.picks, rank=c.rank, previous_picks=c.previous_picks,
                         change=c.change) for c in report.categories],
        ideas=list(report.ideas),
        roles=[dict(role=g.group, respondents=g.respondents, withheld=g.withheld, items=items(g.items))
               for g in report.roles],
        unrecorded_roles=report.unrecorded_roles,
        previous=dict(period=report.previous_period.code, respondents=report.previous_respondents,
                      active_staff=report.previous_active_staff, response_rate=num(report.previous_response_rate),
                      withheld=report.previous_withheld),
        response_rate_change_points=num(report.response_rate_change),
    )
