"""Capacity benchmark (issue 12): many visitors at once on one ftlib server, loopback only.

1. Report visitors: ``ftlib report --html`` for one region and quarter of a synthetic register,
   served by ftlib's Voilà (``ftlib.reports.voila_app``, the shipped voila.json); N browser
   contexts (empty caches) open the report page the index links to at the same moment. Time from
   navigation to every chart drawn (the browsers render on this machine's 2 cores too, so the
   same crowd is also measured at the HTTP level — what the server gives — and one visitor alone
   in the browser — what each visitor's own computer does); server memory (sum of RSS of Voilà and its kernels, sampled);
   kernels alive after they leave. Optionally M contexts on the report *notebook* (a kernel each).
2. A class on the quiz: served as `ftlib notebook 04 --pool Q` serves it (the shipped limits, Q
   kernels that ran the quiz before the class arrives; the bench waits until they are ready);
   Q browser contexts (spread over a few Chromium processes) open 04 training quiz — time to the
   first question, and the page's HTML delivered (the server's part); each enters a name, picks an
   outcome and all submit at the same moment — widget response = click → the answer's feedback in
   the page (measured in the page; the driver's own round trip and, from the page's websocket
   frames, the server's part beside it); then the second question as a class answers it, the
   submissions spread over ``--answer-over`` seconds; then the same class without browsers
   (``kernel_clients.py``: the quiz over the kernel websocket protocol, all at the same moment —
   the server's part alone, as when each trainee's own computer renders); every answer must land
   in the class results file (one line per trainee, each name once); server memory (Voilà and its
   kernels: peak sum of RSS, and of PSS, which counts pages shared between kernels once) and MB a
   kernel; kernels gone after they leave. The machine's load is sampled beside the numbers.

Usage: .venv/bin/python benchmarks/capacity_bench.py [--reports 50] [--dashboards 0] [--quiz 40]
       .venv/bin/python benchmarks/capacity_bench.py --reports 0 --quiz 40   (the class alone;
       `make bench BENCH=quiz`); smaller: --users 10; --pool 0: no kept kernels; --timeout S:
       each quiz phase ends after S seconds (default 300) and reports what it got.
Progress lines go to stderr every 10 s.
Results are printed as one JSON object; benchmarks/capacity.md records runs with `uptime`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gzip
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
REGION, PERIOD = "CN-DM", "2025Q2"
NAME = f"report_{REGION}_{PERIOD}"
#: Content is there when the first chart is drawn (the page draws the others as the reader scrolls to them).
DRAWN = "document.querySelector(\".ftlib-body[data-lang='zh'] figure.ftlib-chart svg.marks\") !== null"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]


class Server:
    """ftlib's Voilà on a free loopback port, with a sampler of its memory (Voilà + kernels)."""

    def __init__(self, target: Path, cwd: Path, env: dict, config_dir: Path | None = None, extra: tuple = ()):
        from ftlib.reports.serve import voila_command, voila_env, wait_until_up

        port = free_port()
        self.log_path = Path(cwd) / f"voila-{port}.log"   # kept for the counts in server_log()
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen([*voila_command(port, target=str(target), config_dir=config_dir), *extra],
                                         cwd=cwd, env=voila_env(env), stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.base = f"http://127.0.0.1:{port}/"
        wait_until_up(self.base, self.proc)
        self.peak_mb = 0.0
        self.peak_pss_mb = 0.0
        self.peak_kernels = 0
        self.peak_load = 0.0
        self.pss = False  # sampling PSS reads every process's smaps: only where asked
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def server_log(self) -> dict:
        """What the server's log says happened to kernels (and whether anything went wrong)."""
        text = self.log_path.read_text(errors="replace")
        return {"kernels_started": text.count("Kernel started"), "kept_kernels_used": text.count("Using pre-heated"),
                "kernels_shut_down": text.count("Kernel shutdown"), "culled": text.count("Culling '"),
                "kernels_died": text.count("died"), "refused_at_max": text.count("a kernel start was refused"),
                "errors": text.count("ERROR") + text.count("Traceback"),
                # what they were: the first few distinct lines, so a run explains itself
                "error_lines": sorted({ln.strip()[:200] for ln in text.splitlines()
                                       if "ERROR" in ln or "Traceback" in ln})[:5]}

    def tree(self) -> list[psutil.Process]:
        me = psutil.Process(self.proc.pid)
        return [me, *me.children(recursive=True)]

    def kernels(self) -> int:
        n = 0
        for p in self.tree()[1:]:
            try:
                n += "ipykernel_launcher" in " ".join(p.cmdline())
            except psutil.Error:
                pass
        return n

    def rss_mb(self) -> float:
        total = 0
        for p in self.tree():
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total / 2**20

    def pss_mb(self) -> float:
        total = 0
        for p in self.tree():
            try:
                total += p.memory_full_info().pss
            except (psutil.Error, AttributeError):
                pass
        return total / 2**20

    def kernel_rss_mb(self) -> list[float]:
        out = []
        for p in self.tree()[1:]:
            try:
                if "ipykernel_launcher" in " ".join(p.cmdline()):
                    out.append(p.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        return out

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.peak_mb = max(self.peak_mb, self.rss_mb())
                self.peak_kernels = max(self.peak_kernels, self.kernels())
                self.peak_load = max(self.peak_load, os.getloadavg()[0])
                if self.pss:
                    self.peak_pss_mb = max(self.peak_pss_mb, self.pss_mb())
            except psutil.Error:
                pass

    def wait_ready(self, kernels: int, timeout: float = 300) -> None:
        """Until ``kernels`` kernels are alive and the server is quiet (the pool's kernels have run
        the notebook's cells: together they use under a fifth of a core over a second)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.kernels() >= kernels:
                procs = self.tree()
                for p in procs:
                    try:
                        p.cpu_percent(None)
                    except psutil.Error:
                        pass
                time.sleep(1)
                busy = 0.0
                for p in procs:
                    try:
                        busy += p.cpu_percent(None)
                    except psutil.Error:
                        pass
                if busy < 20:
                    return
            else:
                time.sleep(0.5)

    def wait_no_kernels(self, timeout: float = 180) -> float | None:
        return self.wait_kernels_at_most(0, timeout)

    def wait_kernels_at_most(self, n: int, timeout: float = 180) -> float | None:
        """Seconds until at most ``n`` kernels are alive (None: not within ``timeout``)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.kernels() <= n:
                return time.monotonic() - t0
            time.sleep(0.5)
        return None

    def stop(self) -> None:
        self._stop.set()
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


#: What a report page loads from the server after its HTML: the chart bundle beside it and any
#: local script or stylesheet (everything else is inline).
ASSET = re.compile(r"""(?:src|href)=["']([^"'#:]+\.(?:js|css))["']|(ftlib-vega-[0-9a-f]+\.js)""")


def http_crowd(n: int, url: str) -> dict:
    """``n`` clients request the page at the same moment, then each asset it loads (each reads the
    whole answer, as a browser would, gzip accepted): what the server gives a crowd, apart from the
    rendering that each visitor's own computer does."""
    import urllib.parse
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    gate = threading.Barrier(n)

    def get(u: str) -> bytes:
        req = urllib.request.Request(u, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310 — loopback
            return r.read()

    def one(_: int) -> tuple[float, float, int] | None:
        gate.wait()
        t0 = time.perf_counter()
        try:
            page = get(url)
            t_page = time.perf_counter() - t0
            text = (gzip.decompress(page) if page[:2] == b"\x1f\x8b" else page).decode("utf-8", "replace")
            assets = {a or b for a, b in ASSET.findall(text)}
            size = len(page) + sum(len(get(urllib.parse.urljoin(url, a))) for a in sorted(assets))
            return t_page, time.perf_counter() - t0, size
        except OSError:
            return None

    with ThreadPoolExecutor(n) as pool:
        got = [g for g in pool.map(one, range(n)) if g is not None]
    whole = summary([g[1] for g in got], n - len(got))
    return {**summary([g[0] for g in got], n - len(got)), "visitors": n,
            "with_assets_median_s": whole.get("median_s"), "with_assets_p95_s": whole.get("p95_s"),
            "bytes_a_visitor": got[0][2] if got else None}


async def _arrive(browser, url: str, ready: str, start: asyncio.Event, timeout_ms: int,
                  delay: float, contexts: list | None = None, init: str | None = None) -> tuple[object, object, float | None]:
    """A new visitor (its own context) opens ``url`` at ``start`` + ``delay``: (context, page,
    seconds until ``ready`` holds, or None when it never did). ``contexts`` gets the context at
    once, so that a visit cancelled at the deadline is still closed; ``init`` runs in the page
    before any of the page's own scripts."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    if contexts is not None:
        contexts.append(context)
    page = await context.new_page()
    if init:
        await page.add_init_script(init)
    await start.wait()
    await asyncio.sleep(delay)
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=timeout_ms, wait_until="commit")
        await page.wait_for_function(ready, timeout=timeout_ms, polling=100)
        return context, page, time.perf_counter() - t0
    except Exception:  # noqa: BLE001 — a visitor that never got the page counts as failed
        return context, page, None


async def visit(browser, url: str, ready: str, start: asyncio.Event, timeout_ms: int,
                delay: float = 0.0) -> tuple[object, float | None]:
    context, _, took = await _arrive(browser, url, ready, start, timeout_ms, delay)
    return context, took


async def crowd(browser, n: int, url: str, ready: str, timeout_ms: int = 240_000) -> tuple[list, list[float], int]:
    """N fresh contexts navigate to ``url`` at the same moment; seconds until ``ready`` for each."""
    start = asyncio.Event()
    tasks = [asyncio.create_task(visit(browser, url, ready, start, timeout_ms)) for _ in range(n)]
    await asyncio.sleep(0.5)
    start.set()
    done = await asyncio.gather(*tasks)
    times = [t for _, t in done if t is not None]
    return [c for c, _ in done], times, n - len(times)


#: The quiz's first library case (c01, CN-2016) and an outcome to pick for it (a label of the
#: catalogue: the bench does not care whether it is right, only that the answer is scored and stored).
FIRST_QUESTION = ".ftlib-quiz-case"
PICK = "不属于容错情形"
#: What a trainee without a browser looks for on the quiz page (kernel_clients.py).
PROTOCOL_LABELS = {"name": "学员姓名", "outcome": "你的认定结果", "pick": PICK, "submit": "提交答案",
                   "answer_class": "ftlib-quiz-answer"}


def summary(times: list[float], failed: int) -> dict:
    if not times:
        return {"n_ok": 0, "failed": failed}
    return {"n_ok": len(times), "failed": failed, "median_s": round(statistics.median(times), 3),
            "p95_s": round(pct(times, 95), 3), "max_s": round(max(times), 3)}


async def with_browser(fn):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            return await fn(browser)
        finally:
            await browser.close()


def run_reports(n: int, n_dash: int, tmp: Path, env: dict) -> dict:
    subprocess.run([sys.executable, "-m", "ftlib", "synth", "--regions", "3", "--years", "2", "--seed", "7"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    out = tmp / "dash"
    subprocess.run([sys.executable, "-m", "ftlib", "report", "--region", REGION, "--period", PERIOD, "--out",
                    str(out), "--html", "--quiet"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = Server(out, out, {**env, "FTLIB_REPORT_FRAMES": str(out / ".frames.pickle")})
    idle = server.rss_mb()

    url = server.base + f"voila/files/html/{NAME}.html"
    served = http_crowd(n, url)   # the server's part: n visitors' requests at once, no rendering here
    print(json.dumps({"report_http": served}, ensure_ascii=False), flush=True)

    async def scenario(browser) -> dict:
        result: dict = {"report_http": served}
        _, alone, _ = await crowd(browser, 1, url, DRAWN)   # one visitor's own rendering, the machine idle
        result["report_one_browser"] = summary(alone, 0)
        contexts, times, failed = await crowd(browser, n, url, DRAWN)
        result["report_static"] = {**summary(times, failed), "visitors": n, "server_idle_mb": round(idle),
                                   "server_peak_mb": round(server.peak_mb), "peak_kernels": server.peak_kernels}
        print(json.dumps({"report_static": result["report_static"]}, ensure_ascii=False), flush=True)
        await close_tabs(contexts)
        if n_dash:
            server.peak_mb, server.peak_kernels = 0.0, 0
            contexts, times, failed = await crowd(browser, n_dash, server.base + f"voila/render/{NAME}.ipynb", DRAWN)
            kernels_open, rss = server.kernels(), server.rss_mb()
            t_leave = time.monotonic()
            await close_tabs(contexts)
            gone = await asyncio.to_thread(server.wait_no_kernels)
            result["report_notebook"] = {
                **summary(times, failed), "visitors": n_dash, "server_peak_mb": round(server.peak_mb),
                "kernels_open": kernels_open, "mb_per_kernel": round((rss - idle) / max(1, kernels_open), 1),
                "kernels_gone_after_leaving_s": None if gone is None else round(time.monotonic() - t_leave, 1)}
            print(json.dumps({"report_notebook": result["report_notebook"]}, ensure_ascii=False), flush=True)
            # The same visitors whose browsers vanish (killed, crashed, the laptop shut): no unload
            # beacon; their kernels go by the idle cull alone (voila.json).
            contexts, times, failed = await crowd(browser, n_dash, server.base + f"voila/render/{NAME}.ipynb", DRAWN)
            t_leave = time.monotonic()
            for c in contexts:
                await c.close()
            gone = await asyncio.to_thread(server.wait_no_kernels)
            result["report_notebook_vanished"] = {
                "visitors": n_dash, "n_ok": len(times),
                "kernels_gone_after_vanishing_s": None if gone is None else round(time.monotonic() - t_leave, 1),
                "kernels_left": server.kernels(), "server_log": server.server_log()}
            if gone is None:   # why not: the server's last words
                result["report_notebook_vanished"]["server_log_tail"] = \
                    server.log_path.read_text(errors="replace").splitlines()[-12:]
            print(json.dumps({"report_notebook_vanished": result["report_notebook_vanished"]}, ensure_ascii=False),
                  flush=True)
        return result

    try:
        return asyncio.run(with_browser(scenario))
    finally:
        server.stop()


class Progress:
    """A line every ``every`` seconds while a phase runs: how many got there, the machine's load."""

    def __init__(self, phase: str, total: int, every: float = 10.0):
        self.phase, self.total, self.every, self.done, self.t0 = phase, total, every, 0, time.monotonic()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            self.line()

    def line(self) -> None:
        print(f"# {self.phase}: {self.done}/{self.total} after {time.monotonic() - self.t0:.0f} s, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)


async def bounded(jobs: list, deadline_s: float, progress: Progress) -> list:
    """Results of ``jobs`` (tasks returning a value or None) as they are when all finish or
    ``deadline_s`` passes: those still running are cancelled and count as None."""
    ticker = asyncio.create_task(progress.run())
    for job in jobs:
        job.add_done_callback(lambda t: setattr(progress, "done", progress.done + (t.result() is not None
                                                                                  if not t.cancelled() else 0)))
    try:
        await asyncio.wait(jobs, timeout=deadline_s)
    finally:
        ticker.cancel()
        progress.line()
    out = []
    for job in jobs:
        if job.done() and not job.cancelled():
            out.append(job.result())
        else:
            job.cancel()
            out.append(None)
    return out


async def visit_page(browser, url: str, ready: str, start: asyncio.Event, timeout_ms: int, delay: float,
                     contexts: list) -> tuple[object, float, float] | None:
    _, page, took = await _arrive(browser, url, ready, start, timeout_ms, delay, contexts, init=SOCKET_TIMES)
    if took is None:
        return None   # a trainee who never got the page counts as failed
    try:
        # The server's part: the page (drawn ahead by a kernel of the pool) delivered whole.
        html_s = await page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd / 1000")
        return page, took, html_s
    except Exception:  # noqa: BLE001
        return None


async def prepare(page, name: str) -> object | None:
    """Enter a name and pick an outcome (not yet submitted)."""
    try:
        await page.get_by_label("学员姓名").fill(name)
        await page.get_by_label("学员姓名").press("Enter")
        await page.get_by_text(PICK, exact=True).click()
        return page
    except Exception:  # noqa: BLE001
        return None


#: In the page, before Voilà's scripts: the time of every websocket frame the page sends and
#: receives, so that an answer's time splits into the server's part (the click's message sent →
#: the last message before the answer is shown) and the browser's own (the rest).
SOCKET_TIMES = """
  window.__ftlibWs = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) { window.__ftlibWs.push(['out', performance.now()]); return send.call(this, d); };
  const Native = window.WebSocket;
  window.WebSocket = function (...a) {
    const ws = new Native(...a);
    ws.addEventListener('message', () => window.__ftlibWs.push(['in', performance.now()]));
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
"""

#: In the page: the moment of the submit click and the moment the scored answer appears (what the
#: trainee sees), apart from the time the bench's own driver takes to reach 40 busy browsers.
WATCH = """() => {
  window.__ftlibClick = null; window.__ftlibAnswer = null;
  if (!window.__ftlibWatching) {
    window.__ftlibWatching = true;
    document.addEventListener('click', e => {
      const b = e.target.closest('button');
      if (b && b.textContent.includes('提交答案') && window.__ftlibClick === null) window.__ftlibClick = performance.now();
    }, true);
    new MutationObserver(() => {
      if (window.__ftlibClick !== null && window.__ftlibAnswer === null && document.querySelector('.ftlib-quiz-answer'))
        window.__ftlibAnswer = performance.now();
    }).observe(document.body, {subtree: true, childList: true});
  }
}"""

#: (click → answer shown, click's message sent → last message received before it), in seconds.
SPLIT = """() => {
  const c = window.__ftlibClick, a = window.__ftlibAnswer, ws = window.__ftlibWs || [];
  const sent = ws.find(([d, t]) => d === 'out' && t >= c);
  const back = ws.filter(([d, t]) => d === 'in' && t <= a).pop();
  return [(a - c) / 1000, sent && back && back[1] >= sent[1] ? (back[1] - sent[1]) / 1000 : null];
}"""


async def submit(page, start: asyncio.Event, delay: float = 0.0) -> tuple[float, float, float | None] | None:
    """At the common start (+ ``delay``), submit: (in the page: click → scored answer shown; at
    the driver: the click asked → the answer found; in the page: the server's part), in seconds."""
    await page.evaluate(WATCH)
    await start.wait()
    await asyncio.sleep(delay)
    t0 = time.perf_counter()
    try:
        await page.get_by_role("button", name="提交答案").click()
        await page.locator(".ftlib-quiz-answer").wait_for(timeout=120_000)
        driver = time.perf_counter() - t0
        in_page, server_part = await page.evaluate(SPLIT)
        return in_page, driver, server_part
    except Exception:  # noqa: BLE001 — a trainee whose answer never came back counts as failed
        return None


async def next_question(page) -> object | None:
    """To the second question, an outcome picked (not yet submitted)."""
    try:
        await page.get_by_role("button", name="下一题").click()
        await page.get_by_text("案例 2 /").wait_for(timeout=120_000)
        await page.get_by_text(PICK, exact=True).click()
        return page
    except Exception:  # noqa: BLE001
        return None


def answer_summary(answers: list, submitted: int) -> dict:
    """The widget response in the page (click → answer shown), the driver's round trip and the
    server's part, for the answers that came back."""
    driver = summary([t[1] for t in answers], 0)
    server = summary([t[2] for t in answers if t[2] is not None], 0)
    return {**summary([t[0] for t in answers], submitted - len(answers)), "submitted": submitted,
            "driver_median_s": driver.get("median_s"), "driver_p95_s": driver.get("p95_s"),
            "server_part_median_s": server.get("median_s"), "server_part_p95_s": server.get("p95_s")}


async def close_tabs(contexts) -> None:
    """Every visitor closes its tab as a person does (the page's unload beacon asks for the
    kernel's shutdown), and the tab is gone before its browser context is: closing a context
    right away kills the tab without unload, like a crashed browser (then only the culler helps)."""
    for c in contexts:
        for p in list(c.pages):
            await p.close(run_before_unload=True)
    deadline = time.monotonic() + 15
    while any(c.pages for c in contexts) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)   # the beacons are sent as the tabs go
    for c in contexts:
        await c.close()


async def _protocol_class(server: Server, n: int, timeout_s: float, results: Path, spread_s: float = 0.0,
                          prefix: str = "协议学员") -> dict:
    """``n`` trainees over the kernel protocol (kernel_clients.py) submitting at the same moment
    (or evenly over ``spread_s`` seconds)."""
    try:                       # run as a script (benchmarks/ on the path) or imported from the tests
        from kernel_clients import class_answers
    except ImportError:
        from benchmarks.kernel_clients import class_answers
    from ftlib.ui.classfile import read

    bare = await class_answers(server.base, [f"{prefix}{i:02d}" for i in range(n)], PROTOCOL_LABELS, timeout_s,
                               spread_s)
    bare_names = collections.Counter(r["trainee"] for r in read(results) if r["trainee"].startswith(prefix))
    return {**summary(bare["answers"], bare["failed"]),
            "each_answer_once_in_class_file": sorted(bare_names.values()) == [1] * n,
            "load_1min": round(os.getloadavg()[0], 1)}


async def _class_without_browsers(server: Server, n: int, pool: int, timeout_s: float, results: Path,
                                  answer_over: float) -> dict:
    """``--browsers 0``: the class only over the protocol — the server's part of the targets
    without 40 Chromium renderers on the server's own cores: answers at the same moment, then (a
    new class on the refilled pool) answers spread over ``answer_over`` s, memory, kernels released."""
    out = {"no_browsers": await _protocol_class(server, n, timeout_s, results)}
    t_leave = time.monotonic()
    gone = await asyncio.to_thread(server.wait_kernels_at_most, pool, 180)
    await asyncio.to_thread(server.wait_ready, pool, timeout_s)
    out["no_browsers_spread"] = {**await _protocol_class(server, n, timeout_s, results, answer_over, "散答学员"),
                                 "answer_over_s": answer_over}
    out.update(kernels_gone_after_leaving_s=None if gone is None else round(time.monotonic() - t_leave, 1),
               server_peak_rss_mb=round(server.peak_mb), server_peak_pss_mb=round(server.peak_pss_mb),
               peak_kernels=server.peak_kernels, peak_load_1min=round(server.peak_load, 1),
               server_log=server.server_log())
    print(json.dumps({"quiz_answer": out}, ensure_ascii=False), flush=True)
    return out


def run_quiz(n: int, tmp: Path, env: dict, browsers: int = 4, arrive_over: float = 0.0,
             cull_idle_s: int | None = None, pool: int | None = None, timeout_s: float = 300,
             answer_over: float = 20.0) -> dict:
    """A class of ``n`` on the quiz (see the module docstring), served as `ftlib notebook 04
    --pool P` serves it: ``pool`` kernels kept ready with the quiz already run (default ``n``: the
    trainer starts the server for the class before it arrives; the bench waits until they are
    ready and reports how long that took). ``browsers`` Chromium processes share the ``n``
    contexts; trainees arrive evenly over ``arrive_over`` seconds (0: all at once); all submit the
    first question at the same moment and the second spread over ``answer_over`` seconds. Each phase
    ends after ``timeout_s`` with what it got. ``cull_idle_s`` overrides voila.json's idle cull:
    here the trainees' browsers share the server's cores, and a page can take long to connect."""
    from ftlib.reports.serve import notebook_config_dir

    pool = n if pool is None else pool
    results = tmp / "class.jsonl"
    extra = [f"--FtlibKernelManager.pool={pool}"]
    if cull_idle_s:
        extra.append(f"--MappingKernelManager.cull_idle_timeout={cull_idle_s}")
    t_warm = time.monotonic()
    server = Server(ROOT / "notebooks" / "04_training_quiz.ipynb", tmp, {**env, "FTLIB_QUIZ_RESULTS": str(results)},
                    config_dir=notebook_config_dir(), extra=tuple(extra))
    server.pss = True
    server.wait_ready(pool, timeout_s)
    warmed = {"pool": pool, "kernels_ready": server.kernels(), "warm_up_s": round(time.monotonic() - t_warm, 1),
              "server_rss_mb_ready": round(server.rss_mb())}
    print(json.dumps({"quiz_pool": warmed}, ensure_ascii=False), flush=True)
    names = [f"学员{i:02d}" for i in range(n)]

    if browsers == 0:
        try:
            return {"quiz_pool": warmed, "quiz_answer": asyncio.run(_class_without_browsers(
                server, n, pool, timeout_s, results, answer_over))}
        finally:
            server.stop()

    async def scenario(pw) -> dict:
        opened = [await pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
                  for _ in range(max(1, min(browsers, n)))]
        contexts: list = []
        try:
            start = asyncio.Event()
            tasks = [asyncio.create_task(visit_page(opened[i % len(opened)], server.base,
                                                    f"document.querySelector('{FIRST_QUESTION}') !== null", start,
                                                    int(timeout_s * 1000), i * arrive_over / n, contexts))
                     for i in range(n)]
            await asyncio.sleep(0.5)
            start.set()
            done = await bounded(tasks, timeout_s + arrive_over + 30, Progress("first question", n))
            times = [d[1] for d in done if d is not None]
            html = summary([d[2] for d in done if d is not None], 0)
            loaded = {**summary(times, n - len(times)), "page_html_median_s": html.get("median_s"),
                      "page_html_p95_s": html.get("p95_s"), "users": n, "arrive_over_s": arrive_over,
                      "cull_idle_s": cull_idle_s or 120, "server_idle_mb": warmed["server_rss_mb_ready"]}
            per_kernel = server.kernel_rss_mb()
            loaded.update(kernels_open=len(per_kernel), kernel_rss_mb_median=round(statistics.median(per_kernel), 1)
                          if per_kernel else None, server_rss_mb_all_open=round(server.rss_mb()),
                          server_pss_mb_all_open=round(server.pss_mb()), load_1min=round(os.getloadavg()[0], 1))
            print(json.dumps({"quiz_open": loaded}, ensure_ascii=False), flush=True)
            pages = [d[0] for d in done if d is not None]
            ready = await bounded([asyncio.create_task(prepare(p, names[i])) for i, p in enumerate(pages)],
                                  timeout_s, Progress("name entered, outcome picked", len(pages)))
            ready = [p for p in ready if p is not None]
            go = asyncio.Event()
            jobs = [asyncio.create_task(submit(p, go)) for p in ready]
            await asyncio.sleep(1)   # the machine settles; then every trainee submits at the same moment
            go.set()
            answers = [t for t in await bounded(jobs, 150, Progress("answers back", len(ready))) if t is not None]
            responded = {**answer_summary(answers, len(ready)), "server_peak_rss_mb": round(server.peak_mb),
                         "server_peak_pss_mb": round(server.peak_pss_mb), "peak_kernels": server.peak_kernels}
            print(json.dumps({"quiz_answer": responded}, ensure_ascii=False), flush=True)
            # The second question as a class answers it: each trainee submits when done reading,
            # the class's answers spread evenly over ``answer_over`` seconds.
            second = [p for p in await bounded([asyncio.create_task(next_question(p)) for p in ready], timeout_s,
                                               Progress("second question, outcome picked", len(ready))) if p is not None]
            go2 = asyncio.Event()
            jobs = [asyncio.create_task(submit(p, go2, i * answer_over / max(1, len(second))))
                    for i, p in enumerate(second)]
            await asyncio.sleep(1)
            go2.set()
            spread = [t for t in await bounded(jobs, 150 + answer_over, Progress("answers back (spread)", len(second)))
                      if t is not None]
            responded["spread"] = {**answer_summary(spread, len(second)), "answer_over_s": answer_over}
            responded.update(server_peak_rss_mb=round(server.peak_mb), server_peak_pss_mb=round(server.peak_pss_mb),
                             peak_kernels=server.peak_kernels)
            from ftlib.ui.classfile import read

            recs = read(results) if results.exists() else []
            counts = collections.Counter(r["trainee"] for r in recs)
            expected = {names[i]: 1 + (p in second) for i, p in enumerate(pages) if p in ready}
            responded.update(answers_in_class_file=len(recs), every_answer_once=dict(counts) == expected)
            t_leave = time.monotonic()
            await close_tabs(contexts)
            contexts.clear()
            # The pool refills to ``pool`` after the class leaves: wait for the trainees' kernels only.
            gone = await asyncio.to_thread(server.wait_kernels_at_most, pool, 180)
            responded["kernels_gone_after_leaving_s"] = None if gone is None else round(time.monotonic() - t_leave, 1)
            # The same class without browsers (kernel_clients.py): the server's part alone, all
            # submitting at the same moment, on the refilled pool.
            await asyncio.to_thread(server.wait_ready, pool, timeout_s)
            responded["no_browsers"] = await _protocol_class(server, n, timeout_s, results)
            responded["peak_load_1min"] = round(server.peak_load, 1)
            responded["server_log"] = server.server_log()
            print(json.dumps({"quiz_answer": responded}, ensure_ascii=False), flush=True)
            return {"quiz_pool": warmed, "quiz_open": loaded, "quiz_answer": responded}
        finally:
            for c in contexts:
                await c.close()
            for b in opened:
                await b.close()

    async def with_pw():
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            return await scenario(pw)

    try:
        return asyncio.run(with_pw())
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=50)
    ap.add_argument("--dashboards", type=int, default=0, help="visitors on the report notebook (a kernel each)")
    ap.add_argument("--quiz", "--users", dest="quiz", type=int, default=40, help="trainees on the quiz (0: none)")
    ap.add_argument("--pool", type=int, default=None,
                    help="quiz kernels kept ready before the class arrives (default: as many as trainees)")
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds a phase of the quiz run may take; it then reports what it got")
    ap.add_argument("--browsers", type=int, default=4,
                    help="Chromium processes sharing the quiz users' contexts (0: the class over the kernel "
                         "protocol only, no browser on the server's cores)")
    ap.add_argument("--arrive-over", type=float, default=60.0, help="seconds over which the quiz users arrive")
    ap.add_argument("--answer-over", type=float, default=20.0,
                    help="seconds over which the class submits the second question (the first: all at once)")
    ap.add_argument("--cull-idle", type=int, default=900,
                    help="idle cull for the quiz run (s; voila.json: 120): the browsers share this machine's cores")
    args = ap.parse_args(argv)
    out: dict = {"uptime_before": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()}
    with tempfile.TemporaryDirectory(prefix="ftlib-capacity-") as tmp:
        env = {**os.environ, "FTLIB_HOME": str(Path(tmp) / "home"),
               "FTLIB_DATABASE_URL": f"sqlite:///{Path(tmp) / 'register.sqlite'}"}
        if args.reports or args.dashboards:
            out.update(run_reports(args.reports, args.dashboards, Path(tmp), env))
        if args.quiz:
            out.update(run_quiz(args.quiz, Path(tmp), env, args.browsers, args.arrive_over, args.cull_idle,
                                args.pool, args.timeout, args.answer_over))
    out["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
