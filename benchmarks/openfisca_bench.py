"""ftlib against OpenFisca on CN-2019, side by side in one process (issue 14.6).

The same generated cases go to ``ftlib.determine_frame(df, "CN-2019")`` and to a hand-written
OpenFisca encoding of CN-2019 (``openfisca_cn2019.py``): typed columns (bool, Categorical
codes) and a ``dtype=str`` frame as ``read_csv`` gives it (OpenFisca's side converts the
strings with pandas — ``str.lower().isin`` for yes/no, ``Enum.encode`` for enums — as its
users would). The two run alternately, ``--repeat`` rounds each, best time kept; outcome and
deciding row are compared row by row on every case. Ratio = OpenFisca time / ftlib time
(> 1: ftlib faster). Wall clock and process CPU time are both shown (the machine is shared).

    .venv/bin/pip install -e '.[bench]'    # openfisca-core
    .venv/bin/python benchmarks/openfisca_bench.py [--sizes 10000,100000,1000000,10000000] [--string-max 1000000]
"""

from __future__ import annotations

import argparse
import gc
import io
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
from openfisca_cn2019 import BOOL_FACTS, ENUM_FACTS, ROWS, build  # noqa: E402
from openfisca_core.simulations import SimulationBuilder  # noqa: E402

import ftlib  # noqa: E402
from ftlib.engine import determine_frame  # noqa: E402
from ftlib.vocabulary import OUTCOMES, YES  # noqa: E402

PERIOD = "2020"


def openfisca_run(tbs, df: pd.DataFrame, strings: bool) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, deciding row codes) for every row of ``df``."""
    n = len(df)
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for col, var in BOOL_FACTS.items():
        s = df[col]
        value = s.str.strip().str.lower().isin(YES).to_numpy() if strings else s.to_numpy()
        sim.set_input(var, PERIOD, value)
    for col, (var, enum) in ENUM_FACTS.items():
        s = df[col]
        value = enum.encode(s.str.strip().to_numpy(dtype=str)) if strings else s.cat.codes.to_numpy()
        sim.set_input(var, PERIOD, value)
    return np.asarray(sim.calculate("outcome", PERIOD)), np.asarray(sim.calculate("deciding_row", PERIOD))


def ftlib_run(ps, df: pd.DataFrame) -> pd.DataFrame:
    return determine_frame(df, "CN-2019", ps)


def ftlib_codes(out: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(outcome codes, deciding row codes in ``ROWS`` order) — outside the timed call."""
    lut = np.array([ROWS.index(r) for r in out["rule"].cat.categories], dtype=np.int64)
    return out["outcome"].cat.codes.to_numpy(), lut[out["rule"].cat.codes.to_numpy()]


def best(f, repeat: int) -> tuple[float, float, object]:
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        result = f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), result


def peak(f) -> float:
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    f()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (top - base) / 2**20


def as_strings(df: pd.DataFrame) -> pd.DataFrame:
    buf = io.StringIO()
    df.to_csv(buf, index=False)
    buf.seek(0)
    return pd.read_csv(buf, dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000,10000000")
    ap.add_argument("--string-max", type=int, default=1_000_000, help="largest N for the string frames")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    ps = ftlib.bundled()
    tbs = build()
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    big = generate_frame(max(sizes), np.random.default_rng(args.seed))
    print("| frame | N | ftlib cases/s (wall) | OpenFisca cases/s (wall) | ratio wall | ratio CPU | "
          "ftlib peak MiB | OpenFisca peak MiB | rows agreeing |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for kind in ("typed", "strings"):
        for n in sizes:
            if kind == "strings" and n > args.string_max:
                continue
            df = big.iloc[:n].copy()
            if kind == "strings":
                df = as_strings(df)
            strings = kind == "strings"
            ftlib_run(ps, df.head(100))
            openfisca_run(tbs, df.head(100), strings)
            fw, fc, ow, oc = [], [], [], []
            for _ in range(args.repeat):  # alternate, so that both see the same load
                w, c, f_res = best(lambda df=df: ftlib_run(ps, df), 1)
                fw.append(w)
                fc.append(c)
                w, c, o_res = best(lambda df=df, s=strings: openfisca_run(tbs, df, s), 1)
                ow.append(w)
                oc.append(c)
            f_res = ftlib_codes(f_res)
            agree = int(((f_res[0] == o_res[0]) & (f_res[1] == o_res[1])).sum())
            ok &= agree == n
            fp = peak(lambda df=df: ftlib_run(ps, df)) if n <= 1_000_000 else float("nan")
            op = peak(lambda df=df, s=strings: openfisca_run(tbs, df, s)) if n <= 1_000_000 else float("nan")
            print(f"| {kind} | {n:,} | {n / min(fw):,.0f} | {n / min(ow):,.0f} | {min(ow) / min(fw):.1f}× | "
                  f"{min(oc) / min(fc):.1f}× | {fp:,.1f} | {op:,.1f} | {agree:,} / {n:,} |", flush=True)
            del df
    outcomes = pd.Series(pd.Categorical.from_codes(f_res[0], categories=list(OUTCOMES))).value_counts()
    print(f"\noutcomes of the last frame: {dict(outcomes)}")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
