"""A report as one static HTML file without code (for readers who cannot reach a server).
Charts are inlined with their Vega libraries, so the file works offline."""

from __future__ import annotations

import html
import json
from pathlib import Path

import altair as alt

from ftlib.reports.content import STYLE_STATIC, build_report, headline_html, title_html
from ftlib.reports.period import Period


def report_html(frames, region: str, period: Period, lang: str = "zh", k: int = 5) -> str:
    import vl_convert as vlc

    report = build_report(frames, region, period, lang, k)
    parts = [title_html(report), headline_html(report)]
    specs: list[tuple[str, dict]] = []
    for sec in report.sections:
        parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        for chart in sec.charts():
            div = f"chart{len(specs)}"
            specs.append((div, chart.to_dict()))
            parts.append(f"<div id='{div}'></div>")
        parts.append(sec.table_html)
    # One copy of the Vega bundle for all charts (Altair's inline mode would repeat it per chart).
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    bundle = vlc.javascript_bundle(vl_version=version)
    calls = "".join(f"vegaEmbed('#{d}', {json.dumps(s)}, {{actions: false}});" for d, s in specs)
    parts.append(f"<script type='text/javascript'>{bundle}</script><script type='text/javascript'>{calls}</script>")
    return (f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(report.region_name)} {html.escape(period.label)}</title>{STYLE_STATIC}</head>"
            f"<body>{''.join(parts)}</body></html>")


def write_html(region: str, period: Period, lang: str, k: int, out_dir: Path, frames=None) -> Path:
    from ftlib.reports.data import load_frames

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report_{region}_{period.slug}.html"
    path.write_text(report_html(frames if frames is not None else load_frames(), region, period, lang, k),
                    encoding="utf-8")
    return path
