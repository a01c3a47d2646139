"""The index overview on a register small enough to work out by hand.

Region R with sub-regions A, B, C; every case received in January 2025 and decided in February:
R itself: 5 cadre applications, exempted; A: 6 cadre applications, exempted; B: 2 cadre
applications, exempted; C: 7 ex officio cases, not tolerated. So over the last four quarters
(2024Q2–2025Q1): applications R 13, A 6, B 2 (below 5: held back; R's own 5 are an unknown of
the sum, so B can only be narrowed to 1..4 — wide enough), C 0; tolerance decisions likewise
R 13, A 6, B held back, C 0; determinations R 20, so the tolerated share of R is 13/20 = 65.0 %
(the rest, 7, is not small), of A 6/6 = 100.0 %, of C 0/7 = 0.0 %, of B held back. No stage
carries a time limit: time limits kept is "n/a" everywhere. C made no tolerance decision: it
alone is flagged. Trends: 8 quarters, zero but for 2025Q1; B's line is held back (2 < 5).
"""

import pandas as pd
import pytest

from ftlib.metrics import RegisterFrames


def frames(meta=None) -> RegisterFrames:
    rows = []
    for region, n, channel, outcome in (("R", 5, "cadre_application", "exempt"),
                                        ("A", 6, "cadre_application", "exempt"), ("B", 2, "cadre_application", "exempt"),
                                        ("C", 7, "ex_officio", "not_tolerated")):
        for i in range(n):
            rows.append({"case_id": f"{region}{i}", "region": region, "cadre_id": f"P-{region}{i}", "channel": channel,
                         "received": pd.Timestamp("2025-01-10"), "decided": pd.Timestamp("2025-02-10"),
                         "outcome": outcome, "recommended": outcome, "decision_body": "standing_committee",
                         "departure_reason": None, "rank": "county", "top_leader": False, "exante_registered": False})
    regions = pd.DataFrame({"code": ["R", "A", "B", "C"], "parent": [None, "R", "R", "R"],
                            "name_zh": ["甲省", "乙市", "丙市", "丁市"], "name_en": ["Jia", "Yi", "Bing", "Ding"]})
    return RegisterFrames(cases=pd.DataFrame(rows), regions=regions, meta=meta or {})


@pytest.fixture(scope="module")
def ov():
    from ftlib.reports.overview import build_overview

    return build_overview(frames({"synthetic": True, "snapshot_at": "2026-01-05T09:30"}), k=5)


def by_code(ov):
    return {r["code"]: r for r in ov.rows}


def test_figures_are_worked_out_and_small_ones_held_back(ov):
    r = by_code(ov)
    assert ov.root == "R" and ov.window.label == "2024Q2–2025Q1"
    assert [r[c]["figures"]["applications"] for c in "RABC"] == [13, 6, None, 0]
    assert [r[c]["figures"]["tolerated"] for c in "RABC"] == [13, 6, None, 0]
    assert r["R"]["figures"]["tolerated_share"] == pytest.approx(13 / 20)
    assert r["A"]["figures"]["tolerated_share"] == 1.0 and r["C"]["figures"]["tolerated_share"] == 0.0
    assert r["B"]["figures"]["tolerated_share"] is None
    assert all(pd.isna(r[c]["figures"]["time_limits_kept"]) for c in "RABC")
    assert ov.flagged == ["C"]


def test_trend_lines_hold_back_small_quarters(ov):
    r = by_code(ov)
    assert len(ov.quarters) == 8 and ov.quarters[-1] == "2025Q1"
    assert r["R"]["trends"]["received"] == [0] * 7 + [20]
    assert r["A"]["trends"]["received"] == [0] * 7 + [6]
    assert r["C"]["trends"]["received"] == [0] * 7 + [7]
    assert r["B"]["trends"]["received"] is None


def test_page_reads_like_a_dashboard(ov):
    from ftlib.reports.index import page_html

    manifest = [{"name": "report_R_2025Q1", "region": "R", "period": "2025Q1", "ok": True, "error": "", "html": ""}]
    page = page_html(ov, manifest)
    zh, en = page.split("<div class='ftlib-body' data-lang='en'")
    assert "合成数据 / synthetic data" in zh and "数据截至 2026-01-05 09:30" in zh
    assert "Synthetic data / 合成数据" in en and "Data as of 2026-01-05 09:30" in en
    assert "近四个季度未作出任何容错决定的地区（1 个）：丁市。" in zh
    assert "<tr data-region='C' class=ftlib-flagged>" in zh
    assert "65.0%" in zh and "<td data-metric='applications'>—</td>" in zh and "— 表示不予公布" in zh
    assert "<svg class='ftlib-spark'" in zh and "2025Q1: 20" in zh
    assert "report_R_2025Q1.ipynb?lang=zh" in zh and "report_R_2025Q1.ipynb?lang=en" in en
    assert "容错" in zh and "免责" in zh and "减责" in zh and "纠错" in zh and "报备" in zh  # the glossary


def test_no_banner_for_a_real_register():
    from ftlib.reports.index import stamp_html

    assert "ftlib-banner" not in stamp_html({"synthetic": False, "snapshot_at": "2026-01-05T09:30"}, "zh")
    assert "ftlib-banner" in stamp_html({"synthetic": True}, "en")
