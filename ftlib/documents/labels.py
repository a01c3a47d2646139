"""Labels of the case desk and the documents (``ftlib/data/labels/desk_labels.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from ftlib.i18n import LANGS
from ftlib.resources import data_path


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yaml.safe_load(data_path("labels", "desk_labels.yaml").read_text(encoding="utf-8"))


def desk_label(key: str, lang: str = "zh", **kw: Any) -> str:
    """``group.key`` in ``lang`` (the key itself if unknown); ``kw`` fills ``{placeholders}``."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    group, _, name = key.partition(".")
    entry = _data().get(group, {}).get(name)
    s = entry[lang] if entry else name or key
    return s.format(**kw) if kw else s


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    """The documents' sentences (``ftlib/data/templates/documents.yaml``)."""
    return yaml.safe_load(data_path("templates", "documents.yaml").read_text(encoding="utf-8"))
