"""Holiday schedules as data: a year's public holidays and make-up working days (调休) from the
State Council's notice (国务院办公厅关于XXXX年部分节假日安排的通知), one YAML file per year.

``chinese-calendar`` knows the notices up to its last release's year; a notice published after
that (each year's comes out around November) is added as a file, and ``ftlib.workdays`` uses it
before falling back to weekends only. Files are read from two folders:

- the bundled ones, ``ftlib/data/holidays/*.yaml`` (shipped only with a text that was read);
- an administrator's own, in ``$FTLIB_HOLIDAYS_DIR`` if set, else ``$FTLIB_HOME/holidays``
  (``ftlib.home.holidays_dir``). A year there replaces the bundled file of that year.

A file for a year ``chinese-calendar`` also knows must agree with it day by day (a cross-check;
a disagreement is an error naming the day). Format (every date inside ``year``)::

    year: 2026
    source: {title: 国务院办公厅关于2026年部分节假日安排的通知, date: 2025-11-04, url: https://…}
    holidays:                 # 放假: days off, weekend days inside a span included
      - {name: 元旦, from: 2026-01-01, to: 2026-01-03}
    workdays: [2026-01-04]    # 调休上班: a Saturday or Sunday that is a working day

A bad file is refused with one line naming the file, the field and the value.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ftlib.errors import FtlibError
from ftlib.home import holidays_dir
from ftlib.resources import data_path

HOLIDAYS_ENV = "FTLIB_HOLIDAYS_DIR"


class HolidayFileError(FtlibError):
    """A holiday file that cannot be used: the message names the file, the field and the value."""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1)
    date: dt.date
    url: str = Field(min_length=1)
    issued_by: str = ""
    note: str = ""


class Span(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = Field(min_length=1)
    first: dt.date = Field(alias="from")
    last: dt.date = Field(alias="to")

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


class Schedule(BaseModel):
    """One year's schedule: its days off and its make-up working days, with its source."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1990, le=2100)
    source: Source
    holidays: list[Span] = Field(min_length=1)
    workdays: list[dt.date] = []
    illustrative: bool = False  # a test's or a training schedule, not a real notice
    path: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _coherent(self) -> Schedule:
        for i, span in enumerate(self.holidays):
            if span.last < span.first:
                raise ValueError(f"field holidays[{i}].to: value {span.last}: before its from ({span.first})")
            for day in (span.first, span.last):
                if day.year != self.year:
                    raise ValueError(f"field holidays[{i}]: value {day}: not in {self.year} (a span across the new "
                                     "year goes into each year's file)")
        off = set(self.days_off())
        for i, day in enumerate(self.workdays):
            if day.year != self.year:
                raise ValueError(f"field workdays[{i}]: value {day}: not in {self.year}")
            if day.weekday() < 5:
                raise ValueError(f"field workdays[{i}]: value {day}: a {day:%A} is a working day anyway "
                                 "(make-up days are Saturdays or Sundays)")
            if day in off:
                raise ValueError(f"field workdays[{i}]: value {day}: also inside a holiday span")
        return self

    def days_off(self) -> list[dt.date]:
        return sorted({d for span in self.holidays for d in span.days()})

    def is_workday(self, day: dt.date) -> bool:
        if day in set(self.workdays):
            return True
        return day.weekday() < 5 and day not in set(self.days_off())


def bundled_dir() -> Path:
    return data_path("holidays")


def admin_dir() -> Path:
    """The administrator's folder: ``$FTLIB_HOLIDAYS_DIR``, else ``$FTLIB_HOME/holidays``."""
    given = os.environ.get(HOLIDAYS_ENV)
    if given:
        return Path(given).expanduser()
    return holidays_dir()


def read_schedule(path: Path) -> Schedule:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise HolidayFileError(f"{path}: cannot be read ({type(err).__name__})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise HolidayFileError(f"{path}: {where}not valid YAML") from None
    if not isinstance(data, dict):
        raise HolidayFileError(f"{path}: not a holiday schedule (expected year, source, holidays, workdays)")
    try:
        schedule = Schedule.model_validate(data)
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        if e["type"] == "value_error" and not e["loc"]:
            raise HolidayFileError(f"{path}: {e['ctx']['error']}") from None
        value = e.get("input")
        shown = repr(value)[:60] if not isinstance(value, dict) else "…"
        raise HolidayFileError(f"{path}: field {'.'.join(str(p) for p in e['loc'])}: value {shown}: {e['msg']}") from None
    stem = path.stem
    if stem != str(schedule.year):
        raise HolidayFileError(f"{path}: field year: value {schedule.year}: the file is named {path.name} "
                               f"(name it {schedule.year}.yaml)")
    schedule.path = str(path)
    return schedule


def _folder(folder: Path) -> dict[int, Schedule]:
    if not folder.is_dir():
        return {}
    return {s.year: s for s in (read_schedule(p) for p in sorted(folder.glob("*.yaml")))}


def schedules(admin: Path | None = None) -> dict[int, Schedule]:
    """Every schedule by year: the bundled ones, replaced year by year by the administrator's."""
    out = _folder(bundled_dir())
    out.update(_folder(admin if admin is not None else admin_dir()))
    return dict(sorted(out.items()))
