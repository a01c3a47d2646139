"""`ftlib notebook` serves one widget notebook with the limits of the shipped voila.json, as
`ftlib serve` does for the dashboards (issue 12): a maximum number of kernels with the zh/en busy
page past it, idle kernels culled, kernels released when a visitor leaves — and the widgets still
render (the dashboards' widget-extension denylist is not applied to a widget notebook)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from ftlib.resources import data_path
from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import stop_group

SHIPPED = json.loads(data_path("voila", "voila.json").read_text(encoding="utf-8"))


def kernels(proc: subprocess.Popen) -> int:
    n = 0
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            n += "ipykernel_launcher" in " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            pass
    return n


def wait_kernels(proc: subprocess.Popen, n: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while kernels(proc) != n and time.monotonic() < deadline:
        time.sleep(0.25)
    return kernels(proc)


def voila_of(proc: subprocess.Popen, timeout: float = 60) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in psutil.Process(proc.pid).children(recursive=True):
            if "ftlib.reports.voila_app" in " ".join(child.cmdline()):
                return child
        time.sleep(0.2)
    raise AssertionError("`ftlib notebook` started no Voilà")


def open_quiz(context, url: str):
    page = context.new_page()
    page.goto(url, timeout=120_000)
    page.locator(".ftlib-quiz-case").wait_for(timeout=120_000)
    return page


def test_ftlib_notebook_applies_the_kernel_limit_cull_and_busy_page(browser, tmp_path):
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / f"ftlib-notebook-{port}.log", "w")  # noqa: SIM115 — closed below
    proc = subprocess.Popen([sys.executable, "-m", "ftlib", "notebook", "04", "--port", str(port), "--max-kernels", "1",
                             "--pool", "0"],  # the limits alone; the pool: test_quiz_pool.py
                            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env={**os.environ, "FTLIB_QUIZ_RESULTS": str(tmp_path / "class.jsonl")})
    try:
        voila = voila_of(proc)
        # The settings the running server read: the shipped limits, without the dashboards-only ones.
        [arg] = [a for a in voila.cmdline() if a.startswith("--Voila.config_file_paths=")]
        config_dir = Path(arg.split("=", 1)[1])
        assert config_dir == Path(os.environ["FTLIB_HOME"]) / "voila-notebook"  # not the project tree
        cfg = json.loads((config_dir / "voila.json").read_text(encoding="utf-8"))
        assert cfg["MappingKernelManager"] == SHIPPED["MappingKernelManager"]  # idle cull
        assert cfg["MappingKernelManager"]["cull_idle_timeout"] + cfg["MappingKernelManager"]["cull_interval"] <= 60
        assert cfg["VoilaConfiguration"]["multi_kernel_manager_class"] == "ftlib.reports.voila_app.FtlibKernelManager"
        assert cfg["VoilaConfiguration"]["show_tracebacks"] is False
        assert "extension_denylist" not in cfg["VoilaConfiguration"]
        assert "--FtlibKernelManager.max_kernels=1" in voila.cmdline()

        url = f"http://127.0.0.1:{port}/"
        from ftlib.reports.serve import wait_until_up

        wait_until_up(url, proc)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        first = open_quiz(context, url)           # widgets render: the quiz's first case is shown
        assert wait_kernels(proc, 1) == 1
        second = context.new_page()
        response = second.goto(url, timeout=60_000)
        assert response.status == 503 and response.headers["retry-after"] == "10"
        text = second.locator("body.ftlib-busy").inner_text()
        assert "系统繁忙，请稍后再试" in text and "The server is busy" in text and "Traceback" not in text
        second.screenshot(path=str(ARTIFACTS / "notebook_busy.png"))
        assert wait_kernels(proc, 1) == 1         # the refused visitor started nothing
        first.close(run_before_unload=True)       # leaving releases the kernel at once
        assert wait_kernels(proc, 0, timeout=15) == 0
        second.reload(timeout=120_000)            # what the busy page does by itself after 10 s
        second.locator(".ftlib-quiz-case").wait_for(timeout=120_000)
        assert "统计报表差错" in second.locator(".ftlib-quiz-case").inner_text()
        second.close(run_before_unload=True)
        assert wait_kernels(proc, 0, timeout=15) == 0
    finally:
        stop_group(proc, timeout=20)
        log.close()
