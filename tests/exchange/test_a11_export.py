"""The quarterly A-11 folder: every volume, row and point scale recomputed from the raw
tables (plain sqlite3 and Python, none of the export's code), and the pre-upload check
fed hand-broken files."""

from __future__ import annotations

import csv
import shutil
import sqlite3
import uuid
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from cxdesk.exchange.a11_files import check_folder, write_folder
from cxdesk.reports.a11 import a11_quarter
from tests.factories import DEMO_NOW, FIXED_NOW, fill_demo, serve, supervisor_of, survey_many

START, END = "2026-10-01", "2026-12-31"  # FY2027 Q1
HEADER = ["external_id", "question_1",
          *(f"{sign}_{d}" for sign in ("positive", "negative")
            for d in ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")),
          "question_4"]
LEGACY = ["satisfied", "trust", "effective", "easy", "efficient", "transparent", "employee"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Twenty working days of the demo office up to DEMO_NOW (all in FY2027 Q1) and its A-11 folder."""
    folder = tmp_path_factory.mktemp("a11demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXDESK_HOME", str(folder / "home"))
        url = f"sqlite:///{folder / 'demo.db'}"
        from cxdesk.demo import surveys

        fill_demo(url, now=DEMO_NOW, extenders=[surveys.EXTENDER])
        from cxdesk.store.db import open_database

        db = open_database(url)
        try:
            with db.session() as session:
                write_folder(session, a11_quarter(session, 2027, 1), folder / "out")
        finally:
            db.dispose()
    return folder / "demo.db", folder / "out"


# --- the independent recomputation --------------------------------------------------------


def _id(value) -> str:
    return str(uuid.UUID(str(value)))


def recompute(path: Path) -> dict:
    """Per service: served, offered, respondents, the expected Touchpoints rows, and the
    1-5 answer counts per question, straight from the tables."""
    conn = sqlite3.connect(path)
    try:
        visits = {_id(v): (service or wanted, state, offer, day) for v, service, wanted, state, offer, day in conn.execute(
            "SELECT id, service, service_wanted, state, survey_offer, day FROM visit")}
        reached = {_id(v) for v, status in conn.execute("SELECT visit_id, status FROM surveyinvitation")
                   if status not in ("pending", "expired")}
        responses = {_id(r): (_id(v), s, c) for r, v, s, c in conn.execute(
            "SELECT id, visit_id, survey_set, comment FROM surveyresponse")}
        answers = defaultdict(list)
        for r, q, choice, score in conn.execute("SELECT response_id, question, choice, score FROM surveyanswer"):
            answers[_id(r)].append((q, choice, score))
    finally:
        conn.close()
    out: dict = defaultdict(lambda: {"served": 0, "offered": 0, "rows": {}, "scores": defaultdict(lambda: [0] * 5)})
    for service, state, offer, day in visits.values():
        if state != "done" or not START <= str(day) <= END:
            continue
        out[service]["served"] += 1
    for visit_id, (service, state, offer, day) in visits.items():
        if state == "done" and START <= str(day) <= END and (offer in ("offered", "declined") or visit_id in reached):
            out[service]["offered"] += 1
    for response_id, (visit_id, survey_set, comment) in responses.items():
        service, state, _offer, day = visits[visit_id]
        if state != "done" or not START <= str(day) <= END:
            continue
        trust = [score for q, choice, score in answers[response_id] if q == "trust" and choice == ""]
        for q, choice, score in answers[response_id]:
            if choice == "" and score is not None:
                out[service]["scores"][q][score - 1] += 1
        if not trust or trust[0] is None:
            continue
        row = {column: "0" for column in HEADER[2:-1]}
        if survey_set == "likert":
            row = {column: "null" for column in HEADER[2:-1]}
        for q, choice, score in answers[response_id]:
            if q in ("went_well", "not_well") and score == 1:
                row[f"{'positive' if q == 'went_well' else 'negative'}_{choice}"] = "1"
        row.update(external_id=response_id, question_1=str(trust[0]), question_4=comment or "")
        out[service]["rows"][response_id] = row
    return out


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def point_scale(counts) -> str:
    n = sum(counts)
    if not n:
        return ""
    total = sum((k + 1) * c for k, c in enumerate(counts))
    return str((Decimal(total) / n).quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_every_volume_and_row_matches_a_recount_from_the_raw_tables(demo):
    path, out = demo
    expected = recompute(path)
    sheet = {row["service"]: row for row in read_csv(out / "worksheet.csv")}
    assert set(sheet) == {s for s, figures in expected.items() if figures["served"]}
    assert sum(int(row["respondents"]) for row in sheet.values()) > 200  # a real quarter, not a toy
    for service, figures in expected.items():
        row = sheet[service]
        assert (int(row["customers_served"]), int(row["customers_offered"]), int(row["respondents"])) == \
            (figures["served"], figures["offered"], len(figures["rows"])), service
        assert int(row["respondents"]) <= int(row["customers_offered"]) <= int(row["customers_served"])
        file_rows = read_csv(out / row["touchpoints_file"])
        assert {r["external_id"]: r for r in file_rows} == figures["rows"], service
    # Offered is the counted fact: declined counts, "not offered" does not.
    conn = sqlite3.connect(path)
    declined, not_offered = (conn.execute(
        "SELECT COUNT(*) FROM visit WHERE state = 'done' AND survey_offer = ?", (value,)).fetchone()[0]
        for value in ("declined", "not_offered"))
    conn.close()
    assert declined and not_offered
    served = sum(f["served"] for f in expected.values())
    offered = sum(f["offered"] for f in expected.values())
    assert offered == served - not_offered - _unrecorded(path)


def _unrecorded(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM visit WHERE state = 'done' AND survey_offer IS NULL "
                            "AND id NOT IN (SELECT visit_id FROM surveyinvitation)").fetchone()[0]
    finally:
        conn.close()


def test_each_file_has_exactly_the_touchpoints_header_in_utf8(demo):
    _path, out = demo
    files = sorted(out.glob("touchpoints-*.csv"))
    assert files
    for file in files:
        raw = file.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")
        assert next(csv.reader(raw.decode("utf-8").splitlines())) == HEADER
    assert check_folder(out) == []


def test_the_worksheet_carries_the_trust_statement_as_asked(demo):
    _path, out = demo
    rows = read_csv(out / "worksheet.csv")
    assert {row["trust_question"] for row in rows} == {
        "I trust this agency to deliver on their mission for the American public."}
    assert {(row["channel"], row["transaction_point"], row["survey_type"], row["omb_control_number"])
            for row in rows} == {("in_person", "post_interaction", "likert_scale", "3090-0321")}
    text = (out / "worksheet.md").read_text(encoding="utf-8")
    assert "Touchpoints counts the respondents" in text and "3090-0321" in text
    assert not (out / "legacy-summary.csv").exists()  # the current set: no legacy summary


def test_likert_point_scales_match_a_recount_and_nobody_answering_is_an_empty_cell(db, office, signed_in,
                                                                                   db_url, tmp_path):
    from cxdesk.domain.office import update_office
    from cxdesk.domain.surveys import invitations
    from cxdesk.domain.surveys.questions import Answer
    from cxdesk.vocab import HANDOVER

    with db.session() as session:
        office = session.merge(office)
        update_office(session, office, supervisor_of(session, office), name=office.name, timezone=office.timezone,
                      survey_set="likert")
    answers_given = [
        ("change_address", {"satisfaction": 5, "trust": 4, "effectiveness": 5, "ease": 4}),
        ("change_address", {"satisfaction": 3, "trust": 2, "effectiveness": 4}),
        ("change_address", {"satisfaction": 4, "trust": 5}),
        ("new_card", {"satisfaction": 1}),  # no trust answer: not a Touchpoints row
    ]
    for service, scores in answers_given:
        visit = serve(db, office, signed_in, service=service)
        with db.session() as session:
            run = invitations.offer(session, office, visit.id, mode=HANDOVER, now=FIXED_NOW)
            invitations.finish(session, run.invitation_id, {q: Answer(score=s) for q, s in scores.items()},
                               language="en", ended_early=False, now=FIXED_NOW)
    serve(db, office, signed_in, service="new_card")
    with db.session() as session:
        write_folder(session, a11_quarter(session, 2027, 1), tmp_path / "out")
    expected = recompute(Path(db_url.removeprefix("sqlite:///")))
    legacy = {row["service_id"]: row for row in read_csv(tmp_path / "out" / "legacy-summary.csv")}
    codes = dict(zip(LEGACY, ["satisfaction", "trust", "effectiveness", "ease", "efficiency", "transparency",
                              "employee"]))
    for service, row in legacy.items():
        for column, code in codes.items():
            assert row[column] == point_scale(expected[service]["scores"][code]), (service, column)
        assert int(row["response_count"]) == len(expected[service]["rows"])
    assert legacy["change_address"]["satisfied"] == "4.00" and legacy["change_address"]["efficient"] == ""
    assert legacy["new_card"]["trust"] == "" and legacy["new_card"]["response_count"] == "0"
    rows = read_csv(tmp_path / "out" / "touchpoints-change_address-in_person.csv")
    assert sorted(r["question_1"] for r in rows) == ["2", "4", "5"]
    assert {r["positive_ease"] for r in rows} == {"null"}  # the Likert form has no driver lists
    assert check_folder(tmp_path / "out") == []


# --- the check, fed hand-broken files -----------------------------------------------------


@pytest.fixture
def good(db, office, signed_in, tmp_path):
    survey_many(db, office, signed_in)
    with db.session() as session:
        write_folder(session, a11_quarter(session, 2027, 1), tmp_path / "good")
    assert check_folder(tmp_path / "good") == []
    return tmp_path / "good"


def broken(good: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "broken"
    shutil.copytree(good, copy)
    return copy


FILE = "touchpoints-change_address-in_person.csv"


def edit_text(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8", newline="")


def test_check_names_a_renamed_column(good, tmp_path):
    folder = broken(good, tmp_path)
    edit_text(folder / FILE, "question_4", "comments")
    problems = check_folder(folder)
    assert any(FILE in p and "missing column question_4" in p for p in problems)
    assert any("'comments'" in p and "not one of Touchpoints' 17" in p for p in problems)


def test_check_names_a_2_in_a_thumbs_file(good, tmp_path):
    folder = broken(good, tmp_path)
    edit_text(folder / "worksheet.csv", "likert_scale", "thumbs_up_down", count=-1)
    rows = read_csv(folder / FILE)
    # Make it a proper thumbs file first, then break one cell.
    for n, row in enumerate(rows):
        row["question_1"] = "2" if n == 0 else "1"
    with open(folder / FILE, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, HEADER)
        writer.writeheader()
        writer.writerows(rows)
    problems = [p for p in check_folder(folder) if FILE in p]
    assert len(problems) == 1 and "line 2 ('2') has question_1 outside 0/1 (thumbs_up_down)" in problems[0]


def test_check_names_a_byte_order_mark(good, tmp_path):
    folder = broken(good, tmp_path)
    (folder / FILE).write_bytes(b"\xef\xbb\xbf" + (folder / FILE).read_bytes())
    assert [p for p in check_folder(folder) if "byte-order mark" in p and FILE in p]


def test_check_names_a_latin1_byte(good, tmp_path):
    folder = broken(good, tmp_path)
    name = "touchpoints-replacement_card-in_person.csv"
    data = (folder / name).read_bytes().replace(b"Too slow", "Muy lento, café".encode("latin-1"))
    (folder / name).write_bytes(data)
    line = next(n for n, text in enumerate(data.split(b"\n"), start=1) if b"caf" in text)
    problems = check_folder(folder)
    assert any(name in p and "not UTF-8" in p and f"0xE9 on line {line};" in p for p in problems), problems


def test_check_names_respondents_above_offered(good, tmp_path):
    folder = broken(good, tmp_path)
    rows = read_csv(folder / "worksheet.csv")
    rows[0]["respondents"] = str(int(rows[0]["customers_offered"]) + 1)
    with open(folder / "worksheet.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    problems = check_folder(folder)
    assert any("respondents (4) are more than the customers offered the survey (3)" in p for p in problems)
    # and the file no longer has as many rows as the worksheet says
    assert any("2 respondent rows, but the worksheet says 4" in p for p in problems)


def test_check_names_bad_driver_cells_an_extra_column_and_a_stray_file(good, tmp_path):
    folder = broken(good, tmp_path)
    rows = read_csv(folder / FILE)
    rows[0]["positive_ease"] = "yes"
    rows[1]["negative_other"] = "null"
    with open(folder / FILE, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, [*HEADER, "office"])
        writer.writeheader()
        writer.writerows({**row, "office": "CHI01"} for row in rows)
    shutil.copy(folder / FILE, folder / "touchpoints-change_address-phone.csv")
    problems = check_folder(folder)
    assert any("positive_ease cell that is not 1, 0 or null" in p for p in problems)
    assert any("negative_other is null in some rows and 0/1 in others" in p for p in problems)
    assert any("'office'" in p for p in problems)
    assert any(p.startswith("touchpoints-change_address-phone.csv: not in worksheet.csv") for p in problems)


def test_the_folder_is_written_whole_or_not_at_all(good, db, tmp_path):
    from cxdesk.errors import CxdeskError

    with db.session() as session, pytest.raises(CxdeskError, match="not an empty folder"):
        write_folder(session, a11_quarter(session, 2027, 1), good)
    assert check_folder(good) == []
