"""The disposition of a decision (issue 11): 不予问责 / 免予问责 / 从轻 / 减轻 stored beside the
outcome (``decisions.disposition``, migration 0004), recorded by the collective decision step,
kept through export and import, counted apart by the metrics.

Expected values from CN-DM-2022 Art. 8 (ftlib/data/policies/cn-dm-2022.yaml): "符合第七条条件、
后果不超过轻微，且程序完备或者损失已全部挽回的，免予问责" — the helpers' case (minor, full
procedure, fully remedied) is 免予问责 (exempted); "符合第七条条件的其他情形，从轻或者减轻问责",
which the policy's row ``reduced`` reads as 减轻 — the same case with a serious loss, partly
remedied, is reduced.
"""

from __future__ import annotations

import pytest
from helpers import DM_DECISION, D, open_and_investigate
from sqlalchemy import text

from ftlib.metrics import compute
from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.decisions import record_decision
from ftlib.register.io import export_file, export_frames, import_files
from ftlib.register.metrics_frames import register_frames

MODERATE = {"consequence": {"severity": "serious", "loss_cny": 200000}, "after": {"remedy": "partial"}}


def _decide(s, case_id="T-1", **over):
    args = {**DM_DECISION, "outcome": "exempt", **over}
    return record_decision(s, case_id, on=D(2025, 5, 6), actor="standing committee", **args)


def test_a_decision_following_the_engine_takes_its_disposition(url):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        event = _decide(s)
        assert (event.payload["disposition"], event.payload["engine_disposition"]) == ("exempted", "exempted")
        open_and_investigate(s, "T-2", **MODERATE)
        _decide(s, "T-2", outcome="mitigated")
    got = frames.decisions(url).set_index("case_id")[["outcome", "disposition"]].to_dict("index")
    assert got == {"T-1": {"outcome": "exempt", "disposition": "exempted"},
                   "T-2": {"outcome": "mitigated", "disposition": "reduced"}}
    assert frames.cases(url).set_index("id").loc["T-2", "disposition"] == "reduced"


def test_another_disposition_of_the_same_outcome_departs_and_needs_a_reason(url):
    with db.session_scope(url) as s:
        open_and_investigate(s, **MODERATE)
        with pytest.raises(pr.ProcedureError, match=r"field departure_reason: value None: the decision \(lighter\) "
                                                    r"departs from the engine's recommendation \(reduced"):
            _decide(s, outcome="mitigated", disposition="lighter")
    with db.session_scope(url) as s:
        _decide(s, outcome="mitigated", disposition="lighter", departure_reason="主动挽回部分损失，仅从轻")
    assert frames.decisions(url)["disposition"].tolist() == ["lighter"]


def test_a_disposition_must_belong_to_the_outcome(url):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        with pytest.raises(pr.ProcedureError, match=r"field disposition: value 'lighter': a disposition of "
                                                    r"mitigated, not of the outcome exempt"):
            _decide(s, disposition="lighter")
        with pytest.raises(pr.ProcedureError, match=r"field disposition: value 'pardoned': not one of"):
            _decide(s, disposition="pardoned")
    assert frames.decisions(url).empty


def test_a_departing_outcome_without_a_disposition_takes_the_documented_one(url):
    # the engine says 免予问责; the body decides mitigated and names no disposition: 从轻
    # (vocabulary.DEFAULT_DISPOSITION, what "mitigated" was labelled before dispositions existed)
    with db.session_scope(url) as s:
        open_and_investigate(s)
        _decide(s, outcome="mitigated", departure_reason="损失未全部挽回")
    assert frames.decisions(url)["disposition"].tolist() == ["lighter"]


def test_the_disposition_survives_export_and_import(url, another_url, tmp_path):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        _decide(s)
        open_and_investigate(s, "T-2", **MODERATE)
        _decide(s, "T-2", outcome="mitigated", disposition="lighter", departure_reason="仅从轻")
    files = export_file(tmp_path / "out.xlsx", url)
    import_files(files, another_url)
    left = frames.decisions(url).drop(columns="id")
    right = frames.decisions(another_url).drop(columns="id")
    assert right["disposition"].tolist() == ["exempted", "lighter"]
    assert left.equals(right)
    assert export_frames(url)["events"].equals(export_frames(another_url)["events"])


def test_an_old_decision_event_without_a_disposition_is_not_recorded(url, another_url, tmp_path):
    """Events recorded before issue 11 carry no disposition: replayed, an exempt decision's is NULL
    ("not recorded"), a not_tolerated one's is its outcome (the rule of migration 0004)."""
    with db.session_scope(url) as s:
        open_and_investigate(s)
        _decide(s)
    events = export_frames(url)["events"]
    old = events["payload"].str.replace('"disposition": "exempted", ', "").str.replace(
        '"engine_disposition": "exempted", ', "")
    assert not old.str.contains("disposition").any()
    events.assign(payload=old).to_csv(tmp_path / "x.events.csv", index=False)
    export_frames(url)["cases"].to_csv(tmp_path / "x.csv", index=False)
    import_files([tmp_path / "x.csv", tmp_path / "x.events.csv"], another_url)
    assert frames.decisions(another_url)["disposition"].isna().tolist() == [True]
    tables = compute(register_frames(another_url), "CN-DM", ["2025Q2"])["outcomes"]
    top = tables[tables["region"] == "CN-DM"].iloc[0]
    assert (top["exempt"], top["disp_exempted"], top["disp_exempt_unrecorded"]) == (1, 0, 1)


def test_the_migration_fills_what_the_outcome_implies_and_leaves_the_rest_unrecorded(empty_url):
    from alembic import command
    from alembic.config import Config

    url = empty_url
    cfg = Config(str(db.ALEMBIC_INI))
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with db.get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
        conn.execute(text("INSERT INTO regions (code, name_zh, name_en, illustrative) VALUES ('CN-DM', 'x', 'x', true)"))
        for i, outcome in enumerate(("exempt", "mitigated", "not_tolerated", "out_of_scope")):
            conn.execute(text(
                "INSERT INTO cases (id, region_code, jurisdiction, channel, received_on, conduct_date, policy_id, facts) "
                f"VALUES ('T-{i}', 'CN-DM', 'CN-DM', 'ex_officio', '2025-04-01', '2025-03-10', 'CN-DM-2022', '{{}}')"))
            conn.execute(text(
                "INSERT INTO decisions (case_id, event_seq, stage, decided_on, body, consulted, members_total, "
                "members_present, votes_for, votes_against, votes_abstain, outcome, engine_outcome, engine_rule, "
                f"engine_policy_id) VALUES ('T-{i}', 5, 'first', '2025-05-06', 'b', '[]', 9, 7, 6, 1, 0, "
                f"'{outcome}', '{outcome}', 'r', 'CN-DM-2022')"))
    assert db.upgrade(url) == "0004"
    with db.get_engine(url).connect() as conn:
        got = dict(conn.execute(text("SELECT case_id, disposition FROM decisions")).all())
    assert got == {"T-0": None, "T-1": None, "T-2": "not_tolerated", "T-3": "out_of_scope"}


def test_metrics_count_each_disposition_apart(url):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        _decide(s)
        open_and_investigate(s, "T-2", **MODERATE)
        _decide(s, "T-2", outcome="mitigated")
        open_and_investigate(s, "T-3", **MODERATE)
        _decide(s, "T-3", outcome="mitigated", disposition="lighter", departure_reason="仅从轻")
    t = compute(register_frames(url), "CN-DM", ["2025Q2"])["outcomes"]
    top = t[t["region"] == "CN-DM"].iloc[0]
    assert {c: int(top[c]) for c in ("exempt", "mitigated", "disp_not_accountable", "disp_exempted",
                                     "disp_reduced", "disp_lighter", "disp_exempt_unrecorded",
                                     "disp_mitigated_unrecorded")} == {
        "exempt": 1, "mitigated": 2, "disp_not_accountable": 0, "disp_exempted": 1, "disp_reduced": 1,
        "disp_lighter": 1, "disp_exempt_unrecorded": 0, "disp_mitigated_unrecorded": 0}
