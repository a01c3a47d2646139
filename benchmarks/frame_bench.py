"""Whole registers at real scale (issue 14): ``determine_frame`` on typed and on string frames,
per-call overhead, the machine's memory-bandwidth bound, mixed registers (policy per row,
从旧兼从轻) and unknown facts — all in one process, one run, so that ratios compare like with like.

(a) scaling, CN-2019, typed frame (enums as Categoricals, yes/no as bool): cases/s (best of 3,
    wall clock and process CPU time), peak memory (tracemalloc, above the input), and the
    **bound**: a numpy streaming read (``np.bitwise_or.reduce`` over 8-byte words) of exactly
    the columns CN-2019 reads, at the same N, in the same run;
(b) the same cases as a ``dtype=str`` frame read back from CSV (``pd.read_csv(dtype=str)``),
    conversion included;
(c) per-call overhead: median of 2,000 calls on a 1-row frame;
(d) a mixed register: 1M rows over 30 jurisdictions, conduct dates 2016–2026, half with a
    decision date, no policy given (typed: jurisdiction categorical, dates datetime64; and as
    strings);
(e) unknown facts: the typed 1M frame with three columns (``public_motive``,
    ``procedure.followed``, ``consequence.severity``) unknown in every row, and with 5 % of their
    cells unknown.

First line after the versions: a calibration (a fixed pure-Python loop, and the streaming read at
10M cases), to compare hosts and loads.

    .venv/bin/python benchmarks/frame_bench.py [--max-n 10000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_bench import generate_frame  # noqa: E402

import ftlib  # noqa: E402
from ftlib.engine import determine_frame  # noqa: E402

POLICY = "CN-2019"
UNKNOWN_COLUMNS = ["public_motive", "procedure.followed", "consequence.severity"]


def timed(f, repeat: int = 3) -> tuple[float, float]:
    """(best wall seconds, best process CPU seconds) over ``repeat`` runs."""
    wall, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def peak_mib(f) -> float:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    f()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak - base) / 2**20


def bound(df: pd.DataFrame, names: list[str], repeat: int = 5) -> tuple[float, float, int]:
    """(wall and CPU seconds of one streaming read of the columns, bytes per case): the columns' buffers
    viewed as 8-byte words and OR-reduced — the least any evaluation must read."""
    bufs = []
    for name in names:
        s = df[name]
        a = s.cat.codes.to_numpy() if isinstance(s.dtype, pd.CategoricalDtype) else s.to_numpy()
        a = np.ascontiguousarray(a)
        whole = (a.nbytes // 8) * 8
        bufs.append(a.view(np.uint8)[:whole].view(np.uint64))
    per_case = sum(b.nbytes for b in bufs) / len(df)

    def read() -> None:
        for b in bufs:
            np.bitwise_or.reduce(b)
    wall, cpu = timed(read, repeat)
    return wall, cpu, round(per_case)


def calibration(n_bytes: int, n: int = 10_000_000) -> tuple[float, float]:
    """(seconds of a fixed pure-Python loop, ``s += i`` 10M times; cases/s of a streaming read of
    ``n_bytes`` one-byte columns of ``n`` cases — the bound at 10M): printed first, so that runs
    on different hosts, or under different loads, can be compared."""
    t0 = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    loop = time.perf_counter() - t0
    words = [np.ones(n, dtype=np.uint8).view(np.uint64) for _ in range(n_bytes)]  # touched: real pages

    def read() -> None:
        for w in words:
            np.bitwise_or.reduce(w)
    wall, _ = timed(read, 5)
    return loop, n / wall


def as_strings(df: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    buf.seek(0)
    return pd.read_csv(buf, dtype=str, keep_default_na=False)


def register_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """n cases over 30 jurisdictions (the bundled ones and children falling back on their
    chains), conduct dates 2016-02-01 … 2026-06-30, half with a decision date up to 3 years on (not after today)."""
    df = generate_frame(n, rng)
    bundled = sorted({p.jurisdiction for p in ftlib.bundled().policies.values()})
    codes = list(bundled)
    k = 1
    while len(codes) < 30:
        codes.append(f"{bundled[k % len(bundled)]}-X{k:02d}")
        k += 1
    df.insert(0, "jurisdiction", pd.Categorical.from_codes(rng.integers(0, 30, n), categories=codes))
    start = np.datetime64("2016-02-01")
    conduct = start + rng.integers(0, (np.datetime64("2026-06-30") - start).astype(int), n)
    df.insert(1, "conduct_date", conduct.astype("datetime64[s]"))
    later = np.minimum(conduct + rng.integers(0, 1100, n), np.datetime64(dt.date.today(), "D"))
    df.insert(2, "decision_date", np.where(rng.random(n) < 0.5, later, np.datetime64("NaT")).astype("datetime64[s]"))
    return df


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    ps = ftlib.bundled()
    reads = sorted(ps.compiled[POLICY].facts_read)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; nproc {os.cpu_count()}; "
          f"Python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}")
    print(f"uptime: {uptime}")
    loop, bound10 = calibration(len(reads))
    print(f"calibration: pure-Python loop (s += i, 10M times) {loop:.2f} s; streaming read of {len(reads)} "
          f"one-byte columns at 10,000,000 cases (the bound at 10M) {bound10:,.0f} cases/s", flush=True)
    rng = np.random.default_rng(args.seed)
    sizes = [n for n in (10_000, 100_000, 1_000_000, 10_000_000) if n <= args.max_n]
    big = generate_frame(sizes[-1], rng)

    print(f"\n(a) typed frame, {POLICY} ({len(reads)} facts read); bound = streaming read of those columns")
    print("| N | cases/s (wall) | cases/s (CPU) | peak MiB | bound cases/s (wall) | bound (CPU) | bytes/case "
          "| % of bound (wall) | % of bound (CPU) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in sizes:
        df = big.iloc[:n].copy()
        determine_frame(df.head(100), POLICY, ps)
        wall, cpu = timed(lambda df=df: determine_frame(df, POLICY, ps))
        peak = peak_mib(lambda df=df: determine_frame(df, POLICY, ps))
        bw, bc, per_case = bound(df, reads)
        print(f"| {n:,} | {n / wall:,.0f} | {n / cpu:,.0f} | {peak:,.1f} | {n / bw:,.0f} | {n / bc:,.0f} | {per_case} | "
              f"{100 * bw / wall:.1f} % | {100 * bc / cpu:.1f} % |", flush=True)

    print(f"\n(b) string frame (read_csv dtype=str), {POLICY}, conversion included")
    print("| N | cases/s (wall) | cases/s (CPU) | peak MiB |")
    print("| ---: | ---: | ---: | ---: |")
    for n in [s for s in sizes if s <= 1_000_000]:
        sdf = as_strings(big.iloc[:n])
        wall, cpu = timed(lambda sdf=sdf: determine_frame(sdf, POLICY, ps))
        peak = peak_mib(lambda sdf=sdf: determine_frame(sdf, POLICY, ps))
        print(f"| {n:,} | {n / wall:,.0f} | {n / cpu:,.0f} | {peak:,.1f} |", flush=True)

    one = big.iloc[:1].copy()
    lat = []
    for _ in range(2000):
        t0 = time.perf_counter()
        determine_frame(one, POLICY, ps)
        lat.append(time.perf_counter() - t0)
    cpu0 = time.process_time()
    for _ in range(2000):
        determine_frame(one, POLICY, ps)
    cpu_per = (time.process_time() - cpu0) / 2000
    print(f"\n(c) per-call overhead (1-row frame, 2,000 calls): median {np.median(lat) * 1e3:.3f} ms wall, "
          f"mean {cpu_per * 1e3:.3f} ms CPU (target ≤ 0.3 ms)")

    n = min(1_000_000, sizes[-1])
    reg = register_frame(n, np.random.default_rng(args.seed + 1))
    determine_frame(reg.head(1000), None, ps)
    wall, cpu = timed(lambda: determine_frame(reg, None, ps))
    out = determine_frame(reg, None, ps)
    print(f"\n(d) mixed register, {n:,} rows, 30 jurisdictions, 2016–2026, half with decision dates, no policy given:")
    print(f"    typed: {n / wall:,.0f} cases/s wall, {n / cpu:,.0f} CPU; {out['policy'].nunique()} policies applied, "
          f"{(out['policy'].astype(str) != determine_frame(reg.assign(decision_date=pd.NaT), None, ps)['policy'].astype(str)).sum():,} "
          "rows where a later, more lenient policy applies (从旧兼从轻)")
    sreg = as_strings(reg)
    wall, cpu = timed(lambda: determine_frame(sreg, None, ps))
    print(f"    strings: {n / wall:,.0f} cases/s wall, {n / cpu:,.0f} CPU", flush=True)

    df = big.iloc[:n].copy()
    allu = df.astype({c: object for c in UNKNOWN_COLUMNS})
    for c in UNKNOWN_COLUMNS:
        allu[c] = "unknown"
    wall, cpu = timed(lambda: determine_frame(allu, POLICY, ps), 2)
    out = determine_frame(allu, POLICY, ps)
    some = df.astype({c: object for c in UNKNOWN_COLUMNS})
    r = np.random.default_rng(args.seed + 2)
    for c in UNKNOWN_COLUMNS:
        some.loc[r.random(n) < 0.05, c] = "unknown"
    wall5, cpu5 = timed(lambda: determine_frame(some, POLICY, ps), 2)
    out5 = determine_frame(some, POLICY, ps)
    print(f"\n(e) unknown facts, {n:,} rows, {POLICY}, columns {', '.join(UNKNOWN_COLUMNS)}:")
    print(f"    unknown in every row: {n / wall:,.0f} cases/s wall, {n / cpu:,.0f} CPU (target ≥ 1,000,000); "
          f"{(out['outcome'] == 'undetermined').mean():.1%} undetermined")
    print(f"    5 % of their cells unknown: {n / wall5:,.0f} cases/s wall, {n / cpu5:,.0f} CPU; "
          f"{(out5['outcome'] == 'undetermined').mean():.1%} undetermined")
    print(f"\nuptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
