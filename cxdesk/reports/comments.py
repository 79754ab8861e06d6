"""Customers' own words made fit to leave the counter: personal details withheld.

A comment may hold an e-mail address, a phone number, a Social Security or case
number. Reports and exports show the words with those replaced, so the office can
act on what was said without passing on who said it.
"""

from __future__ import annotations

import re

from cxdesk.text import strip_controls

WITHHELD = "[withheld]"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Any run of 4 or more digits, possibly broken by spaces, dots, dashes or brackets:
# phone numbers, SSNs (123-45-6789), case and card numbers.
_NUMBER = re.compile(r"\+?\(?\d[\d\s().-]{2,}\d")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


def withhold_personal(text: str | None) -> str:
    """``text`` on one line, with e-mail addresses, links and long numbers withheld."""
    if not text:
        return ""
    line = " ".join(strip_controls(text).split())
    line = _URL.sub(WITHHELD, line)
    line = _EMAIL.sub(WITHHELD, line)

    def number(match: re.Match) -> str:
        return WITHHELD if sum(ch.isdigit() for ch in match[0]) >= 4 else match[0]

    return _NUMBER.sub(number, line)
