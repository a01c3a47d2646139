"""A report as one HTML fragment that works wherever HTML runs (a Voilà dashboard, a notebook's
output, a static file): every language with a switch that needs no kernel and no script (CSS
radio buttons), the headline figures, the tables, and the charts drawn as inline SVG by
vl-convert when the report is run. The reader's browser computes and draws nothing, loads nothing
from anywhere, and shows the charts as soon as it shows the page; its one inline script only
sorts the sub-region table when a header is clicked (the page reads the same without it).

Figures and chart data come from ``build_report`` and have passed the privacy rules there.
"""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import hashlib
import html
import re

from ftlib.i18n import LANGS
from ftlib.period import Period
from ftlib.reports.content import Report, build_report, headline_html, title_html
from ftlib.reports.langswitch import switch_html
from ftlib.reports.sortable import SCRIPT

_ID = re.compile(r'\bid="([^"]+)"')


def scoped_svg(svg: str, prefix: str) -> str:
    """Give the ids inside one SVG (clip paths, gradients) a prefix, so that many SVGs can sit
    in one page without one chart's ``url(#clip1)`` pointing into another chart."""
    for ident in set(_ID.findall(svg)):
        new = f"{prefix}-{ident}"
        svg = (svg.replace(f'id="{ident}"', f'id="{new}"').replace(f"url(#{ident})", f"url(#{new})")
               .replace(f'href="#{ident}"', f'href="#{new}"'))
    return svg


def _chart_html(spec: dict, prefix: str) -> str:
    from ftlib.reports.svgcache import svg

    title = spec.get("title", "")
    title = title.get("text", "") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else str(title)
    return (f"<figure class='ftlib-chart' role='img' aria-label='{html.escape(title)}'>"
            f"{scoped_svg(svg(spec), prefix)}</figure>")


def _body(report: Report, uid: str) -> str:
    parts = [title_html(report), headline_html(report)]
    n = 0
    for sec in report.sections:
        parts.append(f"<h2 class='ftlib-section' data-section='{sec.key}'>{html.escape(sec.title)}</h2>")
        for spec in sec.specs():
            n += 1
            parts.append(_chart_html(spec, f"{uid}-{report.lang}-{n}"))
        parts.append(sec.table_html)
    from ftlib.reports.index import glossary_html

    parts.append(glossary_html(report.lang))
    return "".join(parts)


def page_html(reports: dict[str, Report], shown: str) -> str:
    """The page for ``reports`` (one per language), showing ``shown`` first."""
    first = reports[shown]
    uid = "ftlib-" + hashlib.sha1(f"{first.region}|{first.period}".encode()).hexdigest()[:10]
    bodies = {lang: _body(reports[lang], uid) for lang in reports}
    # the sorting script once for the page, not once per language (it also installs itself only once)
    script = SCRIPT if "ftlib-sortable" in "".join(bodies.values()) else ""
    return f"<div class='ftlib-page' id='{uid}'>{switch_html(bodies, shown, uid)}</div>{script}"


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
