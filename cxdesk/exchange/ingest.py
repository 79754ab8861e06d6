"""Headquarters ingest: every check before anything is written, then one transaction a bundle.

Checks, in order: the files open (a truncated zip is refused), the manifest is
ours and of a schema this cxdesk knows, the office is registered under that
code and name, the signature verifies with its registered key, every file is
there with the checksum the manifest lists, headers match, and then, loading
into staging tables, row counts, cell types and lengths, control characters,
formula cells that were not neutralised, and that every row belongs to the
bundle's office. Any failure rolls the transaction back: the database is as it
was, and the refusal names the file and the reason.

Rows are merged by key (``merge``): a row headquarters does not have is
inserted; one it has is replaced only by a higher ``version`` (never by
arrival order), so the same bundle twice changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from cxdesk.errors import CxdeskError
from cxdesk.exchange import csvfile, signing
from cxdesk.exchange.bundle import FORMAT, FORMAT_VERSION, MANIFEST, SIGNATURE
from cxdesk.exchange.files import BundleFiles, text_of
from cxdesk.exchange.merge import Refused, first_line, load
from cxdesk.exchange.tables import BY_NAME, all_columns
from cxdesk.store.db import Database
from cxdesk.store.models import HqBundle, HqOffice

MAX_MANIFEST_BYTES = 4 << 20
_UUID_HEX = re.compile(r"^[0-9a-f]{32}$")
# The rule of cxdesk.domain.office (the exchange layer does not import the domain).
_OFFICE_CODE = re.compile(r"^[A-Z0-9]{2,8}$")


@dataclass
class BundleReport:
    path: Path
    status: str  # ingested | already | refused
    reason: str = ""
    office_code: str = ""
    rows: int = 0
    written: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        if self.status == "ingested":
            return (f"✔ {self.path}: {self.office_code}, {self.rows:,} rows ingested "
                    f"({self.written:,} new or newer)")
        if self.status == "already":
            return f"✔ {self.path}: {self.office_code}, already ingested; nothing changed"
        return f"✖ {self.path}: refused: {self.reason}"


@dataclass
class Checked:
    """A bundle whose manifest, signature and checksums passed."""

    files: BundleFiles
    manifest: dict
    digest: str
    signed: bool
    tables: list[dict] = field(default_factory=list)

    @property
    def office(self) -> dict:
        return self.manifest["office"]


# --- registering offices -----------------------------------------------------------------


def register_office(db: Database, code: str, name: str, public_key: str, now: datetime,
                    replace: bool = False) -> HqOffice:
    """Add an office to headquarters' register (or, with ``replace``, change its name or key)."""
    from cxdesk.text import clean_name

    code = (code or "").strip().upper()
    if not _OFFICE_CODE.match(code):
        raise CxdeskError("Office code: 2 to 8 letters or digits, e.g. CHI01.")
    name = clean_name(name, "Office name", 120)
    key = signing.parse_public_key(public_key)
    with db.session() as session:
        existing = session.get(HqOffice, code)
        if existing is not None and not replace:
            raise CxdeskError(f"{code} is already registered (--replace changes its name or key).")
        entry = existing or HqOffice(code=code, name=name, public_key=key, registered_at=now)
        entry.name, entry.public_key = name, key
        session.add(entry)
        session.commit()
        return entry


def registered_offices(db: Database) -> list[HqOffice]:
    with db.session() as session:
        return list(session.exec(select(HqOffice).order_by(HqOffice.code)))


# --- checks before writing ---------------------------------------------------------------------


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from cxdesk.store.migrate import alembic_config

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def check_bundle(path: Path, registry, *, allow_unsigned: bool,
                 revisions: set[str]) -> Checked:
    """Everything that can be checked without the database; raises Refused. ``registry``: the
    register, anything with ``get(code)`` giving the HqOffice or None."""
    try:
        files = BundleFiles(path)
    except CxdeskError as exc:
        raise Refused(str(exc)) from None
    try:
        return _check(files, registry, allow_unsigned, revisions)
    except (Refused, CxdeskError) as exc:
        files.close()
        raise Refused(str(exc)) from None


def _check(files: BundleFiles, registry, allow_unsigned: bool, revisions: set[str]) -> Checked:
    names = files.names()
    if MANIFEST not in names:
        raise Refused(f"{MANIFEST} is missing: not a cxdesk bundle")
    if files.size(MANIFEST) > MAX_MANIFEST_BYTES:
        raise Refused(f"{MANIFEST} is too big to be a manifest")
    body = files.read(MANIFEST)
    try:
        manifest = json.loads(text_of(body, MANIFEST))
    except json.JSONDecodeError as exc:
        raise Refused(f"{MANIFEST} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    _check_manifest_shape(manifest)
    if manifest["schema_revision"] not in revisions:
        raise Refused(f"{MANIFEST}: schema revision {manifest['schema_revision']!r} is not one this cxdesk "
                      "knows (a newer office?): upgrade cxdesk at headquarters first")
    office = manifest["office"]
    entry = registry.get(office["code"])
    if entry is None:
        raise Refused(f"office {office['code']} is not registered "
                      f"(cxdesk hq offices add {office['code']} --name ... --public-key ...)")
    if _same_name(entry.name) != _same_name(office["name"]):
        raise Refused(f"{MANIFEST} names office {office['code']} {office['name']!r}; "
                      f"the register has {entry.name!r}")
    if entry.office_id is not None and entry.office_id.hex != office["id"]:
        raise Refused(f"{MANIFEST}: office {office['code']} comes from another office database than "
                      "the one registered under that code")
    signed = False
    if SIGNATURE in names:
        signature = text_of(files.read(SIGNATURE), SIGNATURE)
        signed = signing.verify(entry.public_key, body, signature)
        if not signed and not allow_unsigned:
            raise Refused(f"{SIGNATURE} does not verify with the key registered for {office['code']} "
                          "(changed after signing, or signed by another office)")
    elif not allow_unsigned:
        raise Refused(f"{SIGNATURE} is missing: the bundle is unsigned (--allow-unsigned to take it anyway)")
    listed = manifest["tables"]
    expected = {MANIFEST, SIGNATURE} | {table["file"] for table in listed}
    extra = sorted(names - expected)
    if extra:
        raise Refused(f"{extra[0]} is not listed in the manifest")
    for table in listed:
        _check_table_entry(table)
        if table["file"] not in names:
            raise Refused(f"{table['file']} is missing")
        if files.sha256(table["file"]) != table["sha256"]:
            raise Refused(f"{table['file']}: checksum does not match the manifest (changed after export)")
        with files.stream(table["file"]) as handle:
            head = handle.readline(1 << 16)
        expected_head = (csvfile.header_line(table["columns"]) + csvfile.LINE_END).encode()
        if head != expected_head:
            raise Refused(f"{table['file']}: the header row is not the columns the manifest lists")
    return Checked(files, manifest, hashlib.sha256(body).hexdigest(), signed, listed)


def _same_name(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _check_manifest_shape(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Refused(f"{MANIFEST} is not a cxdesk bundle manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise Refused(f"{MANIFEST}: bundle format version {manifest.get('format_version')!r} "
                      f"(this cxdesk reads version {FORMAT_VERSION})")
    office = manifest.get("office")
    rng = manifest.get("range")
    fine = (
        isinstance(manifest.get("bundle_id"), str) and _is_uuid(manifest["bundle_id"])
        and isinstance(manifest.get("schema_revision"), str)
        and isinstance(manifest.get("created_at"), str) and _is_instant(manifest["created_at"])
        and isinstance(office, dict)
        and all(isinstance(office.get(k), str) for k in ("id", "code", "name", "timezone"))
        and _UUID_HEX.match(office.get("id", "") or "") is not None
        and isinstance(rng, dict) and isinstance(rng.get("kind"), str)
        and all(isinstance(rng.get(k), int) and rng[k] >= 0 for k in ("after_version", "through_version"))
        and isinstance(manifest.get("tables"), list)
    )
    if not fine:
        raise Refused(f"{MANIFEST} lacks a field or has one of the wrong type")
    seen = set()
    for table in manifest["tables"]:
        if not isinstance(table, dict) or table.get("name") in seen:
            raise Refused(f"{MANIFEST}: a table is listed twice or badly")
        seen.add(table.get("name"))


def _check_table_entry(table: dict) -> None:
    name = table.get("name")
    entry = BY_NAME.get(name) if isinstance(name, str) else None
    if entry is None:
        raise Refused(f"{MANIFEST} lists a table headquarters does not take: {name!r}")
    if table.get("file") != entry.file:
        raise Refused(f"{MANIFEST}: table {name} should be in {entry.file}")
    columns, rows, digest = table.get("columns"), table.get("rows"), table.get("sha256")
    if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)
            and isinstance(rows, int) and rows >= 0 and isinstance(digest, str)):
        raise Refused(f"{MANIFEST}: the entry for {entry.file} lacks a field or has one of the wrong type")
    known = dict(all_columns(name))
    unknown = [c for c in columns if c not in known or c in entry.never]
    if unknown:
        raise Refused(f"{entry.file}: column {unknown[0]!r} is not one headquarters takes")
    needed = [c for c in (*entry.key, entry.changed_by) if c is not None and c not in columns]
    if needed:
        raise Refused(f"{entry.file}: the column {needed[0]!r} is missing")
    if len(set(columns)) != len(columns):
        raise Refused(f"{entry.file}: a column is listed twice")
    kinds = table.get("kinds")
    if kinds is not None and kinds != [known[c] for c in columns]:
        raise Refused(f"{entry.file}: the column types differ from headquarters' schema")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_instant(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


# --- loading ---------------------------------------------------------------------------------


def ingest_bundles(db: Database, paths: Sequence[Path], *, now: datetime, allow_unsigned: bool = False,
                   on_done: Callable[[BundleReport], None] | None = None, jobs: int = 1) -> list[BundleReport]:
    """Ingest each bundle on its own (one transaction each); a refusal does not stop the others."""
    revisions = known_revisions()

    def one(path: Path) -> BundleReport:
        report = ingest_bundle(db, path, now=now, allow_unsigned=allow_unsigned, revisions=revisions)
        if on_done is not None:
            on_done(report)
        return report

    if jobs <= 1 or len(paths) <= 1 or db.engine.dialect.name != "postgresql":  # SQLite has one writer
        return [one(Path(path)) for path in paths]
    from concurrent.futures import ThreadPoolExecutor

    # Bundles of different offices touch different rows: a few at once keep
    # both the database and this process busy.
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, [Path(path) for path in paths]))


def ingest_bundle(db: Database, path: Path, *, now: datetime, allow_unsigned: bool = False,
                  revisions: set[str] | None = None) -> BundleReport:
    started = time.perf_counter()
    report = BundleReport(Path(path), "refused")
    try:
        checked = check_bundle(Path(path), _Register(db), allow_unsigned=allow_unsigned,
                               revisions=revisions or known_revisions())
    except Refused as exc:
        report.reason = str(exc)
        report.seconds = time.perf_counter() - started
        return report
    report.office_code = checked.office["code"]
    try:
        with db.engine.connect() as conn:
            bundle_id = uuid.UUID(checked.manifest["bundle_id"])
            if conn.execute(sa.select(HqBundle.id).where(HqBundle.id == bundle_id)).first() is not None:
                report.status = "already"
                report.rows = sum(table["rows"] for table in checked.tables)
                return report
            try:
                written = load(conn, checked.office["id"], checked.tables, checked.files)
                _record(conn, checked, registry_office_id=checked.office["id"], now=now)
                conn.commit()
            except Refused:
                conn.rollback()
                raise
            except sa.exc.DBAPIError as exc:
                conn.rollback()
                raise Refused(_database_reason(exc)) from None
            except Exception as exc:  # noqa: BLE001 - whatever broke, this bundle is refused, the rest go on
                conn.rollback()
                raise Refused(f"{type(exc).__name__}: {first_line(exc)}") from None
        report.status = "ingested"
        report.rows = sum(table["rows"] for table in checked.tables)
        report.written = written
    except Refused as exc:
        report.reason = str(exc)
    finally:
        checked.files.close()
        report.seconds = time.perf_counter() - started
    return report


class _Register:
    """The register of offices, read one office at a time: a national quarter has 1,220
    of them, and each bundle needs only its own."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, code) -> HqOffice | None:
        if not isinstance(code, str):
            return None
        with self.db.session() as session:
            return session.get(HqOffice, code)


def _database_reason(exc: sa.exc.DBAPIError) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else ""
    if "foreign key" in text.lower():
        return ("it refers to records headquarters does not have (ingest the office's earlier bundles first): "
                + text)
    return f"the database refused it: {text}"


def _record(conn: sa.Connection, checked: Checked, registry_office_id: str, now: datetime) -> None:
    manifest = checked.manifest
    conn.execute(sa.insert(HqBundle.__table__).values(
        id=uuid.UUID(manifest["bundle_id"]), office_code=manifest["office"]["code"],
        kind=manifest["range"]["kind"][:12], after_version=manifest["range"]["after_version"],
        through_version=manifest["range"]["through_version"],
        created_at=datetime.fromisoformat(manifest["created_at"]), ingested_at=now,
        rows=sum(table["rows"] for table in checked.tables), signed=checked.signed, sha256=checked.digest))
    conn.execute(sa.update(HqOffice.__table__).where(HqOffice.code == manifest["office"]["code"],
                                                     HqOffice.office_id.is_(None))
                 .values(office_id=uuid.UUID(registry_office_id)))
