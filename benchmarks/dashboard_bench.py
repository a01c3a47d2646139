"""Dashboard benchmarks (issue 6).

1. ``ftlib report --all`` for a synthetic register of 30 regions, over 4 quarters.
2. Time from navigation to every chart on the page for one report dashboard in headless
   Chromium: cold (no preheated kernel: a new kernel runs the notebook) and preheated (Voilà's
   kernel pool for that notebook, ``pool_size`` 1, already executed the notebook); each visit in
   a new browser context (empty cache), and the preheated case once more with the cache warm.

Usage: .venv/bin/python benchmarks/dashboard_bench.py [--regions 30] [--quarters 4] [--visits 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: Every chart of the language shown (zh) is on the page, as SVG (drawn by vl-convert at report time).
#: Content is there when the first chart is drawn (the page draws the others as the reader scrolls to them).
DRAWN = "document.querySelector(\".ftlib-body[data-lang='zh'] figure.ftlib-chart svg.marks\") !== null"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ftlib(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "ftlib", *args], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def start_voila(folder: Path, env: dict, pool: dict) -> tuple[subprocess.Popen, str]:
    from ftlib.reports.serve import voila_command, voila_env, wait_until_up

    # The shipped voila.json, with only the kernel pools changed: cold = no pool for the report
    # (as shipped), preheated = a pool of one kernel that has already run it.
    cfg = json.loads((folder / "voila.json").read_text())
    # (the shipped file names ftlib's kernel manager, a VoilaKernelManager: its pools are configured
    # under the base class's name, and only when pre-heating is on)
    cfg.setdefault("VoilaKernelManager", {})["kernel_pools_config"] = pool
    cfg["VoilaConfiguration"]["preheat_kernel"] = any(v.get("pool_size") for v in pool.values())
    (folder / "voila.json").write_text(json.dumps(cfg))
    port = free_port()
    cmd = voila_command(port)
    full = voila_env({**os.environ, **env, "FTLIB_REPORT_FRAMES": str(folder / ".frames.pickle")})
    proc = subprocess.Popen(cmd, cwd=folder, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    wait_until_up(base, proc)
    return proc, base


def visit_times(base: str, page_name: str, visits: int, wait_between: float, fresh: bool = True) -> list[float]:
    """Seconds from navigation to every chart on the page. ``fresh``: a new browser context (an
    empty cache) for each visit, the worst case; otherwise one context, as a reader coming back."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        shared = browser.new_context(viewport={"width": 1300, "height": 1600})
        for _ in range(visits):
            time.sleep(wait_between)  # give a kernel pool time to refill
            context = browser.new_context(viewport={"width": 1300, "height": 1600}) if fresh else shared
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(base + f"voila/render/{page_name}", timeout=180_000, wait_until="commit")
            page.wait_for_function(DRAWN, timeout=180_000, polling="raf")  # checked on every frame
            out.append(time.perf_counter() - t0)
            page.close()
            if fresh:
                context.close()
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", type=int, default=30)
    ap.add_argument("--quarters", type=int, default=4)
    ap.add_argument("--visits", type=int, default=5)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ftlib-dash-bench-"))
    env = {**os.environ, "FTLIB_DATABASE_URL": f"sqlite:///{tmp / 'register.sqlite'}"}
    try:
        ftlib("synth", "--regions", str(a.regions), "--years", "2", "--seed", "11", env=env)
        out = tmp / "dash"
        from ftlib.reports.jobs import plan_jobs
        from ftlib.reports.runner import run_reports

        os.environ.update(env)
        jobs = plan_jobs(all_=True, last_quarters=a.quarters)
        regions = len({j.region for j in jobs})
        t0 = time.perf_counter()
        results = run_reports(jobs, out, progress=False)
        all_s = time.perf_counter() - t0
        ok = sum(r.ok for r in results)
        print(f"ftlib report --all: {len(jobs)} reports ({regions} regions × {a.quarters} quarters), "
              f"{ok} ok, {all_s:.1f} s")
        name = f"{results[0].name}.ipynb"

        proc, base = start_voila(out, env, pool={"default": {"pool_size": 0}})
        try:
            cold = visit_times(base, name, a.visits, 0)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        proc, base = start_voila(out, env, pool={"default": {"pool_size": 0}, name: {"pool_size": 1}})
        try:
            time.sleep(15)  # let the pool start its kernel and pre-render the notebook
            warm = visit_times(base, name, a.visits, 12)
            warm_cached = visit_times(base, name, a.visits + 1, 12, fresh=False)[1:]  # after a first visit
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        print(f"navigation → charts drawn, cold: median {statistics.median(cold):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in cold)})")
        print(f"navigation → charts drawn, preheated: median {statistics.median(warm):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in warm)})")
        print(f"navigation → charts drawn, preheated, browser cache warm: median {statistics.median(warm_cached):.2f} s "
              f"(runs: {', '.join(f'{x:.2f}' for x in warm_cached)})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
