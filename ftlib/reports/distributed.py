"""Reports on a Dask cluster: for registers that outgrow one machine.

``ftlib report --all --scheduler tcp://host:8786`` sends the reports, a few per task, to the
workers of a running Dask scheduler; ``--scheduler local`` starts a local cluster of ``--workers``
processes (one thread each: chart drawing holds the interpreter). Each task builds its reports
with ``batch.build_jobs`` exactly as a local worker does, so the workers must see the output folder
and the register snapshot in it at the same path (a shared file system) and have ftlib installed.
Dask is the scheduler; ftlib adds none of its own.
"""

# Imports inside functions: Dask is imported only when a run is sent to a Dask scheduler (an optional way to run).

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ftlib.errors import FtlibError
from ftlib.reports.worker import Job, Result

#: Reports per task: large enough that a task's overhead (~ms) does not count, small enough
#: that the two workers finish together.
CHUNK = 8


def _client(scheduler: str, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise FtlibError("report --scheduler: Dask is not installed (pip install 'dask[distributed]')") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=40)
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=30), None
    except (OSError, TimeoutError, ValueError) as err:
        raise FtlibError(f"report --scheduler: value {scheduler[:60]!r}: no Dask scheduler there ({err})") from None


def run_on_dask(jobs: list[Job], out_dir: Path, html: bool, snapshot: str, scheduler: str, workers: int,
                done: Callable[[Result], None]) -> None:
    """Build ``jobs`` on the cluster; ``done`` gets each Result as its task finishes."""
    from dask.distributed import as_completed

    from ftlib.reports.batch import build_jobs

    client, cluster = _client(scheduler, workers)
    try:
        chunks = [jobs[i:i + CHUNK] for i in range(0, len(jobs), CHUNK)]
        futures = [client.submit(build_jobs, c, str(out_dir), html, snapshot, pure=False) for c in chunks]
        owner = {fut.key: chunk for fut, chunk in zip(futures, chunks, strict=True)}
        for fut in as_completed(futures):
            try:
                results = fut.result()
            except Exception as err:  # noqa: BLE001 — a lost worker fails its task, not the run
                from ftlib.reports.worker import one_line

                results = [Result(j.name, j.region, j.period.label, False, f"worker lost: {one_line(err)}")
                           for j in owner[fut.key]]
            for r in results:
                done(r)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
