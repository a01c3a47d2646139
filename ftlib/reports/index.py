"""The index dashboard: every report produced, by region and period, in zh or en."""

from __future__ import annotations

import html
import json
from pathlib import Path

from ftlib.i18n import LANGS, label
from ftlib.regions import region_name
from ftlib.reports.langswitch import switch_html
from ftlib.reports.pagecache import STATIC_DIR

INDEX_SOURCE = "from ftlib.reports.index import index_app\n\nindex_app();"


def write_index(out_dir: Path) -> Path:
    import nbformat  # not at module level: the index dashboard's kernel does not need it

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(INDEX_SOURCE)]
    path = Path(out_dir) / "index.ipynb"
    nbformat.write(nb, path)
    return path


def _href(name: str, static: set[str]) -> str:
    """A report's static page when ``ftlib report --html`` wrote one (no kernel for the visitor),
    else its dashboard notebook."""
    return f"../files/{STATIC_DIR}/{name}.html" if name in static else f"{name}.ipynb"


def index_html(manifest: list[dict], lang: str, static: set[str] = frozenset()) -> str:
    periods = sorted({r["period"] for r in manifest})
    regions = sorted({r["region"] for r in manifest})
    cell = {(r["region"], r["period"]): r for r in manifest}
    head = "".join(f"<th>{html.escape(p)}</th>" for p in periods)
    rows = []
    for reg in regions:
        tds = []
        for p in periods:
            r = cell.get((reg, p))
            if r is None:
                tds.append("<td></td>")
            elif r["ok"]:
                tds.append(f'<td><a class="ftlib-report" href="{html.escape(_href(r["name"], static))}">'
                           f'{html.escape(p)}</a></td>')
            else:
                tds.append(f'<td title="{html.escape(r["error"])}">✗</td>')
        rows.append(f"<tr><th>{html.escape(region_name(reg, lang))} <small>{reg}</small></th>{''.join(tds)}</tr>")
    failed = [r for r in manifest if not r["ok"]]
    fail_html = ""
    if failed:
        items = "".join(f"<li>{html.escape(r['name'])}: {html.escape(r['error'])}</li>" for r in failed)
        fail_html = f"<h3>{label('report.failed', lang)}</h3><ul>{items}</ul>"
    return (f"<h2>{label('report.index_title', lang)}</h2>"
            f"<table class='ftlib-index'><tr><th>{label('column.jurisdiction', lang)}</th>{head}</tr>{''.join(rows)}</table>"
            f"{fail_html}")


def index_app(manifest_path: str = "manifest.json", lang: str = "zh") -> None:
    """The index with a language switch (what Voilà shows); plain HTML, no widgets."""
    from IPython.display import HTML, display

    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    folder = Path(manifest_path).parent / STATIC_DIR
    static = {r["name"] for r in manifest if r.get("ok") and (folder / f"{r['name']}.html").is_file()}
    bodies = {code: index_html(manifest, code, static) for code in LANGS}
    display(HTML(f"<div class='ftlib-page'>{switch_html(bodies, lang, 'ftlib-index')}</div>"))
