"""The start-up floor: a bare Textual app with Header and Footer, signalling readiness like cxdesk."""

from __future__ import annotations

import os
import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header


class BareApp(App):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()

    def on_mount(self) -> None:
        # The same moment cxdesk's sign-in screen reports: after its first refresh.
        self.call_after_refresh(self.ready)

    def ready(self) -> None:
        ready_file = os.environ.get("CXDESK_BENCH_READY")
        if ready_file:
            with open(ready_file, "a", encoding="utf-8") as handle:
                handle.write(f"bare {time.time_ns()}\n")
        if os.environ.get("CXDESK_BENCH_EXIT_ON") == "bare":
            self.exit()


if __name__ == "__main__":
    BareApp().run()
