"""The one label catalogue: every user-facing text in zh-CN and en, with one lookup and one
fallback rule.

The catalogue is every ``*labels.yaml`` file in ``ftlib/data/labels/``, one namespace per file so
that each area keeps its own file: ``labels.yaml`` holds the shared groups (``outcome.exempt``,
``column.rule``, ``selection.at_conduct``…); ``<area>_labels.yaml`` holds ``<area>.<group>.<id>``
(``metrics.column.clearance_rate``, ``ui.facts.public_motive``, ``desk.document.notice``). A label
is any mapping with exactly ``zh`` and ``en``. Names that belong to one policy (its grading rows)
live in the policy file, not here (``ftlib/data/policies/*.yaml``, ``label:`` of a row).

:func:`label` is the lookup. Its one fallback rule: an unknown key shows the id it names — the key
without its namespace and group (``outcome.foo`` → ``foo``, ``ui.facts.procedure.followed`` →
``procedure.followed``) — so a code the catalogue does not know yet is shown as it is, never a
Python error; :func:`has_label` tells whether a key is known. ``fact_label``, ``value_label`` and
``outcome_label`` are the lookups of a fact, a fact's value and an outcome.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from ftlib.regions import region_name
from ftlib.resources import data_path, read_yaml

LANGS = ("zh", "en")
#: Each language named in itself, for language switches.
LANG_NAMES = {"zh": "中文", "en": "English"}
#: (name, code) pairs, as ipywidgets option lists take them.
LANG_OPTIONS = [(LANG_NAMES[code], code) for code in LANGS]

#: The file of the shared groups; every other ``<area>_labels.yaml`` is the namespace ``<area>``.
ROOT_FILE = "labels.yaml"


@lru_cache(maxsize=1)
def namespaces() -> dict[str, str]:
    """Namespace → file name of the catalogue ('' is the shared root)."""
    files = sorted(p.name for p in data_path("labels").iterdir() if p.name.endswith("labels.yaml"))
    return {("" if name == ROOT_FILE else name.removesuffix("_labels.yaml")): name for name in files}


@cache
def catalogue_file(namespace: str = "") -> dict[str, Any]:
    """The raw contents of one file of the catalogue (labels and the structure beside them)."""
    name = namespaces()[namespace]
    return read_yaml("labels", name) or {}


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """Every label of the catalogue by its full dotted key."""
    flat: dict[str, dict[str, str]] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict) and set(value) == set(LANGS):
                flat[prefix + str(key)] = value
            elif isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
    for ns in namespaces():
        walk(catalogue_file(ns), f"{ns}." if ns else "")
    return flat


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")


def has_label(key: str) -> bool:
    return key in labels()


def fallback(key: str) -> str:
    """The id an unknown key names: the key without its namespace and group."""
    parts = key.split(".")
    skip = 2 if len(parts) > 2 and parts[0] in namespaces() and parts[0] else 1
    return ".".join(parts[skip:]) or key


def label(key: str, lang: str = "zh", **kw: Any) -> str:
    """The label for ``key`` in ``lang``; ``kw`` fills its ``{placeholders}``. An unknown key
    falls back to :func:`fallback` (the id it names)."""
    _check(lang)
    entry = labels().get(key)
    text = entry[lang] if entry else fallback(key)
    return text.format(**kw) if kw and entry else text


def fact_label(name: str, lang: str = "zh") -> str:
    """A fact by its dotted name (``procedure.followed``)."""
    return label(f"ui.facts.{name}", lang)


def outcome_label(outcome: str, lang: str = "zh") -> str:
    return label(f"outcome.{outcome}", lang)


def value_label(name: str, value: Any, lang: str = "zh") -> str:
    """A fact's value in words: enum values by their label, yes/no, numbers as given."""
    _check(lang)
    if isinstance(value, bool):
        return label("ui.text.yes" if value else "ui.text.no", lang)
    if name == "jurisdiction" and isinstance(value, str):
        return region_name(value, lang)   # the region's name; its code is for files, not readers
    key = f"ui.values.{name}.{value}"
    if isinstance(value, str) and has_label(key):
        return label(key, lang)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return str(value)


def factor_groups() -> dict[str, dict[str, Any]]:
    """Group id → {label, facts}: the case header first, then the six assessment factors of the
    2018 Opinions with the facts each covers (the structure of ``ui_labels.yaml``), as the case
    builder's form and the documents' fact tables group the facts."""
    d = catalogue_file("ui")
    return {"header": d["header"], **d["factors"]}
