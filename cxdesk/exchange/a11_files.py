"""The quarterly A-11 Section 280 folder: what the analyst uploads to and types into Touchpoints.

- ``touchpoints-<service>-<channel>.csv``: the one file Touchpoints uploads ("Upload CX
  Data Collection"), one row per respondent, exactly its 17 header names, UTF-8;
- ``worksheet.md`` and ``worksheet.csv``: the quarter's record to type into Touchpoints'
  forms (fiscal year, quarter, service provider, service, channel, transaction point,
  survey type and title, the trust statement as asked, OMB control number, customers
  served and offered the survey; respondents to compare with Touchpoints' own count);
- ``legacy-summary.csv`` for the Likert set: Touchpoints' older quarterly summary
  (removed there in November 2024), kept for the agency's own use.

``check_folder`` is the pre-upload check Touchpoints does not do: headers, encoding,
every cell in its domain, and respondents <= offered <= served. It reads the files as
they are on disk, so it also checks a file the analyst edited by hand.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import Session

from cxdesk.errors import CxdeskError
from cxdesk.exchange import touchpoints
from cxdesk.exchange.csvfile import write_csv
from cxdesk.reports.a11 import A11_DRIVERS, LIKERT, A11Quarter
from cxdesk.store.catalogs import office_catalog

WORKSHEET_CSV = "worksheet.csv"
WORKSHEET_MD = "worksheet.md"
LEGACY_CSV = "legacy-summary.csv"
WORKSHEET_COLUMNS = (
    "fiscal_year", "quarter", "service_provider", "service", "service_label", "channel", "transaction_point",
    "survey_type", "survey_title", "trust_question", "omb_control_number", "customers_served",
    "customers_offered", "respondents", "touchpoints_file",
)
LEGACY_COLUMNS = (
    "service_provider_id", "service_id", "year", "quarter", "service_provided", "transaction_point",
    "channel", "total_volume", "surveys_offered_count", "response_count", *A11_DRIVERS,
)
_FILE = re.compile(r"^touchpoints-(?P<service>[a-z0-9_]+)-(?P<channel>[a-z_]+)\.csv$")


def touchpoints_file(service: str, channel: str) -> str:
    return f"touchpoints-{service}-{channel}.csv"


@dataclass(frozen=True)
class Written:
    folder: Path
    files: tuple[str, ...]
    respondents: int


def write_folder(session: Session, quarter: A11Quarter, out: Path) -> Written:
    """Write the quarter's files into ``out`` (a new or empty folder), all or nothing:
    they are written beside it and moved in once complete."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CxdeskError(f"{out} is not an empty folder: give a new one, so no old file is mixed in.")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".a11-", dir=out.parent))
    try:
        files, total = _write_all(session, quarter, staging)
        if out.exists():
            for name in files:
                os.replace(staging / name, out / name)
            staging.rmdir()
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(out, tuple(files), total)


def _service_label(code: str) -> str:
    services = office_catalog("services")
    return services.get(code).label("en") if code in services else code


def _write_all(session: Session, quarter: A11Quarter, folder: Path) -> tuple[list[str], int]:
    files: list[str] = []
    sheet: list[dict] = []
    total = 0
    office_ids = list(quarter.office_ids)
    for line in quarter.lines:
        question_set = quarter.question_set(line)
        trust = question_set.question("trust")
        name = touchpoints_file(line.service, line.channel)
        with open(folder / name, "w", encoding="utf-8", newline="") as stream:
            rows = touchpoints.response_rows(session, question_set, office_ids, quarter.start, quarter.end,
                                             line.service)
            count = write_csv(stream, touchpoints.COLUMNS, rows)
        if count != line.respondents:  # the rows and the count come from different queries
            raise CxdeskError(f"{name}: {count} rows but {line.respondents} respondents were counted; "
                              "the database changed during the export. Run it again.")
        files.append(name)
        total += count
        sheet.append({
            "fiscal_year": quarter.fiscal_year, "quarter": quarter.quarter,
            "service_provider": quarter.submission.service_provider, "service": line.service,
            "service_label": _service_label(line.service), "channel": line.channel,
            "transaction_point": quarter.submission.transaction_point, "survey_type": question_set.survey_type,
            "survey_title": question_set.titles["en"],
            "trust_question": question_set.wording(trust, "en", service=line.service),
            "omb_control_number": quarter.submission.omb_control_number,
            "customers_served": line.served, "customers_offered": line.offered, "respondents": line.respondents,
            "touchpoints_file": name,
        })
    with open(folder / WORKSHEET_CSV, "w", encoding="utf-8", newline="") as stream:
        write_csv(stream, WORKSHEET_COLUMNS, sheet)
    (folder / WORKSHEET_MD).write_text(_worksheet_md(quarter, sheet), encoding="utf-8")
    files += [WORKSHEET_CSV, WORKSHEET_MD]
    legacy = [line for line in quarter.lines if quarter.question_set(line).code == LIKERT]
    if legacy:
        with open(folder / LEGACY_CSV, "w", encoding="utf-8", newline="") as stream:
            write_csv(stream, LEGACY_COLUMNS, ({
                "service_provider_id": quarter.submission.service_provider_id, "service_id": line.service,
                "year": quarter.fiscal_year, "quarter": quarter.quarter,
                "service_provided": _service_label(line.service),
                "transaction_point": quarter.submission.transaction_point, "channel": line.channel,
                "total_volume": line.served, "surveys_offered_count": line.offered,
                "response_count": line.respondents,
                # An empty cell, not NaN, where nobody answered.
                **{driver: _decimal(line.point_scale(driver)) for driver in A11_DRIVERS},
            } for line in legacy))
        files.append(LEGACY_CSV)
    return files, total


def _decimal(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _worksheet_md(quarter: A11Quarter, sheet: list[dict]) -> str:
    sub = quarter.submission
    out = [
        f"# A-11 Section 280 worksheet — {quarter.label}",
        "",
        f"Fiscal year **{quarter.fiscal_year}**, quarter **{quarter.quarter}** "
        f"({quarter.start:%d %b %Y} – {quarter.end:%d %b %Y}); offices: {', '.join(quarter.offices)}.",
        "",
        "Type these into Touchpoints' forms (they are not uploaded). Then upload each "
        "`touchpoints-*.csv` with \"Upload CX Data Collection\". Touchpoints counts the respondents "
        "from the uploaded rows: check that its count equals the one below.",
        "",
        f"- Service provider: **{sub.service_provider}**",
        f"- OMB control number: **{sub.omb_control_number}**",
        "",
    ]
    if not sheet:
        out += ["No customer was served in this quarter.", ""]
    for row in sheet:
        out += [
            f"## {row['service_label']} (`{row['service']}`) — channel `{row['channel']}`",
            "",
            "| field | value |",
            "|---|---|",
            f"| Transaction point | `{row['transaction_point']}` |",
            f"| Survey type | `{row['survey_type']}` |",
            f"| Survey title | {_md(row['survey_title'])} |",
            f"| Trust question (as asked) | {_md(row['trust_question'])} |",
            f"| OMB control number | {row['omb_control_number']} |",
            f"| Customers served | {row['customers_served']:,} |",
            f"| Customers offered the survey | {row['customers_offered']:,} |",
            f"| Respondents (Touchpoints counts the rows: check) | {row['respondents']:,} |",
            f"| File to upload | `{row['touchpoints_file']}` |",
            "",
        ]
    without = sum(line.without_trust for line in quarter.lines)
    if without:
        out += [f"{without:,} customers ended the survey before the trust statement; the form requires it, "
                "so they are not rows of the upload.", ""]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


# --- the pre-upload check ----------------------------------------------------------------


def check_folder(folder: Path) -> list[str]:
    """Everything wrong with an A-11 folder, as plain sentences; empty if it is fit to upload."""
    folder = Path(folder)
    if not folder.is_dir():
        return [f"{folder} is not a folder."]
    problems: list[str] = []
    sheet = _read_sheet(folder / WORKSHEET_CSV, problems)
    listed: dict[str, dict] = {}
    seen_lines: set[tuple[str, str]] = set()
    for row in sheet:
        where = f"{WORKSHEET_CSV}, {row.get('service', '?')}"
        key = (row.get("service", ""), row.get("channel", ""))
        if key in seen_lines:
            problems.append(f"{where}: service {key[0]} channel {key[1]} appears twice; "
                            "one file per service and channel.")
        seen_lines.add(key)
        numbers = {}
        for column in ("customers_served", "customers_offered", "respondents"):
            value = (row.get(column) or "").replace(",", "")
            if not value.isdigit():
                problems.append(f"{where}: {column} is {row.get(column)!r}, not a whole number.")
            else:
                numbers[column] = int(value)
        if len(numbers) == 3:
            if numbers["respondents"] > numbers["customers_offered"]:
                problems.append(f"{where}: respondents ({numbers['respondents']}) are more than the customers "
                                f"offered the survey ({numbers['customers_offered']}).")
            if numbers["customers_offered"] > numbers["customers_served"]:
                problems.append(f"{where}: customers offered the survey ({numbers['customers_offered']}) are more "
                                f"than the customers served ({numbers['customers_served']}).")
        if row.get("survey_type") not in touchpoints.QUESTION_1_DOMAIN:
            problems.append(f"{where}: survey_type is {row.get('survey_type')!r}; Touchpoints knows "
                            f"{' or '.join(touchpoints.QUESTION_1_DOMAIN)}.")
        if row.get("transaction_point") not in ("post_interaction", "post_service_journey", "relational"):
            problems.append(f"{where}: transaction_point {row.get('transaction_point')!r} is not one of "
                            "post_interaction, post_service_journey, relational.")
        name = row.get("touchpoints_file", "")
        if name != touchpoints_file(*key):
            problems.append(f"{where}: the file should be {touchpoints_file(*key)}, not {name!r}.")
        listed[name] = {**row, **numbers}
    on_disk = sorted(p.name for p in folder.glob("*.csv") if p.name.startswith("touchpoints-"))
    for name in on_disk:
        if name not in listed:
            problems.append(f"{name}: not in {WORKSHEET_CSV}; one file per service and channel, each listed there.")
    for name, row in listed.items():
        path = folder / name
        if not path.exists():
            problems.append(f"{name}: listed in {WORKSHEET_CSV} but missing.")
            continue
        problems += check_touchpoints_file(path, row.get("survey_type"), row.get("respondents"))
    if (folder / LEGACY_CSV).exists():
        problems += check_legacy_file(folder / LEGACY_CSV)
    return problems


def _read_sheet(path: Path, problems: list[str]) -> list[dict]:
    if not path.exists():
        problems.append(f"{path.name} is missing: it says each file's survey type and volumes.")
        return []
    text = _decode(path, problems)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    missing = [c for c in WORKSHEET_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        problems.append(f"{path.name}: no column {', '.join(missing)}.")
    return rows


def _decode(path: Path, problems: list[str]) -> str | None:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(f"{path.name}: starts with a byte-order mark (BOM); save it as UTF-8 without BOM.")
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.append(f"{path.name}: not UTF-8 (byte 0x{data[exc.start]:02X} on line {line}; "
                        "a spreadsheet may have saved it as Latin-1 / Windows-1252). Save it as UTF-8.")
        return None


def check_touchpoints_file(path: Path, survey_type: str | None, respondents: int | None = None) -> list[str]:
    """What is wrong with one Touchpoints response file."""
    problems: list[str] = []
    name = path.name
    if path.suffix != ".csv":
        problems.append(f"{name}: Touchpoints takes a .csv file.")
    text = _decode(path, problems)
    if text is None:
        return problems
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return [*problems, f"{name}: empty; it needs the header line."]
    expected = set(touchpoints.COLUMNS)
    doubled = sorted({c for c in header if header.count(c) > 1})
    if doubled:
        problems.append(f"{name}: column {', '.join(doubled)} appears more than once.")
    missing = [c for c in touchpoints.COLUMNS if c not in header]
    extra = [c for c in header if c not in expected]
    if missing:
        problems.append(f"{name}: missing column {', '.join(missing)}.")
    if extra:
        problems.append(f"{name}: column {', '.join(repr(c) for c in extra)} is not one of Touchpoints' 17; "
                        "no extra or renamed columns.")
    domain = touchpoints.QUESTION_1_DOMAIN.get(survey_type or "")
    index = {c: i for i, c in enumerate(header) if c in expected}
    nulls: dict[str, set[bool]] = {c: set() for c in touchpoints.DRIVER_COLUMNS}
    ids: set[str] = set()
    count = 0
    bad: dict[str, list[str]] = {}

    def note(kind: str, where: str) -> None:
        bad.setdefault(kind, []).append(where)

    for number, cells in enumerate(reader, start=2):
        if not cells:
            continue
        count += 1
        if len(cells) != len(header):
            note(f"has {len(cells)} cells where the header has {len(header)}", f"line {number}")
            continue
        value = {c: cells[i] for c, i in index.items()}
        external_id = value.get("external_id")
        if external_id is not None:
            if not external_id.strip():
                note("has an empty external_id", f"line {number}")
            elif external_id in ids:
                note("repeats an external_id", f"line {number}")
            ids.add(external_id)
        q1 = value.get("question_1")
        if q1 is not None and domain is not None and q1 not in domain:
            note(f"has question_1 outside {'/'.join(domain)} ({survey_type})", f"line {number} ({q1!r})")
        for column in touchpoints.DRIVER_COLUMNS:
            cell = value.get(column)
            if cell is None:
                continue
            if cell not in ("1", "0", touchpoints.NULL):
                note(f"has a {column} cell that is not 1, 0 or null", f"line {number} ({cell!r})")
            else:
                nulls[column].add(cell == touchpoints.NULL)
    for kind, where in bad.items():
        shown = ", ".join(where[:5]) + (f" and {len(where) - 5} more" if len(where) > 5 else "")
        problems.append(f"{name}: {shown} {kind}.")
    mixed = [c for c, seen in nulls.items() if len(seen) > 1]
    if mixed:
        problems.append(f"{name}: {', '.join(mixed)} is null in some rows and 0/1 in others; the form either "
                        "has an option or not.")
    if survey_type is None:
        problems.append(f"{name}: no survey type for it in {WORKSHEET_CSV}; question_1 could not be checked.")
    if respondents is not None and isinstance(respondents, int) and count != respondents:
        problems.append(f"{name}: {count} respondent rows, but the worksheet says {respondents}; "
                        "Touchpoints counts the rows.")
    return problems


def check_legacy_file(path: Path) -> list[str]:
    problems: list[str] = []
    text = _decode(path, problems)
    if text is None:
        return problems
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    if list(header) != list(LEGACY_COLUMNS):
        missing = [c for c in LEGACY_COLUMNS if c not in header]
        extra = [c for c in header if c not in LEGACY_COLUMNS]
        problems.append(f"{path.name}: the header is not the legacy summary's"
                        + (f" (missing {', '.join(missing)})" if missing else "")
                        + (f" (extra {', '.join(extra)})" if extra else "") + ".")
        return problems
    for number, row in enumerate(reader, start=2):
        volumes = {}
        for column in ("total_volume", "surveys_offered_count", "response_count"):
            if not (row[column] or "").isdigit():
                problems.append(f"{path.name}: line {number}: {column} {row[column]!r} is not a whole number.")
            else:
                volumes[column] = int(row[column])
        if len(volumes) == 3 and not (volumes["response_count"] <= volumes["surveys_offered_count"]
                                      <= volumes["total_volume"]):
            problems.append(f"{path.name}: line {number}: response_count <= surveys_offered_count <= "
                            "total_volume does not hold.")
        for driver in A11_DRIVERS:
            cell = row[driver]
            if cell == "":
                continue
            try:
                value = Decimal(cell)
            except InvalidOperation:
                value = None
            if value is None or not Decimal(1) <= value <= Decimal(5) or not re.fullmatch(r"\d\.\d\d", cell):
                problems.append(f"{path.name}: line {number}: {driver} {cell!r} is not a point scale "
                                "from 1.00 to 5.00 (or empty where nobody answered).")
    return problems
