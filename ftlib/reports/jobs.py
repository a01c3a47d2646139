"""Which reports to run: one region × period, or every region × quarter in the register."""

# Imports inside functions: the CLI's start-up time: the register is read only when reports are planned.

from __future__ import annotations

from ftlib.errors import FtlibError
from ftlib.period import Period, parse_period, quarters
from ftlib.reports.runner import Job


def plan_jobs(region: str | None = None, period: str | None = None, all_: bool = False, lang: str = "zh",
              min_cell: int = 5, frames=None, last_quarters: int | None = None) -> list[Job]:
    from ftlib.reports.data import load_frames

    frames = frames if frames is not None else load_frames()
    known = set(frames.regions["code"])
    if all_:
        if region or period:
            raise FtlibError("report: give either --all or --region with --period, not both")
        received = frames.cases["received"].dropna()
        if received.empty:
            raise FtlibError("report --all: the register has no cases")
        periods: list[Period] = quarters(received.min().date(), received.max().date())
        if last_quarters:
            periods = periods[-last_quarters:]
        return [Job(r, p, lang, min_cell) for r in sorted(known) for p in periods]
    if not region or not period:
        raise FtlibError("report: give --region and --period, or --all")
    if region not in known:
        raise FtlibError(f"report --region: value {region!r}: unknown region (known: {', '.join(sorted(known))})")
    return [Job(region, parse_period(period), lang, min_cell)]
