"""Charts: aggregated data only, zh/en labels, small counts kept out, offline set-up and PNG/SVG export."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pytest

from ftlib import charts
from ftlib.metrics import compute, quarter_range
from ftlib.metrics.synthetic import synthetic

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def tables():
    return compute(synthetic(6000, n_regions=30, seed=4), "CN-SY", quarter_range("2024Q1", "2025Q4"))


def _data_rows(chart) -> list[dict]:
    return [r for rows in chart.to_dict().get("datasets", {}).values() for r in rows]


def test_one_chart_per_group_and_only_aggregated_rows(tables):
    out = charts.all_charts(tables, "zh")
    assert {"intake", "clearance", "outcomes", "stages", "appeals", "agreement", "deadlines", "clarifications",
            "exante", "fairness", "careers"} <= set(out)
    n_agg = sum(len(t) for t in tables.values())
    for name, chart in out.items():
        charts.assert_aggregated(chart)
        rows = _data_rows(chart)
        assert rows, name
        text = json.dumps(rows, ensure_ascii=False)
        for field in ("case_id", "cadre_id", "departure_reason"):
            assert field not in text, (name, field)
        assert len(rows) < n_agg
    assert "损失已挽回" not in json.dumps(out["agreement"].to_dict(), ensure_ascii=False)


def test_assert_aggregated_rejects_case_rows():
    import pandas as pd
    bad = alt.Chart(pd.DataFrame({"case_id": [1], "x": [2]})).mark_point().encode(x="x:Q")
    with pytest.raises(ValueError, match="case_id"):
        charts.assert_aggregated(bad)


def test_labels_switch_language(tables):
    zh = json.dumps(charts.intake_chart(tables["intake"], "zh").to_dict(), ensure_ascii=False)
    en = json.dumps(charts.intake_chart(tables["intake"], "en").to_dict(), ensure_ascii=False)
    assert "受理情况" in zh and "干部申请" in zh and "Intake" not in zh
    assert "Intake" in en and "cadre application" in en and "干部申请" not in en
    fz = json.dumps(charts.fairness_chart(tables["fairness"], "zh").to_dict(), ensure_ascii=False)
    assert "非一把手" in fz and "职级" in fz and "乡科级" in fz


def test_colours_follow_the_measures_not_the_language(tables):
    """The pending-age bars: median first, 90th percentile second, in both languages (sorted by
    label, the colours would swap between zh and en)."""
    def colour_order(lang: str) -> list[str]:
        spec = charts.clearance_chart(tables["clearance"], lang).to_dict()
        return spec["hconcat"][1]["encoding"]["color"]["sort"]

    assert colour_order("zh") == ["未办结案件已用工作日（中位数）", "未办结案件已用工作日（第90百分位）"]
    assert colour_order("en")[0].startswith("age of pending cases (median")
    assert colour_order("en")[1].startswith("age of pending cases (90th")


def test_small_counts_are_not_drawn(tables):
    t = tables["intake"]
    chart = charts.intake_chart(t, "en", by="region", k=5)
    counts = [r["count"] for r in _data_rows(chart) if "count" in r]
    assert counts and all(c == 0 or c >= 5 for c in counts)
    big_k = charts.intake_chart(t, "en", by="region", k=10_000)
    assert all(r.get("count", 0) == 0 for r in _data_rows(big_k))
    raw = charts.intake_chart(t, "en", by="region", k=None)
    assert any(0 < r.get("count", 0) < 5 for r in _data_rows(raw)) or len(_data_rows(raw)) > len(counts)


def test_enable_offline_uses_the_jupyter_renderer():
    charts.enable_offline()
    assert alt.renderers.active == "jupyter"
    assert alt.renderers.options.get("offline") is True
    alt.renderers.enable("default")


def test_export_png_and_svg_with_cjk_fonts(tables):
    assert charts.register_fonts()
    out = charts.all_charts(tables, "zh")
    for name, chart in out.items():
        png = charts.export(chart, ARTIFACTS / f"{name}.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = charts.export(out["intake"], ARTIFACTS / "intake.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "受理情况" in svg
    charts.export(charts.all_charts(tables, "en")["fairness"], ARTIFACTS / "fairness_en.png")
    with pytest.raises(ValueError):
        charts.export(out["intake"], ARTIFACTS / "x.pdf")


def test_a_chart_with_every_value_hidden_says_so(tables):
    """Career shares over fewer than k=5 known cadres are not published; with all of them below
    k the chart is a sentence, not empty axes."""
    t = tables["careers"].copy()
    for col in ("evaluated_known", "promoted_known"):
        t[col] = 3
    for lang, words in (("zh", "没有可公布的数字"), ("en", "Nothing publishable")):
        spec = charts.careers_chart(t, lang).to_dict()
        assert words in json.dumps(spec, ensure_ascii=False)
        assert spec["mark"]["type"] == "text"


def test_report_specs_built_without_altair_are_the_specs_altair_builds():
    """Pages carry specs built as plain dicts (``charts.specs_only``), not through Altair's objects:
    for every chart of three of the sample register's reports — a prefecture with sub-regions
    (zh), one whose figures are all held back (en), a county in an earlier quarter (en) — the
    spec is the dict Altair's ``to_dict`` gives, dataset names included. They hold charts that
    hide values (subtitle, grey part) and charts with nothing to publish, so every form is compared."""
    from ftlib.period import parse_period
    from ftlib.reports.content import build_report
    from ftlib.reports.shared import SharedMetrics

    frames = synthetic(3000, 12, "2024Q1", 8, seed=3)     # the sample register of tests/test_reports.py
    shared = SharedMetrics(frames)
    seen = {"subtitle": 0, "grey": 0, "nothing": 0}
    n = 0
    for region, quarter, lang in (("CN-SY-P1", "2025Q1", "zh"), ("CN-SY-P2", "2025Q1", "en"),
                                  ("CN-SY-P1-C1", "2024Q3", "en")):
        report = build_report(frames, region, parse_period(quarter), lang, 5, shared)
        for make in (m for sec in report.sections for m in sec.chart_makers):
            with charts.specs_only():
                plain = make().to_dict()
            assert plain == make().to_dict(validate=False), (region, quarter, lang)
            text = json.dumps(plain, ensure_ascii=False)
            seen["subtitle"] += "subtitle" in text
            seen["grey"] += charts.HIDDEN_GREY in text
            seen["nothing"] += charts.L("text.nothing_published", lang) in text
            n += 1
    assert n == 3 * 9 and all(seen.values()), seen


def _layers(spec: dict):
    if "layer" in spec:
        yield spec
    for key in ("hconcat", "vconcat", "concat", "layer"):
        for sub in spec.get(key, []):
            yield from _layers(sub)


def test_no_bar_falls_short_of_its_total_unmarked():
    """Issue 13: a stacked chart whose cells are partly held back (the outcome chart hides small
    tolerated parts) still reaches its printed total — the held-back part is one grey segment
    named “未公布”/“not published” — and its subtitle says that values are held back."""
    from collections import defaultdict

    from ftlib.period import parse_period
    from ftlib.reports.content import build_report
    from ftlib.reports.shared import SharedMetrics

    frames = synthetic(3000, 12, "2024Q1", 8, seed=3)
    shared = SharedMetrics(frames)
    labels = grey = 0
    for region, quarter, lang in (("CN-SY-P1", "2025Q1", "zh"), ("CN-SY-P1-C1", "2024Q3", "en")):
        hidden = charts.L("column.hidden", lang)
        assert hidden == {"zh": "未公布", "en": "not published"}[lang]
        report = build_report(frames, region, parse_period(quarter), lang, 5, shared)
        for make in (m for sec in report.sections for m in sec.chart_makers):
            with charts.specs_only():
                spec = make().to_dict()
            for layer in _layers(spec):
                marks = {sub.get("mark", {}).get("type"): sub for sub in layer["layer"]}
                if not {"bar", "text"} <= set(marks) or "total" not in json.dumps(marks["text"]["encoding"]):
                    continue
                x = marks["bar"]["encoding"]["x"]["field"]
                measure = marks["bar"]["encoding"]["color"]["field"]
                reach: dict = defaultdict(float)
                for row in spec["datasets"][marks["bar"]["data"]["name"]]:
                    reach[row[x]] += row["count"]
                    if row[measure] == hidden:
                        grey += 1
                        assert charts.HIDDEN_GREY in json.dumps(marks["bar"]["encoding"]["color"]["scale"])
                        assert "subtitle" in json.dumps(spec["title"], ensure_ascii=False)
                for row in spec["datasets"][marks["text"]["data"]["name"]]:
                    labels += 1
                    assert reach[row[x]] == pytest.approx(row["total"]), (region, quarter, spec["title"], row)
    assert labels >= 10 and grey >= 1, (labels, grey)
