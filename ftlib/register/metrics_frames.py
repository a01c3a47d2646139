"""The register as ``ftlib.metrics.RegisterFrames``: the adapter between storage and metrics.

Stage spans come from the append-only events (the stage of each state is
``events.STAGE``); time limits from each case's policy; follow-up windows from the policy's
after-care for the decided outcome; impact periods from the handling the decision carries
(``casepolicy.impact_months``). Nothing here is a constant of the rules.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ftlib.metrics import RegisterFrames
from ftlib.policy.loader import bundled
from ftlib.register import frames as rf
from ftlib.register.casepolicy import impact_months, stage_limit
from ftlib.register.events import STAGE, STATE_EVENTS
from ftlib.register.synth import SYNTHETIC_KEY
from ftlib.workdays import add_working_days_array


def _by(keys, values: pd.Series) -> np.ndarray:
    """``values`` looked up for each key (NaN/None where absent). Not ``Series.map``: mapping
    through an empty datetime Series fails in pandas (a register without refusals or visits)."""
    return values.reindex(pd.Index(keys)).to_numpy()


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").astype("datetime64[ns]")


def stage_spans(events: pd.DataFrame, policy_of: pd.Series) -> pd.DataFrame:
    """One row per stage a case went through: started, finished (NaT while open), limit."""
    ev = events[events["kind"].isin(list(STATE_EVENTS))].sort_values(["case_id", "seq"])
    state = ev["kind"].map({k: v[1] for k, v in STATE_EVENTS.items()})
    stage = state.map(lambda s: STAGE.get(s, "")).to_numpy(dtype=object)
    case = ev["case_id"].to_numpy(dtype=object)
    at = _dates(ev["at"]).to_numpy()
    new_case = np.r_[True, case[1:] != case[:-1]]
    change = new_case | np.r_[True, stage[1:] != stage[:-1]]
    starts = np.flatnonzero(change & (stage != ""))
    rows = []
    for i in starts:  # the run ends at the next change within the same case
        j = i + 1
        while j < len(case) and not change[j] and case[j] == case[i]:
            j += 1
        finished = at[j] if j < len(case) and case[j] == case[i] else np.datetime64("NaT")
        rows.append((case[i], stage[i], at[i], finished))
    out = pd.DataFrame(rows, columns=["case_id", "stage", "started", "finished"])
    pol = bundled().policies
    limits: dict[tuple[str, str], float] = {}
    for pid, st in set(zip(out["case_id"].map(policy_of), out["stage"])):
        lim = stage_limit(pol[pid], st) if pid in pol else None
        limits[(pid, st)] = np.nan if lim is None else float(lim)
    out["limit_working_days"] = [limits[(policy_of.get(c), s)] for c, s in zip(out["case_id"], out["stage"])]
    return out


def _careers(cases: pd.DataFrame, policy_of: pd.Series, reviews: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every tolerated cadre with the end of the impact period (decision date + the period of the
    handling the latest decision carries, ``casepolicy.impact_months``; NaT where that period is
    not known) and the latest career review, NA if none."""
    tol = cases[cases["outcome"].isin(["exempt", "mitigated"]) & cases["decided"].notna()]
    pol = bundled().policies
    decided = events[events["kind"].isin(["decided", "review_decided"])]
    last = dict(zip(decided["case_id"].tolist(), decided["payload"].tolist()))  # (case_id, seq) order: latest wins
    empty: dict = {}
    pays = [last.get(c, empty) for c in tol["case_id"].tolist()]
    outcomes = tol["outcome"].tolist()
    # the period depends on few things (policy, outcome, deciding row, handling imposed, whether the
    # decision follows the engine): worked out once per distinct combination
    keys = [(pid, oc, p.get("engine_rule"), str(p["handling_imposed"]) if "handling_imposed" in p else None,
             p.get("engine_outcome") == oc and p.get("engine_disposition") in (None, p.get("disposition")))
            for pid, oc, p in zip(tol["case_id"].map(policy_of).tolist(), outcomes, pays)]
    months_of: dict[tuple, int] = {}
    for key, p in zip(keys, pays):
        if key not in months_of:
            pid, oc, rule, _, follows = key
            m = impact_months(pol[pid], oc, rule, p.get("handling_imposed"), follows) if pid in pol else None
            months_of[key] = -1 if m is None else m
    months = np.fromiter((months_of[k] for k in keys), dtype=int, count=len(keys))
    impact_end = tol["decided"].copy()
    impact_end[months < 0] = pd.NaT   # the handling imposed carries no known period
    for m in np.unique(months[months > 0]):  # a few distinct lengths: shift each group at once
        sel = months == m
        impact_end[sel] = tol["decided"][sel] + pd.DateOffset(months=int(m))
    latest = reviews.sort_values(["reviewed_on", "id"]).groupby("case_id").tail(1).set_index("case_id")
    return pd.DataFrame({
        "cadre_id": tol["cadre_id"].to_numpy(), "case_id": tol["case_id"].to_numpy(),
        "region": tol["region"].to_numpy(), "impact_end": impact_end.to_numpy(),
        "evaluated_normally": pd.array(_by(tol["case_id"], latest["evaluated_normally"]), dtype="boolean"),
        "promoted": pd.array(_by(tol["case_id"], latest["promoted"]), dtype="boolean"),
    })


def register_frames(url: str | None = None) -> RegisterFrames:
    cases = rf.cases(url, facts=True)
    events = rf.events(url)
    dec = rf.decisions(url)
    policy_of = cases.set_index("id")["policy_id"]
    state = cases["state"].astype(str)
    refused = state.isin(["refused", "refusal_upheld"])
    refused_on = events[events["kind"] == "refused"].groupby("case_id")["at"].max()
    decided = _dates(cases["decided_on"])
    decided = decided.where(~refused, _dates(pd.Series(_by(cases["id"], refused_on), index=cases.index)))
    outcome = cases["outcome"].astype(object).where(~refused, "not_accepted")
    first = dec[dec["stage"] == "first"].sort_values("event_seq").groupby("case_id").head(1).set_index("case_id")
    out = pd.DataFrame({
        "case_id": cases["id"],
        "region": cases["region_code"],
        "cadre_id": cases["cadre_id"],
        "channel": cases["channel"],
        "received": _dates(cases["received_on"]),
        "decided": decided,
        "outcome": outcome.where(decided.notna(), None),
        "disposition": cases["disposition"].astype(object).where(decided.notna() & ~refused, None),
        "recommended": cases["id"].map(first["engine_outcome"]) if len(first) else None,
        "decision_body": cases["id"].map(first["body"]) if len(first) else None,
        "departure_reason": cases["id"].map(first["departure_reason"]) if len(first) else None,
        "rank": cases.get("fact.subject.rank"),
        "top_leader": cases.get("fact.subject.top_leader", pd.Series(False, index=cases.index)).fillna(False).astype(bool),
        "exante_registered": cases["registration_id"].notna()
        | cases.get("fact.procedure.exante_registered", pd.Series(False, index=cases.index)).fillna(False).astype(bool),
    })
    region_of = out.set_index("case_id")["region"]

    appeals = rf.appeals(url)
    appeals = pd.DataFrame({
        "case_id": appeals["case_id"], "filed": _dates(appeals["lodged_on"]), "decided": _dates(appeals["decided_on"]),
        "overturned": appeals["result"].isin(["overturned", "changed"]),
    })
    corr = rf.corrections(url)
    corrections = pd.DataFrame({"case_id": corr["case_id"], "due": _dates(corr["due_on"]),
                                "completed": _dates(corr["completed_on"])})

    # Follow-up visits: due within the policy's window for the decided outcome, from the decision.
    pol = bundled().policies
    window = []
    for pid, oc in zip(cases["policy_id"], cases["outcome"]):
        care = pol[pid].aftercare.get(oc) if pid in pol and isinstance(oc, str) else None
        window.append(care.follow_up_visit_within_working_days if care and care.follow_up_visit_within_working_days else 0)
    window = np.array(window)
    has = (window > 0) & _dates(cases["decided_on"]).notna().to_numpy()
    start = _dates(cases["decided_on"]).to_numpy(dtype="datetime64[D]")[has]

    due, _ = add_working_days_array(start, window[has])
    visits = rf.follow_ups(url).groupby("case_id")["visited_on"].min()
    ids = cases["id"].to_numpy()[has]
    followups = pd.DataFrame({"case_id": ids, "due": pd.to_datetime(due),
                              "visited": _dates(pd.Series(_by(ids, visits)))})

    cl = rf.clarifications(url)
    accused = _dates(cl["case_id"].map(cases.set_index("id")["received_on"])) if len(cl) else pd.Series(dtype="datetime64[ns]")
    clarifications = pd.DataFrame({
        "region": cl["region_code"], "accused_on": accused, "cleared_on": _dates(cl["clarified_on"]),
        "method": cl["method"], "accuser_referred": cl["accuser_referred"].astype(bool)})
    reg = rf.registrations(url)
    registrations = pd.DataFrame({"region": reg["region_code"], "registered_on": _dates(reg["registered_on"])})
    regions = rf.regions(url)
    regions = pd.DataFrame({"code": regions["code"], "parent": regions["parent"],
                            "name_zh": regions["name_zh"], "name_en": regions["name_en"]})
    hc = rf.headcounts(url)
    headcount = pd.DataFrame({"region": hc["region_code"], "year": hc["year"].astype(int), "cadres": hc["cadres"]})
    careers = _careers(out, policy_of, rf.career_reviews(url), events)
    stages = stage_spans(events, policy_of)
    for frame in (appeals, corrections, followups, stages):
        frame["region"] = frame["case_id"].map(region_of)
    return RegisterFrames(cases=out, regions=regions, stages=stages, appeals=appeals, corrections=corrections,
                          followups=followups, clarifications=clarifications, registrations=registrations,
                          headcount=headcount, careers=careers, meta=register_meta(url, out["case_id"]))


def register_meta(url: str | None, case_ids: pd.Series) -> dict:
    """What the pages say about the data: when it was read (``snapshot_at``, local time) and
    whether ``ftlib synth`` generated it (its mark in ``ftlib_meta``, or — for a synthetic
    register exported and imported elsewhere — case ids that are all synth's ``SYN-…``)."""


    meta = rf.fetch("SELECT key, value FROM ftlib_meta", url)
    marked = bool((meta["key"] == SYNTHETIC_KEY).any()) if len(meta) else False
    ids = case_ids.astype(str)
    synthetic = marked or (len(ids) > 0 and bool(ids.str.startswith("SYN-").all()))
    return {"synthetic": synthetic, "snapshot_at": dt.datetime.now().isoformat(timespec="minutes")}
