"""Engine benchmark (issue 2).

(a) ``determine_frame`` on 1,000,000 generated cases under each bundled policy: cases per second
    (best of 3 runs, frame generation excluded) and peak memory of one run, measured with
    ``tracemalloc`` (peak of Python/numpy/pandas allocations traced during the call, above what
    was allocated before it; numpy and pandas report their buffers to tracemalloc).
(b) ``determine(case, policy)`` with the full trace on 2,000 single generated cases:
    median and 95th percentile latency in ms, per policy.

Targets (benchmarks/README.md): ≥ 2,000,000 cases/s vectorised; ≤ 1 ms median single.

    .venv/bin/python benchmarks/engine_bench.py [--n 1000000] [--single 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ftlib  # noqa: E402
from ftlib.engine import determine, determine_frame  # noqa: E402
from ftlib.facts import CONDITION_FACTS, case_from_dict  # noqa: E402

LOSSES = np.array([0.0, 1e3, 1e4, 1e5, 1e6, 1e7])
TARGET_RATE = 2_000_000
TARGET_MEDIAN_MS = 1.0


def generate_frame(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """One column per condition fact: numpy random choice per vocabulary column; enums as
    ordered Categoricals with the vocabulary's categories."""
    cols: dict[str, object] = {}
    for name, spec in CONDITION_FACTS.items():
        if spec.kind == "bool":
            cols[name] = rng.random(n) < 0.25
        elif spec.kind == "enum":
            codes = rng.integers(0, len(spec.values), n, dtype=np.int8)
            cols[name] = pd.Categorical.from_codes(codes, categories=list(spec.values), ordered=True)
        else:
            cols[name] = rng.choice(LOSSES, n)
    return pd.DataFrame(cols)


def generate_case(i: int, rng: np.random.Generator) -> ftlib.Case:
    data: dict[str, object] = {"id": f"B{i}", "jurisdiction": "CN",
                               "conduct_date": dt.date(2016, 2, 1) + dt.timedelta(days=int(rng.integers(0, 3600)))}
    for name, spec in CONDITION_FACTS.items():
        if spec.kind == "bool":
            data[name] = bool(rng.random() < 0.25)
        elif spec.kind == "enum":
            data[name] = spec.values[int(rng.integers(0, len(spec.values)))]
        else:
            data[name] = float(rng.choice(LOSSES))
    return case_from_dict(data)


def bench_frame(df: pd.DataFrame, pid: str, repeat: int = 3) -> tuple[float, float]:
    """(best cases/s over ``repeat`` runs, peak traced MiB of one run)."""
    determine_frame(df.head(1000), pid)  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = determine_frame(df, pid)
        times.append(time.perf_counter() - t0)
        assert len(out) == len(df)
        del out
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    out = determine_frame(df, pid)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del out
    return len(df) / min(times), (peak - base) / 2**20


def bench_single(cases: list[ftlib.Case], pid: str) -> tuple[float, float]:
    """(median ms, 95th percentile ms) of determine() with full trace, one call per case."""
    for c in cases[:50]:
        determine(c, pid)  # warm-up
    lat = np.empty(len(cases))
    for i, c in enumerate(cases):
        t0 = time.perf_counter()
        d = determine(c, pid)
        lat[i] = time.perf_counter() - t0
        assert d.trace
    return float(np.median(lat) * 1e3), float(np.percentile(lat, 95) * 1e3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="cases in the frame")
    ap.add_argument("--single", type=int, default=2_000, help="single cases for determine()")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    policies = list(ftlib.bundled().policies)
    print(f"date {dt.date.today().isoformat()}; nproc {os.cpu_count()}; Python {platform.python_version()}; "
          f"numpy {np.__version__}; pandas {pd.__version__}; {platform.machine()} {platform.system()}")
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    df = generate_frame(args.n, rng)
    print(f"generated {args.n:,} cases × {df.shape[1]} facts in {time.perf_counter() - t0:.1f} s (not timed below)")
    cases = [generate_case(i, rng) for i in range(args.single)]

    print()
    print(f"(a) determine_frame, {args.n:,} cases, best of 3; peak = tracemalloc peak of one run")
    print("| policy | cases/s | time (s) | peak memory (MiB) | target ≥ 2,000,000/s |")
    print("| --- | ---: | ---: | ---: | --- |")
    ok = True
    for pid in policies:
        rate, peak = bench_frame(df, pid)
        hit = rate >= TARGET_RATE
        ok &= hit
        print(f"| {pid} | {rate:,.0f} | {args.n / rate:.3f} | {peak:,.1f} | {'met' if hit else 'MISSED'} |")

    print()
    print(f"(b) determine() with full trace, {args.single:,} single cases")
    print("| policy | median (ms) | p95 (ms) | target median ≤ 1 ms |")
    print("| --- | ---: | ---: | --- |")
    for pid in policies:
        med, p95 = bench_single(cases, pid)
        hit = med <= TARGET_MEDIAN_MS
        ok &= hit
        print(f"| {pid} | {med:.3f} | {p95:.3f} | {'met' if hit else 'MISSED'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
