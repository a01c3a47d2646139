"""The links above a report to its static page and its PDF (both written by ``ftlib report --html``
into ``html/`` beside the dashboards, served by Voilà as files). Standard library and the label
catalogue only: the dashboard's kernel shows them without importing pandas."""

from __future__ import annotations

import html
from pathlib import Path

from ftlib.i18n import label
from ftlib.reports.pagecache import STATIC_DIR


def _both(key: str) -> str:
    return html.escape(f"{label(key, 'zh')} · {label(key, 'en')}")


def _bar(links: list[tuple[str, str, str]]) -> str:
    items = "".join(f"<a class='ftlib-link' data-kind='{kind}' href='{html.escape(href)}'"
                    f"{' download' if kind == 'pdf' else ''}>{text}</a>" for kind, href, text in links)
    return (f"<nav class='ftlib-links' style='margin:0 0 8px;display:flex;gap:18px'>{items}</nav>")


def dashboard_links(name: str, folder: Path | None = None) -> str:
    """Links from the Voilà page ``voila/render/<name>.ipynb`` to ``voila/files/html/<name>.html``
    and ``.pdf``; empty when the report was run without ``--html``."""
    static = Path(folder or Path.cwd()) / STATIC_DIR
    links = []
    if (static / f"{name}.html").is_file():
        links.append(("html", f"../files/{STATIC_DIR}/{name}.html", _both("serving.static_page")))
    if (static / f"{name}.pdf").is_file():
        links.append(("pdf", f"../files/{STATIC_DIR}/{name}.pdf", _both("serving.pdf")))
    return _bar(links) if links else ""


def static_links(name: str) -> str:
    """The link from a static page to its PDF beside it (hidden when printed)."""
    return _bar([("pdf", f"{name}.pdf", _both("serving.pdf"))])
