"""Reference catalogs (services, segments, outcomes, referrals, reasons, channels).

Built-ins ship as TOML in ``cxdesk.data``; a supervisor overrides one by putting
``<name>.toml`` in the override directory, which replaces the built-in list whole.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import TypeVar

from cxdesk.errors import CxdeskError
from cxdesk.text import strip_controls

CATALOG_NAMES = ("services", "segments", "outcomes", "referrals", "not_served_reasons", "channels",
                 "complaint_categories")

# Channel codes accepted by the Touchpoints CX data collection (A-11 Section 280).
TOUCHPOINTS_CHANNELS: tuple[str, ...] = (
    "computer",
    "mobile",
    "email",
    "chatbot",
    "phone",
    "automated_phone",
    "in_person",
    "paper",
    "postal_mail",
    "fax",
    "self_service_kiosk",
    "other_non_digital",
    "website",
    "mobile_app",
    "live_chat",
    "sms_text_messages",
    "social_media",
    "other_digital",
)

# What a catalog entry is called in the clerk's words, for error messages.
_ITEM_NOUNS = {
    "services": "service",
    "segments": "customer segment",
    "outcomes": "outcome",
    "referrals": "referral target",
    "not_served_reasons": "not-served reason",
    "channels": "channel",
    "complaint_categories": "complaint category",
}

# Keys other code relies on, per catalog: the counter shows minutes, the demo
# generator draws by weight, the Touchpoints export needs the channel code.
_REQUIRED_EXTRA = {
    "services": ("minutes", "weight"),
    "segments": ("weight",),
    "channels": ("touchpoints",),
}

_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_REQUIRES_VALUES = ("referral", "reason")
_LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class CatalogItem:
    """One entry of a catalog. Loaded catalogs are shared: do not mutate the dicts."""

    code: str
    labels: dict[str, str]
    extra: dict[str, object]

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``, or the English one when there is none."""
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Catalog:
    """An ordered list of items; the order is the number-key order on screen."""

    name: str
    items: tuple[CatalogItem, ...]
    source: str
    _by_code: dict[str, CatalogItem] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {item.code: item for item in self.items})

    def get(self, code: str) -> CatalogItem:
        try:
            return self._by_code[code]
        except KeyError:
            noun = _ITEM_NOUNS.get(self.name, "entry")
            # repr: a code typed on a command line may hold terminal escapes.
            raise CxdeskError(f"Unknown {noun} {code!r}.") from None

    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def __iter__(self) -> Iterator[CatalogItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code


def load_catalog(name: str, override_dir: pathlib.Path | str | os.PathLike[str] | None = None) -> Catalog:
    """The catalog ``name``: ``override_dir/<name>.toml`` if it exists, else the built-in."""
    if name not in CATALOG_NAMES:
        raise CxdeskError(f"No catalog named '{name}' (known: {', '.join(CATALOG_NAMES)}).")
    return load_data_file(f"{name}.toml", _CATALOG_PARSERS[name], override_dir)


def office_catalog(name: str) -> Catalog:
    """The catalog as this office uses it: the supervisor's override if there is one.

    Called for every row the counter, the demo and the reports label, so it costs one
    stat() of the override file and a dictionary look-up: the folder is worked out once
    per environment (platformdirs takes longer than the rest), the parse is cached by
    the file's stamp, and an edited or removed override is still seen at the next call.
    """
    path = _override_file(name, *_folder_env())
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return _parse_builtin(_CATALOG_PARSERS[name], f"{name}.toml")
    except OSError as exc:
        raise CxdeskError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    return _parse_override(_CATALOG_PARSERS[name], pathlib.Path(path), (stat.st_mtime_ns, stat.st_size))


def _folder_env() -> tuple[str | None, ...]:
    """What the override folder depends on: cxdesk's own variable and the platform's."""
    get = os.environ.get
    return get("CXDESK_HOME"), get("XDG_CONFIG_HOME"), get("HOME"), get("APPDATA")


@functools.lru_cache(maxsize=64)
def _override_file(name: str, *_env: str | None) -> str:
    from cxdesk.config import catalog_override_dir

    if name not in CATALOG_NAMES:
        raise CxdeskError(f"No catalog named '{name}' (known: {', '.join(CATALOG_NAMES)}).")
    return os.fspath(catalog_override_dir() / f"{name}.toml")


def load_all(override_dir: pathlib.Path | str | os.PathLike[str] | None = None) -> dict[str, Catalog]:
    """Every catalog by name, each overridden independently."""
    return {name: load_catalog(name, override_dir) for name in CATALOG_NAMES}


T = TypeVar("T")
# parse(text, where, source): ``where`` names the file in errors, ``source`` is
# "built-in" or the override's path.
Parser = Callable[[str, str, str], T]


def load_data_file(filename: str, parse: Parser[T],
                   override_dir: pathlib.Path | str | os.PathLike[str] | None = None) -> T:
    """A data file of ``cxdesk.data``, or the supervisor's file of the same name in ``override_dir``.

    Parsed results are cached; the override's stamp is part of the key, so an
    edited file is picked up while an unchanged one costs a single stat().
    """
    if override_dir is not None:
        path = pathlib.Path(override_dir) / filename
        try:
            stat = path.stat()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise CxdeskError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
        else:
            return _parse_override(parse, path, (stat.st_mtime_ns, stat.st_size))
    return _parse_builtin(parse, filename)


@functools.lru_cache(maxsize=None)
def _parse_builtin(parse: Parser[T], filename: str) -> T:
    text = resources.files("cxdesk.data").joinpath(filename).read_text(encoding="utf-8")
    return parse(text, filename, "built-in")


@functools.lru_cache(maxsize=64)
def _parse_override(parse: Parser[T], path: pathlib.Path, _stamp: tuple[int, int]) -> T:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise CxdeskError(f"{path}: not UTF-8 text.") from None
    except OSError as exc:
        raise CxdeskError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    return parse(text, str(path), str(path))


def toml_document(text: str, where: str, _source: str = "") -> dict:
    """Parse TOML text; a syntax error names the file.

    Labels reach screens, CSVs and the customer: a terminal control character
    (TOML lets one be written as an escape, "\\u001b") is refused here.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CxdeskError(f"{where}: not valid TOML ({exc}).") from None
    _refuse_controls(document, where)
    return document


def _refuse_controls(value: object, where: str, key: str = "") -> None:
    if isinstance(value, str):
        if strip_controls(value, keep_newlines=True) != value.replace("\t", " "):
            raise CxdeskError(f"{where}: {key or 'a value'} contains a terminal control character; remove it.")
    elif isinstance(value, dict):
        for name, item in value.items():
            _refuse_controls(item, where, f"{key}.{name}" if key else name)
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            _refuse_controls(item, where, f"{key} {number}")


def _parse(name: str, text: str, where: str, source: str) -> Catalog:
    """Validate the TOML text of catalog ``name``; ``where`` prefixes every error."""

    def fail(reason: str) -> CxdeskError:
        return CxdeskError(f"{where}: {reason}")

    document = toml_document(text, where)
    unexpected = sorted(set(document) - {"item"})
    if unexpected:
        raise fail(f"unexpected key '{unexpected[0]}' (write each entry as an [[item]] table).")
    entries = document.get("item", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise fail("'item' must be a list of [[item]] tables.")
    if not entries:
        raise fail("the catalog is empty (no [[item]] entries).")

    items: list[CatalogItem] = []
    first_seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        item = _parse_item(name, number, entry, fail)
        if item.code in first_seen:
            raise fail(f"item {number} repeats code '{item.code}' (already used by item {first_seen[item.code]}).")
        first_seen[item.code] = number
        items.append(item)
    return Catalog(name=name, items=tuple(items), source=source)


def _parse_item(
    name: str, number: int, entry: dict[str, object], fail: Callable[[str], CxdeskError]
) -> CatalogItem:
    code = entry.get("code")
    if not isinstance(code, str) or not code:
        raise fail(f"item {number} has no code.")
    if not _CODE_PATTERN.match(code):
        raise fail(
            f"item {number} has code '{code}'; a code is 1 to 40 lowercase letters, digits "
            "or underscores, starting with a letter."
        )

    labels: dict[str, str] = {}
    for lang, language in _LANGUAGE_NAMES.items():
        value = entry.get(f"label_{lang}")
        if not isinstance(value, str) or not value.strip():
            raise fail(f"item {number} has no {language} label (label_{lang}).")
    for key, value in entry.items():
        if key.startswith("label_"):
            if not isinstance(value, str):
                raise fail(f"item {number}: {key} must be text.")
            labels[key.removeprefix("label_")] = value

    extra = {key: value for key, value in entry.items() if key != "code" and not key.startswith("label_")}
    for key in _REQUIRED_EXTRA.get(name, ()):
        if key not in extra:
            raise fail(f"item {number} has no {key}.")
    for key in ("minutes", "weight"):
        if key in extra:
            value = extra[key]
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise fail(f"item {number} has {key} = {value!r}; it must be a whole number above 0.")
    if "touchpoints" in extra and extra["touchpoints"] not in TOUCHPOINTS_CHANNELS:
        raise fail(
            f"item {number} has touchpoints = {extra['touchpoints']!r}, which is not a Touchpoints "
            f"channel (one of: {', '.join(TOUCHPOINTS_CHANNELS)})."
        )
    if "requires" in extra and extra["requires"] not in _REQUIRES_VALUES:
        raise fail(f"item {number} has requires = {extra['requires']!r}; it must be 'referral' or 'reason'.")

    return CatalogItem(code=code, labels=labels, extra=extra)


# One parser object per catalog, made once, so the load caches can key on it.
_CATALOG_PARSERS = {name: functools.partial(_parse, name) for name in CATALOG_NAMES}
