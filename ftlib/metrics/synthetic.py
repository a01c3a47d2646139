"""A synthetic register (``RegisterFrames``) for benchmarks, chart previews and tests. Not real data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ftlib.metrics.frames import DETERMINATIONS, RegisterFrames
from ftlib.vocabulary import CHANNELS, RANKS


def synthetic(n_cases: int = 10_000, n_regions: int = 100, first_quarter: str = "2021Q1", n_quarters: int = 20,
              seed: int = 0, region_column: bool = True) -> RegisterFrames:
    """``n_regions`` regions in a 3-level tree under ``CN-SY`` (1 + 9 prefectures + counties), cases spread
    over ``n_quarters`` quarters with every child frame filled. ``region_column`` adds ``region`` to the
    frames keyed by case_id (the fast path of the contract)."""
    rng = np.random.default_rng(seed)
    n_pref = 9
    codes = ["CN-SY"] + [f"CN-SY-P{i}" for i in range(n_pref)]
    parents = [None] + ["CN-SY"] * n_pref
    for j in range(n_regions - len(codes)):
        codes.append(f"CN-SY-P{j % n_pref}-C{j}")
        parents.append(f"CN-SY-P{j % n_pref}")
    regions = pd.DataFrame({"code": codes, "parent": parents,
                            "name_zh": [f"区域{i}" for i in range(len(codes))],
                            "name_en": [f"Region {i}" for i in range(len(codes))]})
    start = pd.Period(first_quarter, freq="Q").start_time
    end = (pd.Period(first_quarter, freq="Q") + n_quarters - 1).end_time.normalize()
    span = (end - start).days
    leaves = np.array(codes[1 + n_pref:] or codes)
    region = leaves[rng.integers(0, len(leaves), n_cases)]
    received = start + pd.to_timedelta(rng.integers(0, span + 1, n_cases), unit="D")
    dur = rng.gamma(2.0, 15.0, n_cases).astype(int) + 1
    decided = received + pd.to_timedelta(dur, unit="D")
    pending = (rng.random(n_cases) < 0.05) | (decided > end)
    decided = decided.where(~pending)
    rec = np.array(DETERMINATIONS)[rng.choice(4, n_cases, p=[0.35, 0.25, 0.3, 0.1])]
    agree = rng.random(n_cases) < 0.85
    out = np.where(agree, rec, np.array(DETERMINATIONS)[rng.integers(0, 4, n_cases)]).astype(object)
    closed = rng.random(n_cases)
    out[closed < 0.05] = "not_accepted"
    out[(closed >= 0.05) & (closed < 0.07)] = "withdrawn"
    out[pending] = None
    recommended = np.where(np.isin(out, DETERMINATIONS), rec, None)
    departs = np.isin(out, DETERMINATIONS) & (out != recommended)
    reasons = np.where(departs, np.array(["损失已挽回", "情节轻微", "程序不规范", "证据不足"])[rng.integers(0, 4, n_cases)],
                       None)
    case_id = np.arange(n_cases)
    cases = pd.DataFrame({
        "case_id": case_id, "region": region, "cadre_id": [f"P-{i:012x}" for i in case_id],
        "channel": np.array(CHANNELS)[rng.choice(3, n_cases, p=[0.5, 0.3, 0.2])],
        "received": received, "decided": decided, "outcome": out, "recommended": recommended,
        "decision_body": np.array(["standing_committee", "joint_meeting"])[rng.integers(0, 2, n_cases)],
        "departure_reason": reasons, "rank": np.array(RANKS)[rng.choice(5, n_cases, p=[.3, .4, .2, .08, .02])],
        "top_leader": rng.random(n_cases) < 0.15, "exante_registered": rng.random(n_cases) < 0.2,
    })
    decided_mask = ~pending
    dc = case_id[decided_mask]
    d_rec, d_dec = received[decided_mask], decided[decided_mask]
    stage_rows = []
    for stage, frac, limit in (("acceptance", 0.1, 5), ("investigation", 0.6, 30), ("decision", 0.3, 10)):
        s_start = d_rec + pd.to_timedelta((dur[decided_mask] * (0 if stage == "acceptance" else
                                                                  (0.1 if stage == "investigation" else 0.7))).astype(int), unit="D")
        s_end = s_start + pd.to_timedelta(np.maximum((dur[decided_mask] * frac).astype(int), 1), unit="D")
        s_end = s_end.where(s_end <= d_dec, d_dec)
        stage_rows.append(pd.DataFrame({"case_id": dc, "stage": stage, "started": s_start, "finished": s_end,
                                        "limit_working_days": limit}))
    stages = pd.concat(stage_rows, ignore_index=True)
    n_app = len(dc) // 10
    ai = rng.choice(len(dc), n_app, replace=False)
    filed = d_dec[ai] + pd.to_timedelta(rng.integers(1, 20, n_app), unit="D")
    a_dec = filed + pd.to_timedelta(rng.integers(5, 40, n_app), unit="D")
    appeals = pd.DataFrame({"case_id": dc[ai], "filed": filed, "decided": a_dec.where(a_dec <= end),
                            "overturned": rng.random(n_app) < 0.2})
    corr_due = d_dec + pd.to_timedelta(rng.integers(10, 60, len(dc)), unit="D")
    corr_done = corr_due + pd.to_timedelta(rng.integers(-30, 10, len(dc)), unit="D")
    corrections = pd.DataFrame({"case_id": dc, "due": corr_due, "completed": corr_done.where(corr_done <= end)})
    fu_due = d_dec + pd.to_timedelta(90, unit="D")
    fu_done = fu_due + pd.to_timedelta(rng.integers(-80, 15, len(dc)), unit="D")
    followups = pd.DataFrame({"case_id": dc, "due": fu_due, "visited": fu_done.where(fu_done <= end)})
    n_cl = n_cases // 5
    acc = start + pd.to_timedelta(rng.integers(0, span, n_cl), unit="D")
    cleared = acc + pd.to_timedelta(rng.integers(5, 90, n_cl), unit="D")
    clarifications = pd.DataFrame({"region": leaves[rng.integers(0, len(leaves), n_cl)], "accused_on": acc,
                                   "cleared_on": cleared.where(cleared <= end),
                                   "method": np.array(["meeting", "written_notice", "circular", "media"])[
                                       rng.integers(0, 4, n_cl)],
                                   "accuser_referred": rng.random(n_cl) < 0.05})
    n_reg = n_cases // 4
    registrations = pd.DataFrame({"region": leaves[rng.integers(0, len(leaves), n_reg)],
                                  "registered_on": start + pd.to_timedelta(rng.integers(0, span, n_reg), unit="D")})
    years = range(start.year, end.year + 1)
    headcount = pd.DataFrame([(c, y, int(rng.integers(200, 5000))) for c in codes for y in years],
                             columns=["region", "year", "cadres"])
    tol = np.isin(out, ("exempt", "mitigated")) & decided_mask
    ti = case_id[tol]
    impact_end = decided[tol] + pd.to_timedelta(365, unit="D")
    ev = rng.random(len(ti))
    careers = pd.DataFrame({"cadre_id": cases["cadre_id"].to_numpy()[tol], "case_id": ti,
                            "impact_end": impact_end.where(impact_end <= end),
                            "evaluated_normally": pd.array(np.where(ev < 0.1, None, ev < 0.9), dtype="boolean"),
                            "promoted": pd.array(np.where(ev < 0.3, None, ev < 0.5), dtype="boolean")})
    careers = careers.dropna(subset=["impact_end"]).reset_index(drop=True)
    # the dispositions last, so that the draws above (and the registers tests seed) stay as they were;
    # a tenth of the tolerated without one: decisions recorded before dispositions existed
    u = rng.random(n_cases)
    disposition = np.where(out == "exempt", np.where(u < 0.3, "not_accountable", np.where(u < 0.9, "exempted", None)),
                           np.where(out == "mitigated", np.where(u < 0.4, "reduced", np.where(u < 0.9, "lighter", None)),
                                    np.where(np.isin(out, ("not_tolerated", "out_of_scope")), out, None)))
    cases["disposition"] = disposition.astype(object)
    if region_column:
        lookup = pd.Series(region, index=case_id)
        for frame in (stages, appeals, corrections, followups, careers):
            frame["region"] = lookup.to_numpy()[frame["case_id"].to_numpy()]
    return RegisterFrames(cases=cases, regions=regions, stages=stages, appeals=appeals, corrections=corrections,
                          followups=followups, clarifications=clarifications, registrations=registrations,
                          headcount=headcount, careers=careers)
