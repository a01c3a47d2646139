"""Resident memory of one notebook's kernel (issue 12): what each visitor of that notebook costs
the server. Starts an ipykernel (as Voilà does), runs the notebook's code cells in it, and
reports the kernel process's RSS and which heavy libraries it imported.

Usage: .venv/bin/python benchmarks/kernel_rss.py [notebooks/04_training_quiz.ipynb ...]
Prints one JSON object per notebook; results are recorded in benchmarks/capacity.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "altair", "sqlalchemy", "numpy", "pyarrow", "openpyxl")
DEFAULT = [ROOT / "notebooks" / "04_training_quiz.ipynb", ROOT / "notebooks" / "07_quiz_trainer.ipynb"]
PROBE = ("import json as _j, sys as _s; print('FTLIB-MODULES', _j.dumps(sorted(m for m in {heavy!r} "
         "if m in _s.modules)))")


def kernel_rss(notebook: Path, timeout: float = 300) -> dict:
    """RSS (MB) of a fresh kernel idle, and after running every code cell of ``notebook``."""
    from jupyter_client.manager import start_new_kernel

    cells = ["".join(c["source"]) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    with tempfile.TemporaryDirectory(prefix="ftlib-rss-") as tmp:
        env = {**os.environ, "FTLIB_QUIZ_RESULTS": str(Path(tmp) / "class.jsonl")}
        km, kc = start_new_kernel(kernel_name="python3", cwd=str(notebook.parent), env=env)
        try:
            proc = psutil.Process(km.provisioner.process.pid)
            idle = proc.memory_info().rss / 2**20
            errors, modules = [], []
            for code in [*cells, PROBE.format(heavy=HEAVY)]:
                def out(msg, errors=errors, modules=modules):
                    c = msg["content"]
                    if msg["msg_type"] == "error":
                        errors.append(c["ename"])
                    elif msg["msg_type"] == "stream" and c["text"].startswith("FTLIB-MODULES"):
                        modules.extend(json.loads(c["text"].split(" ", 1)[1]))
                kc.execute_interactive(code, timeout=timeout, output_hook=out)
            after = proc.memory_info().rss / 2**20
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return {"notebook": notebook.name, "kernel_idle_mb": round(idle, 1), "kernel_after_cells_mb": round(after, 1),
            "heavy_modules_loaded": modules, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or DEFAULT
    print(json.dumps({"uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}))
    for nb in paths:
        print(json.dumps(kernel_rss(nb), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
