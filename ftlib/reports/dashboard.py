"""The report template's one call: show the report page for the parameters.

Under ``ftlib report`` (papermill) the call checks the parameters, builds the page and stores it
beside the register snapshot; when Voilà runs the dashboard for a visitor the stored page is shown
as it is, so a visit neither recomputes the figures nor imports pandas or Altair.
"""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import datetime as dt
import html

from ftlib.errors import FtlibError
from ftlib.reports import ReportError, pagecache


def make_period(period_start: str, period_end: str, period_label: str = ""):
    from ftlib.period import Period

    try:
        start, end = dt.date.fromisoformat(str(period_start)), dt.date.fromisoformat(str(period_end))
    except ValueError:
        raise ReportError(f"period {period_start!r}..{period_end!r}: dates must be YYYY-MM-DD") from None
    if end < start:
        raise ReportError(f"period {start}..{end}: ends before it starts")
    return Period(start, end, period_label or f"{start}..{end}")


def _min_cell(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ReportError(f"min_cell {value!r}: must be a whole number") from None


def build(region: str, period_start: str, period_end: str, period_label: str, lang: str, min_cell: object,
          frames=None) -> str:
    """The page for these parameters (ReportError for parameters that cannot be used)."""
    from ftlib.reports.data import load_frames
    from ftlib.reports.page import build_page

    period = make_period(period_start, period_end, period_label)
    k = _min_cell(min_cell)
    return build_page(frames if frames is not None else load_frames(), region, period, lang, k)


def report_app(region: str, period_start: str, period_end: str, period_label: str = "", lang: str = "zh",
               min_cell: int = 5, frames=None) -> None:
    """Show the report. Bad parameters show a clear message and raise ReportError, which stops a
    papermill run with that message."""
    from IPython.display import HTML, display

    path = None if frames is not None else pagecache.page_path(
        region, period_start, period_end, period_label, lang, min_cell)
    page = pagecache.read(path)
    if page is None:
        try:
            page = build(region, period_start, period_end, period_label, lang, min_cell, frames)
        except FtlibError as err:
            from ftlib.i18n import LANGS, label

            title = label("report.error", lang if lang in LANGS else "en")
            display(HTML(f"<div class='ftlib-error' style='color:#b00'><b>{title}</b>: {html.escape(str(err))}</div>"))
            raise ReportError(str(err)) from None
        pagecache.write(path, page)
    from ftlib.reports.links import dashboard_links

    name = pagecache.report_name(region, period_label or f"{period_start}..{period_end}")
    from ftlib.reports.langswitch import requested_lang, with_shown

    display(HTML(dashboard_links(name) + with_shown(page, requested_lang(lang))))
