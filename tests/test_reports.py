"""Report pieces without a browser: periods, published figures, parameter checks, the index,
and one papermill run of the template (good and bad parameters) on a synthetic register."""

import datetime as dt
import json

import pytest

from ftlib.metrics.synthetic import synthetic
from ftlib.reports.content import ReportError, build_report, fmt_value, headline_html
from ftlib.reports.index import index_html
from ftlib.reports.period import PeriodError, parse_period, quarters


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
    assert fmt_value(3, "count", None, 5) == "<5"
    assert fmt_value(0, "count", None, 5) == "0"          # zero identifies nobody
    assert fmt_value(1234, "count", None, 5) == "1,234"
    assert fmt_value(0.5, "rate", 4, 5) == "<5*"           # 2 of 4: not published
    assert fmt_value(0.25, "rate", 8, 5) == "25.0%"
    assert fmt_value(float("nan"), "rate", 0, 5) == "—"


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
    assert 'href="report_CN-DM_2025Q1.ipynb"' in h
    assert "Reports that failed" in h and "boom" in h


def test_papermill_run_good_and_bad(tmp_path, frames):
    import pickle

    from ftlib.reports.period import Period
    from ftlib.reports.runner import Job, run_reports

    snap = tmp_path / "frames.pickle"
    snap.write_bytes(pickle.dumps(frames))
    import ftlib.reports.data as data

    orig = data.save_snapshot
    data.save_snapshot = lambda path, url=None: snap   # the runner snapshots the register; use ours
    try:
        jobs = [Job("CN-SY", parse_period("2025Q1")), Job("CN-NOPE", parse_period("2025Q1")),
                Job("CN-SY", Period(dt.date(2025, 3, 1), dt.date(2025, 1, 1), "inverted"))]
        results = {r.name: r for r in run_reports(jobs, tmp_path / "out", progress=False)}
    finally:
        data.save_snapshot = orig
    assert results["report_CN-SY_2025Q1"].ok
    assert not results["report_CN-NOPE_2025Q1"].ok and "CN-NOPE" in results["report_CN-NOPE_2025Q1"].error
    assert not results["report_CN-SY_inverted"].ok and "ends before it starts" in results["report_CN-SY_inverted"].error
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(m["ok"] for m in manifest) == [False, False, True]
    assert (tmp_path / "out" / "index.ipynb").exists()
