"""One case at a time (with trace) and a whole table (vectorised) must agree — outcome and
deciding grading row — on every case, under every bundled policy (DESIGN.md, "Policies are data").

Cases are generated from the fact vocabulary itself (``CONDITION_FACTS``), so new facts are
covered without editing this file; policies are read from ``ftlib.bundled()`` at test time, so
policy files added under ftlib/data/policies/ are covered too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftlib
from ftlib.convert import cases_to_frame
from ftlib.engine import determine, determine_frame
from ftlib.facts import CONDITION_FACTS, VOCABULARY, case_from_dict

_ABSENT = object()  # an optional fact left out: the documented default applies
# loss thresholds a policy is likely to use sit on round numbers; include them and their neighbours
_LOSSES = [0.0, 1.0, 999.0, 1000.0, 1001.0, 9999.0, 10000.0, 99999.0, 100000.0, 100001.0,
           999999.0, 1000000.0, 1000001.0, 5e6, 1e7, 1e8]


def _value_strategy(spec):
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.values)
    return st.one_of(st.sampled_from(_LOSSES), st.floats(min_value=0, max_value=1e9, allow_nan=False))


def _fact_strategy(spec):
    s = _value_strategy(spec)
    return s if spec.required else st.one_of(s, st.just(_ABSENT))


@st.composite
def case_dicts(draw):
    data = {"id": "P", "jurisdiction": "CN",
            "conduct_date": draw(st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2025, 12, 31)))}
    for name, spec in CONDITION_FACTS.items():
        v = draw(_fact_strategy(spec))
        if v is not _ABSENT:
            data[name] = v
    return data


def _check_agreement(cases, policies):
    df = cases_to_frame(cases)
    assert policies, "no bundled policy"
    for pid in policies:
        out = determine_frame(df, pid)
        outcomes = out["outcome"].astype(str).tolist()
        rules = out["rule"].astype(str).tolist()
        dispositions = out["disposition"].astype(str).tolist()
        for i, c in enumerate(cases):
            d = determine(c, pid)
            assert (d.outcome, d.disposition, d.deciding_rule) == (outcomes[i], dispositions[i], rules[i]), \
                (pid, c.flat())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(case_dicts(), min_size=1, max_size=8))
def test_scalar_and_frame_agree_on_generated_cases(dicts):
    cases = [case_from_dict({**d, "id": f"P{i}"}) for i, d in enumerate(dicts)]
    _check_agreement(cases, list(ftlib.bundled().policies))


def test_every_condition_fact_is_generated():
    # the generator covers the whole vocabulary a policy condition may read
    assert set(CONDITION_FACTS) <= set(VOCABULARY)
    assert {s.kind for s in CONDITION_FACTS.values()} <= {"bool", "enum", "number"}


def _random_frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {
        "id": [f"R{i}" for i in range(n)],
        "jurisdiction": ["CN"] * n,
        "conduct_date": [dt.date(2016, 2, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 3600, n)],
    }
    for name, spec in CONDITION_FACTS.items():
        if spec.kind == "bool":
            # skewed so that rare red-line facts are mostly false and later rows are reached
            cols[name] = rng.random(n) < rng.choice([0.1, 0.5])
        elif spec.kind == "enum":
            cols[name] = rng.choice(np.array(spec.values, dtype=object), n)
        else:
            cols[name] = rng.choice(np.array(_LOSSES), n)
    return pd.DataFrame(cols)


def test_scalar_and_frame_agree_on_2000_seeded_cases():
    policies = list(ftlib.bundled().policies)
    raw = _random_frame(2000, seed=20161118)
    cases = ftlib.facts.cases_from_frame(raw, "random")
    df = cases_to_frame(cases)
    results = {pid: determine_frame(df, pid) for pid in policies}
    # the raw frame (plain object columns, not categoricals) gives the same answers
    for pid in policies:
        raw_out = determine_frame(raw, pid)
        assert raw_out["outcome"].astype(str).tolist() == results[pid]["outcome"].astype(str).tolist()
        assert raw_out["rule"].astype(str).tolist() == results[pid]["rule"].astype(str).tolist()
    for pid in policies:
        outcomes = results[pid]["outcome"].astype(str).tolist()
        rules = results[pid]["rule"].astype(str).tolist()
        for i, c in enumerate(cases):
            d = determine(c, pid)
            assert (d.outcome, d.deciding_rule) == (outcomes[i], rules[i]), (pid, i, c.flat())
    # not vacuous: the random table reaches several grading rows of each policy
    for pid in policies:
        assert results[pid]["rule"].nunique() >= 2, pid


def test_frame_in_stretches_agrees_with_one_pass(monkeypatch):
    """A long table is evaluated stretch by stretch (engine.ROWS_PER_PASS rows a packed pass):
    the same outcome, disposition and rule as one pass, with stretches long enough to be packed
    (≥ packed.PLAIN_BELOW) and a short last one (plain)."""
    import ftlib.engine as engine
    from ftlib.policy.packed import PLAIN_BELOW

    raw = _random_frame(5000, seed=20190911)
    df = cases_to_frame(ftlib.facts.cases_from_frame(raw, "random"))
    whole = {pid: determine_frame(df, pid) for pid in ftlib.bundled().policies}
    monkeypatch.setattr(engine, "ROWS_PER_PASS", 64 * (PLAIN_BELOW // 64 + 1))  # 2,112: stretches 2112, 2112, 776
    for pid, expected in whole.items():
        got = determine_frame(df, pid)
        for col in ("outcome", "disposition", "rule"):
            assert got[col].astype(str).tolist() == expected[col].astype(str).tolist(), (pid, col)


def _later_pairs() -> list[tuple[str, dt.date, dt.date]]:
    """(jurisdiction, conduct date, decision date) where a later version is in force on the
    decision date — the pairs 从旧兼从轻 weighs — one per bundled family with two versions."""
    from ftlib.policy.select import in_force

    ps = ftlib.bundled()
    found: dict[tuple[str, str], tuple[str, dt.date, dt.date]] = {}
    days = [dt.date(2016, 1, 1) + dt.timedelta(days=91 * k) for k in range(44)]
    for j in _JURISDICTIONS:
        live = [(d, in_force(ps, j, d)) for d in days if d <= dt.date.today()]
        for (c, a), (d, b) in zip(live, live[1:]):
            if a is not None and b is not None and a.id != b.id:
                found.setdefault((a.id, b.id), (j, c, d))
    return list(found.values())


def test_a_few_rows_decided_one_by_one_agree_with_a_packed_pass():
    """Up to ``engine.SCALAR_ROWS`` rows are decided case by case (``CompiledPolicy.run``), more
    in one packed pass: the same disposition, rule and applied policy for every row — also for a
    pair of policies weighed 从旧兼从轻 (conduct under one version, decision under a later one)."""
    import ftlib.engine as engine

    pairs = _later_pairs()
    assert pairs, "no bundled family with a later version"
    raw = _random_frame(400, seed=20260601)
    chose_later = 0
    for j, conduct, decision in pairs:
        frame = raw.assign(jurisdiction=j, conduct_date=conduct, decision_date=decision)
        whole = determine_frame(frame)   # 400 rows, one pair: the packed pass
        assert len(whole) > engine.SCALAR_ROWS
        for i in range(len(frame)):
            one = determine_frame(frame.iloc[[i]])
            for col in ("outcome", "disposition", "rule", "policy"):
                assert str(one[col].iloc[0]) == str(whole[col].iloc[i]), (j, i, col)
        chose_later += int((whole["policy"].astype(str) != whole["policy"].astype(str).iloc[0]).any())
    for pid in ftlib.bundled().policies:  # one policy: both ways too
        whole = determine_frame(raw, pid)
        ones = [determine_frame(raw.iloc[i:i + 3], pid) for i in range(0, 60, 3)]
        assert pd.concat(ones)["rule"].astype(str).tolist() == whole["rule"].astype(str).tolist()[:60], pid
    # not vacuous: in some pair the later, more lenient version decides some rows and not others
    assert chose_later >= 1


# -- mixed registers: policy chosen per row, decision dates, unknown facts (issue 14.4, 11.4) ------

_JURISDICTIONS = ["CN", "CN-HB", "CN-DM", "CN-DM-BR", "CN-DM-BR-HX", "CN-DM-FTZ", "CN-DM-SS", "CN-DM-XX"]
_UNKNOWN = "unknown"


@st.composite
def mixed_case_dicts(draw):
    conduct = draw(st.dates(min_value=dt.date(2016, 2, 1), max_value=dt.date(2025, 12, 31)))
    data = {"id": "M", "jurisdiction": draw(st.sampled_from(_JURISDICTIONS)), "conduct_date": conduct}
    if draw(st.booleans()):
        data["decision_date"] = min(conduct + dt.timedelta(days=draw(st.integers(0, 2000))), dt.date.today())
    unknown = set(draw(st.lists(st.sampled_from(sorted(CONDITION_FACTS)), max_size=3)))
    for name, spec in CONDITION_FACTS.items():
        if name in unknown:
            if spec.required and draw(st.booleans()):
                continue  # a required fact left out is unknown too
            data[name] = _UNKNOWN
            continue
        v = draw(_value_strategy(spec))
        data[name] = v
    return data


def _check_mixed(cases, frame):
    out = determine_frame(frame)
    for i, c in enumerate(cases):
        d = determine(c)
        got = out.iloc[i]
        rule = "" if pd.isna(got["rule"]) else str(got["rule"])
        assert (d.outcome, d.deciding_rule, d.policy.id) == (str(got["outcome"]), rule, str(got["policy"])), \
            (i, c.flat())
        assert d.disposition == str(got["disposition"]), (i, c.flat())
        if "possible_outcomes" in out:
            assert ",".join(d.possible_outcomes) == str(got["possible_outcomes"]), (i, c.flat())
            assert ",".join(d.decisive_unknowns) == str(got["decisive_unknowns"]), (i, c.flat())
        else:
            assert not d.possible_outcomes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mixed_case_dicts(), min_size=1, max_size=8))
def test_mixed_frame_agrees_with_determine(dicts):
    cases = [case_from_dict({**d, "id": f"M{i}"}) for i, d in enumerate(dicts)]
    _check_mixed(cases, cases_to_frame(cases))


def test_mixed_string_frame_agrees_with_determine(tmp_path):
    # the same register as a CSV file read back as strings (what read_csv gives)
    rng = np.random.default_rng(20261201)
    dicts = []
    for i in range(600):
        conduct = dt.date(2016, 2, 1) + dt.timedelta(days=int(rng.integers(0, 3600)))
        d = {"id": f"S{i}", "jurisdiction": str(rng.choice(_JURISDICTIONS)), "conduct_date": conduct}
        if rng.random() < 0.5:
            d["decision_date"] = min(conduct + dt.timedelta(days=int(rng.integers(0, 1500))), dt.date.today())
        for name, spec in CONDITION_FACTS.items():
            if rng.random() < 0.03:
                d[name] = _UNKNOWN
            elif spec.kind == "bool":
                d[name] = bool(rng.random() < rng.choice([0.1, 0.5]))
            elif spec.kind == "enum":
                d[name] = str(rng.choice(spec.values))
            else:
                d[name] = float(rng.choice(_LOSSES))
        dicts.append(d)
    cases = [case_from_dict(d) for d in dicts]
    path = tmp_path / "register.csv"
    cases_to_frame(cases).to_csv(path, index=False)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _check_mixed(cases, frame)
    out = determine_frame(frame)
    # not vacuous: several policies, open and decided rows with unknowns
    assert out["policy"].nunique() >= 5
    # (completions must agree on the disposition; 从旧兼从轻 weighs dispositions)
    assert (out["outcome"] == "undetermined").sum() >= 5
    assert ((out["outcome"] != "undetermined") & (frame == _UNKNOWN).any(axis=1)).sum() >= 10
