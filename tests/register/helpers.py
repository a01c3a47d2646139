"""Small builders shared by the register tests."""

from __future__ import annotations

import datetime as dt

from ftlib.facts import case_from_dict
from ftlib.register import procedure as pr
from ftlib.register.decisions import record_decision

D = dt.date


def facts(case_id: str = "T-1", **over) -> dict:
    """A pilot-reform mistake, remedied: CN-DM-2022 exempts it (rule ``exempt``)."""
    base = {
        "id": case_id, "jurisdiction": "CN-DM", "conduct_date": "2025-03-10",
        "subject": {"rank": "township"}, "scenario": "reform_pilot", "public_motive": True,
        "procedure": {"collective_decision": True, "followed": "full"},
        "consequence": {"severity": "minor", "loss_cny": 10000},
        "after": {"remedy": "full", "cooperated": True},
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def make_case(case_id: str = "T-1", **over):
    return case_from_dict(facts(case_id, **over))


# CN-DM-2022: decision by the provincial commission's standing committee after consulting the
# organisation department, quorum 0.67.
DM_DECISION = {"body": "provincial_commission_standing_committee", "consulted": ["organisation_department"],
               "members_total": 9, "members_present": 7, "votes_for": 6, "votes_against": 1}


def open_and_investigate(s, case_id="T-1", received=None, **over):
    received = received or D(2025, 4, 1)
    pr.open_case(s, make_case(case_id, **over), channel="cadre_application", received_on=received,
                 actor="applicant", cadre_id="C-0001")
    pr.accept(s, case_id, received + dt.timedelta(days=1), "commission office")
    pr.start_investigation(s, case_id, received + dt.timedelta(days=2), "team")
    pr.finish_investigation(s, case_id, received + dt.timedelta(days=20), "team")


def decided_case(s, case_id="T-1", on=None, **decision):
    on = on or D(2025, 5, 6)
    open_and_investigate(s, case_id)
    args = {**DM_DECISION, "outcome": "exempt", **decision}
    return record_decision(s, case_id, on=on, actor="standing committee", **args)
