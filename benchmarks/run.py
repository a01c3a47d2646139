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
    "national": "national_bench.py",
    "kernels": "kernel_rss.py",
    "hostile": "hostile_bench.py",
}
#: Run only when named (``make bench BENCH=openfisca``): they need the bench extra
#: (``pip install -e '.[bench]'``). Extra arguments after ``--`` go to the script, e.g.
#: ``benchmarks/run.py openfisca -- --string-max 10000000`` for the 10M-row string comparison.
OPTIONAL = {"openfisca": "openfisca_bench.py",
            # a class of 40 on the quiz in 40 browser contexts (issue 12): the machine to itself, ~4 min,
            # each phase bounded (--timeout, 300 s); smaller: benchmarks/run.py quiz -- --users 10
            "quiz": "capacity_bench.py --reports 0 --quiz 40"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(BENCHES)})")
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []   # after --: arguments for the benchmark named
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    known = {**BENCHES, **OPTIONAL}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"bench: unknown benchmark {unknown[0]!r} (known: {', '.join(known)})", file=sys.stderr)
        return 2
    from ftlib import home

    results = home.home() / "bench" / f"results-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.txt"
    results.parent.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in args.names or list(BENCHES):
        script, *own = known[name].split()   # a benchmark's recorded settings, then those after --
        script = HERE / script
        print(f"== {name}: {sys.executable} {script.relative_to(HERE.parent)} {' '.join([*own, *extra])}", flush=True)
        t0 = time.perf_counter()
        with results.open("a", encoding="utf-8") as log:   # everything the benchmark prints, also kept
            log.write(f"== {name} {' '.join(extra)}; {subprocess.run(['uptime'], capture_output=True, text=True).stdout}")
            log.flush()
            proc = subprocess.Popen([sys.executable, str(script), *own, *extra], stdout=subprocess.PIPE, text=True)
            for line in proc.stdout:
                sys.stdout.write(line)
                log.write(line)
            rc = proc.wait()
        print(f"== {name}: exit {rc} after {time.perf_counter() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    print(f"bench: results in {results}")
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
