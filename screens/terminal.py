"""The terminal driver: Textual's own, except that a broken byte from the keyboard is
dropped and Escape typed fast is not taken for Alt.

Textual 8.2.8 decodes terminal input as strict UTF-8 in its input thread: one
invalid byte (``tmux send-keys -H f1``, a mis-set locale, a serial console)
raises ``UnicodeDecodeError``, the input thread dies and the app exits with
status 0 while the clerk's shift stays open. This module changes Textual's
behaviour in exactly that place: ``run_input_thread`` below is Textual's method
(textual/drivers/linux_driver.py, Textual 8.2.8, pinned in pyproject.toml)
with the decoder set to replace broken bytes, and the replacement characters
dropped before they become keys. Re-check it when Textual is upgraded.

A terminal sends Alt+n as ESC followed by "n", and so does a clerk who presses
Escape and then n quickly. Textual's parser then waits for the rest of an escape
sequence: in a burst that arrives in one read (``n f 1 1 Enter Escape n f 2 1
Enter Escape`` from tmux) it swallowed everything up to the next ESC and gave
the first Escape back as "^", so the second visit was lost. cxdesk binds no
Alt key, so an ESC that cannot start a terminal sequence is the Escape key:
it is rewritten to the unambiguous kitty form of Escape before parsing
(``separate_escapes``), and an ``alt+x`` that still comes through (ESC at the
end of one read, x at the start of the next) is given back as Escape, then x.

A read that ends in ESC waits ``ESCDELAY`` milliseconds (the curses setting; 10 by
default, tmux's ``escape-time`` since 3.5) for the rest of a sequence; if nothing comes
it is the Escape key at once.
Textual's parser alone waits 100 ms and then notices only at its next 100 ms tick, so a
clerk's Escape took 100 to 200 ms to close a dialog.
"""

from __future__ import annotations

import os
import re
import selectors
from codecs import getincrementaldecoder
from collections.abc import Callable

from textual import events
from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

REPLACEMENT = "\ufffd"
# After ESC, these begin a terminal sequence (CSI, SS3, OSC, DCS, APC, PM, SOS, ST, ESC).
_LONE_ESCAPE = re.compile("\x1b(?=[^\\[O\\]P_^X\\\\\x1b])")
# The kitty keyboard protocol's Escape key, which Textual parses on its own.
ESCAPE_KEY = "\x1b[27u"
# A terminal writes a whole sequence at once, so its rest is in the same read or right
# behind it: tmux waits 10 ms by default (escape-time, 3.5). 25 ms here before issue 16:
# Escape is the last key of most visits at the counter.
DEFAULT_ESCAPE_WAIT_S = 0.010


def escape_wait_seconds() -> float:
    """How long a read that ends in ESC waits for the rest of a sequence: ``ESCDELAY``
    (milliseconds, the setting curses programs share) or 10 ms. A terminal writes a whole
    sequence at once, so its rest comes in the same read or at once after it."""
    try:
        return max(1, int(os.environ.get("ESCDELAY", ""))) / 1000
    except ValueError:
        return DEFAULT_ESCAPE_WAIT_S


def finish_trailing_escape(text: str, more: Callable[[], str | None]) -> str:
    """``text`` read from the terminal; if it ends in ESC, ``more()`` gives what follows
    within the escape wait (None: nothing came). An ESC nothing followed is the Escape key
    (Textual's parser would only say so at its next 100 ms tick, after its own 100 ms wait)."""
    while text.endswith("\x1b"):
        following = more()
        if following is None:
            return text[:-1] + ESCAPE_KEY
        text += following
    return text


def separate_escapes(text: str) -> str:
    """Every ESC followed by something no terminal sequence starts with is the Escape key."""
    return _LONE_ESCAPE.sub(ESCAPE_KEY, text)


def decode_keyboard(decoder, data: bytes, *, final: bool = False) -> str:
    """Bytes from the terminal as text; bytes that are not UTF-8 are dropped."""
    return decoder(data, final=final).replace(REPLACEMENT, "")


def keyboard_decoder():
    """An incremental UTF-8 decoder that never raises on a broken byte."""
    return getincrementaldecoder("utf-8")(errors="replace").decode


def escape_then_key(event: events.Event) -> list[events.Event]:
    """``alt+x`` as the two keys a fast typist pressed (Escape, then x); other events as they are."""
    if not isinstance(event, events.Key) or not event.key.startswith("alt+") or not event.character:
        return [event]
    if len(event.character) != 1 or not event.character.isprintable():
        return [event]
    key = event.key.removeprefix("alt+")
    if key.startswith("shift+") and len(event.character) == 1 and event.character.isupper():
        key = event.character
    return [events.Key("escape", "\x1b"), events.Key(key, event.character)]


class TolerantLinuxDriver(LinuxDriver):
    """Textual's Linux/macOS driver, with input decoded leniently and Escape typed fast
    kept apart from the key after it (see the module docstring)."""

    def process_message(self, message) -> None:
        for event in escape_then_key(message):
            super().process_message(event)

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual 8.2.8's loop, lenient decoding)."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)

        fileno = self.fileno
        EVENT_READ = selectors.EVENT_READ  # noqa: N806 - as in Textual

        parser = XTermParser(self._debug)
        feed = parser.feed
        tick = parser.tick

        decode = keyboard_decoder()
        read = os.read
        escape_wait = escape_wait_seconds()

        def following() -> str | None:
            if not selector.select(escape_wait):
                return None
            data = read(fileno, 1024 * 4)
            return decode_keyboard(decode, data) if data else None

        def process_selector_events(selector_events, final: bool = False) -> None:
            for last, (_selector_key, mask) in loop_last(selector_events):
                if mask & EVENT_READ:
                    raw = read(fileno, 1024 * 4)
                    if not raw:
                        # This can occur if the stdin is piped
                        break
                    text = finish_trailing_escape(decode_keyboard(decode, raw, final=final and last), following)
                    unicode_data = separate_escapes(text)
                    if not unicode_data:
                        continue
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)

        finally:
            selector.close()
            try:
                for event in feed(""):
                    pass
            except (EOFError, ParseError):
                pass
