"""Decisions are collective and explained; the rules come from the case's policy."""

from __future__ import annotations

import pytest
from helpers import DM_DECISION, D, decided_case, open_and_investigate

from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.decisions import record_decision


def _decide(s, case_id="T-1", **over):
    args = {**DM_DECISION, "outcome": "exempt", **over}
    return record_decision(s, case_id, on=D(2025, 5, 6), actor="standing committee", **args)


def test_the_engines_recommendation_at_decision_time_is_stored(url):
    with db.session_scope(url) as s:
        decided_case(s)
    dec = frames.decisions(url).iloc[0]
    assert (dec["outcome"], dec["engine_outcome"], dec["engine_rule"], dec["engine_policy_id"]) == (
        "exempt", "exempt", "exempt", "CN-DM-2022")
    assert dec["departure_reason"] is None and dec["stage"] == "first"
    assert (dec["members_total"], dec["members_present"], dec["votes_for"]) == (9, 7, 6)
    assert dec["consulted"] == ["organisation_department"]


def test_a_departure_from_the_engine_needs_a_reason(url):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        with pytest.raises(pr.ProcedureError, match=r"field departure_reason: value None: the decision \(mitigated\) "
                                                    r"departs from the engine's recommendation \(exempt"):
            _decide(s, outcome="mitigated")
    with db.session_scope(url) as s:
        _decide(s, outcome="mitigated", departure_reason="损失未全部挽回")
    case = frames.cases(url).set_index("id").loc["T-1"]
    assert bool(case["departed"]) and case["outcome"] == "mitigated" and case["engine_outcome"] == "exempt"


@pytest.mark.parametrize("over, message", [
    ({"body": "county_commission_standing_committee"},
     "field body: value 'county_commission_standing_committee': policy CN-DM-2022 gives the decision to "
     "provincial_commission_standing_committee"),
    ({"consulted": []}, "field consulted: value \\[\\]: policy CN-DM-2022 requires consulting \\(会商\\) organisation_department"),
    # quorum 0.67 of 9 members is 6.03: six present is not enough, seven is
    ({"members_present": 6, "votes_for": 5, "votes_against": 1}, "field members_present: value 6: quorum not reached"),
    ({"members_present": 7, "votes_for": 3, "votes_against": 3}, "field votes_for: value 3: no majority of the 7"),
    ({"members_present": 10}, "field members_present: value 10: must be between 0 and members_total"),
])
def test_decisions_against_the_policys_procedure_are_refused(url, over, message):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        with pytest.raises(pr.ProcedureError, match=message):
            _decide(s, **over)
        assert pr.progress_of(s, "T-1").state == "investigated"


def test_a_policy_requiring_higher_approval_refuses_a_decision_without_it(url):
    # CN-DM-SS-2018: county commission's standing committee decides, approval by the county
    # Party committee's standing committee, quorum 0.5
    ss = {"body": "county_commission_standing_committee", "consulted": ["organisation_department"],
          "members_total": 7, "members_present": 4, "votes_for": 3, "outcome": "exempt"}
    with db.session_scope(url) as s:
        open_and_investigate(s, jurisdiction="CN-DM-SS")
        with pytest.raises(pr.ProcedureError, match="field approved_by: value None: policy CN-DM-SS-2018 requires "
                                                    "approval by county_party_standing_committee"):
            record_decision(s, "T-1", on=D(2025, 5, 6), actor="x", **ss)
        record_decision(s, "T-1", on=D(2025, 5, 6), actor="x", approved_by="county_party_standing_committee", **ss)
    assert frames.decisions(url).iloc[0]["engine_policy_id"] == "CN-DM-SS-2018"


def test_a_review_decision_is_recorded_with_its_result(url):
    with db.session_scope(url) as s:
        decided_case(s, outcome="mitigated", departure_reason="集体研究")
        pr.send_feedback(s, "T-1", D(2025, 5, 8), "office")
        pr.appeal(s, "T-1", D(2025, 5, 12), "C-0001", "应当免责")
        record_decision(s, "T-1", on=D(2025, 6, 3), actor="committee", review=True, outcome="exempt", **DM_DECISION)
        assert pr.progress_of(s, "T-1").state == "reviewed"
    dec = frames.decisions(url)
    assert dec[["stage", "outcome"]].values.tolist() == [["first", "mitigated"], ["review", "exempt"]]
    assert frames.appeals(url).iloc[0]["result"] == "changed"
    assert frames.cases(url).set_index("id").loc["T-1", "outcome"] == "exempt"
