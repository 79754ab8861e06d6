"""Write the staff message catalog's template, cxdesk/locale/cxdesk.pot, from the key
bindings of every screen (label and tooltip) and the help screen's own words.

    python tools/staff_messages.py          # rewrite the template
    python tools/staff_messages.py --check  # exit 1 if it is out of date

A translator copies the template to ``<lang>.po``, translates it, and compiles it to
``cxdesk/locale/<lang>/LC_MESSAGES/cxdesk.mo`` (msgfmt); see cxdesk/i18n.py.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "cxdesk" / "locale" / "cxdesk.pot"


def staff_messages() -> dict[str, list[str]]:
    """Every staff message, with where it comes from, in a stable order."""
    import cxdesk.screens as package
    from textual.binding import Binding
    from textual.dom import DOMNode

    found: dict[str, list[str]] = {}

    def add(message: str, where: str) -> None:
        if message:
            found.setdefault(message, []).append(where)

    modules = [importlib.import_module(info.name)
               for info in pkgutil.walk_packages(package.__path__, "cxdesk.screens.")]
    seen: set[type] = set()
    for module in sorted(modules, key=lambda m: m.__name__):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls in seen or not issubclass(cls, DOMNode) or not cls.__module__.startswith("cxdesk."):
                continue
            seen.add(cls)
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, tuple):
                    binding = Binding(*binding)
                where = f"{cls.__module__}.{name} {binding.id or binding.action}"
                add(binding.description, where)
                add(binding.tooltip, where)
    from cxdesk.screens.help import HELP_TEXTS

    for key, value in HELP_TEXTS.items():
        for message in value if isinstance(value, tuple) else (value,):
            add(message, f"cxdesk.screens.help {key}")
    return found


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def template() -> str:
    lines = ['# The staff screens of cxdesk: key labels, tooltips and the help screen.',
             '# Written by tools/staff_messages.py; do not edit by hand.',
             'msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', '']
    for message, places in sorted(staff_messages().items()):
        lines += [f"#: {place}" for place in sorted(set(places))]
        lines += [f"msgid {_quoted(message)}", 'msgstr ""', ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = template()
    if "--check" in argv:
        current = TEMPLATE.read_text(encoding="utf-8") if TEMPLATE.exists() else ""
        if current != text:
            print(f"{TEMPLATE} is out of date: run python tools/staff_messages.py", file=sys.stderr)
            return 1
        return 0
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    TEMPLATE.write_text(text, encoding="utf-8")
    print(f"Wrote {TEMPLATE} ({len(staff_messages())} messages).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
