"""The one working-day calendar (法定节假日 and 调休 make-up working days), for the register's
deadlines and the metrics' elapsed times alike.

Time limits of the procedure are counted in working days (工作日). The official calendar comes
from the ``chinese-calendar`` package, which knows the State Council's holiday notices for the
years it lists (2004–2026 in version 1.11), and for later years from holiday files an
administrator adds (``ftlib.holidays``: one YAML file per year, with its notice as source). For a
year neither knows we fall back to **weekends only** (Monday–Friday are working days, no public holidays, no make-up days) and every
deadline whose counting crossed such a year carries a warning saying so — never a silent guess.

Counting convention (the usual one for 工作日 time limits): the day of the triggering act is not
counted; the limit ends at the end of the N-th working day after it. A deadline is therefore
``add_working_days(start, n)``; an act on that day is in time, the next day it is overdue.
Elapsed working days (metrics) count the days d with ``start < d <= end``: received on a Monday
and decided on the Tuesday took 1 working day; decided on the same day, 0.

Scalar (``is_workday``, ``add_working_days``, ``working_days_between``) and vectorised
(``add_working_days_array``, ``ordinal``, ``elapsed``) functions read the same table, built once.
"""

# Imports inside functions: the scalar calendar stays light for the quiz and desk kernels.

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar as cc
import numpy as np

from ftlib import holidays
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


def _in_package(year: int) -> bool:
    first, last = official_years()
    return first <= year <= last


@dataclass(frozen=True)
class _Calendar:
    work: np.ndarray  # work[i]: is _EPOCH + i a working day
    table: np.ndarray  # the working days, datetime64[D], sorted
    ordinal: np.ndarray  # ordinal[i]: working days in (_EPOCH, _EPOCH + i]
    files: dict[int, str]  # year → holiday file used for it (years chinese-calendar does not know)
    unknown_before: np.ndarray  # unknown_before[k]: years among the first k (from 1990) nobody knows


def _calendar() -> _Calendar:
    # Keyed by the folder settings, so that a test or a server that points FTLIB_HOLIDAYS_DIR
    # (or FTLIB_HOME) elsewhere after import gets its own calendar; built once per setting.
    return _build(os.environ.get(holidays.HOLIDAYS_ENV), os.environ.get("FTLIB_HOME"),
                  os.environ.get("XDG_DATA_HOME"))


@lru_cache(maxsize=8)
def _build(*_settings: str | None) -> _Calendar:
    """The calendar: chinese-calendar's years, then holiday files for the years it does not
    know, then Monday–Friday (from sets of dates, not day by day)."""
    days = np.arange(_EPOCH, _END + 1, dtype="datetime64[D]")
    work = np.is_busday(days)
    first, last = official_years()
    off = [d for d in cc.holidays if first <= d.year <= last]
    on = [d for d in cc.workdays if first <= d.year <= last]
    files: dict[int, str] = {}
    for year, sched in holidays.schedules().items():
        if _in_package(year):
            _cross_check(sched)  # chinese-calendar is used; the file must say the same
            continue
        off += sched.days_off()
        on += sched.workdays
        files[year] = sched.path
    for dates, value in ((off, False), (on, True)):
        if dates:
            work[(np.array(sorted(dates), dtype="datetime64[D]") - _EPOCH).astype(np.int64)] = value
    ordinal = np.cumsum(work, dtype=np.int64)
    ordinal -= ordinal[0]
    unknown = np.array([not (_in_package(y) or y in files) for y in range(_FIRST.year, _LAST.year + 1)])
    unknown_before = np.concatenate([[0], np.cumsum(unknown)])
    return _Calendar(work, days[work], ordinal, files, unknown_before)


def _cross_check(sched: holidays.Schedule) -> None:
    day = dt.date(sched.year, 1, 1)
    while day.year == sched.year:
        if sched.is_workday(day) != cc.is_workday(day):
            says = "a working day" if cc.is_workday(day) else "a day off"
            raise holidays.HolidayFileError(
                f"{sched.path}: field holidays/workdays: value {day}: chinese-calendar, which knows {sched.year}, "
                f"says {says}; the file disagrees")
        day += dt.timedelta(days=1)


def reload() -> None:
    """Read the holiday files again (after an administrator added one to a running process)."""
    _build.cache_clear()


def is_official_year(year: int) -> bool:
    """Does the calendar know this year's holidays — from chinese-calendar or a holiday file?
    (Otherwise: weekends only, with a warning.)"""
    if not (_FIRST.year <= year <= _LAST.year):
        return False
    c = _calendar().unknown_before
    k = year - _FIRST.year
    return c[k + 1] == c[k]


def source_of(year: int) -> str | None:
    """Where the year's holidays come from: "chinese-calendar", a holiday file's path, or None."""
    if _in_package(year):
        return "chinese-calendar"
    return _calendar().files.get(year)


def fallback_warning(years: set[int] | list[int]) -> str:
    first, last = official_years()
    ys = ", ".join(str(y) for y in sorted(set(years)))
    return (f"working days in {ys} counted on weekends only: the official holiday calendar "
            f"(chinese-calendar) covers {first}–{last} and no holiday file ({holidays.admin_dir()}) gives "
            f"that year; check this deadline against the State Council notice")


def _workday_table() -> np.ndarray:
    """Every working day from 1990 to 2100 as ``datetime64[D]``, sorted."""
    return _calendar().table


def _ordinal() -> np.ndarray:
    """ordinal[i] = number of working days in (EPOCH, EPOCH + i]."""
    return _calendar().ordinal


def _check_range(day: dt.date) -> None:
    if not (_FIRST <= day <= _LAST):
        raise FtlibError(f"date {day.isoformat()}: outside the supported range {_FIRST}–{_LAST}")


def is_workday(day: dt.date) -> bool:
    """Official working day where the calendar covers the year; Monday–Friday otherwise."""
    if not (_FIRST <= day <= _LAST):
        return day.weekday() < 5
    return bool(_calendar().work[(np.datetime64(day, "D") - _EPOCH).astype(np.int64)])


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
    c = _calendar().unknown_before
    first_year = start.astype("datetime64[Y]").astype(np.int64) + 1970 - _FIRST.year
    last_year = due.astype("datetime64[Y]").astype(np.int64) + 1970 - _FIRST.year
    fallback = c[last_year + 1] - c[first_year] > 0
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
