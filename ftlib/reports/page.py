"""A report as one HTML fragment that works wherever HTML runs (a Voilà dashboard, a notebook's
output, a static file): every language with a switch that needs no kernel and no script (CSS
radio buttons), the headline figures, the tables, and the charts as Vega-Lite specs that the
reader's browser draws with the Vega bundle served beside the pages (``chartjs``: same origin,
one file the browser keeps; only the shown language's charts, as they come near the screen, and
every shown chart before printing). Its two inline scripts sort the sub-region table when a
header is clicked and draw the charts; the page loads nothing from anywhere else.

Figures and chart data come from ``build_report`` and have passed the privacy rules there.
"""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import hashlib
import html
import json

from ftlib.i18n import LANGS
from ftlib.period import Period
from ftlib.reports import chartjs
from ftlib.reports.content import Report, build_report, headline_html, title_html
from ftlib.reports.langswitch import switch_html
from ftlib.reports.sortable import SCRIPT


def _height(spec: dict) -> int:
    """About the drawn chart's height in pixels (its plot, or its tallest part, plus axes and
    title): the space kept for it until it is drawn, so the page does not jump and charts below
    the screen stay below it."""
    parts = [spec, *spec.get("hconcat", ()), *spec.get("layer", ())]
    return max((int(p["height"]) for p in parts if isinstance(p.get("height"), (int, float))), default=260) + 90


def _chart_html(spec: dict) -> str:
    title = spec.get("title", "")
    title = title.get("text", "") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else str(title)
    # ``</`` escaped so that no text in the data can end the script element
    data = json.dumps(spec, ensure_ascii=False, separators=(",", ":"), default=str).replace("</", "<\\/")
    return (f"<figure class='ftlib-chart' role='img' aria-label='{html.escape(title)}'>"
            f"<div class='ftlib-vega' style='min-height:{_height(spec)}px'></div>"
            f"<script type='application/json' class='ftlib-spec'>{data}</script></figure>")


def _body(report: Report) -> str:
    parts = [title_html(report), headline_html(report)]
    for sec in report.sections:
        parts.append(f"<h2 class='ftlib-section' data-section='{sec.key}'>{html.escape(sec.title)}</h2>")
        parts.extend(_chart_html(spec) for spec in sec.specs())
        parts.append(sec.table_html)
    from ftlib.reports.index import glossary_html

    parts.append(glossary_html(report.lang))
    return "".join(parts)


def page_html(reports: dict[str, Report], shown: str) -> str:
    """The page for ``reports`` (one per language), showing ``shown`` first."""
    first = reports[shown]
    uid = "ftlib-" + hashlib.sha1(f"{first.region}|{first.period}".encode()).hexdigest()[:10]
    bodies = {lang: _body(reports[lang]) for lang in reports}
    # the sorting script once for the page, not once per language (it also installs itself only once)
    script = SCRIPT if "ftlib-sortable" in "".join(bodies.values()) else ""
    src = html.escape(chartjs.VOILA_DIR + chartjs.bundle_name())   # static pages: beside them (static.py)
    return (f"<div class='ftlib-page' id='{uid}' {chartjs.ATTR}='{src}'>{switch_html(bodies, shown, uid)}</div>"
            f"{script}{chartjs.script()}")


def build_page(frames, region: str, period: Period, lang: str = "zh", k: int = 5, shared=None) -> str:
    """Validate the parameters (ReportError), build the report in every language, return the page.
    Without ``shared`` (``SharedMetrics``) the metrics are computed once for the languages."""
    if shared is None:
        from ftlib.reports.shared import SubtreeMetrics

        shared = SubtreeMetrics(frames)
    reports = {lang: build_report(frames, region, period, lang, k, shared)}  # first: this checks ``lang`` too
    reports.update({other: build_report(frames, region, period, other, k, shared) for other in LANGS if other != lang})
    return page_html({code: reports[code] for code in LANGS}, lang)


def document(page: str, title: str, lang: str, before: str = "") -> str:
    """A whole HTML file around ``page`` (``before`` it: e.g. the link to its PDF): opens offline,
    without a server or any script."""
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else lang}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title>"
            "<style>body{max-width:1100px;margin:1em auto;padding:0 1em}"
            "@media print{body{max-width:none;margin:0;padding:0}}</style></head>"
            f"<body>{before}{page}</body></html>")
