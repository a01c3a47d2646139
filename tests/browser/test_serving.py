"""Serving a room at once (issue 12): kernels released when a visitor leaves, a kernel limit with a
zh/en busy page past it, report pages that need no kernel (static page + PDF served and linked),
and a dashboard that prints on A4 pages. ``ftlib report --html`` on a synthetic register, served
by ``ftlib.reports.voila_app`` (what ``ftlib serve`` runs) with the shipped voila.json, opened in
headless Chromium. Kernels are counted as the server's ipykernel child processes."""

import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import run_cli

REGION, PERIOD = "CN-DM", "2025Q2"
NAME = f"report_{REGION}_{PERIOD}"
SECTIONS = "document.querySelectorAll(\".ftlib-body[data-lang='zh'] h2.ftlib-section\").length"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serving")
    env = {"FTLIB_DATABASE_URL": f"sqlite:///{tmp / 'register.sqlite'}"}
    r = run_cli("synth", "--regions", "3", "--years", "2", "--seed", "7", env=env)
    assert r.returncode == 0, r.stderr
    out = tmp / "dash"
    r = run_cli("report", "--region", REGION, "--period", PERIOD, "--out", str(out), "--html", "--quiet", env=env)
    assert r.returncode == 0, r.stderr
    assert (out / "html" / f"{NAME}.html").is_file() and (out / "html" / f"{NAME}.pdf").is_file()
    return out, env


class Server:
    def __init__(self, folder, env, *extra: str):
        from ftlib.reports.serve import voila_command, voila_env, wait_until_up

        port = free_port()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"voila-serving-{port}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 — closed in stop()
        self.proc = subprocess.Popen(
            [*voila_command(port), *extra], cwd=folder, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
            env=voila_env({**os.environ, **env, "FTLIB_REPORT_FRAMES": str(folder / ".frames.pickle")}))
        self.base = f"http://127.0.0.1:{port}/"
        wait_until_up(self.base, self.proc)

    def kernels(self) -> list[psutil.Process]:
        out = []
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    out.append(child)
            except psutil.NoSuchProcess:
                pass
        return out

    def wait_kernels(self, n: int, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while len(self.kernels()) != n and time.monotonic() < deadline:
            time.sleep(0.25)
        return len(self.kernels())

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


@pytest.fixture
def server(reports):
    started = []

    def start(*extra: str) -> Server:
        started.append(Server(*reports, *extra))
        return started[-1]

    yield start
    for s in started:
        s.stop()


def open_report(context, base: str):
    page = context.new_page()
    page.goto(base + f"voila/render/{NAME}.ipynb", timeout=120_000)
    page.locator(".ftlib-body[data-lang='zh'] table.ftlib-headline").wait_for(timeout=120_000)
    return page


def test_kernel_released_when_the_visitor_leaves(server, browser):
    s = server()
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pages = [open_report(context, s.base) for _ in range(3)]
    assert s.wait_kernels(3) == 3
    for page in pages:
        page.close(run_before_unload=True)  # as a browser tab closing: Voilà's beacon asks for shutdown
    assert s.wait_kernels(0, timeout=15) == 0
    log = s.log_path.read_text()
    assert log.count("Kernel shutdown") == 3 and "_xsrf" not in log and " 403 " not in log


def test_busy_page_past_the_kernel_limit(server, browser):
    s = server("--FtlibKernelManager.max_kernels=2")
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    first, second = open_report(context, s.base), open_report(context, s.base)
    third = context.new_page()
    response = third.goto(s.base + f"voila/render/{NAME}.ipynb", timeout=60_000)
    assert response.status == 503 and response.headers["retry-after"] == "10"
    text = third.locator("body.ftlib-busy").inner_text()
    assert "系统繁忙，请稍后再试" in text and "The server is busy" in text and "Traceback" not in text
    third.screenshot(path=str(ARTIFACTS / "serving_busy.png"))
    assert s.wait_kernels(2) == 2  # the refused visitor started nothing
    first.close(run_before_unload=True)
    assert s.wait_kernels(1, timeout=15) == 1
    third.reload(timeout=120_000)  # what the page's own refresh does after 10 s
    third.locator(".ftlib-body[data-lang='zh'] table.ftlib-headline").wait_for(timeout=120_000)
    assert s.wait_kernels(2) == 2
    second.close(run_before_unload=True)
    third.close(run_before_unload=True)
    assert s.wait_kernels(0, timeout=15) == 0


def test_report_pages_need_no_kernel_and_link_their_static_page_and_pdf(server, reports, browser, tmp_path):
    s = server()
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    index = context.new_page()
    index.goto(s.base + "voila/render/index.ipynb", timeout=120_000)
    link = index.locator("a.ftlib-report").first
    link.wait_for(timeout=120_000)
    assert s.wait_kernels(1) == 1  # the index's own
    with context.expect_page() as opened:  # Voilà opens output links in a new tab
        link.click()
    report = opened.value
    report.wait_for_url(f"**/voila/files/html/{NAME}.html")
    report.locator(".ftlib-body[data-lang='zh'] table.ftlib-headline").wait_for(timeout=30_000)
    index.close(run_before_unload=True)
    assert s.wait_kernels(0, timeout=15) == 0  # the index released its kernel; the report needs none
    with report.expect_download() as dl:
        report.locator("a.ftlib-link[data-kind='pdf']").click()
    pdf = tmp_path / dl.value.suggested_filename
    dl.value.save_as(pdf)
    assert pdf.name == f"{NAME}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]
    sections = report.evaluate(SECTIONS)
    assert sections >= 5 and len(pages) >= sections + 1  # the headline page, then each section on new pages
    assert "示例省容错纠错机制运行情况 · 2025Q2" in pages[0] and "受理件数" in pages[0]
    assert "下载 PDF" not in text  # links are not printed
    # the charts are on paper: their axis title "期间" (period) is in no text of the page outside a chart
    static = (reports[0] / "html" / f"{NAME}.html").read_text(encoding="utf-8")
    assert "期间" in text and "期间" not in re.sub(r"<script type='application/json'.*?</script>", "", static, flags=re.S)

    dash = open_report(context, s.base)
    assert dash.locator("a.ftlib-link[data-kind='html']").get_attribute("href") == f"../files/html/{NAME}.html"
    r = context.request.get(s.base + f"voila/files/html/{NAME}.pdf")
    assert r.status == 200 and r.headers["content-type"] == "application/pdf" and r.body()[:5] == b"%PDF-"
    assert context.request.get(s.base + "voila/files/.frames.pickle").status == 403  # only html/ and assets/
    # the index's record of what suppression held back holds raw small counts: never served either
    assert (reports[0] / ".overview-suppressed.json").is_file()
    assert context.request.get(s.base + "voila/files/.overview-suppressed.json").status == 403
    dash.screenshot(path=str(ARTIFACTS / "serving_report_links.png"))
    # printing the dashboard from the browser: A4 pages, a section per page, not one long page
    dash.emulate_media(media="print")
    printed = tmp_path / "dash.pdf"
    dash.pdf(path=str(printed), format="A4", prefer_css_page_size=True)
    text = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True, text=True, check=True).stdout
    assert len(text.split("\f")[:-1]) >= sections + 1 and "受理件数" in text
    assert "期间" in text   # every chart drawn before printing (the page draws them on beforeprint)


def test_report_kernel_imports_no_pandas_altair_or_sqlalchemy(reports):
    out, env = reports
    code = ("import sys\nfrom ftlib.reports.dashboard import report_app\n"
            f"report_app({REGION!r}, '2025-04-01', '2025-06-30', {PERIOD!r}, 'zh', 5)\n"
            "print(sorted(m for m in ('pandas', 'altair', 'sqlalchemy', 'numpy') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True, timeout=120,
                       env={**os.environ, **env, "FTLIB_REPORT_FRAMES": str(out / ".frames.pickle")})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"


def test_root_redirects_to_the_index_and_nothing_leaves_the_machine(server, browser):
    """``/`` (Voilà's file tree, which loads font-awesome from a CDN) and ``/voila/tree/`` lead to
    the dashboards index; every request of the page, its scripts, styles, fonts and kernel goes to
    127.0.0.1 (issue 13, item 7)."""
    from urllib.parse import urlsplit

    s = server()
    page = browser.new_page()
    hosts: list[str] = []
    page.on("request", lambda req: hosts.append(urlsplit(req.url).hostname or urlsplit(req.url).scheme))
    response = page.goto(s.base, timeout=120_000)
    assert page.url == s.base + "voila/render/index.ipynb"
    assert response.request.redirected_from is not None and response.request.redirected_from.url == s.base
    page.locator("a.ftlib-report").first.wait_for(timeout=120_000)    # the index itself, run to the end
    page.wait_for_load_state("networkidle", timeout=60_000)
    page.goto(s.base + "voila/tree/", timeout=120_000)
    assert page.url == s.base + "voila/render/index.ipynb"
    page.locator("a.ftlib-report").first.wait_for(timeout=120_000)
    assert hosts and set(hosts) <= {"127.0.0.1", "data", "blob"}, sorted(set(hosts))
    assert browser.outside == []
    page.close()
