"""The terminal driver: Textual's own, except that a broken byte from the keyboard is dropped.

Textual 8.2.8 decodes terminal input as strict UTF-8 in its input thread: one
invalid byte (``tmux send-keys -H f1``, a mis-set locale, a serial console)
raises ``UnicodeDecodeError``, the input thread dies and the app exits with
status 0 while the clerk's shift stays open. This module changes Textual's
behaviour in exactly that place: ``run_input_thread`` below is Textual's method
(textual/drivers/linux_driver.py, Textual 8.2.8, pinned in pyproject.toml)
with the decoder set to replace broken bytes, and the replacement characters
dropped before they become keys. Re-check it when Textual is upgraded.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

REPLACEMENT = "\ufffd"


def decode_keyboard(decoder, data: bytes, *, final: bool = False) -> str:
    """Bytes from the terminal as text; bytes that are not UTF-8 are dropped."""
    return decoder(data, final=final).replace(REPLACEMENT, "")


def keyboard_decoder():
    """An incremental UTF-8 decoder that never raises on a broken byte."""
    return getincrementaldecoder("utf-8")(errors="replace").decode


class TolerantLinuxDriver(LinuxDriver):
    """Textual's Linux/macOS driver, with input decoded leniently (see the module docstring)."""

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

        def process_selector_events(selector_events, final: bool = False) -> None:
            for last, (_selector_key, mask) in loop_last(selector_events):
                if mask & EVENT_READ:
                    raw = read(fileno, 1024 * 4)
                    if not raw:
                        # This can occur if the stdin is piped
                        break
                    unicode_data = decode_keyboard(decode, raw, final=final and last)
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
