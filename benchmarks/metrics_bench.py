"""Benchmark (issue 4): every metric group for 1,000,000 cases, 100 regions × 20 quarters, target ≤ 5 s.

    .venv/bin/python benchmarks/metrics_bench.py [--cases N] [--no-region-column] [--repeat R]

The synthetic register (ftlib.metrics.synthetic) has ~3 stages, ~0.95 corrections and follow-ups per
case, 10 % appeals, 200k clarifications, 250k registrations. Timed: ``Metrics(...)`` (preparation) and
every group, best of ``--repeat`` runs; data generation is not timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from ftlib.metrics import GROUPS, Metrics, quarter_range
from ftlib.metrics.synthetic import synthetic


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--regions", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-region-column", action="store_true",
                    help="child frames without `region`: looked up through case_id")
    a = ap.parse_args()
    t0 = time.perf_counter()
    frames = synthetic(a.cases, a.regions, "2021Q1", 20, seed=1, region_column=not a.no_region_column)
    print(f"generated {a.cases:,} cases, {len(frames.stages):,} stages, {len(frames.corrections):,} corrections "
          f"in {time.perf_counter() - t0:.1f} s (not timed)")
    periods = quarter_range("2021Q1", "2025Q4")
    best: dict[str, float] = {}
    totals = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        m = Metrics(frames, "CN-SY", periods)
        times = {"prepare": time.perf_counter() - t}
        for g in GROUPS:
            s = time.perf_counter()
            getattr(m, g)()
            times[g] = time.perf_counter() - s
        totals.append(time.perf_counter() - t)
        for k, v in times.items():
            best[k] = min(best.get(k, v), v)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}")
    for k, v in best.items():
        print(f"  {k:15s} {v * 1000:8.0f} ms")
    print(f"total (best of {a.repeat}): {min(totals):.2f} s  (all runs: {', '.join(f'{x:.2f}' for x in totals)})"
          f"  target ≤ 5 s: {'OK' if min(totals) <= 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
