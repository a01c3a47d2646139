"""Working days on the official Chinese calendar (法定节假日 and 调休 make-up working days).

Time limits of the procedure are counted in working days (工作日). The official calendar comes
from the ``chinese-calendar`` package, which knows the State Council's holiday notices for the
years it lists (2004–2026 in version 1.11). For a year it does not cover we fall back to
**weekends only** (Monday–Friday are working days, no public holidays, no make-up days) and every
deadline whose counting crossed such a year carries a warning saying so — never a silent guess.

Counting convention (the usual one for 工作日 time limits): the day of the triggering act is not
counted; the limit ends at the end of the N-th working day after it. A deadline is therefore
``add_working_days(start, n)``; an act on that day is in time, the next day it is overdue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

_FIRST = dt.date(1990, 1, 1)
_LAST = dt.date(2100, 12, 31)


@lru_cache(maxsize=1)
def official_years() -> tuple[int, int]:
    """The first and last year the installed ``chinese-calendar`` knows (probed, not hard-coded)."""
    import chinese_calendar as cc

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
    first, last = official_years()
    return first <= year <= last


def fallback_warning(years: set[int] | list[int]) -> str:
    first, last = official_years()
    ys = ", ".join(str(y) for y in sorted(set(years)))
    return (f"working days in {ys} counted on weekends only: the official holiday calendar "
            f"(chinese-calendar) covers {first}–{last}; check this deadline against the State Council notice")


def is_workday(day: dt.date) -> bool:
    """Official working day where the calendar covers the year; Monday–Friday otherwise."""
    if is_official_year(day.year):
        import chinese_calendar as cc

        return bool(cc.is_workday(day))
    return day.weekday() < 5


@lru_cache(maxsize=1)
def _workday_table() -> np.ndarray:
    """Every working day from 1990 to 2100 as ``datetime64[D]``, sorted (built once, ~0.2 s)."""
    days = np.arange(np.datetime64(_FIRST), np.datetime64(_LAST) + 1, dtype="datetime64[D]")
    weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday (3)
    work = weekday < 5
    first, last = official_years()
    if first <= last:
        import chinese_calendar as cc

        lo = np.datetime64(dt.date(first, 1, 1))
        hi = np.datetime64(dt.date(last, 12, 31))
        span = (days >= lo) & (days <= hi)
        for i in np.flatnonzero(span):
            work[i] = cc.is_workday(days[i].astype(dt.date))
    return days[work]


@dataclass(frozen=True)
class Deadline:
    start: dt.date
    working_days: int
    due: dt.date
    warnings: list[str] = field(default_factory=list)


def _check_range(day: dt.date) -> None:
    if not (_FIRST <= day <= _LAST):
        from ftlib.errors import FtlibError

        raise FtlibError(f"date {day.isoformat()}: outside the supported range {_FIRST}–{_LAST}")


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
