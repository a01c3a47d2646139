"""Every user-facing label in zh-CN and en, read from ``labels.yaml`` beside this module."""

from __future__ import annotations

from functools import lru_cache

import yaml

from ftlib.resources import data_path

LANGS = ("zh", "en")
#: Each language named in itself, for language switches.
LANG_NAMES = {"zh": "中文", "en": "English"}
#: (name, code) pairs, as ipywidgets option lists take them.
LANG_OPTIONS = [(LANG_NAMES[code], code) for code in LANGS]


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(data_path("labels", "labels.yaml").read_text(encoding="utf-8"))
    flat: dict[str, dict[str, str]] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict) and set(value) == set(LANGS):
                flat[prefix + str(key)] = value
            elif isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
    walk(data, "")
    return flat


def label(key: str, lang: str = "zh") -> str:
    """The label for ``key`` in ``lang``; an unknown key falls back to the key itself."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    entry = labels().get(key)
    return entry[lang] if entry else key
