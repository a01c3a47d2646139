"""Labels of the case desk and the documents: the catalogue's ``desk`` namespace
(``ftlib/data/labels/desk_labels.yaml``); the documents' sentences."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ftlib.i18n import label
from ftlib.resources import read_yaml


def desk_label(key: str, lang: str = "zh", **kw: Any) -> str:
    """``desk.<group>.<key>`` of the catalogue in ``lang`` (``ftlib.i18n.label``: an unknown key
    shows its id); ``kw`` fills ``{placeholders}``."""
    return label(f"desk.{key}", lang, **kw)


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    """The documents' sentences (``ftlib/data/templates/documents.yaml``)."""
    return read_yaml("templates", "documents.yaml")
