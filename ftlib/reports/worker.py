"""A report worker: one process that runs report after report with papermill in one kernel.

``runner.py`` starts one worker a core. A worker reads one job (JSON) a line on stdin and writes
one result (JSON) a line on stdout. Its kernel is started once and kept, so importing pandas,
Altair and ftlib and reading the register snapshot happen once a worker instead of once a report.
A report that fails (bad parameters) leaves the kernel usable; after a cell timeout or a kernel
death the kernel is replaced before the next report; a worker that stops answering is killed by
the runner, which starts another.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from ftlib.period import Period
from ftlib.resources import data_path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = data_path("reports", "implementation_report.ipynb")

#: Seconds one cell of the template may take (a report cell takes about a second once the
#: kernel is warm; the first one in a worker also imports everything).
CELL_TIMEOUT = 90


@dataclass(frozen=True)
class Job:
    region: str
    period: Period
    lang: str = "zh"
    min_cell: int = 5

    @property
    def name(self) -> str:
        return f"report_{self.region}_{self.period.slug}"

    def to_json(self) -> str:
        return json.dumps({"region": self.region, "start": self.period.start.isoformat(),
                           "end": self.period.end.isoformat(), "label": self.period.label,
                           "lang": self.lang, "min_cell": self.min_cell})

    @classmethod
    def from_json(cls, line: str) -> Job:
        a = json.loads(line)
        period = Period(dt.date.fromisoformat(a["start"]), dt.date.fromisoformat(a["end"]), a["label"])
        return cls(a["region"], period, a["lang"], a["min_cell"])


@dataclass
class Result:
    name: str
    region: str
    period: str
    ok: bool
    error: str = ""
    html: str = ""
    retry: bool = False  # a timeout or a lost worker: worth another attempt


def one_line(err: BaseException) -> str:
    """The last meaningful line of an error (papermill wraps the kernel's traceback)."""
    text = getattr(err, "evalue", None) or str(err)
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[-1] if lines else type(err).__name__


def start_kernel(cwd: Path):
    """A kernel on local IPC sockets (no TCP port to collide over), unique socket names."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = AsyncKernelManager(kernel_name="python3", transport="ipc",
                            ip=os.path.join(tempfile.gettempdir(), f"ftlib-kernel-{uuid.uuid4().hex}"))
    run_sync(km.start_kernel)(cwd=str(cwd))
    return km


def stop_kernel(km) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001, S110 — already dead is fine
        pass
    for sock in Path(km.ip).parent.glob(Path(km.ip).name + "-*"):  # the IPC socket files stay behind
        sock.unlink(missing_ok=True)


def kernel_alive(km) -> bool:
    from jupyter_core.utils import run_sync

    return bool(run_sync(km.is_alive)())


def run_one(job: Job, out_dir: Path, html: bool, km) -> Result:
    import papermill as pm

    out = out_dir / f"{job.name}.ipynb"
    params = {"region": job.region, "period_start": job.period.start.isoformat(),
              "period_end": job.period.end.isoformat(), "period_label": job.period.label,
              "lang": job.lang, "min_cell": job.min_cell}
    try:
        pm.execute_notebook(str(TEMPLATE), str(out), parameters=params, kernel_name="python3", km=km,
                            progress_bar=False, log_output=False, cwd=str(out_dir),
                            execution_timeout=CELL_TIMEOUT)
    except Exception as err:  # noqa: BLE001 — any failure of one report must not stop the others
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        return Result(job.name, job.region, job.period.label, False, one_line(err),
                      retry=isinstance(err, (CellTimeoutError, DeadKernelError, TimeoutError)))
    html_path = ""
    if html:
        from ftlib.reports.static import write_html

        html_path = str(write_html(job.region, job.period, job.lang, job.min_cell, out_dir / "html"))
    return Result(job.name, job.region, job.period.label, True, html=html_path)


def main(out_dir: str, html: bool) -> None:
    reply = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # whatever a library prints must not mix with the replies
    folder = Path(out_dir)
    km = None
    try:
        for line in sys.stdin:
            job = Job.from_json(line)
            if km is None or not kernel_alive(km):
                km = start_kernel(folder)
            result = run_one(job, folder, html, km)
            if result.retry:  # the kernel may still be busy with the cell that timed out
                stop_kernel(km)
                km = None
            reply.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
            reply.flush()
    finally:
        if km is not None:
            stop_kernel(km)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] == "html")
