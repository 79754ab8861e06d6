"""What travels to headquarters: one entry per table, in the order headquarters
loads them (a table after every table it refers to).

Adding a feature's table to the bundle is one entry here, plus
``@change_tracked`` on its model (cxdesk.store.models) and, in the feature's
migration, the ``version`` column and ``tracking.track(op, dialect, [table])``.
Column types come from the table itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

from cxdesk.store.models import UTCDateTime, SQLModel
from cxdesk.store.tracking import VERSION

# How each kind of column is written in a bundle (see bundle.py's docstring).
UUID, TIMESTAMP, DATE, BOOL, INT, TEXT = "uuid", "timestamp", "date", "bool", "int", "text"
FLOAT, JSON = "float", "json"
# Kinds written as quoted, neutralised text (JSON is text with a cast at headquarters).
TEXT_KINDS = frozenset({TEXT, JSON})


@dataclass(frozen=True)
class Period:
    """How a period export (--period, --quarter, --since) picks a table's rows.

    ``day``: an office-local date column; ``instant``: a UTC timestamp column;
    ``parent``: rows whose ``column`` points at a picked row of ``parent``.
    """

    how: str
    column: str
    parent: str | None = None


@dataclass(frozen=True)
class Exported:
    """One table in the bundle.

    ``key``: the primary key, kept from the office (UUIDs made there).
    ``personal``: columns that leave only with --include-pii (contact details,
    free text a person typed); ``all_personal``: the whole table does.
    ``never``: columns that never leave the office (PIN hashes, lockouts).
    ``append_only``: rows are never changed (headquarters inserts, never updates).
    ``period``: how a period export picks rows; None: every row, every time
    (small reference tables: the office, stations, staff).
    ``owner``: for a table without ``office_id``, (column, parent table) that
    says which office a row belongs to; headquarters refuses a bundle that
    would write another office's rows.
    ``anonymous``: the barrier survey's answers (EO 12862 1(e)), anonymous by
    design. (column, parent): the answer's period column (parent None), or the
    column that points at the answer. Only the answers of a period that has
    closed, and only where at least MIN_GROUP people answered in it, leave the
    office; a whole period at once, so no bundle tells which answer came after
    another. They carry no version (``changed_by`` None): a version is a clock
    of the last save, and a closed period's answers never change again.
    """

    name: str
    key: tuple[str, ...]
    period: Period | None = None
    personal: frozenset[str] = frozenset()
    all_personal: bool = False
    never: frozenset[str] = frozenset()
    append_only: bool = False
    owner: tuple[str, str] | None = None
    changed_by: str | None = VERSION
    anonymous: tuple[str, str | None] | None = None

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def table(self) -> sa.Table:
        return SQLModel.metadata.tables[self.name]

    def columns(self, include_pii: bool) -> list[tuple[str, str]]:
        """(name, kind) of the columns this export writes, in table order."""
        return [(name, kind) for name, kind in all_columns(self.name)
                if name not in self.never and (include_pii or name not in self.personal)]

    def travels(self, include_pii: bool) -> bool:
        return include_pii or not self.all_personal


TABLES: tuple[Exported, ...] = (
    Exported("office", ("id",)),
    Exported("station", ("id",)),
    # Staff names are personal too (employees'); PIN hashes and lockouts never leave.
    Exported("staff", ("id",), personal=frozenset({"name"}),
             never=frozenset({"pin_hash", "must_change_pin", "failed_pins", "locked_until"})),
    Exported("shift", ("id",), Period("instant", "started_at"), owner=("staff_id", "staff")),
    Exported("visit", ("id",), Period("day", "day"), personal=frozenset({"note"})),
    Exported("visitchanneloffer", ("visit_id", "channel"), Period("parent", "visit_id", "visit"),
             owner=("visit_id", "visit")),
    Exported("surveyinvitation", ("id",), Period("parent", "visit_id", "visit")),
    Exported("surveyresponse", ("id",), Period("parent", "visit_id", "visit"), personal=frozenset({"comment"})),
    Exported("surveyanswer", ("response_id", "question", "choice"),
             Period("parent", "response_id", "surveyresponse"), personal=frozenset({"text"}),
             owner=("response_id", "surveyresponse")),
    Exported("complaint", ("id",), Period("day", "day"),
             personal=frozenset({"what_happened", "wanted", "resolution"})),
    Exported("complaintcontact", ("complaint_id",), Period("parent", "complaint_id", "complaint"),
             all_personal=True, owner=("complaint_id", "complaint")),
    Exported("complaintevent", ("id",), Period("parent", "complaint_id", "complaint"),
             personal=frozenset({"note"}), append_only=True, owner=("complaint_id", "complaint")),
    # Service standards (EO 12862 1(c)), every version, and benchmarks (1(d)): small,
    # every row in a period export. Notes are a supervisor's own words.
    Exported("servicestandard", ("id",)),
    Exported("standardversion", ("id",), personal=frozenset({"note"}), owner=("standard_id", "servicestandard")),
    Exported("benchmark", ("id",), personal=frozenset({"note"})),
    Exported("signoff", ("id",), Period("day", "day"), personal=frozenset({"note"})),
    # The barrier survey: office, period, the agree items and the barriers picked.
    # The role and the idea never leave (a role of few people, words that may
    # point at their writer); nor do the token key, tokens, deferrals or settings.
    Exported("barrieranswer", ("id",), never=frozenset({"role", "idea"}), append_only=True, changed_by=None,
             anonymous=("period", None)),
    Exported("barrieritemanswer", ("answer_id", "item"), append_only=True, changed_by=None,
             owner=("answer_id", "barrieranswer"), anonymous=("answer_id", "barrieranswer")),
    Exported("barrierpick", ("answer_id", "category"), append_only=True, changed_by=None,
             owner=("answer_id", "barrieranswer"), anonymous=("answer_id", "barrieranswer")),
    # Later features add their tables here, after the tables they refer to.
)
BY_NAME = {entry.name: entry for entry in TABLES}


def kind_of(column: sa.Column) -> str:
    column_type = column.type
    if isinstance(column_type, UTCDateTime):
        return TIMESTAMP
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.Uuid):
        return UUID
    if isinstance(column_type, sa.Boolean):
        return BOOL
    if isinstance(column_type, sa.Date) and not isinstance(column_type, sa.DateTime):
        return DATE
    if isinstance(column_type, sa.Integer):
        return INT
    if isinstance(column_type, sa.Float):
        return FLOAT
    if isinstance(column_type, sa.JSON):
        return JSON
    if isinstance(column_type, (sa.String, sa.Text)):
        return TEXT
    raise TypeError(f"{column.table.name}.{column.name}: no bundle encoding for {column_type!r}")


@cache
def all_columns(table: str) -> tuple[tuple[str, str], ...]:
    return tuple((column.name, kind_of(column)) for column in SQLModel.metadata.tables[table].columns)
