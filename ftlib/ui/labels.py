"""Labels of the widget apps (``ftlib/ui_labels.yaml``): facts, enum values, factor groups and
widget texts in zh and en, and the list of facts that can still change after the act."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from ftlib.i18n import LANGS, label
from ftlib.resources import data_path

UI_LABELS = data_path("labels", "ui_labels.yaml")


@lru_cache(maxsize=1)
def ui_data() -> dict[str, Any]:
    return yaml.safe_load(UI_LABELS.read_text(encoding="utf-8"))


def _pick(entry: dict[str, str] | None, lang: str, fallback: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    return entry[lang] if entry else fallback


def text(key: str, lang: str = "zh", **kw: Any) -> str:
    """A widget text; ``kw`` fills its ``{placeholders}``."""
    s = _pick(ui_data()["text"].get(key), lang, key)
    return s.format(**kw) if kw else s


def fact_label(name: str, lang: str = "zh") -> str:
    return _pick(ui_data()["facts"].get(name), lang, name)


def value_label(name: str, value: Any, lang: str = "zh") -> str:
    """A fact's value in words: enum values by their label, yes/no, numbers as given."""
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    if name == "jurisdiction" and isinstance(value, str):
        from ftlib.regions import region_name

        named = region_name(value, lang)
        return value if named == value else f"{named}（{value}）" if lang == "zh" else f"{named} ({value})"
    entry = ui_data()["values"].get(name, {}).get(value)
    if entry:
        return _pick(entry, lang, str(value))
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


def outcome_label(outcome: str, lang: str = "zh") -> str:
    return label(f"outcome.{outcome}", lang)


def factor_groups() -> dict[str, dict[str, Any]]:
    """Group id → {label, facts}, the header first, then the six assessment factors."""
    d = ui_data()
    return {"header": d["header"], **d["factors"]}


