"""A report as one static HTML file a language, for readers who cannot reach a server: the same
page as the dashboard, its charts drawn by the Vega bundle written beside it (``chartjs``), so the
folder opens offline in any browser; and the same page printed to PDF by headless Chromium (A4,
the page's print stylesheet, fonts embedded, every chart drawn first)."""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

from pathlib import Path

from ftlib.period import Period
from ftlib.reports import pagecache
from ftlib.reports.page import build_page, document


def write_html(region: str, period: Period, lang: str, k: int, out_dir: Path, frames=None, pdf: bool = True) -> Path:
    """Write ``report_<region>_<period>.html`` and (``pdf``) ``.pdf`` beside it; the page stored by
    the report run is used when there is one."""
    from ftlib.reports.data import load_frames
    from ftlib.reports.links import static_links

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = pagecache.report_name(region, period.label)
    path = out_dir / f"{name}.html"
    page = None if frames is not None else pagecache.read(pagecache.page_path(
        region, period.start.isoformat(), period.end.isoformat(), period.label, lang, k))
    if page is None:
        page = build_page(frames if frames is not None else load_frames(), region, period, lang, k)
    from ftlib.i18n import LANGS
    from ftlib.reports import chartjs
    from ftlib.reports.index import static_name
    from ftlib.reports.langswitch import with_shown

    chartjs.write_bundle(out_dir)   # the page's charts are drawn by the bundle beside it
    page = page.replace(f"{chartjs.ATTR}='{chartjs.VOILA_DIR}", f"{chartjs.ATTR}='")
    for other in LANGS:  # one file a language (a static page has no address to read the choice from)
        shown = with_shown(page, other)
        for code in LANGS:  # the back links: to the static index beside it, in that language
            shown = shown.replace(f"href='index.ipynb?lang={code}'", f"href='{static_name('index', code)}'")
        (out_dir / static_name(name, other)).write_text(
            document(shown, f"{region} {period.label}", other, static_links(name) if pdf else ""), encoding="utf-8")
    if pdf:
        from ftlib.pdf import html_to_pdf

        html_to_pdf(path, path.with_suffix(".pdf"), fragment="ftlib-print")   # all charts drawn at once
    return path
