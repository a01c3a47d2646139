"""Report pieces without a browser: periods, published figures, parameter checks, the index,
and one papermill run of the template (good and bad parameters) on a synthetic register."""

import datetime as dt
import html
import json

import pytest

from ftlib.metrics.synthetic import synthetic
from ftlib.period import PeriodError, parse_period, quarters
from ftlib.reports.content import ReportError, build_report, fmt_value, headline_html
from ftlib.reports.index import index_html


def test_periods():
    q = parse_period("2025Q3")
    assert (q.start, q.end) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert q.previous().label == "2025Q2"
    assert parse_period("2024Q1").previous().label == "2023Q4"
    y = parse_period("2024")
    assert (y.start, y.end, y.previous().label) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31), "2023")
    r = parse_period("2025-01-10..2025-01-19")          # 10 days
    assert (r.previous().start, r.previous().end) == (dt.date(2024, 12, 31), dt.date(2025, 1, 9))
    with pytest.raises(PeriodError, match="ends"):
        parse_period("2025-06-30..2025-01-01")
    with pytest.raises(PeriodError, match="use 2025Q3"):
        parse_period("Q3 2025")
    assert [p.label for p in quarters(dt.date(2024, 11, 5), dt.date(2025, 4, 1))] == ["2024Q4", "2025Q1", "2025Q2"]


def test_published_figures_hide_small_counts_and_rates_over_them():
    from ftlib.reports.content import shown_text

    # what the reader sees: held back as "—" (the legend says why), nothing to compute apart
    show = lambda *a: shown_text(fmt_value(*a), "zh")  # noqa: E731
    assert show(3, "count", None, 5) == "—"
    assert show(0, "count", None, 5) == "0"              # zero identifies nobody
    assert show(1234, "count", None, 5) == "1,234"
    assert show(0.5, "rate", 4, 5) == "—"                # 2 of 4: not published
    assert show(0.5, "rate", 10, 5, 5) == "50.0%"        # 5 of 10
    assert show(float("nan"), "rate", 0, 5) == "无"
    assert shown_text(fmt_value(float("nan"), "rate", 0, 5), "en") == "n/a"


@pytest.fixture(scope="module")
def frames():
    return synthetic(3000, 12, "2024Q1", 8, seed=3)


def test_report_validates_parameters(frames):
    with pytest.raises(ReportError, match="CN-NOPE"):
        build_report(frames, "CN-NOPE", parse_period("2025Q1"))
    with pytest.raises(ReportError, match="lang"):
        build_report(frames, "CN-SY", parse_period("2025Q1"), lang="fr")


def test_report_headline_equals_metrics(frames):
    from ftlib.metrics import compute

    rep = build_report(frames, "CN-SY", parse_period("2025Q1"), "en", 5)
    t = compute(frames, "CN-SY", ["2024Q4", "2025Q1"])["intake"]
    received = int(t[(t.level == 0) & (t.period == "2025Q1")]["received"].iloc[0])
    row = rep.headline.set_index("key").loc["received"]
    assert row["value"] == f"{received:,}" and row["label"] == "cases received"
    assert "data-metric='received'" in headline_html(rep)
    assert len(rep.sections) == 7 and all(s.chart_makers for s in rep.sections)
    assert rep.summary  # at least the intake sentence


def test_index_links_reports_and_lists_failures():
    manifest = [{"name": "report_CN-DM_2025Q1", "region": "CN-DM", "period": "2025Q1", "ok": True, "error": "", "html": ""},
                {"name": "report_CN-DM_2025Q2", "region": "CN-DM", "period": "2025Q2", "ok": False,
                 "error": "region 'CN-DM': boom", "html": ""}]
    h = index_html(manifest, "en")
    assert 'href="report_CN-DM_2025Q1.ipynb?lang=en"' in h   # the reader's language goes with them
    assert "Reports that failed" in h and "boom" in h


def test_papermill_run_good_and_bad(tmp_path, frames):
    import pickle

    from ftlib.period import Period
    from ftlib.reports.runner import Job, run_reports

    snap = tmp_path / "frames.pickle"
    snap.write_bytes(pickle.dumps(frames))
    import ftlib.reports.data as data

    orig = data.save_snapshot
    data.save_snapshot = lambda path, url=None: snap   # the runner snapshots the register; use ours
    try:
        # one worker, so the good reports run in the kernel the failed ones used before them
        jobs = [Job("CN-NOPE", parse_period("2025Q1")), Job("CN-SY", parse_period("2025Q1")),
                Job("CN-SY", Period(dt.date(2025, 3, 1), dt.date(2025, 1, 1), "inverted")),
                Job("CN-SY", parse_period("2024Q4"))]
        results = {r.name: r for r in run_reports(jobs, tmp_path / "out", progress=False, workers=1)}
    finally:
        data.save_snapshot = orig
    assert results["report_CN-SY_2025Q1"].ok and results["report_CN-SY_2024Q4"].ok
    # each notebook shows its own report, not the one run before it in the same kernel
    for name, period in (("report_CN-SY_2025Q1", "2025Q1"), ("report_CN-SY_2024Q4", "2024Q4")):
        nb = json.loads((tmp_path / "out" / f"{name}.ipynb").read_text())
        shown = "".join(nb["cells"][-1]["outputs"][0]["data"]["text/html"])
        assert f"· {period}</h1>" in shown and shown.count("</h1>") == 2   # zh and en titles
    assert not results["report_CN-NOPE_2025Q1"].ok and "CN-NOPE" in results["report_CN-NOPE_2025Q1"].error
    assert not results["report_CN-SY_inverted"].ok and "ends before it starts" in results["report_CN-SY_inverted"].error
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(m["ok"] for m in manifest) == [False, False, True, True]
    assert (tmp_path / "out" / "index.ipynb").exists()
    index = (tmp_path / "out" / ".index.html").read_text()   # the overview the index dashboard shows
    assert "ftlib-overview" in index and "report_CN-SY_2025Q1.ipynb?lang=zh" in index


def test_page_holds_every_language_with_a_switch_and_chart_specs(frames):
    import re

    from ftlib.metrics import compute
    from ftlib.reports.page import build_page

    page = build_page(frames, "CN-SY", parse_period("2025Q1"), "zh", 5)
    # one body per language, Chinese checked first, English reachable by its label
    assert re.findall(r"class='ftlib-body' data-lang='(\w+)'", page) == ["zh", "en"]
    assert re.search(r"value='zh' checked", page) and not re.search(r"value='en' checked", page)
    assert ">English</label>" in page and ">中文</label>" in page
    zh, en = page.split("<div class='ftlib-body' data-lang='en'")
    # received, straight from the metrics, in both bodies
    t = compute(frames, "CN-SY", ["2024Q4", "2025Q1"])["intake"]
    received = f"{int(t[(t.level == 0) & (t.period == '2025Q1')]['received'].iloc[0]):,}"
    for body in (zh, en):
        assert re.search(rf"data-metric='received'>{re.escape(received)}<", body)
    # 9 charts a language, each the Vega-Lite spec build_report made (the browser draws it), its
    # title as the figure's label, nothing in its data that could end the script element early
    from ftlib.reports.chartjs import bundle_name
    from ftlib.reports.content import build_report

    spec_re = r"<figure class='ftlib-chart' role='img' aria-label='([^']*)'><div class='ftlib-vega'[^>]*></div>" \
              r"<script type='application/json' class='ftlib-spec'>(.*?)</script></figure>"
    for lang, body in (("zh", zh), ("en", en)):
        found = re.findall(spec_re, body)
        want = [s for sec in build_report(frames, "CN-SY", parse_period("2025Q1"), lang, 5).sections for s in sec.specs()]
        assert [json.loads(text) for _, text in found] == json.loads(json.dumps(want, default=str))
        assert len(found) == 9 and found[0][0] == html.escape(want[0]["title"])
    assert "case_id" not in page and "cadre_id" not in page
    assert "按季度趋势" in zh and "按季度趋势" not in en
    # two scripts, inline: the table sorter and the chart drawer, which loads the bundle from the
    # address the page names, relative (same origin); nothing else is fetched
    assert [t for t in re.findall(r"<script[^>]*>", page) if "application/json" not in t] == ["<script>"] * 2
    assert "window.ftlibSortable" in page and "W.ftlibCharts=" in page
    assert re.findall(r"data-ftlib-charts='([^']*)'", page) == ["../files/assets/" + bundle_name()]
    assert "http://" not in page.replace("http://www.w3.org", "")
    # the sub-region table sorts, its total row stays outside the sorted rows
    table = re.search(r"<table[^>]*ftlib-sortable[^>]*>.*?</table>", zh, re.S).group(0)
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    assert "<tfoot>" in table and "<th>合计</th>" in table.split("<tfoot>")[1] and "合计" not in body


def test_page_cache_is_keyed_on_parameters_and_snapshot(tmp_path, monkeypatch):
    import os

    from ftlib.reports import pagecache

    snap = tmp_path / "frames.pickle"
    monkeypatch.delenv("FTLIB_REPORT_FRAMES", raising=False)
    assert pagecache.page_path("CN-SY", "2025-01-01", "2025-03-31", "2025Q1", "zh", 5) is None  # nothing to key on
    monkeypatch.setenv("FTLIB_REPORT_FRAMES", str(snap))
    assert pagecache.page_path("CN-SY", "2025-01-01", "2025-03-31", "2025Q1", "zh", 5) is None  # snapshot missing
    snap.write_bytes(b"one")
    key = ("CN-SY", "2025-01-01", "2025-03-31", "2025Q1", "zh", 5)
    path = pagecache.page_path(*key)
    assert path.parent == tmp_path / ".pages"
    assert len({path, pagecache.page_path(*key[:5], 3), pagecache.page_path(*key[:4], "en", 5),
                pagecache.page_path("CN-SZ", *key[1:])}) == 4
    pagecache.write(path, "<p>page</p>")
    assert pagecache.read(path) == "<p>page</p>" and oct(path.stat().st_mode & 0o777) == "0o644"
    snap.write_bytes(b"a new snapshot")  # another report run: the old page is never read again
    os.utime(snap, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert pagecache.page_path(*key) != path and pagecache.read(pagecache.page_path(*key)) is None
    # Voilà started by hand in the dashboards folder: the snapshot there is found without the variable
    monkeypatch.delenv("FTLIB_REPORT_FRAMES")
    (tmp_path / "dash").mkdir()
    (tmp_path / "dash" / ".frames.pickle").write_bytes(b"snapshot")
    monkeypatch.chdir(tmp_path / "dash")
    assert pagecache.page_path(*key).parent == tmp_path / "dash" / ".pages"


def test_dashboard_shows_the_stored_page_without_recomputing(tmp_path, monkeypatch, frames, capsys):
    import pickle

    import ftlib.reports.dashboard as dashboard

    snap = tmp_path / "frames.pickle"
    snap.write_bytes(pickle.dumps(frames))
    monkeypatch.setenv("FTLIB_REPORT_FRAMES", str(snap))
    dashboard.report_app("CN-SY", "2025-01-01", "2025-03-31", "2025Q1", "zh", 5)   # the report run
    assert len(list((tmp_path / ".pages").glob("*.html"))) == 1

    def no_recompute(*a, **kw):
        raise AssertionError("the page was recomputed")

    monkeypatch.setattr(dashboard, "build", no_recompute)
    dashboard.report_app("CN-SY", "2025-01-01", "2025-03-31", "2025Q1", "zh", 5)   # a visit
    with pytest.raises(AssertionError, match="recomputed"):                        # other parameters
        dashboard.report_app("CN-SY", "2025-01-01", "2025-03-31", "2025Q1", "en", 5)


def test_dashboard_rejects_bad_parameters_with_one_message(monkeypatch, frames):
    import ftlib.reports.dashboard as dashboard

    monkeypatch.delenv("FTLIB_REPORT_FRAMES", raising=False)
    with pytest.raises(ReportError, match="ends before it starts"):
        dashboard.report_app("CN-SY", "2025-03-31", "2025-01-01", "", "zh", 5, frames=frames)
    with pytest.raises(ReportError, match="min_cell 'five'"):
        dashboard.report_app("CN-SY", "2025-01-01", "2025-03-31", "", "zh", "five", frames=frames)
    with pytest.raises(ReportError, match="YYYY-MM-DD"):
        dashboard.report_app("CN-SY", "2025-01", "2025-03-31", "", "zh", 5, frames=frames)


def _processes_in(folder) -> list[int]:
    """Processes whose working directory is ``folder`` (report workers' kernels start there)."""
    import os
    from pathlib import Path

    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.readlink(proc / "cwd") == str(folder):
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


def test_a_report_over_its_time_limit_is_stopped_and_reported(tmp_path, frames, monkeypatch):
    import pickle
    import time

    import ftlib.reports.data as data
    from ftlib.reports.runner import Job, run_reports

    snap = tmp_path / "frames.pickle"
    snap.write_bytes(pickle.dumps(frames))
    monkeypatch.setattr(data, "save_snapshot", lambda path, url=None: snap)
    out = tmp_path / "out"
    # a worker needs seconds to start its kernel: with a 1-second limit every attempt times out
    t0 = time.monotonic()
    [result] = run_reports([Job("CN-SY", parse_period("2025Q1"))], out, progress=False, timeout=1)
    assert not result.ok and result.error == "timed out after 1 s"
    assert time.monotonic() - t0 < 60
    deadline = time.monotonic() + 15           # the worker and its kernel are gone, not orphaned
    while _processes_in(out.resolve()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_in(out.resolve()) == []
    assert json.loads((out / "manifest.json").read_text())[0]["error"] == "timed out after 1 s"
