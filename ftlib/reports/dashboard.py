"""The report as a Voilà dashboard: a zh/en switch over the report content and its charts."""

from __future__ import annotations

import datetime as dt
import html
import os
from typing import Any

from ftlib.errors import FtlibError
from ftlib.i18n import label
from ftlib.metrics import RegisterFrames
from ftlib.reports.content import Report, ReportError, build_report, headline_html, title_html
from ftlib.reports.period import Period

STYLE = """<style>
.ftlib-headline td, .ftlib-headline th, .ftlib-table td, .ftlib-table th {padding: 2px 10px; text-align: right}
.ftlib-headline td:first-child {text-align: left}
.ftlib-title {font-size: 1.6em}
</style>"""


def make_period(period_start: str, period_end: str, period_label: str = "") -> Period:
    try:
        start, end = dt.date.fromisoformat(str(period_start)), dt.date.fromisoformat(str(period_end))
    except ValueError:
        raise ReportError(f"period {period_start!r}..{period_end!r}: dates must be YYYY-MM-DD") from None
    if end < start:
        raise ReportError(f"period {start}..{end}: ends before it starts")
    return Period(start, end, period_label or f"{start}..{end}")


def charts_enabled() -> bool:
    """Whether to draw charts. ``ftlib report`` runs the template with FTLIB_REPORT_CHARTS=0:
    papermill then checks the parameters and computes the figures, and Voilà, which executes
    the dashboard again for each visitor, draws the charts."""
    return os.environ.get("FTLIB_REPORT_CHARTS", "1") != "0"


def _render(report: Report, out: Any) -> None:
    import ipywidgets as w
    from IPython.display import HTML, display

    out.clear_output(wait=True)
    with out:
        display(HTML(STYLE + title_html(report)))
        display(HTML(headline_html(report)))
        for sec in report.sections:
            display(HTML(f"<h2 class='ftlib-section' data-section='{sec.key}'>{html.escape(sec.title)}</h2>"))
            if charts_enabled():
                for chart in sec.charts():
                    display(chart)
            if sec.table_html:
                display(w.HTML(sec.table_html))


def report_app(region: str, period_start: str, period_end: str, period_label: str = "", lang: str = "zh",
               min_cell: int = 5, frames: RegisterFrames | None = None):
    """Validate the parameters, then show the report with a language switch. Bad parameters show
    a clear message and raise ReportError, which stops a papermill run."""
    import ipywidgets as w
    from IPython.display import HTML, display

    from ftlib.reports.data import load_frames

    if charts_enabled():
        from ftlib.charts import enable_offline

        enable_offline()
    try:
        period = make_period(period_start, period_end, period_label)
        frames = frames if frames is not None else load_frames()
        reports = {lang: build_report(frames, region, period, lang, int(min_cell))}
    except FtlibError as err:
        display(HTML(f"<div class='ftlib-error' style='color:#b00'><b>{label('report.error', lang)}</b>: "
                     f"{html.escape(str(err))}</div>"))
        raise ReportError(str(err)) from None
    if not charts_enabled():
        # A papermill run: plain HTML, no widgets. (Widget traffic over comms was seen to leave
        # a papermill run waiting for a reply that never came.)
        display(HTML(STYLE + title_html(reports[lang]) + headline_html(reports[lang])
                     + "".join(f"<h2>{html.escape(sec.title)}</h2>{sec.table_html}" for sec in reports[lang].sections)))
        return None
    switch = w.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang)
    switch.add_class("ftlib-lang")
    out = w.Output()

    def on_lang(change: dict) -> None:
        new = change["new"]
        if new not in reports:
            reports[new] = build_report(frames, region, period, new, int(min_cell))
        _render(reports[new], out)

    switch.observe(on_lang, names="value")
    _render(reports[lang], out)
    box = w.VBox([switch, out])
    display(box)
    return box
