"""Run the benchmarks one after another (``make bench``), each with the settings its results in
benchmarks/*.md were recorded with; ``make bench BENCH="engine metrics"`` runs some of them.

Each benchmark is its own process (a clean heap for the peak-memory figures); a failing one is
reported and the others still run. Exit status 1 when any failed."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: name → script; a new benchmark is added here and to the table in README.md.
BENCHES = {
    "engine": "engine_bench.py",
    "frames": "frame_bench.py",
    "register": "register_bench.py",
    "metrics": "metrics_bench.py",
    "ui": "ui_latency.py",
    "dashboards": "dashboard_bench.py",
    "quiz": "capacity_bench.py --reports 0 --quiz 40",   # a class of 40 on the quiz (issue 12)
    "kernels": "kernel_rss.py",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(BENCHES)})")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHES]
    if unknown:
        print(f"bench: unknown benchmark {unknown[0]!r} (known: {', '.join(BENCHES)})", file=sys.stderr)
        return 2
    failed = []
    for name in args.names or list(BENCHES):
        script, *extra = BENCHES[name].split()
        script = HERE / script
        print(f"== {name}: {sys.executable} {script.relative_to(HERE.parent)} {' '.join(extra)}".rstrip(), flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *extra])
        print(f"== {name}: exit {rc} after {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
