"""Complaint settings (data/complaints.toml): deadlines in working days and the
short lists the intake form offers. An office may replace the file in its
catalog override folder; every error names the file and the key.
"""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cxdesk.config import catalog_override_dir
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import (
    CatalogItem,
    load_data_file,
    office_catalog,
    toml_document,
)
from cxdesk.vocab import LANGUAGES


@dataclass(frozen=True)
class ComplaintSettings:
    """Deadlines in working days, and the short lists the intake form offers."""

    acknowledge: int
    frontline: int
    investigation: int
    max_extension: int
    received_via: tuple[CatalogItem, ...]
    urgency: tuple[CatalogItem, ...]
    source: str = "built-in"

    def via(self, code: str) -> CatalogItem:
        return _pick(self.received_via, code, "way the complaint was received")

    def urgency_level(self, code: str) -> CatalogItem:
        return _pick(self.urgency, code, "urgency")


def _pick(items: Iterable[CatalogItem], code: str, what: str) -> CatalogItem:
    for item in items:
        if item.code == code:
            return item
    raise CxdeskError(f"Unknown {what} {code!r}." if code else f"Choose the {what}.")


def load_settings(override_dir: pathlib.Path | None = None) -> ComplaintSettings:
    """``complaints.toml`` from the override folder if there is one, else the built-in."""
    folder = catalog_override_dir() if override_dir is None else override_dir
    return load_data_file("complaints.toml", parse_settings, folder)


def parse_settings(text: str, where: str, source: str) -> ComplaintSettings:
    """Validate the complaints settings; every error names the file and the key."""

    def fail(reason: str) -> CxdeskError:
        return CxdeskError(f"{where}: {reason}")

    document = toml_document(text, where)
    deadlines = document.get("deadlines")
    if not isinstance(deadlines, dict):
        raise fail("no [deadlines] table.")
    days = {}
    for key, limit in (("acknowledge", 30), ("frontline", 60), ("investigation", 120),
                       ("max_extension", 120)):
        value = deadlines.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            raise fail(f"deadlines.{key} = {value!r}; it must be a whole number of working days, 1 to {limit}.")
        days[key] = value
    lists = {}
    for key in ("received_via", "urgency"):
        entries = document.get(key)
        if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
            raise fail(f"no [[{key}]] entries.")
        items = []
        for number, entry in enumerate(entries, start=1):
            code = entry.get("code")
            if not isinstance(code, str) or not re.match(r"^[a-z][a-z0-9_]{0,23}$", code):
                raise fail(f"{key} {number} has no valid code (lowercase letters, digits, underscores).")
            labels = {lang: entry.get(f"label_{lang}") for lang in LANGUAGES}
            if not all(isinstance(v, str) and v.strip() for v in labels.values()):
                raise fail(f"{key} {number} needs label_en and label_es.")
            if any(item.code == code for item in items):
                raise fail(f"{key} {number} repeats code '{code}'.")
            items.append(CatalogItem(code=code, labels=labels, extra={}))
        lists[key] = tuple(items)
    return ComplaintSettings(**days, **lists, source=source)


def categories():
    return office_catalog("complaint_categories")

