"""A report as one static HTML file without code, for readers who cannot reach a server: the same
page as the dashboard (charts are inline SVG), so it opens offline in any browser."""

from __future__ import annotations

from pathlib import Path

from ftlib.reports import pagecache
from ftlib.reports.page import build_page, document
from ftlib.reports.period import Period


def write_html(region: str, period: Period, lang: str, k: int, out_dir: Path, frames=None) -> Path:
    """Write ``report_<region>_<period>.html``; the page stored by the report run is used when there is one."""
    from ftlib.reports.data import load_frames

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report_{region}_{period.slug}.html"
    page = None if frames is not None else pagecache.read(pagecache.page_path(
        region, period.start.isoformat(), period.end.isoformat(), period.label, lang, k))
    if page is None:
        page = build_page(frames if frames is not None else load_frames(), region, period, lang, k)
    page = page.replace("href='index.ipynb?lang=", "href='index.html?lang=")  # the static index beside it
    path.write_text(document(page, f"{region} {period.label}", lang), encoding="utf-8")
    return path
