"""Run the report template with papermill for region × period, in parallel.

One worker process a core (``worker.py``) runs report after report in its own kernel; every
report is its own papermill run and its own output notebook in ``dashboards/``, beside an index
dashboard and a ``manifest.json`` listing what was produced. A report that fails is listed and
the others still run; a worker that stops answering is killed at the time limit and its report
tried again in a new worker.
"""

# Imports inside functions: the CLI's start-up time and the report kernels' (no pandas/Altair until a report is built).

from __future__ import annotations

import json
import os
import queue
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ftlib import home
from ftlib.reports.worker import CELL_TIMEOUT, Job, Result
from ftlib.resources import data_path

__all__ = ["Job", "Result", "run_reports"]

#: Attempts a report gets when its worker times out or dies (not when the report itself fails).
ATTEMPTS = 3


class _Worker:
    """The runner's handle on one worker process."""

    def __init__(self, out_dir: Path, html: bool, env: dict):
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ftlib.reports.worker", str(out_dir), "html" if html else "-"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True,
            encoding="utf-8", start_new_session=True)  # its own group: a kill takes its kernel too

    def run(self, job: Job, timeout: float) -> Result:
        try:
            self.proc.stdin.write(job.to_json() + "\n")
            self.proc.stdin.flush()
        except OSError:
            return self._lost(job)
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.stop()
                return Result(job.name, job.region, job.period.label, False, f"timed out after {timeout:.0f} s",
                              retry=True)
        line = self.proc.stdout.readline()
        if not line:
            return self._lost(job)
        return Result(**json.loads(line))

    def _lost(self, job: Job) -> Result:
        self.proc.wait()  # stdout closed: the worker ended; read why before stop() closes the log
        self.log.seek(0)
        lines = [ln.strip() for ln in self.log.read().splitlines() if ln.strip()]
        self.stop()
        why = lines[-1] if lines else f"exit {self.proc.returncode}"
        return Result(job.name, job.region, job.period.label, False, f"worker stopped: {why}", retry=True)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """End the worker (asked first, then killed) and any kernel it left; safe to call again."""
        if self.log.closed:
            return  # already stopped: its process group id may belong to someone else by now
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()  # a worker that is listening ends by itself
                self.proc.wait(timeout=15)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # a hung worker, or a kernel a dead one left
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()


def _work(jobs: queue.Queue, out_dir: Path, html: bool, timeout: float, env: dict,
          done: Callable[[Result], None]) -> None:
    worker: _Worker | None = None
    try:
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                return
            for _ in range(ATTEMPTS):
                if worker is None or not worker.alive:
                    worker = _Worker(out_dir, html, env)
                result = worker.run(job, timeout)
                if result.ok or not result.retry:
                    break
            done(result)
    finally:
        if worker is not None:
            worker.stop()


def _previous(out_dir: Path) -> dict[str, dict]:
    """The last run's manifest entries by report name (empty when there was none)."""
    try:
        return {m["name"]: m for m in json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _digests(jobs: list[Job], frames) -> dict[str, str]:
    """Each job's digest (``fingerprint``): what the next run compares, so also written by a
    run that rebuilds everything."""
    from ftlib.reports.batch import params
    from ftlib.reports.fingerprint import job_digest, subtree_digests

    regions = subtree_digests(frames)
    synthetic = bool(getattr(frames, "meta", {}).get("synthetic"))
    return {j.name: job_digest(regions.get(j.region, ""), *params(j).values(), synthetic) for j in jobs}


def _reuse(jobs: list[Job], out_dir: Path, pages: Path, frames, html: bool) -> tuple[dict[str, str], dict[str, Result]]:
    """Each job's digest, and the results of the jobs whose report the last run built from the
    same inputs: their page is stored again under the new snapshot's key, and their notebook
    (and static files) stay as they are."""
    from ftlib.reports import pagecache
    from ftlib.reports.batch import params

    digests = _digests(jobs, frames)
    before, reused = _previous(out_dir), {}
    for job in jobs:
        old = before.get(job.name, {})
        page = pages / str(old.get("page", "-"))
        if (not old.get("ok") or old.get("digest") != digests[job.name] or not page.is_file()
                or not (out_dir / f"{job.name}.ipynb").is_file() or (html and not old.get("html"))):
            continue
        new = pagecache.page_path(*params(job).values())
        if new is not None and new != page:
            shutil.copyfile(page, new)
        reused[job.name] = Result(job.name, job.region, job.period.label, True,
                                  html=old.get("html", "") if html else "", reused=True)
    return digests, reused


def run_reports(jobs: list[Job], out_dir: Path | None = None, html: bool = False,
                workers: int | None = None, progress: bool = True, timeout: float = 2 * CELL_TIMEOUT + 60,
                scheduler: str | None = None, incremental: bool = True) -> list[Result]:
    """Run every job; returns one Result per job (failures included) and writes the index.

    ``incremental``: a report whose inputs did not change since the last run into ``out_dir``
    (``fingerprint``) is kept, not rebuilt. ``scheduler``: run the reports on a Dask cluster —
    ``local`` starts one on this machine with ``workers`` worker processes, anything else is
    the address of a running scheduler whose workers see ``out_dir`` at the same path."""
    from ftlib.reports import skip_iri_grammars
    from ftlib.reports.data import save_snapshot
    from ftlib.reports.pagecache import SNAPSHOT_NAME

    skip_iri_grammars()   # the run writes the index notebook
    out_dir = Path(out_dir if out_dir is not None else home.dashboards_dir()).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    # One snapshot of the register for all reports; the workers inherit its path.
    snapshot = save_snapshot(out_dir / SNAPSHOT_NAME)
    env = {**os.environ, "FTLIB_REPORT_FRAMES": str(snapshot)}
    before_env = os.environ.get("FTLIB_REPORT_FRAMES")
    os.environ["FTLIB_REPORT_FRAMES"] = str(snapshot)   # page keys of reused reports: this snapshot's
    try:
        return _run(jobs, out_dir, html, workers, progress, timeout, scheduler, incremental, snapshot, env)
    finally:
        if before_env is None:
            os.environ.pop("FTLIB_REPORT_FRAMES", None)
        else:
            os.environ["FTLIB_REPORT_FRAMES"] = before_env


def _run(jobs: list[Job], out_dir: Path, html: bool, workers: int, progress: bool, timeout: float,
         scheduler: str | None, incremental: bool, snapshot: Path, env: dict) -> list[Result]:
    from tqdm.auto import tqdm

    from ftlib.reports import pagecache
    from ftlib.reports.data import _snapshot
    from ftlib.reports.index import write_index

    shutil.copy(  # the served folder always carries the settings of the installed ftlib
        data_path("voila", "voila.json"), out_dir / "voila.json")
    pages = Path(snapshot).parent / ".pages"   # where pagecache keeps them: beside the snapshot
    pages.mkdir(exist_ok=True)
    frames = _snapshot(str(snapshot))
    digests, reused = _reuse(jobs, out_dir, pages, frames, html) if incremental else (_digests(jobs, frames), {})
    todo_jobs = [j for j in jobs if j.name not in reused]
    results: list[Result] = list(reused.values())
    lock = threading.Lock()
    with tqdm(total=len(jobs), initial=len(reused), disable=not progress, desc="reports") as bar:
        def done(result: Result) -> None:
            with lock:
                results.append(result)
                bar.update()

        if scheduler and todo_jobs:
            from ftlib.reports.distributed import run_on_dask

            run_on_dask(todo_jobs, out_dir, html, str(snapshot), scheduler, workers, done)
        else:
            todo: queue.Queue = queue.Queue()
            for job in todo_jobs:
                todo.put(job)
            threads = [threading.Thread(target=_work, args=(todo, out_dir, html, timeout, env, done), daemon=True)
                       for _ in range(min(workers, len(todo_jobs)))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    results.sort(key=lambda r: (r.region, r.period))
    by_name = {j.name: j for j in jobs}
    entries = []
    for r in results:
        entry = {k: v for k, v in asdict(r).items() if k != "retry"}
        job = by_name.get(r.name)
        if r.ok and job is not None:
            from ftlib.reports.batch import params

            page = pagecache.page_path(*params(job).values())
            entry.update(digest=digests.get(r.name, ""), page=page.name if page else "")
        entries.append(entry)
    (out_dir / "manifest.json").write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
    keep = {e.get("page") for e in entries}
    for old in pages.glob("*.html"):   # pages of earlier snapshots are never read again
        if old.name not in keep:
            old.unlink(missing_ok=True)
    from ftlib.reports.svgcache import prune

    prune(out_dir / ".charts", [e["name"] for e in entries if e.get("ok")])   # charts no report uses
    k = max((int(j.min_cell) for j in jobs), default=5)  # the strictest threshold any report used
    write_index(out_dir, _snapshot(str(snapshot)), k=k, html_dir=out_dir / "html" if html else None)
    return results
