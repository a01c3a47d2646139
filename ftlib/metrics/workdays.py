"""Working days for the metrics, vectorised over numpy date arrays.

Kept in one place so it can be swapped for ``ftlib.workdays`` once that module exists.
A working day is a weekday that is not an official holiday, or a weekend day that is an official
make-up working day (调休), as listed by ``chinese_calendar``. For years the installed
``chinese_calendar`` does not cover (it stops at its last published year), the calendar falls back
to Monday–Friday; ``calendar_covers()`` tells which years are exact.

``elapsed(a, b)`` counts the working days d with a < d <= b: a case received on a Monday and
decided on the Tuesday took 1 working day; decided on the same day, 0.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

_EPOCH = np.datetime64("1990-01-01", "D")
_END = np.datetime64("2100-12-31", "D")


@lru_cache(maxsize=1)
def _official() -> tuple[np.ndarray, np.ndarray, int]:
    """(weekday holidays, weekend make-up working days, last covered year)."""
    try:
        import chinese_calendar as cc
    except ImportError:  # weekends-only calendar
        return np.array([], "datetime64[D]"), np.array([], "datetime64[D]"), 0
    holidays = np.array(sorted(d for d in cc.holidays if d.weekday() < 5), dtype="datetime64[D]")
    makeup = np.array(sorted(d for d in cc.workdays if d.weekday() >= 5), dtype="datetime64[D]")
    return holidays, makeup, max(d.year for d in cc.holidays)


def calendar_covers() -> tuple[int, int]:
    """First and last year for which official holidays are known (outside: weekends only)."""
    return 2004, _official()[2]


@lru_cache(maxsize=1)
def _ordinal() -> np.ndarray:
    """ordinal[i] = number of working days in (EPOCH, EPOCH + i]."""
    days = np.arange(_EPOCH, _END + 1, dtype="datetime64[D]")
    work = np.is_busday(days)
    holidays, makeup, _ = _official()
    work[(holidays - _EPOCH).astype(np.int64)] = False
    work[(makeup - _EPOCH).astype(np.int64)] = True
    out = np.cumsum(work, dtype=np.int64)
    out -= out[0]
    return out


def as_days(values) -> np.ndarray:
    """Any date-like array or Series as ``datetime64[D]`` (NaT kept)."""
    arr = np.asarray(values)
    if arr.dtype == object:
        import pandas as pd
        arr = pd.to_datetime(pd.Series(arr), errors="raise").to_numpy()
    return arr.astype("datetime64[D]")


def ordinal(days: np.ndarray) -> np.ndarray:
    """Working-day ordinal of each date (float, NaN for NaT); differences are working days elapsed."""
    days = as_days(days)
    nat = np.isnat(days)
    idx = (days - _EPOCH).astype(np.int64)
    if not nat.all():
        lo, hi = idx[~nat].min(), idx[~nat].max()
        if lo < 0 or hi >= len(_ordinal()):
            raise ValueError(f"dates must lie between {_EPOCH} and {_END}")
    idx[nat] = 0
    out = _ordinal()[idx].astype(np.float64)
    out[nat] = np.nan
    return out


def elapsed(start, end) -> np.ndarray:
    """Working days d with start < d <= end (float array; NaN where either date is missing)."""
    return ordinal(end) - ordinal(start)


def is_working_day(day: dt.date) -> bool:
    return bool(np.diff(ordinal(np.array([day - dt.timedelta(days=1), day], dtype="datetime64[D]")))[0] == 1)
