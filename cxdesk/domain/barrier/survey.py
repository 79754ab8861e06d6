"""The barrier survey's words as data (``data/barrier_survey.toml``), English and Spanish.

Agree items in the style of the Federal Employee Viewpoint Survey, a 5-point
agree scale plus "don't know", barrier categories (pick up to three) and one
idea. An office may replace the file with one of the same name in its catalog
override folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cxdesk.config import catalog_override_dir
from cxdesk.errors import CxdeskError
from cxdesk.store.catalogs import load_data_file, toml_document
from cxdesk.vocab import LANGUAGE_NAMES, LANGUAGES

SURVEY_FILE = "barrier_survey.toml"
SCALE = (1, 2, 3, 4, 5)
# Stored as the score of an item answered "don't know": not counted in percent positive.
DONT_KNOW = 0
SCORES = (*SCALE, DONT_KNOW)
# Agree and strongly agree: the FEVS "percent positive".
POSITIVE = (4, 5)
# Words of the survey screens: each must exist in English and Spanish.
SCREEN_TEXTS = (
    "progress", "anonymous", "hint_scale", "hint_categories", "hint_idea", "picked", "too_many",
    "names", "leave", "key_skip", "key_back", "key_next", "key_save", "key_done", "key_later", "key_language",
    "placeholder", "thanks_title", "thanks_body",
)
MAX_ITEMS = 15
MAX_CATEGORIES = 9  # number keys 1-9


@dataclass(frozen=True)
class BarrierItem:
    """One agree statement."""

    code: str
    texts: dict[str, str]
    shorts: dict[str, str]

    def text(self, lang: str = "en") -> str:
        return self.texts[lang]

    def short(self, lang: str = "en") -> str:
        """The item's name in a results table."""
        return self.shorts[lang]


@dataclass(frozen=True)
class BarrierCategory:
    """One kind of barrier a staff member can pick."""

    code: str
    labels: dict[str, str]

    def label(self, lang: str = "en") -> str:
        return self.labels[lang]


@dataclass(frozen=True)
class BarrierSurvey:
    titles: dict[str, str]
    items: tuple[BarrierItem, ...]
    scale: dict[str, tuple[str, ...]]
    dont_know: dict[str, str]
    categories_question: dict[str, str]
    categories: tuple[BarrierCategory, ...]
    max_picks: int
    idea_question: dict[str, str]
    texts: dict[str, dict[str, str]]

    def item(self, code: str) -> BarrierItem:
        for item in self.items:
            if item.code == code:
                return item
        raise CxdeskError(f"The barrier survey has no item '{code}'.")

    def category(self, code: str) -> BarrierCategory:
        for category in self.categories:
            if category.code == code:
                return category
        raise CxdeskError(f"The barrier survey has no barrier category '{code}'.")

    def score_label(self, score: int, lang: str = "en") -> str:
        return self.dont_know[lang] if score == DONT_KNOW else self.scale[lang][score - 1]

    def text(self, key: str, lang: str = "en", **values: object) -> str:
        try:
            words = self.texts[key][lang]
        except KeyError:
            raise CxdeskError(f"No barrier survey text '{key}' in {LANGUAGE_NAMES.get(lang, lang)}.") from None
        return words.format(**values) if values else words


def load_barrier_survey() -> BarrierSurvey:
    """The office's barrier survey: the override folder's file, else the built-in one."""
    return load_data_file(SURVEY_FILE, _parse, catalog_override_dir())


def _translations(entry: Mapping, prefix: str, where: str, what: str) -> dict[str, str]:
    """``prefix_en`` and ``prefix_es``, both present and non-empty."""
    found: dict[str, str] = {}
    for lang in LANGUAGES:
        value = entry.get(f"{prefix}_{lang}") if isinstance(entry, Mapping) else None
        if not isinstance(value, str) or not value.strip():
            raise CxdeskError(f"{where}: {what} has no {LANGUAGE_NAMES[lang]} text ({prefix}_{lang}).")
        found[lang] = value.strip()
    return found


def _coded(entries: object, where: str, kind: str, prefix: str, limit: int) -> list[tuple[str, dict[str, str]]]:
    if not isinstance(entries, list) or not entries:
        raise CxdeskError(f"{where}: no [[{kind}]] entries.")
    if len(entries) > limit:
        raise CxdeskError(f"{where}: at most {limit} [[{kind}]] entries.")
    found: list[tuple[str, dict[str, str]]] = []
    for number, entry in enumerate(entries, start=1):
        code = entry.get("code") if isinstance(entry, dict) else None
        if not isinstance(code, str) or not code or len(code) > 32:
            raise CxdeskError(f"{where}: {kind} {number} has no code (1 to 32 characters).")
        if any(code == seen for seen, _ in found):
            raise CxdeskError(f"{where}: two {kind} entries share the code '{code}'.")
        found.append((code, _translations(entry, prefix, where, f"{kind} '{code}'")))
    return found


def _parse(text: str, where: str, _source: str) -> BarrierSurvey:
    document = toml_document(text, where)
    scale_table = document.get("scale", {})
    scale: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        labels = scale_table.get(f"labels_{lang}")
        if not isinstance(labels, list) or len(labels) != len(SCALE) or not all(
                isinstance(label, str) and label.strip() for label in labels):
            raise CxdeskError(f"{where}: [scale] labels_{lang} must list 5 {LANGUAGE_NAMES[lang]} labels.")
        scale[lang] = tuple(labels)
    categories_table = document.get("categories", {})
    max_picks = categories_table.get("max_picks", 3)
    if isinstance(max_picks, bool) or not isinstance(max_picks, int) or not 1 <= max_picks <= MAX_CATEGORIES:
        raise CxdeskError(f"{where}: [categories] max_picks must be a whole number from 1 to 9.")
    raw_texts = document.get("text", {})
    return BarrierSurvey(
        titles=_translations(document, "title", where, "the title"),
        items=tuple(BarrierItem(code, texts, _translations(entry, "short", where, f"item '{code}'"))
                    for (code, texts), entry in zip(_coded(document.get("item"), where, "item", "text", MAX_ITEMS),
                                                    document["item"])),
        scale=scale,
        dont_know=_translations(scale_table, "dont_know", where, "[scale]"),
        categories_question=_translations(categories_table, "text", where, "[categories]"),
        categories=tuple(BarrierCategory(code, labels) for code, labels in
                         _coded(document.get("category"), where, "category", "label", MAX_CATEGORIES)),
        max_picks=max_picks,
        idea_question=_translations(document.get("idea", {}), "text", where, "[idea]"),
        texts={key: _translations(raw_texts, key, where, f"text '{key}'") for key in SCREEN_TEXTS},
    )
