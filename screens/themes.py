"""cxdesk's own high-contrast theme, offered next to Textual's themes."""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

HIGH_CONTRAST = "cxdesk-high-contrast"

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
    },
)


def register_themes(app: App) -> None:
    app.register_theme(_HIGH_CONTRAST)
