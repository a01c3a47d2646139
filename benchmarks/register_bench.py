"""Register benchmarks (issue 3, point 8), recorded in benchmarks/register.md.

1. import N case rows from one CSV into a fresh SQLite register (``ftlib import``), target ≤ 60 s
   for 1,000,000 rows;
2. derive the current state of N cases from their events (``frames.current_state``: read the
   state events from SQLite and fold them vectorised), target ≤ 10 s for 1,000,000 cases.

Each measured step runs in its own process so that its peak memory (VmHWM) is its own.
Usage: ``.venv/bin/python benchmarks/register_bench.py [--rows 1000000] [--dir /tmp/ftlib-bench]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_csv(path: Path, n: int, seed: int = 1) -> None:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    regions = np.array(["CN-DM", "CN-DM-FTZ", "CN-DM-BR", "CN-DM-SS", "CN-DM-BR-HX", "CN-HB"])
    conduct = np.datetime64("2023-01-01") + rng.integers(0, 900, n)
    received = conduct + rng.integers(10, 200, n)
    df = pd.DataFrame({
        "id": [f"B-{i:07d}" for i in range(n)],
        "cadre_id": [f"C-{i:07d}" for i in rng.integers(0, n // 2, n)],
        "channel": rng.choice(["cadre_application", "unit_application", "ex_officio"], n, p=[0.15, 0.1, 0.75]),
        "received_on": np.datetime_as_string(received), "jurisdiction": rng.choice(regions, n),
        "conduct_date": np.datetime_as_string(conduct),
        "subject.rank": rng.choice(["village", "township", "county", "prefecture"], n),
        "scenario": rng.choice(["routine", "reform_pilot", "exploration", "emergency"], n),
        "public_motive": rng.choice(["true", "false"], n), "personal_gain": rng.choice(["true", "false"], n),
        "procedure.collective_decision": rng.choice(["true", "false"], n),
        "procedure.followed": rng.choice(["full", "partial", "none"], n),
        "consequence.severity": rng.choice(["none", "minor", "serious", "major"], n),
        "consequence.loss_cny": rng.integers(0, 1_000_000, n),
        "after.remedy": rng.choice(["none", "partial", "full"], n),
    })
    df.to_csv(path, index=False)


def add_events(url: str, n: int, seed: int = 2) -> int:
    """Give the n imported cases 1–9 state events each along the procedure (not timed)."""
    import numpy as np

    from ftlib.register import db

    path_kinds = ["started", "accepted", "investigation_started", "investigated", "decided", "feedback_sent",
                  "filed", "appealed", "review_decided"]
    rng = np.random.default_rng(seed)
    counts = rng.choice(np.arange(1, 10), n, p=[.05, .05, .1, .1, .05, .05, .5, .06, .04])
    engine = db.get_engine(url)
    total = 0
    with engine.begin() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM cases ORDER BY id")]
        rows = []
        for cid, k in zip(ids, counts[:len(ids)]):
            for seq in range(1, int(k) + 1):
                rows.append((cid, seq, path_kinds[seq - 1], f"2025-01-{seq:02d}", "bench", "{}", "2026-01-01 00:00:00"))
            if len(rows) > 200_000:
                conn.exec_driver_sql("INSERT INTO events (case_id, seq, kind, at, actor, payload, recorded_at) "
                                     "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                total += len(rows)
                rows = []
        if rows:
            conn.exec_driver_sql("INSERT INTO events (case_id, seq, kind, at, actor, payload, recorded_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            total += len(rows)
    return total


def step(name: str, url: str, arg: str) -> None:
    """Run one measured step in this process; print JSON with seconds and peak memory."""
    t = time.perf_counter()
    extra = {}
    if name == "import":
        from ftlib.register.io import import_files

        extra["summary"] = str(import_files([arg], url))
    elif name == "state":
        from ftlib.register import frames

        t = time.perf_counter()  # the read and the derivation, not the imports
        st = frames.current_state(url)
        extra["cases"] = len(st)
        extra["states"] = st["state"].value_counts().to_dict()
        extra["read_and_derive"] = True
    elif name == "derive_only":
        from ftlib.register import frames
        from ftlib.register.events import current_state

        ev = frames.state_events(url)
        t = time.perf_counter()  # only the vectorised derivation
        extra["cases"] = len(current_state(ev))
    secs = time.perf_counter() - t
    peak = _peak_mib()
    print(json.dumps({"step": name, "seconds": round(secs, 2), "peak_mib": round(peak), **extra}, default=str))


def _peak_mib() -> float:
    """This process's own peak memory. ``ru_maxrss`` of a child started by subprocess (vfork, then
    exec) also counts the parent's memory at the fork — the benchmark's parent holds the
    generated rows — so Linux's per-image high-water mark (VmHWM) is read where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(name: str, url: str, arg: str = "") -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", name, "--url", url, "--arg", arg],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--step")
    ap.add_argument("--url")
    ap.add_argument("--arg", default="")
    args = ap.parse_args()
    if args.step:
        step(args.step, args.url, args.arg)
        return
    from ftlib.register import db

    folder = Path(args.dir or tempfile.mkdtemp(prefix="ftlib-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "cases.csv"
    dbfile = folder / "register.sqlite"
    if dbfile.exists():
        dbfile.unlink()
    url = f"sqlite:///{dbfile}"
    load = os.getloadavg()   # a figure counts only if the machine was quiet (docs: load below 2.5)
    t = time.perf_counter()
    make_csv(csv_path, args.rows)
    print(f"generated {args.rows} rows ({csv_path.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.1f} s")
    db.upgrade(url)
    r = run("import", url, str(csv_path))
    print(f"import: {r}")
    t = time.perf_counter()
    n_events = add_events(url, args.rows)
    print(f"added {n_events} events in {time.perf_counter() - t:.1f} s (setup, not timed)")
    print(f"state (read + derive): {run('state', url)}")
    print(f"state (derive only): {run('derive_only', url)}")
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; load average at the start "
          f"{', '.join(f'{x:.2f}' for x in load)}, at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
