"""A Voilà server on 127.0.0.1 for one notebook, and a headless Debian Chromium driven by
Playwright. The server is stopped (its whole process group) when the test ends."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, stop_group

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "tests" / "artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
