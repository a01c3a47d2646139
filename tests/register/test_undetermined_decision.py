"""A case the engine leaves undetermined can still be decided (issue 11): the collective body
records a disposition as a departure from "no recommendation", with a required reason, and the
decision event shows what was to be verified.

CN-DM-2022 (the helpers' case) with ``consequence.severity: unknown``: Art. 8 exempts a loss "不超过
轻微" that was fully remedied with full procedure (免予问责), reduces a serious one (row
``reduced``), and the negative list (Art. 6, "造成重大损失") bars a major one — so the severity is
the one decisive unknown, and the completions reach 免予问责, 减轻 and not tolerated.
"""

from __future__ import annotations

import pytest
from helpers import DM_DECISION, D, open_and_investigate

from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.decisions import record_decision

UNKNOWN_SEVERITY = {"consequence": {"severity": "unknown"}}


def _decide(s, **over):
    args = {**DM_DECISION, "outcome": "mitigated", **over}
    return record_decision(s, "T-1", on=D(2025, 5, 6), actor="standing committee", **args)


def test_deciding_an_undetermined_case_needs_a_reason_naming_what_was_verified(url):
    with db.session_scope(url) as s:
        open_and_investigate(s, **UNKNOWN_SEVERITY)
        with pytest.raises(pr.ProcedureError, match=r"field departure_reason: value None: the engine could not "
                                                    r"decide \(undetermined; facts to verify: consequence.severity\), "
                                                    r"so the decision \(reduced\) must say why"):
            _decide(s, disposition="reduced")
    with db.session_scope(url) as s:
        event = _decide(s, disposition="reduced", departure_reason="经核实损失较重，已部分挽回，减轻问责")
        p = event.payload
        assert (p["engine_outcome"], p["engine_disposition"], p["engine_rule"]) == ("undetermined", "undetermined", "")
        assert p["engine_decisive_unknowns"] == ["consequence.severity"]
        assert p["engine_possible_dispositions"] == ["exempted", "reduced", "not_tolerated"]
    dec = frames.decisions(url).set_index("case_id").loc["T-1"]
    assert (dec["outcome"], dec["disposition"], dec["engine_outcome"]) == ("mitigated", "reduced", "undetermined")
    assert frames.cases(url).set_index("id").loc["T-1", "state"] == "decided"


def test_the_body_must_still_decide_a_graded_outcome(url):
    with db.session_scope(url) as s:
        open_and_investigate(s, **UNKNOWN_SEVERITY)
        with pytest.raises(pr.ProcedureError, match=r"field outcome: value 'undetermined': not one of exempt, "):
            _decide(s, outcome="undetermined", departure_reason="待核实")


def test_an_imported_decision_without_a_rule_is_refused_unless_the_engine_was_undetermined(url):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        base = {**DM_DECISION, "outcome": "exempt", "disposition": "exempted", "engine_outcome": "exempt",
                "engine_disposition": "exempted", "engine_rule": "", "engine_policy_id": "CN-DM-2022"}
        with pytest.raises(pr.ProcedureError, match="field engine_rule: value '': the engine's recommendation is missing"):
            pr.record_event(s, "T-1", "decided", D(2025, 5, 6), "standing committee", base)
        pr.record_event(s, "T-1", "decided", D(2025, 5, 6), "standing committee",
                        {**base, "engine_outcome": "undetermined", "engine_disposition": "undetermined",
                         "departure_reason": "损失经核实为轻微"})
    assert frames.decisions(url)["engine_rule"].tolist() == [""]


def test_an_undetermined_decision_with_its_handling_survives_export_and_import(url, another_url, tmp_path):
    from ftlib.register.io import export_file, export_frames, import_files

    with db.session_scope(url) as s:
        open_and_investigate(s, **UNKNOWN_SEVERITY)
        _decide(s, disposition="reduced", departure_reason="经核实损失较重，减轻问责",
                handling_imposed=["reminder_talk", "party_warning"])
    import_files(export_file(tmp_path / "out.xlsx", url), another_url)
    events = export_frames(another_url)["events"]
    assert events.equals(export_frames(url)["events"])
    decided = events[events["kind"] == "decided"]["payload"].iloc[0]
    assert '"engine_decisive_unknowns": ["consequence.severity"]' in decided
    assert '"handling_imposed": ["reminder_talk", "party_warning"]' in decided
