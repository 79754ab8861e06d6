"""WCAG 2.x contrast, measured on what a screen really renders.

The compositor's segments are read cell by cell: each printable character's
foreground against its background (reverse video swapped, colours left unset
taken from the theme). Text needs 4.5:1 (WCAG 1.4.3, AA); box drawing, block
and chart glyphs are not text but parts of controls and graphics and need 3:1
(WCAG 1.4.11). Cells behind a modal dialog (the dimmed screen below) are not
checked: nothing there is meant to be read while the dialog is up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.color import Color as RichColor
from rich.segment import Segment

TEXT_MINIMUM = 4.5
GRAPHIC_MINIMUM = 3.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def is_graphic(character: str) -> bool:
    """Box drawing, blocks and geometric shapes: borders, bars, chart fills, scrollbars."""
    code = ord(character)
    return 0x2500 <= code <= 0x25FF or 0x2800 <= code <= 0x28FF


@dataclass
class Finding:
    where: str
    text: str
    foreground: str
    background: str
    ratio: float
    minimum: float

    def __str__(self) -> str:
        return (f"{self.where}: {self.text!r} {self.foreground} on {self.background} = {self.ratio:.2f}:1 "
                f"(needs {self.minimum}:1)")


@dataclass
class Measure:
    """The lowest ratios found and every cell that fails, for one rendered screen."""

    name: str
    lowest_text: float = 21.0
    lowest_graphic: float = 21.0
    cells: int = 0
    failures: list[Finding] = field(default_factory=list)


def _rgb(color: RichColor | None, fallback: tuple[int, int, int]) -> tuple[int, int, int]:
    if color is None or color.is_default:
        return fallback
    triplet = color.get_truecolor()
    return (triplet.red, triplet.green, triplet.blue)


def measure_screen(app, name: str) -> Measure:
    """Every visible character of the screen in front, foreground against background."""
    screen = app.screen
    theme = app.current_theme
    default_fg = _hex(theme.foreground or "#FFFFFF")
    default_bg = _hex(theme.background or "#000000")
    from textual.strip import Strip

    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    screen.refresh()  # the full render above took the compositor's dirty regions
    modal = screen.is_modal
    found = Measure(name)
    for y, row in enumerate(update.strips):
        strip = Strip.join(row)
        x = 0
        runs: dict[tuple, list[str]] = {}
        for segment in strip:
            segment: Segment
            text, style = segment.text, segment.style
            start = x
            x += segment.cell_length
            if style is None or segment.control:
                continue
            fg = _rgb(style.color, default_fg)
            bg = _rgb(style.bgcolor, default_bg)
            if style.reverse:
                fg, bg = bg, fg
            if fg == bg:
                # A glyph in its own background colour is a blank on screen (Textual's
                # unticked checkbox draws its X that way): nothing to read.
                continue
            for offset, character in enumerate(text):
                if character.isspace():
                    continue
                if modal and _behind_modal(screen, start + offset, y):
                    continue
                if _disabled(screen, start + offset, y):
                    # WCAG 1.4.3 and 1.4.11 exempt inactive controls (a contact field
                    # before consent is ticked): they are shown faded on purpose.
                    continue
                graphic = is_graphic(character)
                ratio = contrast_ratio(fg, bg)
                found.cells += 1
                minimum = GRAPHIC_MINIMUM if graphic else TEXT_MINIMUM
                if graphic:
                    found.lowest_graphic = min(found.lowest_graphic, ratio)
                else:
                    found.lowest_text = min(found.lowest_text, ratio)
                if ratio < minimum:
                    widget = _widget_name(screen, start + offset, y)
                    runs.setdefault((widget, fg, bg, round(ratio, 2), minimum), []).append(character)
        for (widget, fg, bg, ratio, minimum), characters in runs.items():
            found.failures.append(Finding(f"{name} row {y} {widget}", "".join(characters)[:40], _hexs(fg),
                                          _hexs(bg), ratio, minimum))
    return found


def _behind_modal(screen, x: int, y: int) -> bool:
    try:
        widget, _region = screen.get_widget_at(x, y)
    except Exception:  # noqa: BLE001 - outside every widget of the dialog: the screen below
        return True
    return widget is screen


def _disabled(screen, x: int, y: int) -> bool:
    try:
        widget, _region = screen.get_widget_at(x, y)
    except Exception:  # noqa: BLE001
        return False
    return widget.is_disabled


def _widget_name(screen, x: int, y: int) -> str:
    try:
        widget, _region = screen.get_widget_at(x, y)
    except Exception:  # noqa: BLE001
        return "(below the dialog)"
    return f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__


def _hex(value: str) -> tuple[int, int, int]:
    from textual.color import Color

    color = Color.parse(value)
    return (color.r, color.g, color.b)


def _hexs(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def status_colour_rows(app) -> list[tuple[int, str, str]]:
    """(row, the colour's name, the row's text) for every row where a status colour
    (success, warning, error, in the theme's own shades) paints text or background."""
    from textual.color import Color
    from textual.strip import Strip

    variables = app.theme_variables
    named: dict[tuple[int, int, int], str] = {}
    for name in ("success", "warning", "error", "text-success", "text-warning", "text-error",
                 "success-darken-1", "warning-darken-1", "error-darken-1"):
        if name in variables:
            try:
                color = Color.parse(variables[name])
            except Exception:  # noqa: BLE001 - an "auto" colour names no status
                continue
            named.setdefault((color.r, color.g, color.b), name)
    # A theme may give a status the colour of everything else (high contrast's warning is
    # its yellow focus colour): such a colour says no status by itself.
    for name in ("primary", "secondary", "accent", "foreground", "border", "block-cursor-background",
                 "footer-key-foreground"):
        try:
            color = Color.parse(variables.get(name, ""))
        except Exception:  # noqa: BLE001
            continue
        named.pop((color.r, color.g, color.b), None)
    screen = app.screen
    update = screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    screen.refresh()
    rows = []
    for y, row in enumerate(update.strips):
        strip = Strip.join(row)
        text = strip.text
        for segment in strip:
            style = segment.style
            if style is None or not any(not c.isspace() and not is_graphic(c) for c in segment.text):
                continue
            hit = next((named[rgb] for rgb in (_rgb(style.color, (-1, -1, -1)), _rgb(style.bgcolor, (-1, -1, -1)))
                        if rgb in named), None)
            if hit:
                rows.append((y, hit, text.rstrip()))
                break
    return rows
