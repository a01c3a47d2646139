"""Dashboards in a real browser: ``ftlib report`` on a synthetic register, served by Voilà with
the checked-in voila.json, opened in headless Chromium. The headline figures shown must equal
``ftlib.metrics`` for that region and period; the language switch works; charts draw; no
request leaves the machine. Screenshots go to tests/artifacts/."""

import os
import signal
import subprocess
from urllib.parse import urlparse

import numpy as np
import pytest

from tests.browser.conftest import ARTIFACTS, free_port
from tests.conftest import run_cli

REGION, PERIOD, PREVIOUS = "CN-DM", "2025Q2", "2025Q1"
#: How many of one language's charts the browser has drawn (SVG by Vega; there are 9 a language).
COUNT = "document.querySelectorAll(\".ftlib-body[data-lang='%s'] figure.ftlib-chart svg.marks\").length"
DRAWN = COUNT + " === 9"
#: Scroll every chart of a language into view in turn, each until it is drawn (the page draws a
#: chart as it comes near; one scrolled past within a frame is drawn when the reader comes back).
SCROLL = """async (lang) => { for (const f of document.querySelectorAll(`.ftlib-body[data-lang='${lang}'] figure.ftlib-chart`)) {
  f.scrollIntoView();
  for (let i = 0; i < 400 && !f.querySelector('svg.marks'); i++) await new Promise(r => setTimeout(r, 50)); } }"""


def charts_drawn(page, lang: str) -> None:
    """The shown language's charts are drawn as the reader comes to them, the other language's
    not at all: the first one at once, the others after scrolling down to them."""
    other = "en" if lang == "zh" else "zh"
    before = page.evaluate(COUNT % other)
    page.wait_for_function(COUNT % lang + " >= 1", timeout=120_000)
    assert page.evaluate(COUNT % lang) < 9     # those far below the screen wait
    page.evaluate(SCROLL, lang)
    page.wait_for_function(DRAWN % lang, timeout=60_000)
    assert page.evaluate(COUNT % other) == before   # nothing drawn for the hidden language


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from ftlib.reports.serve import voila_command, voila_env, wait_until_up

    tmp = tmp_path_factory.mktemp("dash")
    url = f"sqlite:///{tmp / 'register.sqlite'}"
    env = {"FTLIB_DATABASE_URL": url}
    r = run_cli("synth", "--regions", "8", "--years", "2", "--seed", "7", env=env)
    assert r.returncode == 0, r.stderr
    out = tmp / "dash"
    r = run_cli("report", "--region", REGION, "--period", PERIOD, "--out", str(out), "--html", "--quiet",
                env=env)
    assert r.returncode == 0, r.stderr
    assert (out / "index.ipynb").exists() and (out / "voila.json").exists()
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "voila-dashboards.log", "w")  # noqa: SIM115 — closed below
    cmd = voila_command(port)
    proc = subprocess.Popen(cmd, cwd=out, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env=voila_env({**os.environ, **env, "FTLIB_REPORT_FRAMES": str(out / ".frames.pickle")}))
    base = f"http://127.0.0.1:{port}/"
    wait_until_up(base, proc)
    yield base, url, out
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)
    log.close()


def expected_headline(url: str) -> dict[str, str]:
    """Received, decided, tolerated and the tolerance rate straight from ftlib.metrics."""
    from ftlib.metrics import compute
    from ftlib.register.metrics_frames import register_frames

    t = compute(register_frames(url), REGION, [PREVIOUS, PERIOD])

    def top(group: str, col: str):
        rows = t[group]
        return rows[(rows["level"] == 0) & (rows["period"] == PERIOD)][col].iloc[0]

    def count(v) -> str:
        v = int(v)
        return "—" if 0 < v < 5 else f"{v:,}"   # held back; the legend says why

    out = {"received": count(top("intake", "received")), "decided": count(top("clearance", "decided")),
           "tolerated": count(top("outcomes", "tolerated"))}
    # the rate only where ftlib.privacy lets the page give the determinations beside the tolerated
    from ftlib.privacy import may_publish, outcome_figures

    o = t["outcomes"]
    row = o[(o["level"] == 0) & (o["period"] == PERIOD)]
    n, tol, rate = top("outcomes", "determinations"), top("outcomes", "tolerated"), top("outcomes", "tolerance_rate")
    given = bool(outcome_figures(row, 5)["determinations"].iloc[0])
    if not np.isnan(rate):
        out["tolerance_rate"] = f"{100 * rate:.1f}%" if given and may_publish("rate", rate, num=tol, den=n) else "—"
    return out


def test_index_and_report_dashboard(served, browser):
    base, url, _ = served
    page = browser.new_page(viewport={"width": 1300, "height": 1600})
    outside: list[str] = []
    page.route(lambda u: urlparse(u).hostname not in ("127.0.0.1", None),
               lambda route: (outside.append(route.request.url), route.abort()))

    page.goto(base + "voila/render/index.ipynb", timeout=120_000)
    link = page.locator("a.ftlib-report").first
    link.wait_for(timeout=120_000)
    zh = page.locator(".ftlib-body[data-lang='zh']")
    assert zh.locator("table.ftlib-index").inner_text().count(PERIOD) >= 1
    assert not page.locator(".ftlib-body[data-lang='en']").is_visible()
    # what a leader reads: the banner, the stamp, the regions without any tolerance decision
    assert "合成数据 / synthetic data" in zh.locator(".ftlib-banner").inner_text()
    assert zh.locator(".ftlib-asof").inner_text().startswith("数据截至 20")
    flagged = zh.locator("tr.ftlib-flagged th").all_inner_texts()
    assert any("示例省临渊市" in f and "近四个季度无容错决定" in f for f in flagged), flagged
    assert "示例省临渊市" in zh.locator(".ftlib-flags").inner_text()
    assert "湖北" not in page.content()           # the sample's regions are all fictional
    assert zh.locator(".ftlib-overview svg.ftlib-spark").count() >= 1
    assert "三个区分开来" in zh.locator(".ftlib-glossary").inner_text()
    page.screenshot(path=str(ARTIFACTS / "dashboard_index_zh.png"), full_page=True)
    # the overview sorts by a clicked column (inline script, nothing fetched): applications, descending
    table = zh.locator("table.ftlib-overview")
    header = table.locator("tr").first.locator("th").nth(1)
    header.click()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    cells = [c for c in table.locator("td[data-metric='applications']").all_inner_texts() if c.strip() not in ("—", "")]
    numbers = [int(c.replace(",", "")) for c in cells]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) >= 2, cells
    assert "工具" in zh.locator(".ftlib-apps").inner_text()  # the interactive tools are listed
    page.locator(".ftlib-lang label", has_text="English").first.click()
    en = page.locator(".ftlib-body[data-lang='en']")
    assert "Synthetic data" in en.locator(".ftlib-banner").inner_text()
    assert en.locator(".ftlib-asof").inner_text().startswith("Data as of 20")
    assert "no tolerance decision" in " ".join(en.locator("tr.ftlib-flagged th").all_inner_texts())
    page.screenshot(path=str(ARTIFACTS / "dashboard_index_en.png"), full_page=True)
    # the language goes with the reader: the English link opens the report in English
    # (Voilà opens links of an output in a new tab)
    with page.expect_popup() as popup:
        en.locator("a.ftlib-report", has_text=PERIOD).first.click()
    report = popup.value
    report.route(lambda u: urlparse(u).hostname not in ("127.0.0.1", None),
                 lambda route: (outside.append(route.request.url), route.abort()))
    charts_drawn(report, "en")
    assert report.locator(".ftlib-body[data-lang='en']").is_visible()
    assert not report.locator(".ftlib-body[data-lang='zh']").is_visible()
    assert report.locator(".ftlib-body[data-lang='en'] .ftlib-asof").inner_text().startswith("Data as of")
    report.close()

    page.goto(base + f"voila/render/report_{REGION}_{PERIOD}.ipynb", timeout=120_000)
    # wait until the report with its charts is on the page
    charts_drawn(page, "zh")
    zh = page.locator(".ftlib-body[data-lang='zh']")
    shown = {k: zh.locator(f".ftlib-figure[data-metric='{k}']").inner_text().strip() for k in expected_headline(url)}
    assert shown == expected_headline(url)
    assert "受理件数" in zh.locator("table.ftlib-headline").inner_text()
    assert "Traceback" not in page.content()
    assert "合成数据" in zh.locator(".ftlib-banner").inner_text() and "数据截至" in zh.locator(".ftlib-asof").inner_text()
    assert "— 表示不予公布" in zh.locator(".ftlib-legend").inner_text()
    assert "<5*" not in zh.inner_text()
    # no chart carries a placeholder axis title ("y") where a title belongs
    assert zh.locator("svg text", has_text="y").evaluate_all(
        "els => els.filter(e => e.textContent.trim() === 'y').length") == 0
    assert "容错" in zh.locator(".ftlib-glossary").inner_text()
    _sub_regions_sort(zh)
    page.screenshot(path=str(ARTIFACTS / "dashboard_report_zh.png"), full_page=True)

    page.locator(".ftlib-lang label", has_text="English").click()
    charts_drawn(page, "en")
    en = page.locator(".ftlib-body[data-lang='en']")
    assert en.is_visible() and not zh.is_visible()
    assert "cases received" in en.locator("table.ftlib-headline").inner_text()
    assert {k: en.locator(f".ftlib-figure[data-metric='{k}']").inner_text().strip()
            for k in expected_headline(url)} == expected_headline(url)
    page.screenshot(path=str(ARTIFACTS / "dashboard_report_en.png"), full_page=True)
    assert outside == [], sorted(set(outside))


def _sub_regions_sort(body) -> None:
    """Clicking the sub-region table's "received" header twice sorts its rows by that count,
    largest first ("<5" just under 5, held-back "—" last), and the total row stays at the bottom."""
    table = body.locator("table.ftlib-sortable").first
    header = table.locator("thead tr").first.locator("th").nth(1)
    header.click()
    header.click()
    assert header.get_attribute("aria-sort") == "descending"

    def key(text: str) -> float:
        text = text.strip()
        return -1.0 if text in ("—", "") else (float(text[1:]) - 0.5 if text.startswith("<") else float(text.replace(",", "")))

    cells = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.children[1].innerText)")
    assert len(cells) >= 2 and [key(c) for c in cells] == sorted((key(c) for c in cells), reverse=True), cells
    assert table.locator("tfoot tr th").inner_text().strip() in ("合计", "Total")


def test_bad_parameters_fail_clearly(served, tmp_path):
    _, url, _ = served
    env = {"FTLIB_DATABASE_URL": url}
    r = run_cli("report", "--region", "CN-NOPE", "--period", PERIOD, "--out", str(tmp_path), env=env)
    assert r.returncode == 2 and "CN-NOPE" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("report", "--region", REGION, "--period", "2025-06-30..2025-01-01", "--out", str(tmp_path), env=env)
    assert r.returncode == 2 and "ends" in r.stderr and "Traceback" not in r.stderr


def test_static_html_opens_offline_with_charts(served, browser):
    _, url, out = served
    page = browser.new_page(viewport={"width": 1300, "height": 1600})
    requests: list[str] = []
    page.route("**/*", lambda route: (requests.append(route.request.url),
                                      route.continue_() if route.request.url.startswith("file://") else route.abort()))
    page.goto((out / "html" / f"report_{REGION}_{PERIOD}.html").as_uri())
    page.wait_for_function(COUNT % "zh" + " >= 1", timeout=60_000)
    # printing draws every chart of the language shown first (no chart missing on paper)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_function(DRAWN % "zh", timeout=60_000)
    assert page.evaluate(COUNT % "en") == 0
    zh = page.locator(".ftlib-body[data-lang='zh']")
    assert {k: zh.locator(f".ftlib-figure[data-metric='{k}']").inner_text().strip()
            for k in expected_headline(url)} == expected_headline(url)
    page.locator(".ftlib-lang label", has_text="English").click()
    charts_drawn(page, "en")
    _sub_regions_sort(page.locator(".ftlib-body[data-lang='en']"))  # the same script in the static file
    page.screenshot(path=str(ARTIFACTS / "static_report_en.png"), full_page=True)
    assert [u for u in requests if not u.startswith("file://")] == []
