"""The application window on the register, both kinds the schema states:

- CN-DM-2022's sibling CN-DM-2017 closes after working days: ``application_window_working_days:
  10`` from the accountability notice (its day not counted);
- Changning 2016 (CN-YN-BS-CHN-2016) closes at the decision: "应在启动追责程序后尚未作出决定前 …
  提出书面申请" (clause chn_procedure) — from the notice (the start of the proceedings) until the
  accountability decision; an application on the decision's own day is read as late.

Expected dates are counted by hand on the calendar (2021-09: 1 Wed … 6 Mon … 10 Fri).
"""

from __future__ import annotations

import pytest
from helpers import D

from ftlib import bundled
from ftlib.facts import case_from_dict
from ftlib.policy.schema import ProcedureRules
from ftlib.register import db
from ftlib.register import procedure as pr
from ftlib.register.casepolicy import application_window_breach

CHN = {
    "id": "W-1", "jurisdiction": "CN-YN-BS-CHN", "conduct_date": "2021-09-01",
    "subject": {"kind": "organisation", "rank": "county"}, "scenario": "key_project", "public_motive": True,
    "procedure": {"collective_decision": False, "followed": "partial"},
    "consequence": {"severity": "serious", "loss_cny": 1500000},
}


def chn():
    return bundled().get("CN-YN-BS-CHN-2016")


def test_changning_states_its_window_as_from_the_proceedings_until_the_decision():
    proc = chn().procedure
    assert proc.window_closes() == "decision" and proc.application_window_working_days is None
    # a policy giving only a figure closes after working days; one giving neither has no window
    assert bundled().get("CN-DM-2017").procedure.window_closes() == "working_days"
    assert bundled().get("CN-2019").procedure.window_closes() is None


def test_changning_admits_an_application_between_the_notice_and_the_decision():
    p = chn()
    # notice on Mon 6 Sept; decision on Fri 10 Sept
    assert application_window_breach(p, "unit_application", D(2021, 9, 6), D(2021, 9, 6), D(2021, 9, 10)) is None
    assert application_window_breach(p, "unit_application", D(2021, 9, 9), D(2021, 9, 6), D(2021, 9, 10)) is None
    # not yet decided: open however late (no day count in the text)
    assert application_window_breach(p, "cadre_application", D(2022, 3, 1), D(2021, 9, 6)) is None


def test_changning_refuses_an_application_before_the_proceedings_or_once_decided():
    p = chn()
    field, value, reason = application_window_breach(p, "unit_application", D(2021, 9, 3), D(2021, 9, 6))
    assert (field, value) == ("at", D(2021, 9, 3)) and "before the accountability notice (2021-09-06)" in reason
    field, value, reason = application_window_breach(p, "unit_application", D(2021, 9, 10), D(2021, 9, 6), D(2021, 9, 10))
    assert (field, value) == ("at", D(2021, 9, 10)) and "accountability decision of 2021-09-10" in reason
    assert application_window_breach(p, "unit_application", D(2021, 9, 13), None, D(2021, 9, 10))[0] == "at"


def test_a_window_of_working_days_still_counts_from_the_notice():
    p = bundled().get("CN-DM-2017")   # 10 working days
    # notice Mon 2025-03-03: the 10th working day after it is Mon 2025-03-17
    assert application_window_breach(p, "cadre_application", D(2025, 3, 17), D(2025, 3, 3)) is None
    assert "ended on 2025-03-17" in application_window_breach(p, "cadre_application", D(2025, 3, 18), D(2025, 3, 3))[2]
    assert application_window_breach(p, "ex_officio", D(2025, 9, 1), D(2025, 3, 3)) is None


def test_the_schema_refuses_a_window_that_contradicts_itself():
    base = chn().procedure.model_dump()
    with pytest.raises(ValueError, match="decision takes no application_window_working_days"):
        ProcedureRules.model_validate({**base, "application_window_working_days": 5})
    with pytest.raises(ValueError, match="working_days needs application_window_working_days"):
        ProcedureRules.model_validate({**base, "application_window_closes": "working_days"})


def test_the_register_refuses_a_changning_application_after_the_decision(url):
    with db.session_scope(url) as s:
        row = pr.open_case(s, case_from_dict(CHN), channel="unit_application", received_on=D(2021, 9, 8),
                           actor="unit", notice_on=D(2021, 9, 6), accountability_decided_on=D(2021, 9, 10))
        assert row.policy_id == "CN-YN-BS-CHN-2016"
    with db.session_scope(url) as s, pytest.raises(pr.ProcedureError, match="accountability decision of 2021-09-10"):
        pr.open_case(s, case_from_dict({**CHN, "id": "W-2"}), channel="unit_application", received_on=D(2021, 9, 13),
                     actor="unit", notice_on=D(2021, 9, 6), accountability_decided_on=D(2021, 9, 10))
