"""The lobby board as an HTML page (`cxdesk board --serve`), rendered from the same
figures as the terminal board (cxdesk.reports.lobby): semantic HTML with headings, lists
and a table, English with Spanish beside it (``lang`` on every Spanish part), large type,
black and white, an ``aria-live`` region that speaks each new call, and a plain refresh
when scripts are off. Pure: text in, text out; the server is lobby_server.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from cxdesk.reports.lobby import Call, LobbyFigures, PostedStandard, WaitEstimate, complaint_text

# Without scripts the page reloads itself this often (with them, calls are pushed).
REFRESH_SECONDS = 10


def _es(text: str) -> str:
    return f'<span lang="es">{escape(text)}</span>'


def _pair(en: str, es: str, sep: str = " · ") -> str:
    return f"{escape(en)}{escape(sep)}{_es(es)}"


def calls_html(calls: Sequence[Call]) -> str:
    """The tickets called, newest first: an ordered list (the first one large)."""
    if not calls:
        return f'<p class="none">{_pair("No number called yet today.", "Aún no se ha llamado ningún número hoy.")}</p>'
    items = []
    for index, call in enumerate(calls):
        now = (f' <strong class="calling">{_pair("◀ calling", "llamando")}</strong>'
               if call.calling else "")
        items.append(
            f'<li class="{"newest" if index == 0 else "earlier"}"><span class="ticket">{escape(call.ticket)}</span>'
            f' <span aria-hidden="true">→</span><span class="sr-only"> to </span> '
            f'<span class="window">{_pair(call.window("en"), call.window("es"))}</span>{now}</li>')
    return '<ol class="calls">' + "".join(items) + "</ol>"


def wait_html(waits: Sequence[WaitEstimate]) -> str:
    parts = []
    for wait in waits:
        if len(waits) > 1:
            parts.append(f"<h3>{_pair(wait.label('en'), wait.label('es'))}</h3>")
        if wait.range is None:
            parts.append(f'<p class="wait"><span aria-label="no estimate">—</span> '
                         f'{_pair(wait.why_missing("en"), wait.why_missing("es"))}</p>')
        else:
            parts.append(f'<p class="wait">{escape(wait.text("en"))}<br>{_es(wait.text("es"))}</p>')
        parts.append(f'<p class="people">{escape(wait.people("en"))}<br>{_es(wait.people("es"))}</p>')
    return "".join(parts)


def standards_html(standards: Sequence[PostedStandard], complain_days: int) -> str:
    """The posted standards as a table: the promise, then this week's result in words and a symbol."""
    rows = []
    for standard in standards:
        rows.append(
            "<tr>"
            f'<th scope="row">{escape(standard.wording("en"))}<br>{_es(standard.wording("es"))}</th>'
            f'<td class="mark {escape(standard.status.replace(" ", "-"))}">{escape(standard.mark("en"))}<br>'
            f'{_es(standard.mark("es"))}</td>'
            f'<td>{escape(standard.figure("en"))}<br>{_es(standard.figure("es"))}</td>'
            "</tr>")
    table = (
        '<table class="standards"><caption>'
        f'{_pair("Our promises, and how we did this week (Monday to today)", "Nuestros compromisos y cómo nos fue esta semana (de lunes a hoy)")}'
        '</caption><thead><tr>'
        f'<th scope="col">{_pair("Standard", "Norma")}</th>'
        f'<th scope="col">{_pair("Result", "Resultado")}</th>'
        f'<th scope="col">{_pair("This week", "Esta semana")}</th>'
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    complain = (f'<p class="complain">{escape(complaint_text(complain_days, "en"))}<br>'
                f'{_es(complaint_text(complain_days, "es"))}</p>')
    return table + complain


def announcement(call: Call | None) -> str:
    """What the live region says for a new call, in both languages."""
    if call is None:
        return ""
    return f"{call.spoken('en')} {call.spoken('es')}"


STYLE = """
:root { color-scheme: dark; }
body { margin: 0; background: #000; color: #fff; font-family: system-ui, "DejaVu Sans", sans-serif;
       font-size: clamp(18px, 2.4vw, 40px); line-height: 1.35; }
header { display: flex; justify-content: space-between; background: #ff0; color: #000;
         padding: .4em 1em; font-weight: bold; }
header h1 { font-size: 1.2em; margin: 0; }
header p { margin: 0; font-size: 1.2em; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22em), 1fr)); gap: 0 2em;
       padding: 0 1em 1em; }
h2 { color: #ff0; font-size: 1.1em; text-decoration: underline; margin: 1em 0 .4em; }
ol.calls { list-style: none; padding: 0; margin: 0; }
ol.calls li { margin: .2em 0; }
ol.calls li.newest { font-size: 2.2em; font-weight: bold; }
.ticket { font-family: "DejaVu Sans Mono", monospace; font-weight: bold; }
.calling { color: #ff0; }
.wait { font-size: 1.6em; font-weight: bold; margin: .2em 0; }
table.standards { border-collapse: collapse; width: 100%; font-size: .8em; }
table.standards caption { text-align: left; padding: .3em 0; }
table.standards th, table.standards td { border: 2px solid #fff; padding: .3em .5em; text-align: left;
       vertical-align: top; }
table.standards thead th { color: #ff0; }
tbody th { font-weight: normal; }
.mark { font-weight: bold; white-space: nowrap; }
.complain { border: 3px solid #fff; padding: .5em; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
           white-space: nowrap; }
a { color: #ff0; }
"""

SCRIPT = """
(function () {
  if (!window.EventSource) return;
  var audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [880, 660].forEach(function (hz, i) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = hz; o.connect(g); g.connect(audio.destination);
        var t = audio.currentTime + i * 0.35;
        g.gain.setValueAtTime(0.25, t); g.gain.exponentialRampToValueAtTime(0.001, t + 0.3);
        o.start(t); o.stop(t + 0.32);
      });
    } catch (e) {}
  }
  var feed = new EventSource("events");
  feed.addEventListener("board", function (e) {
    var d = JSON.parse(e.data);
    document.getElementById("calls").innerHTML = d.calls;
    document.getElementById("wait").innerHTML = d.wait;
    document.getElementById("clock").textContent = d.time;
    if (d.standards) document.getElementById("standards").innerHTML = d.standards;
    if (d.announce) { document.getElementById("announce").textContent = d.announce; chime(); }
    document.body.dataset.version = d.version;
  });
})();
"""


def render_page(figures: LobbyFigures, *, scripts: bool = True) -> str:
    """The whole page."""
    title = f"{figures.office_name} · Lobby"
    script = f"<script>{SCRIPT}</script>" if scripts else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<noscript><meta http-equiv="refresh" content="{REFRESH_SECONDS}"></noscript>
<style>{STYLE}</style>
</head>
<body>
<header><h1>{escape(figures.office_name)}</h1><p id="clock" aria-label="Time">{escape(figures.local_time)}</p></header>
<main>
<section aria-labelledby="h-calls">
<h2 id="h-calls">{_pair("Now calling", "Llamando")}</h2>
<p id="announce" class="sr-only" role="status" aria-live="assertive" aria-atomic="true"></p>
<div id="calls">{calls_html(figures.calls)}</div>
<h2 id="h-wait">{_pair("Estimated wait if you take a ticket now", "Espera estimada si toma un turno ahora")}</h2>
<div id="wait" aria-labelledby="h-wait">{wait_html(figures.waits)}</div>
</section>
<section aria-labelledby="h-standards">
<h2 id="h-standards">{_pair("Our service standards", "Nuestras normas de servicio")}</h2>
<div id="standards">{standards_html(figures.standards, figures.complain_days)}</div>
</section>
</main>
{script}
</body>
</html>
"""
