"""The key bar at the foot of a staff screen, generated from the bindings like the help.

Textual's Footer lists keys in binding order and lets the rest scroll off the
right edge: at 80 columns F1 and F2 fell off the counter. Here F1 Help and
F2 Complaint always come first (EO 12862 1(g): the complaint key is visible from
every screen), then the keys of the screen in front, then the other F-keys;
whatever does not fit is left out whole (it is in the help and the palette),
never cut in the middle.
"""

from __future__ import annotations

import re

from textual.app import RenderResult
from textual.binding import Binding
from textual.content import Content
from textual.widget import Widget

from cxdesk.i18n import staff_text

# Shown first, whatever the width.
FIRST_ACTIONS = ("help", "open_complaint")
_F_KEY = re.compile(r"^f\d+$")


def key_label(app, binding: Binding) -> str:
    """F1, ^S, Esc, n: how a key reads in the bar and in the help."""
    shown = app.get_key_display(binding)
    if _F_KEY.match(shown):
        return shown.upper()
    return {"escape": "Esc", "esc": "Esc", "enter": "Enter", "tab": "Tab"}.get(shown, shown)


class KeyBar(Widget):
    """One line of keys: ``key label`` chips, most needed first, never cut."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 100%;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    # The chips last drawn: the screen's bindings change each time it comes back to the front
    # (a form closed), mostly to the same keys, and drawing the bar again for nothing was a
    # millisecond and more of that key (issue 16).
    _drawn: list[tuple[str, str, bool]] | None = None

    def _bindings_changed(self, _screen) -> None:
        # Not drawn yet (a screen starting up): drawn anyway, its keys not worked out twice.
        if self._drawn is None or self.chips() != self._drawn:
            self.refresh()

    def chips(self) -> list[tuple[str, str, bool]]:
        """(key, label, enabled) in the order they are shown."""
        app = self.app
        first: list[tuple[int, tuple[str, str, bool]]] = []
        screen_keys: list[tuple[str, str, bool]] = []
        app_keys: list[tuple[str, str, bool]] = []
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen or binding.action == "command_palette":
                continue
            seen.add(binding.action)
            chip = (key_label(app, binding), staff_text(binding.description), enabled)
            if binding.action in FIRST_ACTIONS:
                first.append((FIRST_ACTIONS.index(binding.action), chip))
            elif node is app:
                app_keys.append(chip)
            else:
                screen_keys.append(chip)
        return [chip for _, chip in sorted(first)] + screen_keys + app_keys

    def render(self) -> RenderResult:
        width = self.size.width
        parts: list[Content] = []
        used = 0
        self._drawn = chips = self.chips()
        for key, label, enabled in chips:
            chip = Content.assemble((key, "reverse bold" if enabled else "reverse dim"),
                                    (f" {label}", "" if enabled else "dim"), "  ")
            if used + chip.cell_length > width:
                continue
            parts.append(chip)
            used += chip.cell_length
        return Content("").join(parts)
