"""The survey report as text (a terminal), CSV rows (written by the command through
exchange.csvfile) or an accessible HTML page: the same SurveyReport dataclass, figures
computed once."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from cxdesk.reports.survey_report import DIMENSIONS, Cut, DriverFigure, SurveyReport
from cxdesk.store.catalogs import office_catalog

DRIVER_WORDS = {
    "effectiveness": "Getting what they needed", "ease": "Ease", "efficiency": "Time it took",
    "transparency": "Clarity of the process", "humanity": "Respect", "employee": "Helpful staff",
    "satisfaction": "Overall satisfaction",
}
CSV_COLUMNS = ("quarter", "dimension", "value", "measure", "figure")


def _label(dimension: str, value: str) -> str:
    if dimension == "language":
        return {"en": "English", "es": "Spanish"}.get(value, value)
    catalog = {"service": "services", "segment": "segments"}.get(dimension)
    if catalog:
        items = office_catalog(catalog)
        return items.get(value).label("en") if value in items else value
    return "All customers"


def _num(value: Decimal | None, suffix: str = "") -> str:
    return "–" if value is None else f"{value}{suffix}"


def _change(now: Decimal | None, before: Decimal | None, unit: str) -> str:
    if now is None or before is None:
        return "no comparison (no answers in one of the quarters)"
    delta = now - before
    return f"{delta:+} {unit}"


def _driver_heading(figure: DriverFigure) -> str:
    scale = "net mentions, -100..+100" if figure.kind == "net" else "point scale 1-5"
    return f"{DRIVER_WORDS.get(figure.driver, figure.driver)} ({scale})"


def _act_line(figure: DriverFigure) -> str:
    words = DRIVER_WORDS.get(figure.driver, figure.driver)
    if figure.kind == "net":
        return f"{words}: net {figure.text()} ({figure.answers:,} mentions)"
    return f"{words}: {figure.text()} of 5 ({figure.answers:,} answers)"


def as_text(report: SurveyReport) -> str:
    t, p = report.total, report.previous
    out = [
        f"Customer survey report — {report.label} ({report.start:%d %b %Y} – {report.end:%d %b %Y})",
        f"Offices: {', '.join(report.offices)} · survey set: {', '.join(report.survey_sets)}",
        f"Trust statement as asked: \"{report.trust_statement}\"",
        "",
        f"Customers served {t.served:,} · offered the survey {t.offered:,} · respondents {t.respondents:,} "
        f"· response rate {_num(t.response_rate, '%')}",
        f"Trust: {_num(t.trust_agree, '%')} agree (4-5), point scale {_num(t.trust.point_scale)}",
        f"Since {report.previous_label}: trust agree {_change(t.trust_agree, p.trust_agree, 'points')}; "
        f"response rate {_change(t.response_rate, p.response_rate, 'points')}; "
        f"respondents {t.respondents - p.respondents:+,}",
        "",
        "Places to act (lowest-rated drivers):",
        *([f"  {n}. {_act_line(d)}" for n, d in enumerate(report.places_to_act, 1)] or ["  (no driver answers yet)"]),
        "",
        "Drivers: " + "; ".join(f"{DRIVER_WORDS.get(d.driver, d.driver)} {d.text()}" for d in t.drivers),
    ]
    for dimension in DIMENSIONS:
        out += ["", f"By {dimension}:",
                f"  {'':<34} {'served':>7} {'offered':>7} {'resp.':>6} {'rate':>6} {'trust':>6}  drivers"]
        for cut in report.cuts[dimension]:
            drivers = " ".join(f"{d.driver[:4]} {d.text()}" for d in cut.drivers if d.value is not None)
            out.append(f"  {_label(dimension, cut.value)[:34]:<34} {cut.served:>7,} {cut.offered:>7,} "
                       f"{cut.respondents:>6,} {_num(cut.response_rate, '%'):>6} {_num(cut.trust_agree, '%'):>6}"
                       f"  {drivers}")
    out += ["", f"Comments ({report.comments_total:,}; personal details withheld; newest "
                f"{len(report.comments)} shown):"]
    out += [f"  {c.day:%d %b} · {_label('service', c.service)} · {c.language} · trust {c.trust or '–'}: {c.text}"
            for c in report.comments] or ["  (none)"]
    return "\n".join(out) + "\n"


def csv_rows(report: SurveyReport) -> list[dict]:
    """The report as long-format rows (CSV_COLUMNS): one figure per row, for a spreadsheet."""
    rows: list[dict] = []

    def add(dimension: str, value: str, measure: str, figure: object) -> None:
        rows.append({"quarter": report.label, "dimension": dimension, "value": value, "measure": measure,
                     "figure": "" if figure is None else figure})

    for cut in [report.total, *(c for d in DIMENSIONS for c in report.cuts[d])]:
        for measure, figure in (("served", cut.served), ("offered", cut.offered), ("respondents", cut.respondents),
                                ("response_rate_pct", cut.response_rate), ("trust_agree_pct", cut.trust_agree),
                                ("trust_point_scale", cut.trust.point_scale)):
            add(cut.dimension, cut.value, measure, figure)
        for driver in cut.drivers:
            add(cut.dimension, cut.value, f"{driver.driver}_{driver.kind}", driver.value)
    previous = report.previous
    for measure, figure in (("respondents", previous.respondents), ("response_rate_pct", previous.response_rate),
                            ("trust_agree_pct", previous.trust_agree)):
        rows.append({"quarter": report.previous_label, "dimension": "all", "value": "all", "measure": measure,
                     "figure": "" if figure is None else figure})
    for rank, driver in enumerate(report.places_to_act, 1):
        add("place_to_act", str(rank), f"{driver.driver}_{driver.kind}", driver.value)
    return rows


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; background: #fff; line-height: 1.5; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #565c65; padding: .3rem .6rem; text-align: right; }
th[scope=row], caption { text-align: left; }
caption { font-weight: bold; padding: .3rem 0; }
blockquote { margin: .3rem 0; padding-left: .8rem; border-left: 4px solid #1f5f99; }
"""


def _cut_table(dimension: str, cuts: tuple[Cut, ...]) -> str:
    drivers = cuts[0].drivers if cuts else ()
    head = "".join(f'<th scope="col">{escape(_driver_heading(d))}</th>' for d in drivers)
    rows = []
    for cut in cuts:
        cells = "".join(f"<td>{escape(d.text())}</td>" for d in cut.drivers)
        rows.append(f'<tr><th scope="row">{escape(_label(dimension, cut.value))}</th><td>{cut.served:,}</td>'
                    f"<td>{cut.offered:,}</td><td>{cut.respondents:,}</td><td>{_num(cut.response_rate, '%')}</td>"
                    f"<td>{_num(cut.trust_agree, '%')}</td>{cells}</tr>")
    return (f"<table><caption>By {escape(dimension)}</caption><thead><tr><th scope=\"col\">{escape(dimension)}</th>"
            '<th scope="col">Served</th><th scope="col">Offered the survey</th><th scope="col">Respondents</th>'
            '<th scope="col">Response rate</th><th scope="col">Trust: agree (4-5)</th>'
            f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def as_html(report: SurveyReport) -> str:
    t, p = report.total, report.previous
    act = "".join(f"<li>{escape(_act_line(d))}</li>" for d in report.places_to_act) or "<li>No driver answers yet.</li>"
    comments = "".join(
        f"<li><p>{c.day:%d %b %Y} · {escape(_label('service', c.service))} · {escape(c.language)} · "
        f"trust {c.trust or '–'}</p><blockquote>{escape(c.text)}</blockquote></li>" for c in report.comments)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Customer survey report {escape(report.label)}</title><style>{STYLE}</style></head>
<body><main>
<h1>Customer survey report — {escape(report.label)}</h1>
<p>{report.start:%d %B %Y} to {report.end:%d %B %Y}. Offices: {escape(', '.join(report.offices))}.
Survey set: {escape(', '.join(report.survey_sets))}.</p>
<p>Trust statement, as asked: <q>{escape(report.trust_statement)}</q></p>
<h2>Volumes and trust</h2>
<ul><li>Customers served: {t.served:,}</li><li>Customers offered the survey: {t.offered:,}</li>
<li>Respondents: {t.respondents:,} (response rate {_num(t.response_rate, '%')})</li>
<li>Trust: {_num(t.trust_agree, '%')} agree (4-5); point scale {_num(t.trust.point_scale)}</li></ul>
<h2>Change since {escape(report.previous_label)}</h2>
<ul><li>Trust agree: {escape(_change(t.trust_agree, p.trust_agree, 'points'))}</li>
<li>Response rate: {escape(_change(t.response_rate, p.response_rate, 'points'))}</li>
<li>Respondents: {t.respondents - p.respondents:+,}</li></ul>
<h2>Places to act</h2><p>The lowest-rated drivers this quarter:</p><ol>{act}</ol>
<h2>Breakdowns</h2>
{''.join(_cut_table(d, report.cuts[d]) for d in DIMENSIONS)}
<h2>Comments</h2><p>{report.comments_total:,} comments; personal details withheld; the newest
{len(report.comments)} shown.</p><ul>{comments or '<li>None.</li>'}</ul>
</main></body></html>
"""
