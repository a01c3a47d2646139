"""A report worker: one process that builds report after report (``batch.build_job``).

``runner.py`` starts one worker a core. A worker reads one job (JSON) a line on stdin and writes
one result (JSON) a line on stdout. Importing pandas, Altair and ftlib, reading the register
snapshot and computing the metrics of every region happen once a worker instead of once a
report. A report that fails (bad parameters) is reported and the worker goes on; a worker that
stops answering is killed by the runner, which starts another.
"""

# Imports inside functions: a report worker imports papermill and Jupyter's kernel manager only for the job it runs.

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from ftlib.period import Period
from ftlib.resources import data_path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = data_path("reports", "implementation_report.ipynb")

#: Seconds one report may take in a worker (a report takes under a second once the worker is
#: warm; the first one also imports everything and computes the metrics of every region).
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
    reused: bool = False  # the last run's report, kept: its data did not change (runner._reuse)


def one_line(err: BaseException) -> str:
    """The last meaningful line of an error (papermill wraps the kernel's traceback)."""
    text = getattr(err, "evalue", None) or str(err)
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[-1] if lines else type(err).__name__


def main(out_dir: str, html: bool) -> None:
    from ftlib.reports import skip_iri_grammars

    skip_iri_grammars()   # before Altair and papermill import jsonschema
    from ftlib.reports.batch import build_jobs

    reply = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr  # whatever a library prints must not mix with the replies
    snapshot = os.environ["FTLIB_REPORT_FRAMES"]
    for line in sys.stdin:
        [result] = build_jobs([Job.from_json(line)], out_dir, html, snapshot)
        reply.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
        reply.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] == "html")
