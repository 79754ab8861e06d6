"""Developer tool: build the small database of a past schema revision that the
upgrade tests start from (tests/store/fixtures/<revision>.db).

    python tools/make_fixture_db.py                  # every revision but head that has no fixture yet
    python tools/make_fixture_db.py 0002_surveys     # (re)build this one
    python tools/make_fixture_db.py --all            # rebuild every revision but head

Each fixture is made by running the migrations up to its revision, then a few
rows go into EVERY table that exists at that revision (ROWS below), inserted
through today's table definitions but only into the columns the old schema
has. A new table, or a new NOT NULL column without a default, stops the tool
with a sentence: add its rows here when you add its migration, and build the
fixture of your revision once the next one is written (a head revision has no
fixture: its tables are made fresh by every test).

Staff PINs are hashed at the cost cxdesk used before the issue-9 change
(scrypt 2^14), so the tests also prove that old hashes still sign in.
"""

from __future__ import annotations

import argparse
import base64
import sqlite3
import sys
import tempfile
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import command

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxdesk.domain import pins  # noqa: E402
from cxdesk.store import migrate, models  # noqa: E402

FIXTURES = ROOT / "tests" / "store" / "fixtures"
# The PINs of the fixture staff (supervisor PIN from before the 8-digit rule).
FIXTURE_PINS = {"SUP1": "2468", "CLK1": "1357"}
OLD_COST = pins.ScryptCost(n=2**14, r=8, p=1)


def fixed_id(name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"cxdesk-fixture:{name}")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=timezone.utc)


def old_pin_hash(code: str) -> str:
    salt = fixed_id(f"salt-{code}").bytes
    digest = pins._scrypt(FIXTURE_PINS[code], salt, OLD_COST, 32)
    return "scrypt${}${}${}${}${}".format(OLD_COST.n, OLD_COST.r, OLD_COST.p,
                                         base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


OFFICE, W1, W2 = fixed_id("office"), fixed_id("W1"), fixed_id("W2")
SUP1, CLK1, SHIFT = fixed_id("SUP1"), fixed_id("CLK1"), fixed_id("shift")
VISITS = [fixed_id(f"visit-{n}") for n in range(3)]
INVITATIONS = [fixed_id(f"invitation-{n}") for n in range(2)]
RESPONSE, COMPLAINT = fixed_id("response"), fixed_id("complaint")
DAY = date(2026, 11, 24)

ROWS: dict[str, list[dict]] = {
    "office": [dict(id=OFFICE, code="FIXT1", name="Fixture Field Office", timezone="America/Chicago",
                    survey_set="a11_v2_radio", survey_idle_seconds=120, created_at=at(14))],
    "station": [dict(id=W1, office_id=OFFICE, code="W1", name="Window 1", active=True),
                dict(id=W2, office_id=OFFICE, code="W2", name="Window 2", active=True)],
    "staff": [dict(id=SUP1, office_id=OFFICE, code="SUP1", name="Ana Ruiz", role="supervisor",
                   pin_hash=old_pin_hash("SUP1"), must_change_pin=False, active=True, failed_pins=0,
                   locked_until=None, created_at=at(14)),
              dict(id=CLK1, office_id=OFFICE, code="CLK1", name="Ben Okafor", role="clerk",
                   pin_hash=old_pin_hash("CLK1"), must_change_pin=False, active=True, failed_pins=2,
                   locked_until=at(15, 45), created_at=at(14))],
    "shift": [dict(id=SHIFT, staff_id=CLK1, station_id=W1, started_at=at(14, 50), ended_at=None)],
    "visit": [
        dict(id=VISITS[0], office_id=OFFICE, day=DAY, seq=1, segment="retiree", service_wanted="change_address",
             appointment=False, appointment_at=None, language="en", state="done", station_id=W1, staff_id=CLK1,
             shift_id=SHIFT, arrived_at=at(15), called_at=at(15, 10), serving_at=at(15, 11),
             finished_at=at(15, 20), wait_seconds=600, service_seconds=540, hold_count=0, transferred_from=None,
             service="change_address", outcome="resolved", referral=None, not_served_reason=None,
             note="Moved to Oak Park; new address checked.", preferred_channel="online", channel_step="done"),
        dict(id=VISITS[1], office_id=OFFICE, day=DAY, seq=2, segment="veteran", service_wanted="replacement_card",
             appointment=True, appointment_at=at(15, 30), language="es", state="waiting", station_id=None,
             staff_id=None, shift_id=None, arrived_at=at(15, 5), called_at=None, serving_at=None,
             finished_at=None, wait_seconds=None, service_seconds=None, hold_count=0, transferred_from=None,
             service=None, outcome=None, referral=None, not_served_reason=None, note=None,
             preferred_channel=None, channel_step=None),
        dict(id=VISITS[2], office_id=OFFICE, day=DAY, seq=3, segment="retiree", service_wanted="change_address",
             appointment=False, appointment_at=None, language="en", state="no_show", station_id=W2,
             staff_id=None, shift_id=None, arrived_at=at(15, 6), called_at=at(15, 25), serving_at=None,
             finished_at=at(15, 28), wait_seconds=1140, service_seconds=None, hold_count=1, transferred_from=W1,
             service=None, outcome=None, referral=None, not_served_reason=None, note=None,
             preferred_channel=None, channel_step=None),
    ],
    "visitchanneloffer": [dict(visit_id=VISITS[0], channel="online"), dict(visit_id=VISITS[0], channel="phone")],
    "surveyinvitation": [
        dict(id=INVITATIONS[0], office_id=OFFICE, visit_id=VISITS[0], survey_set="a11_v2_radio", mode="handover",
             language="en", station_id=None, status="completed", offered_at=at(15, 20), shown_at=at(15, 20),
             closed_at=at(15, 22)),
        dict(id=INVITATIONS[1], office_id=OFFICE, visit_id=VISITS[0], survey_set="a11_v2_radio", mode="kiosk",
             language="en", station_id=W1, status="expired", offered_at=at(15, 19), shown_at=None,
             closed_at=at(15, 20)),
    ],
    "surveyresponse": [dict(id=RESPONSE, invitation_id=INVITATIONS[0], visit_id=VISITS[0], office_id=OFFICE,
                            survey_set="a11_v2_radio", language="en", completed=True,
                            comment="Quick and friendly.", answered_at=at(15, 22))],
    "surveyanswer": [dict(response_id=RESPONSE, question="trust", choice="", score=5, text=None),
                     dict(response_id=RESPONSE, question="went_well", choice="ease", score=1, text=None),
                     dict(response_id=RESPONSE, question="went_well", choice="efficiency", score=0, text=None)],
    "complaint": [dict(id=COMPLAINT, office_id=OFFICE, reference="FIXT1-20261124-001", day=DAY, seq=1,
                       received_at=at(15, 30), received_via="counter", category="wait_time", urgency="normal",
                       what_happened="Waited an hour with an appointment.", wanted="An apology.",
                       visit_id=VISITS[1], service="replacement_card", segment="veteran", state="acknowledged",
                       track=None, opened_by=CLK1, assigned_to=CLK1, acknowledge_due=date(2026, 11, 27),
                       resolution_due=date(2026, 12, 2), next_due=date(2026, 12, 2),
                       acknowledged_at=at(15, 40), resolved_at=None, closed_at=None, extensions=0,
                       resolution=None, customer_accepted=None, has_contact=True)],
    "complaintcontact": [dict(complaint_id=COMPLAINT, name="Carla Diaz", phone="+1 312 555 0100",
                              email="carla@example.org", language="es", consent_at=at(15, 30), consent_by=CLK1)],
    "complaintevent": [
        dict(id=fixed_id("event-1"), complaint_id=COMPLAINT, seq=1, at=at(15, 30), staff_id=CLK1, kind="opened",
             from_value=None, to_value="received", note="Received at the counter; about: wait time."),
        dict(id=fixed_id("event-2"), complaint_id=COMPLAINT, seq=2, at=at(15, 30), staff_id=CLK1, kind="contact",
             from_value=None, to_value=None, note="Contact details recorded with the customer's consent."),
        dict(id=fixed_id("event-3"), complaint_id=COMPLAINT, seq=3, at=at(15, 40), staff_id=SUP1, kind="state",
             from_value="received", to_value="acknowledged", note="Called her back."),
    ],
    "signindelay": [dict(office_id=OFFICE, staff_code="CLK1", place="W2", failures=1, last_failure_at=at(15, 1),
                         wait_until=None)],
}


def build(revision: str, target: Path) -> dict[str, int]:
    """Write the fixture of ``revision`` to ``target``; returns rows per table."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "fixture.db"
        engine = sa.create_engine(f"sqlite:///{scratch}")
        command.upgrade(migrate.alembic_config(engine), revision)
        counts = {}
        with engine.begin() as conn:
            inspector = sa.inspect(conn)
            for name in inspector.get_table_names():
                if name == "alembic_version":
                    continue
                if name not in ROWS:
                    raise SystemExit(f"No fixture rows for table {name!r}: add a few to ROWS in {__file__}.")
                table = models.SQLModel.metadata.tables[name]
                present = {column["name"]: column for column in inspector.get_columns(name)}
                for row in ROWS[name]:
                    missing = [c for c, info in present.items()
                               if c not in row and not info["nullable"] and info.get("default") is None]
                    if missing:
                        raise SystemExit(f"Fixture rows of {name!r} lack {missing}: add them in {__file__}.")
                    conn.execute(table.insert().values({k: v for k, v in row.items() if k in present}))
                counts[name] = len(ROWS[name])
        engine.dispose()
        # One self-contained file: no -wal beside it, no free pages.
        with sqlite3.connect(scratch) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
        conn = sqlite3.connect(scratch)
        conn.execute("PRAGMA page_size=1024")  # small pages: a fixture of ~40 KB, not 200
        conn.execute("VACUUM")
        conn.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(scratch.read_bytes())
    return counts


def past_revisions() -> list[str]:
    head = migrate.head_revision()
    return [rev for rev in sorted(migrate.known_revisions()) if rev != head]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="*", help="revisions to (re)build")
    parser.add_argument("--all", action="store_true", help="rebuild every revision but head")
    args = parser.parse_args(argv)
    revisions = args.revisions or [rev for rev in past_revisions()
                                   if args.all or not (FIXTURES / f"{rev}.db").exists()]
    if not revisions:
        print("Every past revision has its fixture already (--all rebuilds them).")
    for revision in revisions:
        if revision not in migrate.known_revisions():
            raise SystemExit(f"Unknown revision {revision!r}.")
        counts = build(revision, FIXTURES / f"{revision}.db")
        print(f"{FIXTURES / f'{revision}.db'}: " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))


if __name__ == "__main__":
    main()
