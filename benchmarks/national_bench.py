"""National-size reports (issue 14 item 5): one quarter's reports for every region of a register
shaped like the country, then the incremental re-run after one county's new case.

    .venv/bin/python benchmarks/national_bench.py                  # synth 31/333/2,843, then reports
    .venv/bin/python benchmarks/national_bench.py --database sqlite:////tmp/nat.sqlite   # reuse a register
    .venv/bin/python benchmarks/national_bench.py --shape 2,6,40   # a small shape, to try it out
    .venv/bin/python benchmarks/national_bench.py --scheduler local # the same on a 2-worker Dask cluster
    .venv/bin/python benchmarks/national_bench.py --shape 2,6,40 --dask-too   # pool, then Dask, one run
    .venv/bin/python benchmarks/national_bench.py --database URL --out DIR --incremental-only
                                                                   # only the re-run after one new case
    .venv/bin/python benchmarks/national_bench.py --visits 0       # no page fetches at the end

Targets on 2 cores: every report of the quarter ≤ 600 s; the re-run after one county's change
≤ 60 s, rebuilding only county, prefecture, province and nation (+ the index); a visit to the
national report, the changed county's report and the index still within the dashboards' page-load
target (HTTP fetch of the whole page, Voilà as shipped, no kernel pool: cold ≤ 3 s median). Prints wall and CPU time (the workers' CPU is counted as
children's time) with ``uptime`` before and after, the index's size and build time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def timed(cmd: list[str], env: dict) -> tuple[float, float, str]:
    t0, c0 = time.perf_counter(), os.times()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    c1 = os.times()
    if out.returncode:
        print(out.stdout[-2000:], out.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    cpu = (c1.children_user + c1.children_system) - (c0.children_user + c0.children_system)
    return time.perf_counter() - t0, cpu, out.stdout.strip().splitlines()[-1]


def index_build(out: Path) -> str:
    """Time to write the index of every report again (as the runner does at the end), and its size."""
    from ftlib.reports.data import _snapshot
    from ftlib.reports.index import PAGE_NAME, write_index
    from ftlib.reports.pagecache import SNAPSHOT_NAME

    frames = _snapshot(str(out / SNAPSHOT_NAME))
    t0, c0 = time.perf_counter(), time.process_time()
    write_index(out, frames)
    size = (out / PAGE_NAME).stat().st_size
    return (f"index: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU, "
            f"stored page {size / 1e6:.2f} MB")


def visits(out: Path, names: list[str], n: int, env: dict) -> list[str]:
    """Median seconds of an HTTP fetch of each page, whole body read (Voilà as shipped, no kernel
    pool: the stored page is what the kernel returns), ``n`` fetches each, no cookies kept."""
    import signal
    import statistics
    import urllib.request

    sys.path.insert(0, str(Path(__file__).parent))
    from dashboard_bench import start_voila

    lines = []
    proc, base = start_voila(out, env, pool={"default": {"pool_size": 0}})   # cold: as shipped
    try:
        for name in names:
            times, size = [], 0
            for _ in range(n):
                t0 = time.perf_counter()
                with urllib.request.urlopen(base + f"voila/render/{name}.ipynb", timeout=180) as r:
                    size = len(r.read())
                times.append(time.perf_counter() - t0)
            lines.append(f"| fetch {name} ({size / 1e6:.2f} MB) | median {statistics.median(times):.2f} s "
                         f"({', '.join(f'{t:.2f}' for t in times)}) | {uptime()} |")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
    return lines


def add_case(url: str, county: str, case_id: str = "BENCH-NEW-1") -> None:
    """One new ex-officio case in ``county``, received in the register's last quarter."""
    import random

    from sqlalchemy import func, select

    from ftlib.facts import case_from_dict
    from ftlib.register import db
    from ftlib.register import procedure as pr
    from ftlib.register.models import CaseRow
    from ftlib.register.synth import _facts

    with db.session_scope(url) as s:
        last = s.scalar(select(func.max(CaseRow.received_on)))
        received = last - dt.timedelta(days=3)
        f = _facts(random.Random(1), case_id, county, received - dt.timedelta(days=40), False, False)
        pr.open_case(s, case_from_dict(f, case_id), channel="ex_officio", received_on=received,
                     actor="受理窗口", cadre_id=f"C-{county}-bench")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", help="an existing synthetic register (default: synth one into a temp folder)")
    ap.add_argument("--shape", default="31,333,2843", help="provinces,prefectures,counties")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", help="'local' (Dask LocalCluster) or a scheduler address")
    ap.add_argument("--out", help="dashboards folder (default: a temp folder)")
    ap.add_argument("--incremental-only", action="store_true",
                    help="skip the full run: --out holds the reports of --database from an earlier run")
    ap.add_argument("--visits", type=int, default=3, help="HTTP fetches of each page measured at the end (0: none)")
    ap.add_argument("--dask-too", action="store_true",
                    help="after the local pool's full run, the same full run on a local Dask cluster of --workers")
    args = ap.parse_args(argv)
    ftlib = str(Path(sys.executable).with_name("ftlib"))
    tmp = Path(tempfile.mkdtemp(prefix="ftlib-national-"))
    env = {**os.environ, "FTLIB_HOME": str(tmp / "home")}
    url = args.database or f"sqlite:///{tmp / 'register.sqlite'}"
    env["FTLIB_DATABASE_URL"] = url
    os.environ.update(env)   # the index is rebuilt in this process at the end
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; nproc {os.cpu_count()}; {uptime()}")
    if not args.database:
        wall, cpu, line = timed([ftlib, "synth", "--national-shape", args.shape, "--database", url], env)
        print(f"synth: {wall:.0f} s wall, {cpu:.0f} s CPU — {line[:300]}")
    out = Path(args.out or tmp / "dashboards")
    report = [ftlib, "report", "--all", "--quarters", "1", "--out", str(out), "--quiet", "--workers", str(args.workers)]
    if args.scheduler:
        report += ["--scheduler", args.scheduler]
    print(f"reports: {' '.join(report[1:])}; {uptime()}")
    if args.incremental_only:
        if not (args.database and args.out):
            raise SystemExit("--incremental-only needs --database and --out of an earlier run")
        n = len(json.loads((out / "manifest.json").read_text()))
    else:
        wall, cpu, line = timed(report + ["--rebuild"], env)
        n = len(json.loads((out / "manifest.json").read_text()))
        print(f"| all reports of the last quarter | {n} | {wall:.0f} s wall | {cpu:.0f} s CPU | "
              f"{cpu / max(n, 1):.2f} s CPU a report | {line} | {uptime()} |")
    charts = out / ".charts"
    print(f"charts drawn (distinct specs kept in {charts.name}/): {len(list(charts.glob('*.svg')))}")
    if args.dask_too and not args.scheduler and not args.incremental_only:
        for name in list(charts.glob("*.svg")):   # the same work as the pool's run: no chart drawn yet
            name.unlink()
        wall, cpu, line = timed(report + ["--rebuild", "--scheduler", "local"], env)
        print(f"| the same on a local Dask cluster ({args.workers} workers) | {n} | {wall:.0f} s wall | {cpu:.0f} s CPU | "
              f"{cpu / max(n, 1):.2f} s CPU a report | {line} | {uptime()} |")
    county = max(m["region"] for m in json.loads((out / "manifest.json").read_text()))
    add_case(url, county, f"BENCH-NEW-{int(time.time())}")   # a new id each run: the bench can be run again
    wall, cpu, line = timed(report, env)
    manifest = json.loads((out / "manifest.json").read_text())
    rebuilt = sorted(m["region"] for m in manifest if not m.get("reused"))
    print(f"| after one new case in {county} | {len(rebuilt)} rebuilt: {', '.join(rebuilt)} | {wall:.0f} s wall | "
          f"{cpu:.0f} s CPU | {line} | {uptime()} |")
    print(index_build(out))
    if args.visits:
        names = {m["region"]: m["name"] for m in manifest if m.get("ok")}
        root = min(names, key=len)
        for line in visits(out, [names[root], names[county], "index"], args.visits, env):
            print(line)
    return 0 if len(rebuilt) <= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
