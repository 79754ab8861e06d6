"""cxdesk's own accessible themes, offered next to Textual's: high contrast and colour-blind safe.

Both are checked by tests/screens/test_contrast.py, which renders every screen
in each and measures every character against its background (WCAG AA: 4.5:1
for text, 3:1 for borders and graphics).
"""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

HIGH_CONTRAST = "cxdesk-high-contrast"
COLOUR_BLIND = "cxdesk-colour-blind"
# The themes made for accessibility (EO 12862 1(g)); the contrast test renders every screen in each.
ACCESSIBLE_THEMES = (HIGH_CONTRAST, COLOUR_BLIND)

# Pure black and white with a bright yellow focus colour: WCAG AAA contrast for
# every text pair. Status is never carried by colour alone anyway (symbols and
# words go with it), so this theme only has to be legible.
_HIGH_CONTRAST = Theme(
    name=HIGH_CONTRAST,
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF6060",
    dark=True,
    luminosity_spread=0.0,
    text_alpha=1.0,
    variables={
        "block-cursor-background": "#FFFF00",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "footer-key-foreground": "#FFFF00",
        "input-selection-background": "#FFFF00 40%",
        "border": "#FFFFFF",
        "border-blurred": "#AAAAAA",
        # Textual's muted and placeholder text are the foreground at 60% and 38%:
        # too faint for AA on black. Solid greys at 9:1 and 6:1 instead.
        "text-muted": "#C8C8C8",
        "text-disabled": "#A0A0A0",
    },
)

# Okabe & Ito's palette ("Color Universal Design", 2008), which stays distinct for
# deuteranopia, protanopia and tritanopia: sky blue, orange, yellow, vermillion,
# never red against green. Success is blue and errors are orange, so the two never
# hinge on the red-green axis that 1 man in 12 does not see; words and symbols
# (✔ ✖ ⚠ ▶) carry every state as well.
_COLOUR_BLIND = Theme(
    name=COLOUR_BLIND,
    primary="#56B4E9",  # sky blue
    secondary="#CC79A7",  # reddish purple (orange is kept for errors)
    accent="#F0E442",  # yellow
    foreground="#F5F5F5",
    background="#101418",
    surface="#1A2027",
    panel="#26303A",
    success="#56B4E9",  # blue, not green
    warning="#F0E442",  # yellow
    error="#E69F00",  # orange, not red
    boost="#FFFFFF",
    dark=True,
    luminosity_spread=0.1,
    text_alpha=1.0,
    variables={
        "block-cursor-background": "#56B4E9",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "#3A4654",
        "block-cursor-blurred-foreground": "#FFFFFF",
        "footer-key-foreground": "#F0E442",
        "input-selection-background": "#56B4E9 40%",
        "border": "#56B4E9",
        "border-blurred": "#8A96A3",
        "text-muted": "#C9CED4",
        "text-disabled": "#AAB2BB",
        "scrollbar": "#56B4E9",
        "scrollbar-hover": "#8CCBF0",
        "scrollbar-active": "#F0E442",
        "scrollbar-background": "#101418",
        "scrollbar-background-hover": "#101418",
        "scrollbar-background-active": "#101418",
    },
)


def register_themes(app: App) -> None:
    app.register_theme(_HIGH_CONTRAST)
    app.register_theme(_COLOUR_BLIND)
