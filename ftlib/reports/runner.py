"""Run the report template with papermill for region × period, in parallel.

Each report is one papermill run in its own process (one kernel each), so a failing report is
reported and the others still run. The output notebooks land in ``dashboards/``, beside an
index dashboard and a ``manifest.json`` listing what was produced.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
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
            # ipc sockets are files named after ``ip``; one unique prefix per kernel
            kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(), f"ftlib-kernel-{uuid.uuid4().hex}"))
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
                            kernel_manager_class=_ipc_kernel_manager(), execution_timeout=CELL_TIMEOUT)
    except Exception as err:  # noqa: BLE001 — any failure of one report must not stop the others
        return Result(job.name, job.region, job.period.label, False, _one_line(err))
    html_path = ""
    if html:
        from ftlib.reports.static import write_html

        html_path = str(write_html(job.region, job.period, job.lang, job.min_cell, Path(out_dir) / "html"))
    return Result(job.name, job.region, job.period.label, True, html=html_path)


#: Seconds one cell of the template may take; a report cell takes a few seconds. A kernel whose
#: reply never comes (a lost message, seen now and then with parallel kernels) ends at this
#: limit and the report is tried again, up to ATTEMPTS times.
CELL_TIMEOUT = 90
ATTEMPTS = 3


def _run_isolated(job: Job, out_dir: Path, html: bool, timeout: float, env: dict) -> Result:
    result = _attempt(job, out_dir, html, timeout, env)
    for _ in range(ATTEMPTS - 1):
        if result.ok or "timed out" not in result.error.lower() and "timeout" not in result.error.lower():
            break
        result = _attempt(job, out_dir, html, timeout, env)
    return result


def _attempt(job: Job, out_dir: Path, html: bool, timeout: float, env: dict) -> Result:
    arg = json.dumps({"region": job.region, "start": job.period.start.isoformat(), "end": job.period.end.isoformat(),
                      "label": job.period.label, "lang": job.lang, "min_cell": job.min_cell,
                      "out_dir": str(out_dir), "html": html})
    try:
        proc = subprocess.run([sys.executable, "-m", "ftlib.reports.runner", arg], capture_output=True, text=True,
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Result(job.name, job.region, job.period.label, False, f"timed out after {timeout:.0f} s")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        return Result(job.name, job.region, job.period.label, False, err[-1] if err else f"exit {proc.returncode}")
    return Result(**json.loads(lines[-1]))


def run_reports(jobs: list[Job], out_dir: Path = DASHBOARDS, html: bool = False,
                workers: int | None = None, progress: bool = True, timeout: float = 2 * CELL_TIMEOUT + 60) -> list[Result]:
    """Run every job; returns one Result per job (failures included) and writes the index."""
    from tqdm.auto import tqdm

    from ftlib.reports.data import save_snapshot

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    # The kernels papermill starts inherit this environment: one snapshot of the register for
    # all reports, and no chart drawing (Voilà draws them when the dashboard is opened).
    env = {**os.environ, "FTLIB_REPORT_FRAMES": str(save_snapshot(out_dir / ".frames.pickle")),
           "FTLIB_REPORT_CHARTS": "0"}
    if not (out_dir / "voila.json").exists():  # a folder other than dashboards/ gets the same settings
        shutil.copy(DASHBOARDS / "voila.json", out_dir / "voila.json")
    results: list[Result] = []
    # Each report in its own interpreter (python -m ftlib.reports.runner): a report that hangs or
    # crashes is killed at the timeout and reported, and no kernel client state is shared
    # (one long-lived worker running kernel after kernel was seen to hang).
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_run_isolated, job, out_dir, html, timeout, env) for job in jobs]
        for fut in tqdm(as_completed(futures), total=len(futures), disable=not progress, desc="reports"):
            results.append(fut.result())
    results.sort(key=lambda r: (r.region, r.period))
    (out_dir / "manifest.json").write_text(
        json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    from ftlib.reports.index import write_index

    write_index(out_dir)
    return results


def _main(arg: str) -> None:
    """One report, for ``_run_isolated``: prints the Result as JSON on the last line."""
    from ftlib.reports.period import Period

    a = json.loads(arg)
    job = Job(a["region"], Period(dt.date.fromisoformat(a["start"]), dt.date.fromisoformat(a["end"]), a["label"]),
              a["lang"], a["min_cell"])
    print(json.dumps(asdict(run_one(job, a["out_dir"], a["html"])), ensure_ascii=False))


if __name__ == "__main__":
    _main(sys.argv[1])
