"""Which cases the analysts' tools measure: the register's cases when a register exists,
otherwise the typical-case library (so the tools work on a fresh machine)."""

from __future__ import annotations

import pandas as pd

from ftlib.facts import cases_to_frame
from ftlib.library import library


def library_cases() -> pd.DataFrame:
    items = [i for i in library() if i.case is not None]
    df = cases_to_frame([i.case for i in items])
    df["region"] = df["jurisdiction"]
    return df


def default_cases() -> pd.DataFrame:
    try:
        from ftlib.register.frames import case_facts_frame
    except ImportError:
        return library_cases()
    try:
        df = case_facts_frame()
    except Exception:  # noqa: BLE001 — no register yet on this machine: fall back to the library
        return library_cases()
    return df if len(df) else library_cases()
