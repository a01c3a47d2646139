"""The index dashboard: the province at a glance (headline figures, a region × measure overview
with the regions that made no tolerance decision flagged, eight-quarter trend lines) above the
list of every report produced, in zh or en, stamped with the time the register was read.

The page is built once by ``ftlib report`` (``write_index``), from the same register snapshot as
the reports, and stored; a visit shows the stored page (no pandas, no recomputation).
"""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import dataclasses
import html
import json
from pathlib import Path

from ftlib.i18n import LANGS, label
from ftlib.regions import region_name
from ftlib.reports.langswitch import requested_lang, switch_html, with_shown
from ftlib.reports.pagecache import STATIC_DIR
from ftlib.reports.sortable import SCRIPT

INDEX_SOURCE = "from ftlib.reports.index import index_app\n\nindex_app();"
#: The stored index page, beside the notebooks (rewritten by every ``ftlib report``).
PAGE_NAME = ".index.html"
SPARK_W, SPARK_H = 120, 26


def page_name(part: str | None = None) -> str:
    """The stored index page: the top one, or the one of sub-region ``part`` (a folded index)."""
    return PAGE_NAME if part is None else f".index_{part}.html"


def part_notebook(part: str) -> str:
    """The index dashboard of sub-region ``part`` (a folded index), beside ``index.ipynb``."""
    return f"index_{part}.ipynb"


def _notebook(path: Path, source: str) -> None:
    from ftlib.reports import skip_iri_grammars

    skip_iri_grammars()
    import nbformat  # not at module level: the index dashboard's kernel does not need it

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)


#: What the overview's suppression held back, group by group, kept beside the pages for the next run.
SUPPRESS_CACHE = ".overview-suppressed.json"


def _read_cache(path: Path) -> dict[str, list[bool]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}   # none yet, or unreadable: every group is solved again
    ok = isinstance(data, dict) and all(isinstance(v, list) and all(isinstance(b, bool) for b in v)
                                        for v in data.values())
    return data if ok else {}


def _write_cache(path: Path, used: dict[str, list[bool]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(used, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def write_index(out_dir: Path, frames=None, k: int = 5, html_dir: Path | None = None,
                fold_above: int | None = None) -> Path:
    """Write ``index.ipynb`` and, with ``frames``, the overview page it shows (and a static
    ``index.html`` in ``html_dir`` when given). A register of more regions than the data file's
    ``fold_above`` (``ftlib/data/reports/index.yaml``) gets a folded index: the top page with the
    top region's direct sub-regions, and one page (``index_<code>.ipynb``) per sub-region
    (``fold_above``: another limit than the data file's)."""
    out_dir = Path(out_dir)
    path = out_dir / "index.ipynb"
    _notebook(path, INDEX_SOURCE)
    written: set[str] = set()
    if frames is not None:
        from ftlib.reports.overview import build_overview
        from ftlib.reports.page import document
        from ftlib.resources import read_yaml

        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        ov = build_overview(frames, k, cache=_read_cache(out_dir / SUPPRESS_CACHE))
        _write_cache(out_dir / SUPPRESS_CACHE, ov.suppressed)   # this run's groups only: the file stays its size
        folder = out_dir / STATIC_DIR
        static = {r["name"] for r in manifest if r.get("ok") and (folder / f"{r['name']}.html").is_file()}
        limit = fold_above if fold_above is not None else int(read_yaml("reports", "index.yaml")["fold_above"])
        fold = len(ov.rows) > limit
        pages = folded(ov, manifest) if fold else [(None, ov, manifest, [])]
        for part, sub, entries, parts in pages:
            if part is not None:
                _notebook(out_dir / part_notebook(part), f"{INDEX_SOURCE[:-3]}(part={part!r});")
                written.add(part)
            (out_dir / page_name(part)).write_text(page_html(sub, entries, static=static, parts=parts, part=part),
                                                   encoding="utf-8")
            if html_dir is not None:
                Path(html_dir).mkdir(parents=True, exist_ok=True)
                for lang in LANGS:  # one file a language: a static page has no address to read it from
                    page = page_html(sub, entries, lang, offline=True, parts=parts, part=part)
                    title = label("overview.title", lang).format(region=sub.rows[0][lang])
                    name = "index" if part is None else f"index_{part}"
                    (Path(html_dir) / static_name(name, lang)).write_text(document(page, title, lang),
                                                                          encoding="utf-8")
    for old in out_dir.glob("index_*.ipynb"):   # the sub-region pages of an earlier, larger register
        if old.stem[len("index_"):] not in written:
            old.unlink(missing_ok=True)
            (out_dir / page_name(old.stem[len("index_"):])).unlink(missing_ok=True)
    return path


def folded(ov, manifest: list[dict]) -> list[tuple[str | None, object, list[dict], list[dict]]]:
    """The pages of a folded index, each (sub-region or None for the top page, its part of the
    overview, its reports, the sub-region rows it links to): the top page holds the top region and
    its direct sub-regions, each sub-region's page its whole subtree (levels counted from it).
    The rows are those of ``ov``, one overview of the whole register: no figure is protected
    differently on two pages."""
    def part(rows: list[dict]):
        base = rows[0]["level"]
        codes = {r["code"] for r in rows}
        return dataclasses.replace(ov, root=rows[0]["code"], rows=[{**r, "level": r["level"] - base} for r in rows],
                                   flagged=[c for c in ov.flagged if c in codes])

    subtrees: list[list[dict]] = []
    for r in ov.rows[1:]:   # tree order: a sub-region's subtree follows it
        if r["level"] == 1:
            subtrees.append([r])
        elif r["level"] > 1 and subtrees:
            subtrees[-1].append(r)
    top_rows = [ov.rows[0]] + [t[0] for t in subtrees]
    top_codes = {r["code"] for r in top_rows}
    inside = {r["code"]: t[0]["code"] for t in subtrees for r in t}
    pages: list[tuple[str | None, object, list[dict], list[dict]]] = [
        (None, part(top_rows), [m for m in manifest if m["region"] in top_codes or m["region"] not in inside],
         [t[0] for t in subtrees])]
    for t in subtrees:
        code = t[0]["code"]
        pages.append((code, part(t), [m for m in manifest if inside.get(m["region"]) == code], []))
    return pages


def e(x: object) -> str:
    return html.escape(str(x))


def stamp_html(meta: dict, lang: str) -> str:
    """The synthetic-data banner (when the register was generated) and the data-as-of stamp."""
    out = ""
    if meta.get("synthetic"):
        out += f"<div class='ftlib-banner' role='note'>{e(label('page.synthetic', lang))}</div>"
    when = str(meta.get("snapshot_at", "")).replace("T", " ")
    if when:
        out += f"<p class='ftlib-asof'>{e(label('page.as_of', lang).format(time=when))}</p>"
    return out


def legend_html(k: int, lang: str) -> str:
    return (f"<p class='ftlib-legend'><small>{e(label('page.hidden', lang).format(k=k))} "
            f"{e(label('page.not_applicable_legend', lang))}</small></p>")


def glossary_html(lang: str) -> str:
    from ftlib.i18n import labels

    ids = sorted({key.split(".")[1] for key in labels() if key.startswith("glossary.")},
                 key=lambda i: list(labels()).index(f"glossary.{i}.term"))
    items = "".join(f"<dt>{e(label(f'glossary.{i}.term', lang))}</dt><dd>{e(label(f'glossary.{i}.text', lang))}</dd>"
                    for i in ids)
    return (f"<details class='ftlib-glossary' open><summary>{e(label('page.glossary', lang))}</summary>"
            f"<dl>{items}</dl></details>")


def _figure(value, kind: str, lang: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value != value:  # NaN: nothing to compute
        return label("page.not_applicable", lang)
    if kind == "rate":
        return f"{100 * float(value):.1f}%"
    return f"{int(value):,}"


def sparkline(values: list[int] | None, quarters: list[str], title: str) -> str:
    """An inline SVG line of one value a quarter, or "—" when the line is held back."""
    if values is None:
        return "—"
    top = max(max(values), 1)
    n = len(values)
    pts = [(2 + i * (SPARK_W - 4) / max(n - 1, 1), SPARK_H - 3 - (SPARK_H - 6) * v / top) for i, v in enumerate(values)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    tip = "; ".join(f"{q}: {v}" for q, v in zip(quarters, values))
    lx, ly = pts[-1]
    return (f"<svg class='ftlib-spark' width='{SPARK_W}' height='{SPARK_H}' viewBox='0 0 {SPARK_W} {SPARK_H}' "
            f"role='img' aria-label='{e(title)}: {e(tip)}'><title>{e(title)}: {e(tip)}</title>"
            f"<polyline fill='none' stroke='#1f5fa8' stroke-width='1.6' points='{line}'/>"
            f"<circle cx='{lx:.1f}' cy='{ly:.1f}' r='2.2' fill='#1f5fa8'/></svg>")


def overview_html(ov, lang: str) -> str:
    from ftlib.reports.overview import SHOWN

    root = ov.rows[0]
    kinds = {"tolerated_share": "rate", "time_limits_kept": "rate"}
    cards = "".join(
        f"<div class='ftlib-card' data-metric='{m}'><div class='ftlib-card-value'>"
        f"{e(_figure(root['figures'][m], kinds.get(m, 'count'), lang))}</div>"
        f"<div class='ftlib-card-label'>{e(label(f'overview.{m}', lang))}</div></div>" for m in SHOWN)
    names = {r["code"]: r[lang] for r in ov.rows}
    sep = "、" if lang == "zh" else "; "  # English names hold commas themselves
    if ov.flagged:
        flag_text = label("overview.flagged", lang).format(n=len(ov.flagged),
                                                           regions=sep.join(names[c] for c in ov.flagged))
    else:
        flag_text = label("overview.none_flagged", lang)
    head = "".join(f"<th>{e(label(f'overview.{m}', lang))}</th>" for m in SHOWN)
    head += f"<th>{e(label('overview.trend_received', lang))}</th><th>{e(label('overview.trend_tolerated', lang))}</th>"
    rows = []
    for r in ov.rows:
        flagged = r["code"] in ov.flagged
        cells = "".join(f"<td data-metric='{m}'>{e(_figure(r['figures'][m], kinds.get(m, 'count'), lang))}</td>"
                        for m in SHOWN)
        cells += "".join(
            f"<td class='ftlib-trend'>{sparkline(r['trends'][t], ov.quarters, r[lang] + ' · ' + label(f'overview.trend_{t}', lang))}</td>"
            for t in ("received", "tolerated"))
        flag = f" <span class='ftlib-flag'>⚑ {e(label('overview.flag', lang))}</span>" if flagged else ""
        indent = "　" * r["level"] if lang == "zh" else "\u2003" * r["level"]
        rows.append(f"<tr data-region='{e(r['code'])}'{' class=ftlib-flagged' if flagged else ''}>"
                    f"<th scope='row'>{indent}{e(r[lang])}{flag}</th>{cells}</tr>")
    note = label("overview.trend_note", lang).format(first=ov.quarters[0], last=ov.quarters[-1])
    return (f"<h1 class='ftlib-title'>{e(label('overview.title', lang).format(region=root[lang]))}</h1>"
            f"<p>{e(label('overview.window', lang).format(period=ov.window.label))}</p>"
            f"<h3>{e(label('overview.headline', lang).format(region=root[lang]))}</h3>"
            f"<div class='ftlib-cards'>{cards}</div>"
            f"<p class='ftlib-flags'>{e(flag_text)}</p>"
            f"<table class='ftlib-sortable ftlib-overview'><tr><th>{e(label('overview.region', lang))}</th>{head}</tr>"
            f"{''.join(rows)}</table><p><small>{e(note)}</small></p>{legend_html(ov.k, lang)}")


def static_name(name: str, lang: str) -> str:
    """The static page of ``name`` in ``lang``: ``name.html`` (Chinese first) or ``name.en.html``."""
    return f"{name}.html" if lang == "zh" else f"{name}.{lang}.html"


def _href(name: str, lang: str, static: set[str], offline: bool) -> str:
    """A report's static page when ``ftlib report --html`` wrote one (no kernel for the visitor),
    else its dashboard notebook; either in the reader's language."""
    if offline:
        return static_name(name, lang)
    if name in static:
        return f"../files/{STATIC_DIR}/{static_name(name, lang)}"
    return f"{name}.ipynb?lang={lang}"


def index_html(manifest: list[dict], lang: str, static: set[str] = frozenset(), offline: bool = False,
               names: dict[str, str] | None = None) -> str:
    """The list of reports by region × period; links keep the language. ``offline``: the links of
    the static index, to the static pages beside it. ``names``: the regions' names in ``lang``
    (the register's; else the bundled jurisdictions')."""
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
                target = _href(r["name"], lang, static, offline)
                tds.append(f'<td><a class="ftlib-report" href="{html.escape(target)}">{html.escape(p)}</a></td>')
            else:
                tds.append(f'<td title="{html.escape(r["error"])}">✗</td>')
        rows.append(f"<tr><th>{html.escape((names or {}).get(reg) or region_name(reg, lang))}</th>{''.join(tds)}</tr>")
    failed = [r for r in manifest if not r["ok"]]
    fail_html = ""
    if failed:
        items = "".join(f"<li>{html.escape(r['name'])}: {html.escape(r['error'])}</li>" for r in failed)
        fail_html = f"<h3>{label('report.failed', lang)}</h3><ul>{items}</ul>"
    return (f"<h2>{label('overview.reports', lang)}</h2>"
            f"<table class='ftlib-index'><tr><th>{label('overview.region', lang)}</th>{head}</tr>{''.join(rows)}</table>"
            f"{fail_html}")


def notebooks() -> list[str]:
    """The widget notebooks the index lists (``ftlib/data/labels/notebooks_labels.yaml``), in order."""
    from ftlib.i18n import labels

    return list(dict.fromkeys(k.split(".")[2] for k in labels() if k.startswith("notebooks.list.")))


def notebooks_html(lang: str, offline: bool = False, prefix: str = "../../") -> str:
    """The interactive tools, each linked through the dashboards server's ``/ftlib/apps/<name>``
    (which sends the visitor to the widget server ``ftlib run`` starts); a static page says how
    to start them instead. ``prefix``: from the page's address to the server's root."""
    items = []
    for nb in notebooks():
        title = e(label(f"notebooks.list.{nb}.title", lang))
        head = title if offline else (f"<a class='ftlib-app' data-notebook='{e(nb)}' target='_blank' rel='noopener' "
                                      f"href='{e(prefix)}ftlib/apps/{e(nb)}?lang={lang}'>{title}</a>")
        items.append(f"<li><b>{head}</b>：{e(label(f'notebooks.list.{nb}.purpose', lang))}"
                     f"<small>（{e(label('notebooks.for', lang))}：{e(label(f'notebooks.list.{nb}.who', lang))}）</small></li>")
    note = label("notebooks.offline", lang).format(nb="06") if offline else label("notebooks.intro", lang)
    return (f"<section class='ftlib-apps'><h2>{e(label('notebooks.heading', lang))}</h2><p><small>{e(note)}</small></p>"
            f"<ul>{''.join(items)}</ul></section>")


def parts_html(parts: list[dict], lang: str, offline: bool = False) -> str:
    """Links of a folded index's top page to each sub-region's index page."""
    if not parts:
        return ""
    items = "".join(
        f"<li><a class='ftlib-part' data-region='{e(r['code'])}' href='"
        f"{e(static_name('index_' + r['code'], lang) if offline else part_notebook(r['code']) + '?lang=' + lang)}'>"
        f"{e(r[lang])}</a></li>" for r in parts)
    return (f"<section class='ftlib-parts'><h2>{e(label('overview.parts', lang))}</h2>"
            f"<p><small>{e(label('overview.parts_note', lang))}</small></p><ul>{items}</ul></section>")


def page_html(ov, manifest: list[dict], shown: str = "zh", static: set[str] = frozenset(),
              offline: bool = False, parts: list[dict] = (), part: str | None = None) -> str:
    """An index page: ``parts`` the sub-regions whose own index pages it links (a folded index's
    top page), ``part`` the sub-region it is the page of (it then links back to the top page)."""
    def back(lang: str) -> str:
        if part is None:
            return ""
        href = static_name("index", lang) if offline else f"index.ipynb?lang={lang}"
        return f"<a class='ftlib-back' href='{e(href)}'>{e(label('page.back', lang))}</a>"

    bodies = {lang: back(lang) + stamp_html(ov.meta, lang) + overview_html(ov, lang) + parts_html(list(parts), lang, offline)
              + notebooks_html(lang, offline) + index_html(manifest, lang, static, offline, {r["code"]: r[lang] for r in ov.rows})
              + glossary_html(lang) for lang in LANGS}
    uid = "ftlib-index" if part is None else "ftlib-index-" + "".join(ch if ch.isalnum() else "-" for ch in part)
    return f"<div class='ftlib-page'>{switch_html(bodies, shown, uid)}</div>{SCRIPT}"


def index_app(manifest_path: str = "manifest.json", lang: str = "zh", part: str | None = None) -> None:
    """The index with a language switch (what Voilà shows); plain HTML, no widgets. ``part``: the
    index page of that sub-region (a folded index)."""
    from IPython.display import HTML, display

    lang = requested_lang(lang)
    stored = Path(manifest_path).with_name(page_name(part))
    if stored.is_file():
        display(HTML(with_shown(stored.read_text(encoding="utf-8"), lang)))
        return
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    folder = Path(manifest_path).parent / STATIC_DIR
    static = {r["name"] for r in manifest if r.get("ok") and (folder / f"{r['name']}.html").is_file()}
    bodies = {code: f"<p>{e(label('overview.no_overview', code))}</p>" + notebooks_html(code)
              + index_html(manifest, code, static) for code in LANGS}
    display(HTML(f"<div class='ftlib-page'>{switch_html(bodies, lang, 'ftlib-index')}</div>"))
