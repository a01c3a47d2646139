"""Build one report of a run in the calling process: the page (both languages) into the page
cache, the report notebook beside it, optionally the static HTML and PDF.

A report used to be one papermill run of the template in a kernel (about 2.3 s of a core each,
most of it the kernel round trip, the metrics computed four times and every chart validated and
drawn again). Here the page is built directly: the register snapshot is read once a process, the
metrics of all regions are computed once per period set (``shared.SharedMetrics``), and the charts
are left to the reader's browser (``chartjs``: the run writes the Vega bundle into
``dashboards/assets/``). The notebook written is the template with the report's parameters injected and
the page as its output, as papermill would have left it; Voilà runs it for visitors, who get the
stored page (``dashboard.report_app``).
"""

# Imports inside functions: a report worker imports papermill, the page builder and the chart cache only when it builds a page.

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path

from ftlib.errors import FtlibError
from ftlib.reports import pagecache
from ftlib.reports.worker import TEMPLATE, Job, Result, one_line


@lru_cache(maxsize=2)
def _context(snapshot: str):
    from ftlib.reports.data import _snapshot
    from ftlib.reports.shared import SharedMetrics

    frames = _snapshot(snapshot)
    return frames, SharedMetrics(frames)


@lru_cache(maxsize=1)
def _template():
    from ftlib.reports import skip_iri_grammars

    skip_iri_grammars()   # papermill imports nbformat
    from papermill.iorw import load_notebook_node

    return load_notebook_node(str(TEMPLATE))   # as papermill reads it (every cell has tags)


def params(job: Job) -> dict:
    return {"region": job.region, "period_start": job.period.start.isoformat(),
            "period_end": job.period.end.isoformat(), "period_label": job.period.label,
            "lang": job.lang, "min_cell": job.min_cell}


def write_notebook(out: Path, job: Job, shown: str) -> None:
    """The template with ``job``'s parameters injected (papermill's own function) and ``shown``
    (what ``report_app`` displays) as the output of its last cell."""

    from ftlib.reports import skip_iri_grammars

    skip_iri_grammars()
    import nbformat
    from papermill.parameterize import parameterize_notebook

    nb = parameterize_notebook(copy.deepcopy(_template()), params(job), kernel_name="python3", language="python")
    last = nb.cells[-1]
    last.execution_count = len(nb.cells)
    last.outputs = [nbformat.v4.new_output("display_data", data={"text/html": shown, "text/plain": "<HTML>"})]
    tmp = out.with_suffix(".ipynb.tmp")
    nbformat.write(nb, str(tmp))
    os.replace(tmp, out)


def build_job(job: Job, out_dir: Path, html: bool, snapshot: str | Path) -> Result:
    """Build ``job``'s report from the snapshot; a report that cannot be built is a failed Result."""
    from ftlib.reports import chartjs, skip_iri_grammars

    skip_iri_grammars()   # also in a Dask worker: before Altair imports jsonschema
    from ftlib.reports.langswitch import with_shown
    from ftlib.reports.links import dashboard_links
    from ftlib.reports.page import build_page
    from ftlib.reports.svgcache import forget

    out_dir = Path(out_dir)
    os.environ["FTLIB_REPORT_FRAMES"] = str(snapshot)   # the page cache is keyed on this snapshot
    frames, shared = _context(str(snapshot))
    try:
        page = build_page(frames, job.region, job.period, job.lang, job.min_cell, shared)
    except FtlibError as err:
        return Result(job.name, job.region, job.period.label, False, one_line(err))
    chartjs.write_bundle(out_dir / "assets")   # what the page's charts are drawn with (voila/files/assets/)
    forget(out_dir / ".charts", job.name)   # its SVGs of an earlier run are not used any more: pruned
    pagecache.write(pagecache.page_path(*params(job).values()), page)
    write_notebook(out_dir / f"{job.name}.ipynb", job,
                   dashboard_links(job.name, out_dir) + with_shown(page, job.lang))
    html_path = ""
    if html:
        from ftlib.reports.static import write_html

        html_path = str(write_html(job.region, job.period, job.lang, job.min_cell, out_dir / "html"))
    return Result(job.name, job.region, job.period.label, True, html=html_path)


def build_jobs(jobs: list[Job], out_dir: str, html: bool, snapshot: str) -> list[Result]:
    """Several jobs in one call (one task of a distributed run: fewer round trips)."""
    out = []
    for job in jobs:
        try:
            out.append(build_job(job, Path(out_dir), html, snapshot))
        except Exception as err:  # noqa: BLE001 — one report's failure must not lose the others
            out.append(Result(job.name, job.region, job.period.label, False, one_line(err)))
    return out
