"""The customer service plan a customer can read (EO 12862 Sec. 3), in English or Spanish,
as Markdown or an accessible HTML page. Built from one Plan dataclass (reports.plan)."""

from __future__ import annotations

from html import escape

from cxdesk.reports.plan import Plan
from cxdesk.reports.standards import MET, MISSED, StandardResult

WORDS = {
    "en": {
        "title": "Our customer service plan",
        "intro": "This plan says what {office} promises you, how well we kept those promises this quarter, "
                 "how we ask for your views, how to complain, and what we will change because of what you "
                 "and our staff told us. Updated {day}.",
        "standards": "Our promises to you",
        "standards_intro": "Results for {quarter} so far, measured at the counter.",
        "promise": "Promise", "target": "Our target", "result": "Result so far", "benchmark": "Compared with",
        "met": "✔ Met", "missed": "✖ Not met", "nodata": "– No results yet",
        "no_benchmark": "No outside benchmark yet.",
        "benchmarks": "How we compare with the best",
        "benchmarks_intro": "We compare our results with the best service we know of. The figures and where "
                            "they come from:",
        "benchmark_line": "{promise}: {value} ({source}, {as_of}).",
        "no_benchmarks": "We have not set outside benchmarks yet.",
        "surveys": "How we ask for your views",
        "survey_customers": "After every visit we offer you a short survey, \"{title}\", on our screen or a "
                            "kiosk, in English or Spanish. It is anonymous and you may skip it. The first "
                            "statement, in the words we use: \"{trust}\"",
        "survey_results": "This quarter so far {respondents} customers answered ({rate} of those offered the "
                          "survey); {agree} agreed with that statement.",
        "survey_staff": "We ask our staff, anonymously, every {kind}, what stops them from serving you better.",
        "survey_staff_last": "In {period}, {count} staff members answered.",
        "complain": "How to complain and what happens next",
        "complain_steps": [
            "Tell any clerk, call us, write to us, or use our website. It costs nothing.",
            "You get a reference number at once.",
            "If we can settle it at the counter, we do so within {frontline} working days.",
            "Otherwise we confirm we are looking into it within {acknowledge} working days and give you our "
            "answer within {investigation} working days.",
            "If we need longer, we tell you why and the new date (at most {max_extension} more working days).",
            "Weekends and federal holidays are not working days.",
        ],
        "changes": "What we will change next",
        "changes_intro": "Because of what you told us in the survey:",
        "change_line": "You rated {driver} among the lowest. We will: {action}",
        "no_changes": "Not enough survey answers yet to say what to change first.",
        "staff_intro": "Because of what our staff told us, these get in the way most:",
        "staff_line": "{label} ({picks} mentions).",
        "unit_pct": "{value:.1f}%", "unit_points": "{value:.2f} of 5",
        "at_least": "at least", "at_most": "at most",
        "kind": {"month": "month", "quarter": "quarter"},
        "na": "not yet known",
    },
    "es": {
        "title": "Nuestro plan de servicio al cliente",
        "intro": "Este plan explica lo que {office} le promete, cómo cumplimos esas promesas este trimestre, "
                 "cómo le pedimos su opinión, cómo presentar una queja y qué cambiaremos por lo que usted y "
                 "nuestro personal nos dijeron. Actualizado el {day}.",
        "standards": "Nuestras promesas",
        "standards_intro": "Resultados de {quarter} hasta ahora, medidos en la ventanilla.",
        "promise": "Promesa", "target": "Nuestra meta", "result": "Resultado hasta ahora",
        "benchmark": "Comparado con",
        "met": "✔ Cumplida", "missed": "✖ No cumplida", "nodata": "– Sin resultados aún",
        "no_benchmark": "Aún sin referencia externa.",
        "benchmarks": "Cómo nos comparamos con los mejores",
        "benchmarks_intro": "Comparamos nuestros resultados con el mejor servicio que conocemos. Las cifras "
                            "y su origen:",
        "benchmark_line": "{promise}: {value} ({source}, {as_of}).",
        "no_benchmarks": "Aún no hemos fijado referencias externas.",
        "surveys": "Cómo le pedimos su opinión",
        "survey_customers": "Después de cada visita le ofrecemos una breve encuesta, \"{title}\", en nuestra "
                            "pantalla o en un quiosco, en inglés o en español. Es anónima y puede omitirla. "
                            "La primera afirmación, con nuestras palabras: \"{trust}\"",
        "survey_results": "En lo que va del trimestre respondieron {respondents} clientes ({rate} de quienes "
                          "recibieron la encuesta); {agree} estuvo de acuerdo con esa afirmación.",
        "survey_staff": "Cada {kind} preguntamos a nuestro personal, de forma anónima, qué les impide "
                        "atenderle mejor.",
        "survey_staff_last": "En {period} respondieron {count} empleados.",
        "complain": "Cómo presentar una queja y qué sucede después",
        "complain_steps": [
            "Dígaselo a cualquier empleado, llámenos, escríbanos o use nuestro sitio web. No cuesta nada.",
            "Recibirá de inmediato un número de referencia.",
            "Si podemos resolverla en la ventanilla, lo hacemos en un plazo de {frontline} días hábiles.",
            "Si no, le confirmamos que la estamos revisando en {acknowledge} días hábiles y le damos nuestra "
            "respuesta en {investigation} días hábiles.",
            "Si necesitamos más tiempo, le decimos por qué y la nueva fecha (como máximo {max_extension} días "
            "hábiles más).",
            "Los fines de semana y los días feriados federales no son días hábiles.",
        ],
        "changes": "Qué cambiaremos a continuación",
        "changes_intro": "Por lo que usted nos dijo en la encuesta:",
        "change_line": "Entre las calificaciones más bajas está {driver}. Haremos lo siguiente: {action}",
        "no_changes": "Aún no hay suficientes respuestas para decidir qué cambiar primero.",
        "staff_intro": "Por lo que nos dijo nuestro personal, esto es lo que más estorba:",
        "staff_line": "{label} (menciones: {picks}).",
        "unit_pct": "{value:.1f} %", "unit_points": "{value:.2f} de 5",
        "at_least": "al menos", "at_most": "como máximo",
        "kind": {"month": "mes", "quarter": "trimestre"},
        "na": "aún no se sabe",
    },
}


def _value(result: StandardResult, value: float | None, w: dict) -> str:
    if value is None:
        return w["na"]
    return (w["unit_points"] if result.unit == "points" else w["unit_pct"]).format(value=value)


def _mark(result: StandardResult, w: dict) -> str:
    return {MET: w["met"], MISSED: w["missed"]}.get(result.status, w["nodata"])


def _wording(result: StandardResult, lang: str) -> str:
    return result.wording_es if lang == "es" else result.wording_en


def _pct(value, lang: str) -> str:
    if value is None:
        return WORDS[lang]["na"]
    return f"{value} %" if lang == "es" else f"{value}%"


def sections(plan: Plan, lang: str) -> list[tuple[str, list[str] | str, str]]:
    """(heading, paragraphs or list items, kind) for both renderers: kind is p, ul, ol or table."""
    w = WORDS[lang]
    out: list = []
    rows = []
    # A standard changed during the quarter is measured per version; the plan shows
    # the promise in force now (the last version).
    current = list({result.code: result for result in plan.standards}.values())
    for result in current:
        target = f"{w['at_most'] if result.lower_is_better else w['at_least']} {_value(result, result.target, w)}"
        bench = w["no_benchmark"] if result.benchmark is None else \
            f"{_value(result, result.benchmark.value, w)} — {result.benchmark.source}"
        rows.append([_wording(result, lang), target, f"{_value(result, result.value, w)} {_mark(result, w)}", bench])
    out.append((w["standards"], [w["standards_intro"].format(quarter=plan.quarter_label)], "p"))
    out.append(("", [[w["promise"], w["target"], w["result"], w["benchmark"]], *rows], "table"))
    bench_lines = [w["benchmark_line"].format(promise=_wording(r, lang).rstrip("."),
                                              value=_value(r, r.benchmark.value, w),
                                              source=r.benchmark.source, as_of=r.benchmark.as_of.isoformat())
                   for r in current if r.benchmark is not None]
    out.append((w["benchmarks"], [w["benchmarks_intro"]], "p"))
    out.append(("", bench_lines or [w["no_benchmarks"]], "ul"))
    total = plan.survey.total
    paragraphs = [w["survey_customers"].format(title=plan.survey_titles[lang], trust=plan.trust_statements[lang]),
                  w["survey_results"].format(respondents=f"{total.respondents:,}",
                                             rate=_pct(total.response_rate, lang),
                                             agree=_pct(total.trust_agree, lang))]
    if plan.barrier_kind:
        paragraphs.append(w["survey_staff"].format(kind=w["kind"].get(plan.barrier_kind, plan.barrier_kind)))
        if plan.barrier_period:
            paragraphs.append(w["survey_staff_last"].format(period=plan.barrier_period[lang],
                                                            count=plan.barrier_respondents))
    out.append((w["surveys"], paragraphs, "p"))
    out.append((w["complain"], [step.format(**plan.complaint_days) for step in w["complain_steps"]], "ol"))
    changes = [w["change_line"].format(driver=plan.words.driver.get(d.driver, {}).get(lang, d.driver),
                                       action=plan.words.action.get(d.driver, {}).get(lang, ""))
               for d in plan.changes]
    out.append((w["changes"], [w["changes_intro"]] if changes else [w["no_changes"]], "p"))
    if changes:
        out.append(("", changes, "ul"))
    if plan.barrier_findings:
        out.append(("", [w["staff_intro"]], "p"))
        out.append(("", [w["staff_line"].format(label=f.labels[lang], picks=f.picks) for f in plan.barrier_findings],
                    "ul"))
    return out


def _intro(plan: Plan, lang: str) -> str:
    return WORDS[lang]["intro"].format(office=plan.office_name, day=plan.today.isoformat())


def as_markdown(plan: Plan, lang: str) -> str:
    w = WORDS[lang]
    out = [f"# {w['title']} — {plan.office_name}", "", _intro(plan, lang), ""]
    for heading, body, kind in sections(plan, lang):
        if heading:
            out += [f"## {heading}", ""]
        if kind == "table":
            header, *rows = body
            out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        elif kind in ("ul", "ol"):
            out += [f"{'1.' if kind == 'ol' else '-'} {item}" for item in body]
        else:
            for paragraph in body:
                out += [paragraph, ""]
            continue
        out.append("")
    return "\n".join(out).rstrip() + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; font-size: 1.1rem; line-height: 1.6; color: #1b1b1b;
       background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { color: #1a4480; } h2 { color: #1a4480; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #565c65; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: #e7f2fb; }
"""


def as_html(plan: Plan, lang: str) -> str:
    w = WORDS[lang]
    body = []
    for heading, content, kind in sections(plan, lang):
        if heading:
            body.append(f"<h2>{escape(heading)}</h2>")
        if kind == "table":
            header, *rows = content
            body.append(f"<table><caption>{escape(w['standards'])}</caption><thead><tr>"
                        + "".join(f'<th scope="col">{escape(h)}</th>' for h in header) + "</tr></thead><tbody>"
                        + "".join("<tr>" + f'<th scope="row">{escape(row[0])}</th>'
                                  + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:]) + "</tr>"
                                  for row in rows) + "</tbody></table>")
        elif kind in ("ul", "ol"):
            body.append(f"<{kind}>" + "".join(f"<li>{escape(item)}</li>" for item in content) + f"</{kind}>")
        else:
            body += [f"<p>{escape(paragraph)}</p>" for paragraph in content]
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(w['title'])} — {escape(plan.office_name)}</title><style>{STYLE}</style></head>\n"
            f"<body><main><h1>{escape(w['title'])} — {escape(plan.office_name)}</h1>"
            f"<p>{escape(_intro(plan, lang))}</p>\n" + "\n".join(body) + "\n</main></body></html>\n")
