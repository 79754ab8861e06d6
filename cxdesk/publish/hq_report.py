"""Headquarters' quarter as one HTML page: national figures first, charts as static SVG
(drawn here: no plotting library to install), then every office side by side."""

from __future__ import annotations

from html import escape

from cxdesk.reports.hq import COLUMNS, HqReport, OfficeFigures, rows

# A chart with more bars than this shows the top ones and says so.
CHART_BARS = 40
BAR_HEIGHT, LABEL_WIDTH, CHART_WIDTH = 16, 90, 420


def _bars(title: str, items: list[tuple[str, float]], unit: str, note: str = "") -> str:
    """A horizontal bar chart; every bar carries its number, so no value is told by length alone."""
    shown = items[:CHART_BARS]
    top = max((value for _label, value in shown), default=0) or 1
    height = BAR_HEIGHT * len(shown) + 30
    parts = [f'<figure><figcaption>{escape(title)}</figcaption>',
             f'<svg role="img" aria-label="{escape(title)}" width="{LABEL_WIDTH + CHART_WIDTH + 80}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">']
    for index, (label, value) in enumerate(shown):
        y = 10 + index * BAR_HEIGHT
        width = CHART_WIDTH * value / top
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 11}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT - 4}" '
                     f'fill="#1f5f99"/><text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + 11}">'
                     f'{value:,.1f} {escape(unit)}</text>')
    parts.append("</svg>")
    if len(items) > CHART_BARS:
        parts.append(f"<p class=note>The {CHART_BARS} highest of {len(items)} offices; all are in the table.</p>")
    if note:
        parts.append(f"<p class=note>{escape(note)}</p>")
    parts.append("</figure>")
    return "".join(parts)


def _cell(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape(str(value))


def _card(label: str, value) -> str:
    return f'<div class=card><div class=value>{_cell(value)}</div><div>{escape(label)}</div></div>'


def render_html(report: HqReport) -> str:
    nation: OfficeFigures = report.national
    offices = list(report.offices)

    def ranked(attribute: str) -> list[tuple[str, float]]:
        values = [(office.code, float(getattr(office, attribute))) for office in offices
                  if getattr(office, attribute) is not None]
        return sorted(values, key=lambda item: -item[1])

    cards = "".join((
        _card("visits", nation.visits), _card("customers served", nation.served),
        _card("median wait (min)", nation.median_wait_min), _card("90% waited at most (min)", nation.p90_wait_min),
        _card("offered the survey", nation.offered), _card("respondents", nation.respondents),
        _card("trust, % agree", nation.trust_agree_pct), _card("complaints overdue", nation.complaints_overdue),
    ))
    channels = "".join(f"<li>{escape(channel)}: {count:,}</li>" for channel, count in nation.preferred[:8])
    charts = "".join((
        _bars("Visits by office", ranked("visits"), "visits"),
        _bars("Median wait by office", ranked("median_wait_min"), "min"),
        _bars("90th-percentile wait by office", ranked("p90_wait_min"), "min"),
        _bars("Trust (% agree, 4 or 5 of 5) by office", ranked("trust_agree_pct"), "%"),
        _bars("Complaints overdue by office", ranked("complaints_overdue"), ""),
        *(_bars(chart.title, list(chart.bars), chart.unit, chart.note) for chart in report.charts),
    ))
    notes = "".join(f"<p class=note>{escape(note)}</p>" for note in report.notes)
    columns = COLUMNS + report.extra_columns
    header = "".join(f"<th scope=col>{escape(column.replace('_', ' '))}</th>" for column in columns)
    body = []
    for record in rows(report):
        cells = "".join(f"<td>{_cell(record.get(column))}</td>" for column in columns)
        body.append(f"<tr>{cells}</tr>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Headquarters report {escape(report.quarter)}</title>
<style>
body {{ font-family: sans-serif; margin: 2rem; color: #111; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.card {{ border: 1px solid #888; padding: .6rem 1rem; min-width: 9rem; }}
.card .value {{ font-size: 1.6rem; font-weight: bold; }}
figure {{ margin: 1.5rem 0; }} figcaption {{ font-weight: bold; margin-bottom: .3rem; }}
table {{ border-collapse: collapse; font-size: .85rem; }} th, td {{ border: 1px solid #aaa; padding: .2rem .4rem; }}
td {{ text-align: right; }} td:nth-child(2) {{ text-align: left; }}
.note {{ color: #444; font-size: .85rem; }}
</style></head><body>
<h1>Headquarters report {escape(report.quarter)}</h1>
<p>{report.start:%d %B %Y} to {report.end:%d %B %Y}; complaints as of {report.as_of:%d %B %Y};
{len(offices)} offices.</p>
<h2>National figures</h2>
<div class=cards>{cards}</div>
<h3>Channels customers prefer next time (EO 12862 1(f))</h3><ol>{channels}</ol>
<h2>Offices compared</h2>
{charts}
<h2>Every office</h2>
<table><thead><tr>{header}</tr></thead><tbody>
{''.join(body)}
</tbody></table>
<p class=note>Waits in minutes, of customers called. Trust: the 1-5 trust question of the A-11 survey;
% agree counts 4 and 5. The first row is the nation.</p>
{notes}
</body></html>
"""
