"""Run the report template with papermill for region × period, in parallel.

Each report is one papermill run in its own process (one kernel each), so a failing report is
reported and the others still run. The output notebooks land in ``dashboards/``, beside an
index dashboard and a ``manifest.json`` listing what was produced.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

from ftlib.reports.period import Period

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "notebooks" / "reports" / "implementation_report.ipynb"
DASHBOARDS = ROOT / "dashboards"


@dataclass(frozen=True)
class Job:
    region: str
    period: Period
    lang: str = "zh"
    min_cell: int = 5

    @property
    def name(self) -> str:
        return f"report_{self.region}_{self.period.slug}"


@dataclass
class Result:
    name: str
    region: str
    period: str
    ok: bool
    error: str = ""
    html: str = ""


def _one_line(err: BaseException) -> str:
    """The last meaningful line of an error (papermill wraps the kernel's traceback)."""
    text = getattr(err, "evalue", None) or str(err)
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[-1] if lines else type(err).__name__


def _ipc_kernel_manager():
    """Kernels talk over local sockets, not TCP ports: parallel papermill runs picking free TCP
    ports at the same moment can collide and hang (and no port is opened at all)."""
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)

    return IpcKernelManager


def run_one(job: Job, out_dir: str, html: bool) -> Result:
    import papermill as pm

    out = Path(out_dir) / f"{job.name}.ipynb"
    params = {"region": job.region, "period_start": job.period.start.isoformat(),
              "period_end": job.period.end.isoformat(), "period_label": job.period.label,
              "lang": job.lang, "min_cell": job.min_cell}
    try:
        pm.execute_notebook(str(TEMPLATE), str(out), parameters=params, kernel_name="python3",
                            progress_bar=False, log_output=False, cwd=str(out_dir),
                            kernel_manager_class=_ipc_kernel_manager(), execution_timeout=600)
    except Exception as err:  # noqa: BLE001 — any failure of one report must not stop the others
        return Result(job.name, job.region, job.period.label, False, _one_line(err))
    html_path = ""
    if html:
        from ftlib.reports.static import write_html

        html_path = str(write_html(job.region, job.period, job.lang, job.min_cell, Path(out_dir) / "html"))
    return Result(job.name, job.region, job.period.label, True, html=html_path)


def run_reports(jobs: list[Job], out_dir: Path = DASHBOARDS, html: bool = False,
                workers: int | None = None, progress: bool = True) -> list[Result]:
    """Run every job; returns one Result per job (failures included) and writes the index."""
    from tqdm.auto import tqdm

    from ftlib.reports.data import save_snapshot

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    # The kernels papermill starts inherit this environment: one snapshot of the register for
    # all reports, and no chart drawing (Voilà draws them when the dashboard is opened).
    os.environ["FTLIB_REPORT_FRAMES"] = str(save_snapshot(out_dir / ".frames.pickle"))
    os.environ["FTLIB_REPORT_CHARTS"] = "0"
    if not (out_dir / "voila.json").exists():  # a folder other than dashboards/ gets the same settings
        shutil.copy(DASHBOARDS / "voila.json", out_dir / "voila.json")
    results: list[Result] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, job, str(out_dir), html) for job in jobs]
        for fut in tqdm(as_completed(futures), total=len(futures), disable=not progress, desc="reports"):
            results.append(fut.result())
    results.sort(key=lambda r: (r.region, r.period))
    (out_dir / "manifest.json").write_text(
        json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    from ftlib.reports.index import write_index

    write_index(out_dir)
    return results
