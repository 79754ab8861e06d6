"""The summary's chart of arrivals and customers served by hour (textual-plotext).

The two series differ in their fill as well as their colour (█ arrived, ▒ served),
so the chart reads in the high-contrast theme and in black and white; the same
numbers stand in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.color import Color
from textual_plotext import PlotextPlot

ARRIVED_MARK = "█"
SERVED_MARK = "▒"
LEGEND = f"{ARRIVED_MARK} arrived   {SERVED_MARK} served"


class HourChart(PlotextPlot):
    """Arrived and served per office-local hour, side by side."""

    DEFAULT_CSS = """
    HourChart { width: 1fr; height: 14; min-width: 30; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rows: Sequence[tuple[int, int, int]] = ()

    def show_hours(self, rows: Sequence[tuple[int, int, int]]) -> None:
        """``rows``: (hour, arrived, served)."""
        self.rows = tuple(rows)
        self.draw()

    def on_mount(self) -> None:
        # PlotextPlot's own on_mount runs too (Textual calls each class's handler).
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.draw())

    def draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not self.rows:
            plt.title("No visits in this period")
            self.refresh()
            return
        hours = [f"{hour:02d}" for hour, _a, _s in self.rows]
        arrived = [a for _h, a, _s in self.rows]
        served = [s for _h, _a, s in self.rows]
        variables = self.app.theme_variables
        colours = [Color.parse(variables.get(name, "white")).rgb for name in ("primary", "foreground")]
        plt.multiple_bar(hours, [arrived, served], marker=[ARRIVED_MARK, SERVED_MARK], color=colours)
        top = max(max(arrived), max(served), 1)
        step = max(1, -(-top // 4))
        plt.yticks(list(range(0, top + step, step)))
        plt.xlabel("hour (office time)")
        self.refresh()
