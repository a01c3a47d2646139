"""The widget apps' texts and form structure: ``text`` is the catalogue's ``ui.text.<key>``
(``ftlib.i18n.label``, one lookup and fallback); the header and the six assessment factors with
the facts each sets (``factor_groups``) are the structure of ``ftlib/data/labels/ui_labels.yaml``."""

from __future__ import annotations

from typing import Any

from ftlib.i18n import catalogue_file, fact_label, factor_groups, label, outcome_label, value_label

__all__ = ["factor_groups", "fact_label", "label", "outcome_label", "text", "ui_data", "value_label"]


def ui_data() -> dict[str, Any]:
    """The raw ``ui_labels.yaml`` (labels and the form structure beside them)."""
    return catalogue_file("ui")


def text(key: str, lang: str = "zh", **kw: Any) -> str:
    """A widget text (``ui.text.<key>``); ``kw`` fills its ``{placeholders}``."""
    return label(f"ui.text.{key}", lang, **kw)
