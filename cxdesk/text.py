"""Text typed by people, cleaned on the way in: names, notes, comments, complaint words.

Such text is data. It is stored without terminal control sequences (an OSC
title change or a colour escape pasted into a comment must never reach a
screen or a CSV), and text no database can store faithfully (a lone UTF-16
surrogate, a NUL, which PostgreSQL refuses) is refused with a sentence a clerk
can act on. Screens still render it as plain text, never as markup.

A leaf: imports nothing of the project but the error type.
"""

from __future__ import annotations

import re

from cxdesk.errors import CxdeskError

# ESC-introduced sequences: CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC
# strings (ESC ] ... BEL or ST), and two-character escapes. Their 8-bit C1 forms
# (0x9B CSI, 0x9D OSC ...) are caught by the control-character class below.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"  # OSC, DCS, SOS, PM, APC up to BEL or ST
    r"|\x1b[@-Z\\-_]"  # other two-character escapes
    r"|[\x9b\x9d\x90\x98\x9e\x9f].*?(?:\x07|\x9c|\x1b\\|$)",  # 8-bit CSI/OSC/DCS... strings
    re.DOTALL,
)
# C0 controls but tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without escape sequences and control characters.

    Tabs become spaces; newlines are kept only where a field allows several
    lines (``keep_newlines``), otherwise they become spaces.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return _CONTROL.sub("", text)


def check_storable(text: str, what: str) -> None:
    """Refuse text a database cannot keep as typed: NUL and lone surrogates."""
    if "\x00" in text:
        raise CxdeskError(f"{what} contains a NUL character, which cannot be stored; retype it.")
    if _SURROGATE.search(text):
        raise CxdeskError(f"{what} contains a broken character (an unpaired surrogate); retype it.")


def clean_line(text: str | None, what: str, limit: int, *, required: bool = True) -> str:
    """One line of typed text: controls removed, runs of spaces collapsed, length checked."""
    raw = text or ""
    check_storable(raw, what)
    line = " ".join(strip_controls(raw).split())
    if required and not line:
        raise CxdeskError(f"{what} cannot be empty.")
    if len(line) > limit:
        raise CxdeskError(f"{what} is too long (at most {limit} characters).")
    return line


def clean_block(text: str | None, what: str, limit: int, *, required: bool = False) -> str:
    """Several lines of typed text (a complaint, a note): controls removed, lines kept."""
    raw = text or ""
    check_storable(raw, what)
    lines = [" ".join(line.split()) for line in strip_controls(raw, keep_newlines=True).split("\n")]
    block = "\n".join(lines).strip()
    if required and not block:
        raise CxdeskError(f"{what} cannot be empty.")
    if len(block) > limit:
        raise CxdeskError(f"{what} is too long (at most {limit} characters).")
    return block


def clean_name(name: str | None, what: str, limit: int = 80) -> str:
    """A person's, office's or station's name: one clean line, required."""
    return clean_line(name, what, limit)
