"""A Voilà server on 127.0.0.1 for one notebook, and a headless Debian Chromium driven by
Playwright. The server is stopped (its whole process group) when the test ends."""

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, stop_group

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts"


def answer_quiz(page, trainee: str, timeout_ms: int = 30_000) -> None:
    """On an open quiz page: give the trainee's name, answer 不属于容错情形, submit, and wait for
    the scored answer (a widget round trip to the page's kernel)."""
    page.locator(".ftlib-quiz-case").wait_for(timeout=timeout_ms)
    page.get_by_label("学员姓名").fill(trainee)
    page.get_by_label("学员姓名").press("Enter")
    page.get_by_text("不属于容错情形", exact=True).click()
    page.get_by_role("button", name="提交答案").click()
    page.locator(".ftlib-quiz-answer").wait_for(timeout=timeout_ms)


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free now that stays free while the test needs it.

    Not one from the kernel's ephemeral range (bind to 0): that range also serves every outgoing
    connection and kernel socket, so a port handed out there can be taken by the time a server
    binds it (seen in CI: minutes of reports between choosing and binding). Each xdist worker
    draws from its own block below the ephemeral range."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    base = 20000 + 1500 * (int(worker) % 8 if worker.isdigit() else 0)
    for port in random.sample(range(base, base + 1500), 1500):
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise RuntimeError("no free port in this worker's block")


@pytest.fixture
def voila_server():
    """Start ``voila NOTEBOOK`` and yield its base URL; kill it afterwards."""
    procs: list[subprocess.Popen] = []
    logs = []

    def start(notebook: str, env: dict | None = None) -> str:
        from ftlib.reports.serve import voila_env

        voila = Path(sys.executable).with_name("voila")
        port = free_port()
        log = open(ARTIFACTS / f"voila-{port}.log", "w")  # noqa: SIM115 — closed with the process
        proc = subprocess.Popen(  # ftlib's Voilà (kernels released on leave, a kernel limit), as served
            [sys.executable, "-m", "ftlib.reports.voila_app", str(ROOT / notebook), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", "--template=ftlib"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env=voila_env({**os.environ, "PATH": f"{voila.parent}{os.pathsep}{os.environ.get('PATH', '')}",
                           **(env or {})}))
        procs.append(proc)
        logs.append(log)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited with {proc.returncode}; see {log.name}")
            try:
                urllib.request.urlopen(url + "voila/static/", timeout=1)  # noqa: S310 — local server
                return url
            except urllib.error.HTTPError:  # any HTTP answer: the server is up
                return url
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("voila did not start within 60 s")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield start
    for proc in procs:
        stop_group(proc, timeout=10)
    for log in logs:
        log.close()


def on_this_machine(url: str) -> bool:
    """A request that stays on the machine: a local server, a file, inline data."""
    parts = urlsplit(url)
    return parts.scheme in {"file", "data", "blob", "about"} or parts.hostname in {"127.0.0.1", "localhost", "::1"}


class OfflineBrowser:
    """The Playwright browser, but every context it makes refuses requests that would leave the
    machine and remembers them, so that every page a browser test opens is checked (users sit on
    isolated intranets: nothing may load from the internet, on any page)."""

    def __init__(self, browser):
        self._browser = browser
        self.outside: list[str] = []

    def _guard(self, context):
        def refuse(route):
            self.outside.append(route.request.url)
            route.abort()

        context.route(lambda url: not on_this_machine(url), refuse)
        return context

    def new_context(self, **kwargs):
        return self._guard(self._browser.new_context(**kwargs))

    def new_page(self, **kwargs):
        context = self.new_context(**kwargs)
        page = context.new_page()
        page.on("close", lambda _page: context.close())
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = OfflineBrowser(pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True))
        try:
            yield b
        finally:
            b.close()
        assert b.outside == [], f"requests that would have left the machine: {b.outside[:5]}"
