"""Which cases the analysts' tools measure: the register's cases when a register exists,
otherwise the typical-case library (so the tools work on a fresh machine)."""

from __future__ import annotations

import pandas as pd

from ftlib.convert import cases_to_frame
from ftlib.errors import FtlibError
from ftlib.library import library
from ftlib.register import frames as rf


def library_cases() -> pd.DataFrame:
    items = [i for i in library() if i.case is not None]
    df = cases_to_frame([i.case for i in items])
    df["region"] = df["jurisdiction"]
    return df


def register_cases(url: str | None = None) -> pd.DataFrame:
    """The register's cases as fact columns plus ``region`` (raises if there is no register)."""

    df = rf.cases(url, facts=True)
    facts = df[[c for c in df.columns if c.startswith("fact.")]].rename(columns=lambda c: c[len("fact."):])
    facts["region"] = df["region_code"].to_numpy()
    facts["case_id"] = df["id"].to_numpy()
    facts["policy_id"] = df["policy_id"].to_numpy()
    return facts


def default_cases(url: str | None = None) -> pd.DataFrame:

    try:
        df = register_cases(url)
    except FtlibError:  # no register on this machine yet: the typical-case library instead
        return library_cases()
    return df if len(df) else library_cases()
