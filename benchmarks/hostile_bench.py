"""How long ftlib takes to read (or refuse) hostile YAML files (issue 13, item 3: "end within a
second or two"), in-process through ``ftlib.safeinput.load_yaml``, CPU time and wall time, best of
three. For comparison the same 60,000-key file through PyYAML's pure-Python ``SafeLoader`` (what
ftlib used before the pre-scan), once. Prints a Markdown table; exit status 1 if any ftlib read
takes more than 2 s of CPU.

    .venv/bin/python benchmarks/hostile_bench.py
"""

from __future__ import annotations

import os
import sys
import time

import yaml

from ftlib.errors import FtlibError
from ftlib.safeinput import limits, load_yaml


def inputs() -> dict[str, str]:
    nodes = limits()["yaml_nodes"]
    under = (nodes - 1) // 2       # a mapping of this many keys and values: just within the limit
    return {
        "60,000 keys (780 KB)": "".join(f"k{i:05d}: value\n" for i in range(60_000)),
        f"{under:,} keys (just within yaml_nodes)": "".join(f"k{i:05d}: value\n" for i in range(under)),
        "alias bomb (9 levels × 9)": 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)),
        "100,000-deep flow list": "a: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "1,000-deep block mapping (500 KB)": "".join(" " * i + f"k{i}:\n" for i in range(1_000)),
        "one 900 KB string": "a: " + "x" * 900_000 + "\n",
    }


def timed(fn) -> tuple[float, float, str]:
    best_cpu = best_wall = float("inf")
    outcome = ""
    for _ in range(3):
        c, w = time.process_time(), time.perf_counter()
        try:
            fn()
            outcome = "read"
        except FtlibError as err:
            outcome = "refused: " + str(err).split(": ", 2)[-1][:60]
        best_cpu, best_wall = min(best_cpu, time.process_time() - c), min(best_wall, time.perf_counter() - w)
    return best_cpu, best_wall, outcome


def main() -> int:
    print(f"load average {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores, PyYAML {yaml.__version__}, "
          f"libyaml {'yes' if yaml.__with_libyaml__ else 'no'}\n")
    print("| input | CPU (s) | wall (s) | outcome |\n| --- | ---: | ---: | --- |")
    worst = 0.0
    for name, text in inputs().items():
        cpu, wall, outcome = timed(lambda text=text: load_yaml(text, "x.yaml"))
        worst = max(worst, cpu)
        print(f"| {name} | {cpu:.3f} | {wall:.3f} | {outcome} |")
    text = inputs()["60,000 keys (780 KB)"]
    c, w = time.process_time(), time.perf_counter()
    yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506 — SafeLoader, the comparison
    print(f"| 60,000 keys, PyYAML's pure-Python SafeLoader (before) | {time.process_time() - c:.3f} | "
          f"{time.perf_counter() - w:.3f} | read |")
    return 1 if worst > 2 else 0


if __name__ == "__main__":
    sys.exit(main())
