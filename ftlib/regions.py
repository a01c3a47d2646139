"""Regions (jurisdictions) with their names and parents, from ``ftlib/data/jurisdictions.yaml``."""

from __future__ import annotations

from functools import lru_cache

from ftlib.errors import FtlibError
from ftlib.resources import data_path, read_yaml

JURISDICTIONS = data_path("jurisdictions.yaml")


@lru_cache(maxsize=1)
def regions() -> dict[str, dict]:
    if not JURISDICTIONS.exists():
        return {}
    return read_yaml("jurisdictions.yaml") or {}


def region_name(code: str, lang: str = "zh") -> str:
    entry = regions().get(code)
    return entry.get(lang, code) if entry else code


def check_region(code: str, known: set[str] | None = None) -> str:
    known = known if known is not None else set(regions())
    if code not in known:
        raise FtlibError(f"region {code!r}: unknown (known: {', '.join(sorted(known))})")
    return code


def descendants(code: str, known: set[str] | None = None) -> set[str]:
    """The region and every sub-region (codes starting with ``code-``)."""
    known = known if known is not None else set(regions())
    return {c for c in known if c == code or c.startswith(code + "-")}
