"""The typical-case library (``ftlib/data/cases/``): published cases with their outcomes and
constructed teaching cases, each a YAML file with the facts under ``case:``."""

# Imports inside functions: the quiz kernel loads no pandas (tests/test_light_kernels.py); only the library's table needs it.

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ftlib.engine import compare
from ftlib.facts import Case, load_case
from ftlib.i18n import label
from ftlib.resources import FAST_LOADER, data_path

if TYPE_CHECKING:  # only library_table builds a frame: the quiz kernel never loads pandas
    import pandas as pd

CASES_DIR = data_path("cases")


@dataclass(frozen=True)
class LibraryCase:
    path: Path
    kind: str                      # published | constructed | clarification
    meta: dict[str, Any]
    case: Case | None              # None for clarifications (no determination)

    @property
    def published_outcome(self) -> str | None:
        return self.meta.get("published_outcome")


@lru_cache(maxsize=1)
def library(folder: Path = CASES_DIR) -> tuple[LibraryCase, ...]:
    out = []
    for path in sorted(Path(folder).glob("*.yaml")):
        meta = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER) or {}
        kind = meta.get("kind", "constructed")
        case = load_case(path) if kind != "clarification" else None
        out.append(LibraryCase(path, kind, meta, case))
    return tuple(out)


def library_table(lang: str = "zh") -> pd.DataFrame:
    """Outcome of every library case under each policy family (the version in force on the
    case's conduct date, or the family's earliest), with the published outcome."""
    import pandas as pd

    rows = []
    for item in library():
        if item.case is None:
            continue
        row = {label("column.case", lang): item.case.id}
        for det in compare(item.case):
            row[det.policy.family] = label(f"outcome.{det.outcome}", lang)
        pub = item.published_outcome
        row[label("column.published", lang)] = label(f"outcome.{pub}", lang) if pub else "—"
        rows.append(row)
    return pd.DataFrame(rows)
