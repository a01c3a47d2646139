"""Report periods: ``2025Q3``, ``2025``, ``2025-04`` or ``2025-01-01..2025-06-30``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ftlib.errors import FtlibError


class PeriodError(FtlibError):
    """A period that cannot be read, or that ends before it starts."""


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date   # inclusive
    label: str

    def previous(self) -> Period:
        """The period of the same length just before this one (for 'what changed')."""
        if re.fullmatch(r"\d{4}Q[1-4]", self.label):
            p = pd.Period(self.label, freq="Q") - 1
            return Period(p.start_time.date(), p.end_time.date(), f"{p.year}Q{p.quarter}")
        if re.fullmatch(r"\d{4}", self.label):
            y = int(self.label) - 1
            return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y))
        days = (self.end - self.start).days + 1
        end = self.start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=days - 1)
        return Period(start, end, f"{start}..{end}")

    @property
    def slug(self) -> str:
        return self.label.replace("..", "_").replace("-", "")  # as pagecache.report_name


def parse_period(text: str) -> Period:
    text = str(text).strip()
    try:
        if re.fullmatch(r"\d{4}Q[1-4]", text):
            p = pd.Period(text, freq="Q")
        elif re.fullmatch(r"\d{4}", text):
            p = pd.Period(text, freq="Y")
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            p = pd.Period(text, freq="M")
        elif ".." in text:
            a, b = (dt.date.fromisoformat(x) for x in text.split(".."))
            if b < a:
                raise PeriodError(f"period {text!r}: ends ({b}) before it starts ({a})")
            return Period(a, b, text)
        else:
            raise ValueError
    except PeriodError:
        raise
    except ValueError:
        raise PeriodError(f"period {text!r}: use 2025Q3, 2025, 2025-04 or 2025-01-01..2025-06-30") from None
    return Period(p.start_time.date(), p.end_time.date(), text)


def quarters(start: dt.date, end: dt.date) -> list[Period]:
    """Every calendar quarter overlapping [start, end]."""
    out = []
    for p in pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="Q"):
        out.append(Period(p.start_time.date(), p.end_time.date(), f"{p.year}Q{p.quarter}"))
    return out
