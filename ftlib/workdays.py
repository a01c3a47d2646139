"""The one working-day calendar (法定节假日 and 调休 make-up working days), for the register's
deadlines and the metrics' elapsed times alike.

Time limits of the procedure are counted in working days (工作日). The official calendar comes
from the ``chinese-calendar`` package, which knows the State Council's holiday notices for the
years it lists (2004–2026 in version 1.11). For a year it does not cover we fall back to
**weekends only** (Monday–Friday are working days, no public holidays, no make-up days) and every
deadline whose counting crossed such a year carries a warning saying so — never a silent guess.

Counting convention (the usual one for 工作日 time limits): the day of the triggering act is not
counted; the limit ends at the end of the N-th working day after it. A deadline is therefore
``add_working_days(start, n)``; an act on that day is in time, the next day it is overdue.
Elapsed working days (metrics) count the days d with ``start < d <= end``: received on a Monday
and decided on the Tuesday took 1 working day; decided on the same day, 0.

Scalar (``is_workday``, ``add_working_days``, ``working_days_between``) and vectorised
(``add_working_days_array``, ``ordinal``, ``elapsed``) functions read the same table, built once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar as cc
import numpy as np

from ftlib.errors import FtlibError

_FIRST = dt.date(1990, 1, 1)
_LAST = dt.date(2100, 12, 31)
_EPOCH = np.datetime64(_FIRST, "D")
_END = np.datetime64(_LAST, "D")


@lru_cache(maxsize=1)
def official_years() -> tuple[int, int]:
    """The first and last year the installed ``chinese-calendar`` knows (probed, not hard-coded)."""
    years = []
    for year in range(_FIRST.year, _LAST.year + 1):
        try:
            cc.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            continue
        years.append(year)
    if not years:  # pragma: no cover - a broken install
        return (0, -1)
    return (years[0], years[-1])


def is_official_year(year: int) -> bool:
    """Does the calendar know this year's holidays (otherwise: weekends only, with a warning)?"""
    first, last = official_years()
    return first <= year <= last


def fallback_warning(years: set[int] | list[int]) -> str:
    first, last = official_years()
    ys = ", ".join(str(y) for y in sorted(set(years)))
    return (f"working days in {ys} counted on weekends only: the official holiday calendar "
            f"(chinese-calendar) covers {first}–{last}; check this deadline against the State Council notice")


@lru_cache(maxsize=1)
def _is_work() -> np.ndarray:
    """is_work[i]: is ``_EPOCH + i`` a working day (1990–2100; built once from sets, not day by day)."""
    days = np.arange(_EPOCH, _END + 1, dtype="datetime64[D]")
    work = np.is_busday(days)
    first, last = official_years()
    off = np.array(sorted(d for d in cc.holidays if first <= d.year <= last), dtype="datetime64[D]")
    on = np.array(sorted(d for d in cc.workdays if first <= d.year <= last), dtype="datetime64[D]")
    work[(off - _EPOCH).astype(np.int64)] = False
    work[(on - _EPOCH).astype(np.int64)] = True
    return work


@lru_cache(maxsize=1)
def _workday_table() -> np.ndarray:
    """Every working day from 1990 to 2100 as ``datetime64[D]``, sorted."""
    return np.arange(_EPOCH, _END + 1, dtype="datetime64[D]")[_is_work()]


@lru_cache(maxsize=1)
def _ordinal() -> np.ndarray:
    """ordinal[i] = number of working days in (EPOCH, EPOCH + i]."""
    out = np.cumsum(_is_work(), dtype=np.int64)
    out -= out[0]
    return out


def _check_range(day: dt.date) -> None:
    if not (_FIRST <= day <= _LAST):
        raise FtlibError(f"date {day.isoformat()}: outside the supported range {_FIRST}–{_LAST}")


def is_workday(day: dt.date) -> bool:
    """Official working day where the calendar covers the year; Monday–Friday otherwise."""
    if not (_FIRST <= day <= _LAST):
        return day.weekday() < 5
    return bool(_is_work()[(np.datetime64(day, "D") - _EPOCH).astype(np.int64)])


@dataclass(frozen=True)
class Deadline:
    start: dt.date
    working_days: int
    due: dt.date
    warnings: list[str] = field(default_factory=list)


def add_working_days(start: dt.date, n: int) -> Deadline:
    """The end of the ``n``-th working day after ``start`` (``start`` itself not counted)."""
    if n < 1:
        raise ValueError(f"a time limit must be at least one working day, got {n}")
    _check_range(start)
    table = _workday_table()
    i = int(np.searchsorted(table, np.datetime64(start), side="right")) + n - 1
    due = table[i].astype(dt.date)
    years = {y for y in range(start.year, due.year + 1) if not is_official_year(y)}
    return Deadline(start, n, due, [fallback_warning(years)] if years else [])


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in ``(start, end]`` (negative when ``end`` is before ``start``)."""
    _check_range(start)
    _check_range(end)
    table = _workday_table()
    a = np.searchsorted(table, np.datetime64(start), side="right")
    b = np.searchsorted(table, np.datetime64(end), side="right")
    return int(b - a)


def add_working_days_array(start: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`add_working_days` over ``datetime64[D]`` starts and integer limits.

    Returns the due dates and a boolean array: True where the counting touched a year the
    official calendar does not cover (those deadlines need the fallback warning).
    """
    start = np.asarray(start, dtype="datetime64[D]")
    n = np.asarray(n, dtype="int64")
    table = _workday_table()
    idx = np.searchsorted(table, start, side="right") + n - 1
    idx = np.clip(idx, 0, len(table) - 1)
    due = table[idx]
    first, last = official_years()
    lo = np.datetime64(dt.date(first, 1, 1)) if first <= last else np.datetime64(_LAST)
    hi = np.datetime64(dt.date(last, 12, 31)) if first <= last else np.datetime64(_FIRST)
    fallback = (start < lo) | (due > hi)
    return due, fallback


# -- elapsed working days over arrays (metrics) ----------------------------------------------------

def as_days(values) -> np.ndarray:
    """Any date-like array or Series as ``datetime64[D]`` (NaT kept)."""
    arr = np.asarray(values)
    if arr.dtype == object:
        import pandas as pd  # only object arrays need pandas' parser; the scalar API stays light

        arr = pd.to_datetime(pd.Series(arr), errors="raise").to_numpy()
    return arr.astype("datetime64[D]")


def ordinal(days) -> np.ndarray:
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
