"""Metrics on a hand-worked fixture: every expected value below was computed by hand (see comments).

Regions: CN-DM (root) > CN-DM-BR > CN-DM-BR-HX, and CN-DM-XY (cadres, never a case).
Working days (official calendar, 2025): Qingming holiday Fri 4 Apr; Labour Day 1–5 May (make-up Sun 27 Apr);
Dragon Boat 31 May–2 Jun (Mon 2 Jun off). Durations count working days d with start < d <= end.

case own region channel     received   decided    wd  outcome        recommended    rank     top  ex-ante
C1   HX         cadre       2025-03-03 2025-03-17 10  exempt         exempt         township no   yes
C2   HX         unit        2025-03-03 2025-03-24 15  mitigated      exempt (dep.)  township yes  no
C3   BR         ex officio  2025-03-10 2025-03-12  2  not_tolerated  not_tolerated  county   no   no
C4   BR         cadre       2025-03-10 pending        -              -              county   no   no
C5   BR         cadre       2025-03-24 2025-04-08 10  exempt         exempt         county   yes  yes  (crosses Q1/Q2)
C6   CN-DM      unit        2025-04-07 2025-04-21 10  exempt         mitigated (dep., no reason) prefecture yes no
C7   HX         cadre       2025-04-14 2025-04-15  1  not_accepted   -              township no   no
C8   HX         ex officio  2025-05-06 pending        -              -              township no   no
C9   BR         unit        2024-12-16 2025-01-06 14  mitigated      mitigated      village  no   yes  (received before Q1)
C10  HX         cadre       2025-06-16 2025-06-23  5  out_of_scope   exempt (dep.)  township no   no

C5: (24 Mar, 8 Apr] = 25–28 Mar (4) + 31 Mar (1) + 1–3 Apr (3) + 7–8 Apr (2); 4 Apr is Qingming → 10.
C9: (16 Dec, 6 Jan] = 17–20 (4) + 23–27 (5) + 30–31 Dec (2) + 2–3 Jan (2) + 6 Jan (1); 1 Jan off → 14.
Working days in 2025Q2: April 22 (−4 Apr, +27 Apr), May 19 (−1, 2, 5 May), June 20 (−2 Jun) = 61.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from ftlib import workdays
from ftlib.metrics import GROUPS, FramesError, Metrics, RegisterFrames, compute, metric_label, quarter_range
from ftlib.metrics.stats import fisher_two_sided, hist_quantile

NaT = pd.NaT
D = pd.Timestamp
ROOT, BR, HX, XY = "CN-DM", "CN-DM-BR", "CN-DM-BR-HX", "CN-DM-XY"


def _cases() -> pd.DataFrame:
    rows = [
        ("C1", HX, "cadre_application", "2025-03-03", "2025-03-17", "exempt", "exempt", "standing_committee", None, "township", False, True),
        ("C2", HX, "unit_application", "2025-03-03", "2025-03-24", "mitigated", "exempt", "standing_committee", "损失未全部挽回", "township", True, False),
        ("C3", BR, "ex_officio", "2025-03-10", "2025-03-12", "not_tolerated", "not_tolerated", "standing_committee", None, "county", False, False),
        ("C4", BR, "cadre_application", "2025-03-10", None, None, None, None, None, "county", False, False),
        ("C5", BR, "cadre_application", "2025-03-24", "2025-04-08", "exempt", "exempt", "standing_committee", None, "county", True, True),
        ("C6", ROOT, "unit_application", "2025-04-07", "2025-04-21", "exempt", "mitigated", "joint_meeting", None, "prefecture", True, False),
        ("C7", HX, "cadre_application", "2025-04-14", "2025-04-15", "not_accepted", None, "standing_committee", None, "township", False, False),
        ("C8", HX, "ex_officio", "2025-05-06", None, None, None, None, None, "township", False, False),
        ("C9", BR, "unit_application", "2024-12-16", "2025-01-06", "mitigated", "mitigated", "standing_committee", None, "village", False, True),
        ("C10", HX, "cadre_application", "2025-06-16", "2025-06-23", "out_of_scope", "exempt", "standing_committee", "不属于容错情形", "township", False, False),
    ]
    df = pd.DataFrame(rows, columns=["case_id", "region", "channel", "received", "decided", "outcome", "recommended",
                                     "decision_body", "departure_reason", "rank", "top_leader", "exante_registered"])
    df["received"] = pd.to_datetime(df["received"])
    df["decided"] = pd.to_datetime(df["decided"])
    df["cadre_id"] = "P-" + df["case_id"]
    return df


def _dates(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        df[c] = pd.to_datetime(df[c])
    return df


@pytest.fixture(scope="module")
def frames() -> RegisterFrames:
    regions = pd.DataFrame({"code": [ROOT, BR, HX, XY], "parent": [None, ROOT, BR, ROOT],
                            "name_zh": ["东明市", "白龙区", "河西镇", "西阳县"],
                            "name_en": ["Dongming", "Bailong", "Hexi", "Xiyang"]})
    stages = _dates(pd.DataFrame([
        ("C1", "acceptance", "2025-03-03", "2025-03-04", 5),      # 1 wd, within
        ("C1", "investigation", "2025-03-04", "2025-03-14", 5),   # 5–7, 10–14 Mar = 8 wd > 5, late
        ("C4", "acceptance", "2025-03-10", "2025-03-11", 5),      # 1 wd, within
        ("C4", "investigation", "2025-03-11", None, 10),          # open; 14 wd at 31 Mar > 10: overdue (Q1 and Q2)
        ("C5", "investigation", "2025-03-25", "2025-04-03", 10),  # 26–28, 31 Mar, 1–3 Apr = 7 wd, within, finished Q2
        ("C8", "acceptance", "2025-05-06", None, None),           # open, no limit: never overdue
    ], columns=["case_id", "stage", "started", "finished", "limit_working_days"]), "started", "finished")
    stages["limit_working_days"] = stages["limit_working_days"].astype("Int64")
    appeals = _dates(pd.DataFrame([
        ("C2", "2025-04-01", "2025-04-29", True),
        ("C3", "2025-03-20", None, None),
    ], columns=["case_id", "filed", "decided", "overturned"]), "filed", "decided")
    corrections = _dates(pd.DataFrame([
        ("C1", "2025-03-31", "2025-03-28"),   # on time
        ("C2", "2025-03-31", "2025-04-02"),   # late; open and overdue at the end of Q1
        ("C9", "2025-06-30", None),           # not done: overdue at the end of Q2
        ("C5", "2025-07-15", None),           # due in Q3: counted nowhere
    ], columns=["case_id", "due", "completed"]), "due", "completed")
    followups = _dates(pd.DataFrame([
        ("C1", "2025-04-30", "2025-04-10"),   # on time
        ("C5", "2025-06-30", "2025-07-03"),   # late, overdue at the end of Q2
    ], columns=["case_id", "due", "visited"]), "due", "visited")
    clarifications = _dates(pd.DataFrame([
        (HX, "2025-03-03", "2025-03-10", "meeting", True),          # 5 wd
        (BR, "2025-03-17", "2025-03-31", "media", False),           # 10 wd
        (XY, "2025-03-24", None, None, None),                       # not cleared yet
        (HX, "2025-05-06", "2025-05-20", "written_notice", True),   # 7–9, 12–16, 19–20 May = 10 wd
    ], columns=["region", "accused_on", "cleared_on", "method", "accuser_referred"]), "accused_on", "cleared_on")
    registrations = _dates(pd.DataFrame([(HX, "2025-02-10"), (HX, "2025-02-20"), (BR, "2025-05-01")],
                                        columns=["region", "registered_on"]), "registered_on")
    headcount = pd.DataFrame({"region": [ROOT, BR, HX, XY], "year": [2025] * 4, "cadres": [200, 300, 500, 1000]})
    careers = _dates(pd.DataFrame([
        ("P-C1", "C1", "2025-06-30", True, True),
        ("P-C5", "C5", "2025-06-15", True, None),
        ("P-C9", "C9", "2025-05-01", False, False),
    ], columns=["cadre_id", "case_id", "impact_end", "evaluated_normally", "promoted"]), "impact_end")
    return RegisterFrames(cases=_cases(), regions=regions, stages=stages, appeals=appeals, corrections=corrections,
                          followups=followups, clarifications=clarifications, registrations=registrations,
                          headcount=headcount, careers=careers)


@pytest.fixture(scope="module")
def m(frames) -> Metrics:
    return Metrics(frames, ROOT, ["2025Q1", "2025Q2"])


def row(table: pd.DataFrame, region: str, period: str, **extra) -> pd.Series:
    sel = (table["region"] == region) & (table["period"] == period)
    for k, v in extra.items():
        sel &= table[k] == v
    assert sel.sum() == 1, (region, period, extra)
    return table.loc[sel].iloc[0]


def check(r: pd.Series, **expected) -> None:
    for k, v in expected.items():
        got = r[k]
        if isinstance(v, float) and math.isnan(v):
            assert pd.isna(got), (k, got)
        else:
            assert got == pytest.approx(v), (k, got, v)


# -- working days ------------------------------------------------------------------------------
def test_working_days_official_calendar_and_fallback():
    d = lambda *s: np.array(s, dtype="datetime64[D]")  # noqa: E731
    # Fri 26 Sep 2025 → Thu 9 Oct: Sun 28 Sep (make-up), Mon 29, Tue 30 Sep, 1–8 Oct off, Thu 9 Oct → 4
    assert workdays.elapsed(d("2025-09-26"), d("2025-10-09")).tolist() == [4.0]
    assert workdays.elapsed(d("2025-03-03"), d("2025-03-03")).tolist() == [0.0]
    # 2027 is beyond chinese_calendar's data: weekends only (Fri 1 Jan → Mon 4 Jan = 1)
    assert workdays.elapsed(d("2027-01-01"), d("2027-01-04")).tolist() == [1.0]
    assert np.isnan(workdays.elapsed(d("2025-01-01"), np.array(["NaT"], dtype="datetime64[D]"))[0])


def test_hist_quantile_matches_numpy_definition():
    h = np.zeros(12)
    h[[2, 3, 10, 11]] = 1
    assert hist_quantile(h, 0.5) == 6.5          # (3 + 10) / 2
    assert hist_quantile(h, 0.9) == pytest.approx(10.7)   # position 2.7: 10 + 0.7·1
    assert np.isnan(hist_quantile(np.zeros(3), 0.5))


def test_fisher_hand_values_and_scipy():
    # [[3,0],[0,3]]: P(a=3) = P(a=0) = 1/20 → 0.1; [[4,0],[0,4]]: 2/70; [[1,0],[0,1]]: 1.0
    p = fisher_two_sided([3, 4, 1], [0, 0, 0], [0, 0, 0], [3, 4, 1])
    assert p == pytest.approx([0.1, 2 / 70, 1.0])
    assert np.isnan(fisher_two_sided([1], [1], [0], [0])[0])   # second row empty: no test
    rng = np.random.default_rng(7)
    t = rng.integers(1, 40, size=(200, 4))
    ref = [scipy.stats.fisher_exact(x.reshape(2, 2)).pvalue for x in t]
    assert fisher_two_sided(*t.T) == pytest.approx(ref, rel=1e-9)


# -- structure -----------------------------------------------------------------------------------
def test_region_tree_and_periods(m):
    t = m.intake()
    assert list(t["region"].unique()) == [ROOT, BR, HX, XY]
    assert t.drop_duplicates("region")["level"].tolist() == [0, 1, 2, 1]
    assert len(t) == 4 * 2
    sub = Metrics(m.frames, BR, "2025Q1").intake()
    assert sub["region"].tolist() == [BR, HX]


def test_overlapping_periods_and_unknown_region_rejected(frames):
    with pytest.raises(FramesError, match="overlap"):
        Metrics(frames, ROOT, ["2025", "2025Q1"])
    with pytest.raises(FramesError, match="not in regions"):
        Metrics(frames, "CN-XX", "2025Q1")
    bad = _cases()
    bad.loc[0, "region"] = "CN-ZZ"
    with pytest.raises(FramesError, match="CN-ZZ"):
        RegisterFrames(cases=bad, regions=frames.regions)


# -- 1 intake --------------------------------------------------------------------------------------
def test_intake(m):
    t = m.intake()
    # Q1 received: C1 (HX cadre), C2 (HX unit), C3 (BR ex officio), C4, C5 (BR cadre); C9 was received in 2024
    check(row(t, HX, "2025Q1"), cadre_application=1, unit_application=1, ex_officio=0, received=2, cadres=500,
          per_1000_cadres=4.0, empty=False)
    check(row(t, BR, "2025Q1"), cadre_application=3, unit_application=1, ex_officio=1, received=5, cadres=800,
          per_1000_cadres=6.25)
    check(row(t, ROOT, "2025Q1"), received=5, cadres=2000, per_1000_cadres=2.5)
    # Q2: C6 (root, unit), C7 and C10 (HX cadre), C8 (HX ex officio)
    check(row(t, HX, "2025Q2"), cadre_application=2, unit_application=0, ex_officio=1, received=3, per_1000_cadres=6.0)
    check(row(t, ROOT, "2025Q2"), cadre_application=2, unit_application=1, ex_officio=1, received=4, per_1000_cadres=2.0)
    check(row(t, XY, "2025Q2"), received=0, cadres=1000, per_1000_cadres=0.0, empty=True)
    e = m.empty_regions()
    assert e[["region", "period"]].values.tolist() == [[XY, "2025Q1"], [XY, "2025Q2"]]


# -- 2 clearance and pending --------------------------------------------------------------------------
def test_clearance_and_pending_age(m):
    t = m.clearance()
    # Q1 decided: C1, C2 (HX), C3, C9 (BR) → 4; received 5 → 0.8. Pending 31 Mar: C4 (15 wd), C5 (5 wd)
    check(row(t, ROOT, "2025Q1"), received=5, decided=4, clearance_rate=0.8, pending_end=2,
          pending_age_median=10.0, pending_age_p90=14.0, pending_age_max=15)
    check(row(t, HX, "2025Q1"), received=2, decided=2, clearance_rate=1.0, pending_end=0,
          pending_age_median=float("nan"), pending_age_max=float("nan"))
    # Q2 decided: C5 (BR), C6 (root), C7, C10 (HX). Pending 30 Jun: C4 (15 + 61 = 76 wd), C8 (18 + 20 = 38 wd)
    check(row(t, ROOT, "2025Q2"), received=4, decided=4, clearance_rate=1.0, pending_end=2,
          pending_age_median=57.0, pending_age_p90=72.2, pending_age_max=76)
    check(row(t, BR, "2025Q2"), received=3, decided=3, clearance_rate=1.0)
    check(row(t, HX, "2025Q2"), received=3, decided=2, clearance_rate=2 / 3, pending_end=1,
          pending_age_median=38.0, pending_age_max=38)
    check(row(t, XY, "2025Q1"), received=0, decided=0, clearance_rate=float("nan"), pending_end=0)


def test_empty_and_all_pending_periods(frames):
    t = Metrics(frames, ROOT, "2023Q1").all()
    check(row(t["clearance"], ROOT, "2023Q1"), received=0, decided=0, clearance_rate=float("nan"), pending_end=0)
    check(row(t["outcomes"], ROOT, "2023Q1"), determinations=0, tolerance_rate=float("nan"),
          days_median=float("nan"))
    check(row(t["intake"], ROOT, "2023Q1"), received=0, cadres=0, per_1000_cadres=float("nan"), empty=False)
    # May 2025: C8 received, nothing decided; pending on 31 May: C4 (15 + 22 + 19 = 56 wd), C8 (18 wd)
    may = Metrics(frames, ROOT, "2025-05").all()
    check(row(may["clearance"], ROOT, "2025-05"), received=1, decided=0, clearance_rate=0.0, pending_end=2,
          pending_age_median=37.0, pending_age_max=56)
    check(row(may["outcomes"], ROOT, "2025-05"), determinations=0, tolerance_rate=float("nan"))
    check(row(may["agreement"], ROOT, "2025-05"), compared=0, agreement_rate=float("nan"))


# -- 3 outcomes -----------------------------------------------------------------------------------------
def test_outcomes_and_time_to_decision(m):
    t = m.outcomes()
    # BR Q1: C1 exempt (10), C2 mitigated (15), C3 not_tolerated (2), C9 mitigated (14)
    # days sorted 2, 10, 14, 15: median 12, p90 at position 2.7 → 14 + 0.7 = 14.7
    check(row(t, BR, "2025Q1"), exempt=1, mitigated=2, not_tolerated=1, out_of_scope=0, determinations=4,
          tolerated=3, tolerance_rate=0.75, days_median=12.0, days_p90=14.7)
    check(row(t, HX, "2025Q1"), exempt=1, mitigated=1, determinations=2, tolerance_rate=1.0,
          days_median=12.5, days_p90=14.5)
    # Q2: C5 exempt (BR, 10), C6 exempt (root, 10), C7 not accepted (no determination), C10 out_of_scope (HX, 5)
    check(row(t, HX, "2025Q2"), out_of_scope=1, not_accepted=1, determinations=1, tolerance_rate=0.0,
          days_median=5.0, days_p90=5.0)
    check(row(t, BR, "2025Q2"), exempt=1, determinations=2, tolerance_rate=0.5, days_median=7.5, days_p90=9.5)
    check(row(t, ROOT, "2025Q2"), exempt=2, out_of_scope=1, not_accepted=1, determinations=3,
          tolerance_rate=2 / 3, days_median=10.0, days_p90=10.0)


# -- 4 stages ----------------------------------------------------------------------------------------------
def test_stages_within_time_limit(m):
    t = m.stages()
    assert list(t["stage"].unique()) == ["acceptance", "investigation"]
    check(row(t, HX, "2025Q1", stage="acceptance"), finished=1, with_limit=1, within_limit=1, share_within_limit=1.0)
    check(row(t, HX, "2025Q1", stage="investigation"), finished=1, within_limit=0, share_within_limit=0.0,
          open_overdue=0)
    check(row(t, BR, "2025Q1", stage="acceptance"), finished=2, within_limit=2, share_within_limit=1.0)
    check(row(t, BR, "2025Q1", stage="investigation"), finished=1, within_limit=0, open_overdue=1)
    check(row(t, BR, "2025Q2", stage="investigation"), finished=1, within_limit=1, share_within_limit=1.0,
          open_overdue=1)
    check(row(t, HX, "2025Q2", stage="acceptance"), finished=0, share_within_limit=float("nan"), open_overdue=0)


# -- 5 appeals ------------------------------------------------------------------------------------------
def test_appeals(m):
    t = m.appeals()
    # Q1 determinations C1, C2, C3, C9; appealed: C2 (HX), C3 (BR). Appeal on C3 filed in Q1, on C2 filed Q2
    check(row(t, ROOT, "2025Q1"), determinations=4, appealed=2, appeal_rate=0.5, appeals_filed=1,
          appeals_decided=0, overturn_rate=float("nan"))
    check(row(t, HX, "2025Q1"), determinations=2, appealed=1, appeal_rate=0.5, appeals_filed=0)
    check(row(t, HX, "2025Q2"), determinations=1, appealed=0, appeal_rate=0.0, appeals_filed=1,
          appeals_decided=1, overturned=1, overturn_rate=1.0)
    check(row(t, ROOT, "2025Q2"), determinations=3, appealed=0, appeals_decided=1, overturned=1)


# -- 6 agreement ---------------------------------------------------------------------------------------
def test_agreement_and_departures(m):
    t = m.agreement()
    check(row(t, ROOT, "2025Q1"), compared=4, agreed=3, agreement_rate=0.75, departures=1, departures_without_reason=0)
    check(row(t, HX, "2025Q1"), compared=2, agreed=1, agreement_rate=0.5)
    # Q2: C5 agrees; C6 departs without a reason (root); C10 departs (HX); C7 has no recommendation
    check(row(t, ROOT, "2025Q2"), compared=3, agreed=1, agreement_rate=1 / 3, departures=2,
          departures_without_reason=1)
    check(row(t, BR, "2025Q2"), compared=2, agreed=1, agreement_rate=0.5, departures=1)
    d = m.departures()
    root_q2 = d[(d["region"] == ROOT) & (d["period"] == "2025Q2")]
    assert root_q2[["decision_body", "recommended", "outcome", "departure_reason", "cases"]].values.tolist() == [
        ["joint_meeting", "mitigated", "exempt", "", 1],
        ["standing_committee", "exempt", "out_of_scope", "不属于容错情形", 1],
    ]
    hx_q1 = d[(d["region"] == HX) & (d["period"] == "2025Q1")]
    assert hx_q1["departure_reason"].tolist() == ["损失未全部挽回"]


# -- 7 corrections, follow-ups, clarifications ---------------------------------------------------------
def test_corrections_and_followups(m):
    c = m.corrections()
    check(row(c, HX, "2025Q1"), due=2, on_time=1, on_time_rate=0.5, overdue_open=1)
    check(row(c, HX, "2025Q2"), due=0, on_time_rate=float("nan"), overdue_open=0)
    check(row(c, BR, "2025Q2"), due=1, on_time=0, on_time_rate=0.0, overdue_open=1)
    check(row(c, ROOT, "2025Q1"), due=2, on_time=1, overdue_open=1)
    f = m.followups()
    check(row(f, HX, "2025Q2"), due=1, on_time=1, on_time_rate=1.0, overdue_open=0)
    check(row(f, BR, "2025Q2"), due=2, on_time=1, on_time_rate=0.5, overdue_open=1)


def test_clarifications(m):
    t = m.clarifications()
    check(row(t, HX, "2025Q1"), accusations=1, cleared=1, days_median=5.0, accusers_referred=1, method_meeting=1)
    check(row(t, BR, "2025Q1"), accusations=2, cleared=2, days_median=7.5, days_p90=9.5, accusers_referred=1,
          method_meeting=1, method_media=1)
    check(row(t, XY, "2025Q1"), accusations=1, cleared=0, days_median=float("nan"))
    check(row(t, ROOT, "2025Q1"), accusations=3, cleared=2)
    check(row(t, HX, "2025Q2"), accusations=1, cleared=1, days_median=10.0, method_written_notice=1)


# -- 8 ex-ante -------------------------------------------------------------------------------------------
def test_exante(m):
    t = m.exante()
    # Q1: with registration C1 (exempt), C9 (mitigated); without: C2 (mitigated), C3 (not tolerated)
    check(row(t, BR, "2025Q1"), registrations=2, with_determinations=2, with_tolerated=2, with_tolerance_rate=1.0,
          without_determinations=2, without_tolerated=1, without_tolerance_rate=0.5)
    check(row(t, HX, "2025Q1"), registrations=2, with_tolerance_rate=1.0, without_tolerance_rate=1.0)
    # Q2: with C5 (exempt); without C6 (exempt), C10 (out of scope)
    check(row(t, ROOT, "2025Q2"), registrations=1, with_determinations=1, with_tolerance_rate=1.0,
          without_determinations=2, without_tolerance_rate=0.5)
    check(row(t, HX, "2025Q2"), registrations=0, with_determinations=0, with_tolerance_rate=float("nan"),
          without_tolerance_rate=0.0)


# -- 9 fairness ------------------------------------------------------------------------------------------
def test_fairness_on_fixture(m):
    t = m.fairness()
    # recommended exempt, decided Q1: C1 (township, not top, exempted), C2 (township, top, not exempted)
    r = row(t, ROOT, "2025Q1", dimension="top_leader", group=True)
    check(r, recommended_exempt=1, exempted=0, exemption_rate=0.0, p_value=1.0)   # [[0,1],[1,0]] → 1.0
    check(row(t, ROOT, "2025Q1", dimension="top_leader", group=False), exempted=1, exemption_rate=1.0)
    # township vs the rest: the rest is empty → no test
    check(row(t, ROOT, "2025Q1", dimension="rank", group="township"), recommended_exempt=2, exempted=1,
          exemption_rate=0.5, p_value=float("nan"))
    # Q2: C5 (county, top, exempted), C10 (township, not top, out of scope)
    check(row(t, ROOT, "2025Q2", dimension="rank", group="county"), recommended_exempt=1, exempted=1, p_value=1.0)
    check(row(t, ROOT, "2025Q2", dimension="rank", group="village"), recommended_exempt=0,
          exemption_rate=float("nan"), p_value=float("nan"))


def test_fairness_small_stove():
    # 8 cases recommended exempt: the 4 top leaders all exempted, the 4 others none → [[4,0],[0,4]], p = 2/70
    n = 8
    cases = pd.DataFrame({
        "case_id": range(n), "region": "CN-X", "cadre_id": [f"P{i}" for i in range(n)],
        "channel": "cadre_application", "received": D("2025-01-06"), "decided": D("2025-02-10"),
        "outcome": ["exempt"] * 4 + ["mitigated"] * 4, "recommended": "exempt", "decision_body": "sc",
        "departure_reason": [None] * 4 + ["x"] * 4, "rank": "county", "top_leader": [True] * 4 + [False] * 4,
        "exante_registered": False})
    regions = pd.DataFrame({"code": ["CN-X"], "parent": [None], "name_zh": ["甲"], "name_en": ["X"]})
    t = compute(RegisterFrames(cases=cases, regions=regions), "CN-X", "2025Q1", groups=["fairness"])["fairness"]
    check(row(t, "CN-X", "2025Q1", dimension="top_leader", group=True), recommended_exempt=4, exempted=4,
          exemption_rate=1.0, p_value=2 / 70)
    check(row(t, "CN-X", "2025Q1", dimension="top_leader", group=False), exemption_rate=0.0, p_value=2 / 70)


# -- 10 careers ------------------------------------------------------------------------------------------
def test_careers(m):
    t = m.careers()
    # impact ended in Q2: P-C1 (HX; evaluated, promoted), P-C5 (BR; evaluated, promotion unknown),
    # P-C9 (BR; not evaluated normally, not promoted)
    check(row(t, HX, "2025Q2"), impact_ended=1, evaluated_known=1, evaluated_normally=1, evaluated_share=1.0,
          promoted_known=1, promoted=1, promoted_share=1.0)
    check(row(t, BR, "2025Q2"), impact_ended=3, evaluated_known=3, evaluated_normally=2, evaluated_share=2 / 3,
          promoted_known=2, promoted=1, promoted_share=0.5)
    check(row(t, BR, "2025Q1"), impact_ended=0, evaluated_share=float("nan"))


# -- catalogue ---------------------------------------------------------------------------------------------
def test_compute_returns_every_group_with_labels(frames):
    out = compute(frames, ROOT, quarter_range("2025Q1", "2025Q2"))
    assert list(out) == list(GROUPS)
    for name, table in out.items():
        assert metric_label(f"group.{name}", "zh") != name
        assert {"region", "period"} <= set(table.columns)
        assert not {"case_id", "cadre_id"} & set(table.columns)
    with pytest.raises(FramesError, match="unknown metric group"):
        compute(frames, ROOT, "2025Q1", groups=["nope"])


def test_frames_contract_is_checked(frames):
    with pytest.raises(FramesError, match="missing column"):
        RegisterFrames(cases=_cases().drop(columns="channel"), regions=frames.regions)
    bad = _cases()
    bad.loc[0, "outcome"] = "pardoned"
    with pytest.raises(FramesError, match="pardoned"):
        RegisterFrames(cases=bad, regions=frames.regions)
    bad = _cases()
    bad.loc[0, "decided"] = D("2025-01-01")
    with pytest.raises(FramesError, match="before they were received"):
        Metrics(RegisterFrames(cases=bad, regions=frames.regions), ROOT, "2025Q1")


def test_region_column_shortcut_gives_same_result(frames):
    stages = frames.stages.merge(frames.cases[["case_id", "region"]], on="case_id")
    fast = RegisterFrames(cases=frames.cases, regions=frames.regions, stages=stages)
    a = Metrics(fast, ROOT, ["2025Q1", "2025Q2"]).stages()
    b = Metrics(frames, ROOT, ["2025Q1", "2025Q2"]).stages()
    pd.testing.assert_frame_equal(a, b)



def test_overdue_spans_match_a_direct_count():
    from ftlib.metrics.synthetic import synthetic
    f = synthetic(3000, n_regions=12, first_quarter="2024Q1", n_quarters=8, seed=2)
    m = Metrics(f, "CN-SY", quarter_range("2024Q1", "2025Q4"))
    c, st = m.corrections(), m.stages()
    due, done = f.corrections["due"], f.corrections["completed"]
    s_start, fin, lim = f.stages["started"], f.stages["finished"], f.stages["limit_working_days"]
    for p in m.periods:
        end = pd.Timestamp(p.end)
        direct = int(((due <= end) & ~(done <= end)).sum())
        assert row(c, "CN-SY", p.label)["overdue_open"] == direct
        el = workdays.elapsed(s_start, np.full(len(s_start), np.datetime64(p.end, "D")))
        open_late = (s_start <= end) & ~(fin <= end) & (el > lim)
        assert st.loc[(st["region"] == "CN-SY") & (st["period"] == p.label), "open_overdue"].sum() == open_late.sum()


def test_fairness_adjusts_p_values_over_the_ranks():
    """County cadres: 4 recommended, 4 exempted; township: 4 recommended, none exempted; no other
    rank. County vs rest and township vs rest are both [[4,0],[0,4]]: p = 2/70 each. Holm over
    the two ranks with a test (the three empty ranks have none): the smaller p × 2, the next × 1,
    then the running maximum → 4/70 for both. Top leader: one 2×2 test, left unadjusted."""
    n = 8
    cases = pd.DataFrame({
        "case_id": range(n), "region": "CN-X", "cadre_id": [f"P{i}" for i in range(n)],
        "channel": "cadre_application", "received": D("2025-01-06"), "decided": D("2025-02-10"),
        "outcome": ["exempt"] * 4 + ["mitigated"] * 4, "recommended": "exempt", "decision_body": "sc",
        "departure_reason": [None] * 4 + ["x"] * 4, "rank": ["county"] * 4 + ["township"] * 4,
        "top_leader": [True, False] * 4, "exante_registered": False})
    regions = pd.DataFrame({"code": ["CN-X"], "parent": [None], "name_zh": ["甲"], "name_en": ["X"]})
    t = compute(RegisterFrames(cases=cases, regions=regions), "CN-X", "2025Q1", groups=["fairness"])["fairness"]
    for rank in ("county", "township"):
        check(row(t, "CN-X", "2025Q1", dimension="rank", group=rank), p_value=2 / 70, p_adjusted=4 / 70)
    for rank in ("village", "prefecture", "province"):
        check(row(t, "CN-X", "2025Q1", dimension="rank", group=rank), p_value=float("nan"), p_adjusted=float("nan"))
    # top leaders 2 of 4 exempted, others 2 of 4: [[2,2],[2,2]] → p = 1, and no adjustment
    check(row(t, "CN-X", "2025Q1", dimension="top_leader", group=True), p_value=1.0, p_adjusted=1.0)


def test_holm_by_hand():
    from ftlib.metrics.stats import holm

    # sorted 0.01, 0.03, 0.04 × 3, 2, 1 = 0.03, 0.06, 0.04 → running max 0.03, 0.06, 0.06
    np.testing.assert_allclose(holm(np.array([0.01, 0.04, 0.03, np.nan])), [0.03, 0.06, 0.06, np.nan])
    np.testing.assert_allclose(holm(np.array([[0.6, 0.5], [0.2, np.nan]])), [[1.0, 1.0], [0.2, np.nan]])
