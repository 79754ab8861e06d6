"""The front-line barrier survey in the domain: settings, asking, one answer a period,
and answers that cannot be traced back to the person who gave them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cxdesk.domain.barrier import (
    BarrierAnswers,
    NamesInIdea,
    ask_status,
    barrier_settings,
    defer,
    load_barrier_survey,
    names_in_idea,
    parse_period,
    period_of,
    set_barrier_settings,
    submit_answers,
)
from cxdesk.domain.barrier.answers import answered_token
from cxdesk.domain.office import get_station
from cxdesk.domain.staff import sign_in
from cxdesk.errors import CxdeskError
from cxdesk.store.models import (
    BarrierAnswer,
    BarrierDeferral,
    BarrierItemAnswer,
    BarrierKey,
    BarrierPick,
    BarrierToken,
    Shift,
    Staff,
    Station,
)
from tests.factories import (
    CLERK,
    EXTRA_PIN,
    FIXED_NOW,
    answer_barrier,
    clerk_of,
    more_staff,
    start_barrier_survey,
    supervisor_of,
)

ANSWER_TABLES = ("barrieranswer", "barrieritemanswer", "barrierpick")
# What an answer may carry: its own random id, office, period, role and the words of the idea.
ALLOWED_COLUMNS = {
    "barrieranswer": {"id", "office_id", "period", "role", "idea"},
    "barrieritemanswer": {"answer_id", "item", "score"},
    "barrierpick": {"answer_id", "category"},
}


# --- the survey as data -------------------------------------------------------------


def test_the_survey_has_the_eight_agree_items_and_nine_barriers_in_both_languages():
    survey = load_barrier_survey()
    assert [item.code for item in survey.items] == [
        "information", "tools", "workload", "training", "conditions", "authority", "involvement", "rules_forms"]
    assert survey.item("workload").text("en") == "My workload is reasonable."
    assert survey.item("workload").text("es") == "Mi carga de trabajo es razonable."
    assert len(survey.categories) == 9 and survey.max_picks == 3
    assert survey.category("it_system").label("es") == "Un sistema informático"
    assert [survey.score_label(score) for score in (1, 5, 0)] == ["Strongly disagree", "Strongly agree", "Don't know"]
    assert survey.score_label(0, "es") == "No sé"
    assert "best private firms" in survey.idea_question["en"]


def test_an_office_file_missing_a_spanish_text_is_refused_with_its_name():
    from cxdesk.config import catalog_override_dir
    from importlib import resources

    folder = catalog_override_dir()
    folder.mkdir(parents=True, exist_ok=True)
    text = resources.files("cxdesk.data").joinpath("barrier_survey.toml").read_text(encoding="utf-8")
    broken = text.replace('text_es = "Mi carga de trabajo es razonable."\n', "")
    (folder / "barrier_survey.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(CxdeskError, match=r"barrier_survey.toml: item 'workload' has no Spanish text"):
        load_barrier_survey()


# --- periods -----------------------------------------------------------------------------


def test_periods_are_months_or_federal_fiscal_quarters():
    november = period_of("month", date(2026, 11, 24))
    assert (november.code, november.start, november.end) == ("2026-11", date(2026, 11, 1), date(2026, 11, 30))
    assert november.previous().code == "2026-10" and period_of("month", date(2027, 1, 3)).previous().code == "2026-12"
    quarter = period_of("quarter", date(2026, 11, 24))
    assert (quarter.code, quarter.start, quarter.end) == ("FY2027Q1", date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.previous().code == "FY2026Q4" and quarter.label() == "FY2027 Q1 (Oct–Dec 2026)"
    assert parse_period("fy2027q2").start == date(2027, 1, 1)
    assert parse_period("2026-11") == november
    with pytest.raises(CxdeskError, match="a month like 2026-11 or a fiscal quarter like FY2027Q1"):
        parse_period("2026-13")


# --- settings ----------------------------------------------------------------------------


def test_the_survey_is_off_until_a_supervisor_sets_its_period(db, office):
    with db.session() as session:
        assert barrier_settings(session, office).period is None
        status = ask_status(session, office, clerk_of(session, office), FIXED_NOW)
        assert status.period is None and not status.should_prompt
    with pytest.raises(CxdeskError, match="not running"):
        answer_barrier(db, office, CLERK[0])
    settings = start_barrier_survey(db, office, period="quarter", deferrals=1)
    assert (settings.period, settings.deferrals) == ("quarter", 1)
    with db.session() as session:
        status = ask_status(session, office, clerk_of(session, office), FIXED_NOW)
    assert status.period.code == "FY2027Q1" and status.should_prompt and status.deferrals_left == 1


def test_only_a_supervisor_changes_the_barrier_settings(db, office):
    with db.session() as session:
        with pytest.raises(CxdeskError, match="Only a supervisor can change the barrier survey settings"):
            set_barrier_settings(session, office, clerk_of(session, office), period="month", deferrals=2,
                                 now=FIXED_NOW)
        assert barrier_settings(session, office).period is None


@pytest.mark.parametrize(("period", "deferrals", "message"), [
    ("week", 2, "a month or a quarter"),
    ("month", "two", "a whole number from 0 to 10"),
    ("month", 11, "from 0 to 10"),
    ("month", -1, "from 0 to 10"),
])
def test_bad_settings_are_refused_and_change_nothing(db, office, period, deferrals, message):
    start_barrier_survey(db, office, period="quarter", deferrals=3)
    with db.session() as session:
        with pytest.raises(CxdeskError, match=message):
            set_barrier_settings(session, office, supervisor_of(session, office), period=period,
                                 deferrals=deferrals, now=FIXED_NOW)
        assert barrier_settings(session, office).period == "quarter"
        assert barrier_settings(session, office).deferrals == 3


# --- asking and deferring ----------------------------------------------------------------------


def test_deferrals_are_counted_per_person_and_period_and_end_the_prompt(db, office):
    start_barrier_survey(db, office, deferrals=2)
    with db.session() as session:
        clerk = clerk_of(session, office)
        assert defer(session, office, clerk, FIXED_NOW).deferrals_left == 1
        last = defer(session, office, clerk, FIXED_NOW)
        assert last.deferrals_left == 0 and not last.should_prompt
        # The supervisor's count is their own; next month starts again.
        assert ask_status(session, office, supervisor_of(session, office), FIXED_NOW).should_prompt
        assert ask_status(session, office, clerk, FIXED_NOW + timedelta(days=10)).should_prompt
        rows = session.exec(select(BarrierDeferral)).all()
    assert [(row.period, row.count) for row in rows] == [("2026-11", 2)]


def test_answering_ends_the_prompt_for_the_period(db, office):
    start_barrier_survey(db, office)
    answer_barrier(db, office, CLERK[0])
    with db.session() as session:
        status = ask_status(session, office, clerk_of(session, office), FIXED_NOW)
        assert status.answered and not status.should_prompt
        assert defer(session, office, clerk_of(session, office), FIXED_NOW).answered
        assert session.exec(select(BarrierDeferral)).all() == []


# --- one answer a period -----------------------------------------------------------------


def test_a_second_answer_in_one_period_is_refused(db, office):
    start_barrier_survey(db, office)
    answer_barrier(db, office, CLERK[0], items={"tools": 2})
    with pytest.raises(CxdeskError, match="already answered the barrier survey for November 2026"):
        answer_barrier(db, office, CLERK[0], items={"tools": 5})
    with db.session() as session:
        assert len(session.exec(select(BarrierAnswer)).all()) == 1
        assert [row.score for row in session.exec(select(BarrierItemAnswer))] == [2]
    # The next period takes a new answer; the supervisor's own is not blocked by the clerk's.
    answer_barrier(db, office, CLERK[0], now=FIXED_NOW + timedelta(days=10))
    answer_barrier(db, office, "SUP1")
    with db.session() as session:
        assert sorted(row.period for row in session.exec(select(BarrierAnswer))) == ["2026-11", "2026-11", "2026-12"]


def test_the_token_is_a_keyed_hash_made_with_a_key_created_at_first_use(db, office):
    start_barrier_survey(db, office)
    with db.session() as session:
        assert session.get(BarrierKey, office.id) is None
    answer_barrier(db, office, CLERK[0])
    with db.session() as session:
        key = session.get(BarrierKey, office.id)
        clerk = clerk_of(session, office)
        [token] = session.exec(select(BarrierToken)).all()
    assert len(bytes.fromhex(key.secret)) == 32 and "withheld" in repr(key)
    assert token.token == answered_token(key.secret, office.id, clerk.id, "2026-11")
    assert token.token != answered_token("00" * 32, office.id, clerk.id, "2026-11")
    assert str(clerk.id) not in token.token and clerk.id.hex not in token.token
    assert set(token.model_dump()) == {"token", "office_id", "period"}


# --- nothing leads back to a person ----------------------------------------------------------


def test_no_column_of_the_answer_tables_can_lead_back_to_a_person(db):
    inspector = sa.inspect(db.engine)
    for table in ANSWER_TABLES:
        columns = {column["name"]: column for column in inspector.get_columns(table)}
        assert set(columns) == ALLOWED_COLUMNS[table], table
        assert not any(isinstance(column["type"], (sa.DateTime, sa.Date)) for column in columns.values()), table
        assert not any(column.get("autoincrement") is True for column in columns.values()), table
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert targets <= {"office", "barrieranswer"}, (table, targets)
    with db.engine.connect() as conn:
        for table in (*ANSWER_TABLES, "barriertoken", "barrierdeferral"):
            sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).scalar_one()
            assert "WITHOUT ROWID" in sql, table
            # No hidden row number keeps the order of inserts.
            with pytest.raises(sa.exc.OperationalError, match="no such column: rowid"):
                conn.exec_driver_sql(f"SELECT rowid FROM {table}")


def _sign_in_everyone(db, office, codes):
    """Each staff member signs in ten minutes after the one before, at a station of their own."""
    shifts = []
    with db.session() as session:
        stations = [get_station(session, office, "W1"), get_station(session, office, "W2")]
        for number, code in enumerate(codes):
            pin = {"SUP1": "24681357", "CLK1": "1357"}.get(code, EXTRA_PIN)
            signed = sign_in(session, office, code=code, pin=pin, station=stations[number % 2],
                             now=FIXED_NOW + timedelta(minutes=10 * number), take_over=True)
            shifts.append(signed.shift.id)
    return shifts


def test_stored_answers_hold_nothing_of_who_gave_them_nor_when(db, office):
    codes = ["SUP1", "CLK1", *more_staff(db, office, 4)]
    start_barrier_survey(db, office)
    _sign_in_everyone(db, office, codes)
    for number, code in enumerate(codes):
        # Each answers right after signing in, in sign-in order, with words of their own.
        answer_barrier(db, office, code, items={"workload": 1 + number % 5}, categories={"staffing"},
                       idea=f"Idea number {number}", now=FIXED_NOW + timedelta(minutes=10 * number, seconds=30))

    with db.engine.connect() as conn:
        stored = {table: [dict(row._mapping) for row in conn.execute(sa.text(f"SELECT * FROM {table}"))]
                  for table in ANSWER_TABLES}
        people = conn.execute(sa.select(Staff.__table__)).mappings().all()
        shifts = conn.execute(sa.select(Shift.__table__)).mappings().all()
        stations = conn.execute(sa.select(Station.__table__)).mappings().all()
        elsewhere = [dict(row._mapping) for table in ("barriertoken", "barrierdeferral")
                     for row in conn.execute(sa.text(f"SELECT * FROM {table}"))]

    # Whatever could name a person, a place or a moment appears in no cell.
    identifying = {str(value) for row in people for key, value in row.items() if key != "office_id"
                   and value is not None and key not in ("active", "must_change_pin", "failed_pins")}
    identifying |= {str(value) for row in [*shifts, *stations] for key, value in row.items()
                    if key not in ("office_id", "active") and value is not None}
    identifying |= {value.replace("-", "") for value in list(identifying) if len(value) == 36}
    identifying |= {(FIXED_NOW + timedelta(minutes=10 * n)).strftime("%Y-%m-%d %H:%M") for n in range(6)}
    cells = [str(value) for rows in stored.values() for row in rows for value in row.values()]
    assert not [cell for cell in cells if any(mark in cell for mark in identifying if len(mark) > 3)]

    answers = stored["barrieranswer"]
    assert len(answers) == 6 and {row["role"] for row in answers} == {None}
    # Stored in the order of their random keys (version-4 UUIDs, not time-based ones).
    ids = [uuid.UUID(str(row["id"])) for row in answers]
    assert ids == sorted(ids) and {answer_id.version for answer_id in ids} == {4}
    item_keys = [uuid.UUID(str(row["answer_id"])) for row in stored["barrieritemanswer"]]
    assert item_keys == sorted(item_keys)
    # The token and deferral tables share no id with the answers.
    answer_values = {str(value) for rows in stored.values() for row in rows for value in row.values()}
    shared = answer_values & {str(value) for row in elsewhere for value in row.values()}
    assert shared <= {str(office.id).replace("-", ""), office.id.hex, "2026-11"}


def test_a_role_is_stored_only_where_every_role_has_three_staff(db, office):
    start_barrier_survey(db, office)
    more_staff(db, office, 2)  # three clerks, one supervisor: a role would name the supervisor
    answer_barrier(db, office, "CLK2")
    more_staff(db, office, 2, role="supervisor", prefix="SUP")  # three supervisors now
    answer_barrier(db, office, "CLK3")
    answer_barrier(db, office, "SUP2")
    with db.session() as session:
        roles = sorted(str(row.role) for row in session.exec(select(BarrierAnswer)))
    assert roles == ["None", "clerk", "supervisor"]


# --- what is kept ------------------------------------------------------------------------


def test_skipped_items_keep_no_row_and_dont_know_is_kept_as_zero(db, office):
    start_barrier_survey(db, office)
    answer_barrier(db, office, CLERK[0], items={"tools": 0, "training": 5},
                   categories={"it_system", "forms"}, idea="  A form \x1b[31mthat\x1b[0m fits on one page.  ")
    with db.session() as session:
        [answer] = session.exec(select(BarrierAnswer)).all()
        items = {row.item: row.score for row in session.exec(select(BarrierItemAnswer))}
        picks = {row.category for row in session.exec(select(BarrierPick))}
    assert items == {"tools": 0, "training": 5}
    assert picks == {"it_system", "forms"}
    assert answer.idea == "A form that fits on one page."


@pytest.mark.parametrize(("answers", "message"), [
    (BarrierAnswers(), "Nothing to save"),
    (BarrierAnswers({"workload": 6}), "takes 1 to 5, or 0 for don't know"),
    (BarrierAnswers({"pay": 3}), "no item 'pay'"),
    (BarrierAnswers(categories=frozenset({"staffing", "forms", "training", "facilities"})), "at most 3"),
    (BarrierAnswers(categories=frozenset({"weather"})), "no barrier category 'weather'"),
    (BarrierAnswers(idea="x" * 1001), "too long"),
    (BarrierAnswers(idea="bad\x00byte"), "NUL"),
])
def test_bad_answers_are_refused_and_nothing_is_kept(db, office, answers, message):
    start_barrier_survey(db, office)
    with db.session() as session:
        with pytest.raises(CxdeskError, match=message):
            submit_answers(session, office, clerk_of(session, office), answers, now=FIXED_NOW)
    with db.session() as session:
        assert session.exec(select(BarrierAnswer)).all() == []
        assert session.exec(select(BarrierToken)).all() == []


def test_an_inactive_staff_member_cannot_answer(db, office):
    from cxdesk.domain.staff import set_active

    start_barrier_survey(db, office)
    with db.session() as session:
        set_active(session, clerk_of(session, office), False, by=supervisor_of(session, office))
    with pytest.raises(CxdeskError, match="Only active staff"):
        answer_barrier(db, office, CLERK[0])


# --- names in ideas ---------------------------------------------------------------------------


def test_an_idea_naming_office_staff_is_held_back_until_the_writer_confirms(db, office):
    start_barrier_survey(db, office)
    idea = "Ask okafor how he keeps the line short."
    with pytest.raises(NamesInIdea, match=r"names someone in this office \(Okafor\)") as refused:
        answer_barrier(db, office, "SUP1", idea=idea)
    assert refused.value.names == ["Okafor"]
    with db.session() as session:
        assert session.exec(select(BarrierAnswer)).all() == []
    answer_barrier(db, office, "SUP1", idea=idea, names_ok=True)
    with db.session() as session:
        assert session.exec(select(BarrierAnswer.idea)).one() == idea


def test_names_are_found_without_accents_case_or_particles(db, office):
    with db.session() as session:
        boss = supervisor_of(session, office)
        from cxdesk.domain.staff import add_staff

        add_staff(session, office, boss, code="CLK7", name="Carmen de la Díaz", role="clerk", pin="2580",
                  now=FIXED_NOW)
        assert names_in_idea(session, office, "Ask DIAZ about the forms") == ["Díaz"]
        assert names_in_idea(session, office, "Una idea de la oficina para los clientes") == []
        assert names_in_idea(session, office, "clk7 knows the new system") == ["CLK7"]
        assert names_in_idea(session, office, "More chairs by the window") == []
        assert names_in_idea(session, office, "Ana Ruiz, Ben") == ["Ana", "Ruiz", "Ben"]


# --- PostgreSQL: row versions keep no answering order --------------------------------------


@pytest.mark.postgres
def test_on_postgresql_every_answer_of_a_period_shares_one_row_version(pg_url):
    from cxdesk.store.db import open_database
    from tests.factories import make_office

    database = open_database(pg_url, create=True)
    try:
        office = make_office(database)
        more_staff(database, office, 3)
        start_barrier_survey(database, office)
        for number, code in enumerate(["SUP1", "CLK1", "CLK2", "CLK3", "CLK4"]):
            answer_barrier(database, office, code, items={"workload": 1 + number},
                           now=FIXED_NOW + timedelta(minutes=number))
        with database.engine.connect() as conn:
            versions = conn.exec_driver_sql("SELECT count(DISTINCT xmin::text) FROM barrieranswer").scalar_one()
            item_versions = conn.exec_driver_sql(
                "SELECT count(DISTINCT xmin::text) FROM barrieritemanswer").scalar_one()
            answers = conn.exec_driver_sql("SELECT count(*) FROM barrieranswer").scalar_one()
        assert (answers, versions, item_versions) == (5, 1, 1)
        with pytest.raises(CxdeskError, match="already answered"):
            answer_barrier(database, office, "CLK2")
    finally:
        database.dispose()
