"""A/B of ``determine_frame`` on typed frames: another revision's ftlib against this checkout's,
in ONE process, alternating round by round, so that both see the same load (other processes
share the machine's cores, caches and memory bandwidth; rates between runs are not comparable).

The other revision's ``ftlib`` is extracted with ``git archive`` into a temporary directory as a
package named ``ftlib_<rev>`` (its imports of ftlib renamed), so the two live side by side.
Results must agree (``DataFrame.equals``) before anything is timed. Reported per N: every
round's wall and process CPU time, best and median, and the ratio this/other of the best and of
the medians.

    .venv/bin/python benchmarks/frame_ab.py [--rev main] [--sizes 1000000,10000000] [--rounds 7] [--policy CN-2019]
"""

from __future__ import annotations

import argparse
import gc
import importlib
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from engine_bench import generate_frame  # noqa: E402


def other_package(rev: str, into: Path) -> str:
    """``ftlib`` at ``rev`` as package ``ftlib_<rev>`` under ``into``; returns its name."""
    name = "ftlib_" + re.sub(r"\W", "_", rev)
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "ftlib"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    (into / "ftlib").rename(into / name)
    for py in (into / name).rglob("*.py"):
        text = py.read_text(encoding="utf-8")
        text = re.sub(r"\bftlib\.", f"{name}.", text)
        text = re.sub(r"^(\s*)import ftlib\b", rf"\1import {name}", text, flags=re.M)
        text = text.replace("from ftlib import", f"from {name} import").replace('files("ftlib")', f'files("{name}")')
        py.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(into))
    return name


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="main")
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--policy", default="CN-2019")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        other = other_package(args.rev, Path(tmp))
        engines = {}
        for label, pkg in ((args.rev, other), ("this", "ftlib")):
            mod, eng = importlib.import_module(pkg), importlib.import_module(pkg + ".engine")
            engines[label] = (eng.determine_frame, mod.bundled())
        print(f"uptime: {uptime()}")
        big = generate_frame(max(sizes), np.random.default_rng(0))
        for n in sizes:
            df = big.iloc[:n].copy()
            outs = [f(df, args.policy, ps) for f, ps in engines.values()]
            assert outs[0].equals(outs[1]), "results differ"
            del outs
            times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in engines}
            for _ in range(args.rounds):
                for label, (f, ps) in engines.items():
                    gc.collect()
                    t0, c0 = time.perf_counter(), time.process_time()
                    f(df, args.policy, ps)
                    times[label][0].append(time.perf_counter() - t0)
                    times[label][1].append(time.process_time() - c0)
            for label, (wall, cpu) in times.items():
                print(f"N={n:,} {label:>6}: wall ms {' '.join(f'{t * 1e3:.1f}' for t in wall)}; "
                      f"CPU ms {' '.join(f'{t * 1e3:.1f}' for t in cpu)}; best CPU {n / min(cpu) / 1e6:.1f}M cases/s, "
                      f"best wall {n / min(wall) / 1e6:.1f}M cases/s")
            (wa, ca), (wb, cb) = times[args.rev], times["this"]
            print(f"N={n:,} this/{args.rev}: CPU best {min(cb) / min(ca):.3f}, median "
                  f"{statistics.median(cb) / statistics.median(ca):.3f}; wall best {min(wb) / min(wa):.3f}, "
                  f"median {statistics.median(wb) / statistics.median(wa):.3f}", flush=True)
        print(f"uptime: {uptime()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
