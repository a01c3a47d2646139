"""The impact period (影响期) follows the handling a decision carries (issue 11), never a constant
per outcome: ``ftlib.register.casepolicy.impact_months`` and the decision's ``handling_imposed``.

Periods from the texts in ftlib/data/handling.yaml: 纪律处分条例 (中央纪委法规室): 警告 one year,
严重警告 one and a half, 撤销党内职务 two; 政务处分法 Art. 8: 警告 6 months, 记过 12, 记大过 18,
降级/撤职 24; 批评教育、谈话提醒 none; no period read for 诫勉 or 组织处理.
"""

from __future__ import annotations

import pytest
from helpers import DM_DECISION, D, open_and_investigate

from ftlib import bundled
from ftlib.register import db
from ftlib.register import procedure as pr
from ftlib.register.casepolicy import impact_months
from ftlib.register.decisions import record_decision


@pytest.fixture
def cn2016():
    return bundled().get("CN-2016")


def test_the_handling_imposed_decides_the_period_the_longest_one_counting(cn2016):
    assert impact_months(cn2016, "mitigated", imposed=["gov_warning"]) == 6
    assert impact_months(cn2016, "mitigated", imposed=["gov_major_demerit"]) == 18
    assert impact_months(cn2016, "not_tolerated", imposed=["gov_demotion"]) == 24
    assert impact_months(cn2016, "not_tolerated", imposed=["gov_dismissal"]) == 24
    assert impact_months(cn2016, "mitigated", imposed=["reminder_talk", "party_serious_warning"]) == 18
    assert impact_months(cn2016, "mitigated", imposed="reminder_talk;party_post_removal") == 24
    assert impact_months(cn2016, "mitigated", imposed=["criticism_education"]) == 0
    # 诫勉: no period read — not known, whatever else was imposed
    assert impact_months(cn2016, "mitigated", imposed=["party_warning", "admonishment"]) is None


def test_without_handling_imposed_the_deciding_row_or_nothing(cn2016):
    # CN-2016 row tolerable leaves 批评教育、谈话提醒 (no period) when the decision follows it
    assert impact_months(cn2016, "exempt", "tolerable") == 0
    # a policy's own per-outcome figure is not read (the fictional CN-DM-2022 states 3 months for
    # mitigated): its row reduced leaves no handling, so without one imposed the period is not known
    dm = bundled().get("CN-DM-2022")
    assert dm.aftercare["mitigated"].impact_period_months == 3
    assert impact_months(dm, "mitigated", "reduced") is None
    assert impact_months(dm, "mitigated", "reduced", imposed=["party_warning"]) == 12
    assert impact_months(cn2016, "mitigated", "tolerable", follows_engine=False) is None
    assert impact_months(cn2016, "not_tolerated", "default") is None
    # a tolerated decision without any handling: no effect (不影响考核评优和选拔任用)
    assert impact_months(cn2016, "exempt", "tolerable", follows_engine=False) == 0


def test_the_register_checks_the_handling_imposed_against_the_catalogue(url):
    with db.session_scope(url) as s:
        open_and_investigate(s)
        args = {**DM_DECISION, "on": D(2025, 5, 6), "actor": "standing committee"}
        with pytest.raises(pr.ProcedureError, match=r"field handling_imposed: value 'caning': not a handling"):
            record_decision(s, "T-1", outcome="exempt", handling_imposed=["caning"], **args)
        # 免予处分 leaves no sanction grade
        with pytest.raises(pr.ProcedureError, match=r"value 'party_warning': Party warning is a sanction, which an "
                                                    r"exempting decision"):
            record_decision(s, "T-1", outcome="exempt", handling_imposed=["reminder_talk", "party_warning"], **args)
        # the case's track is accountability (the default): a government sanction is not imposed there
        with pytest.raises(pr.ProcedureError, match=r"value 'gov_demerit': demerit is not imposed on the case's track "
                                                    r"accountability \(only on: government sanction\)"):
            record_decision(s, "T-1", outcome="mitigated", handling_imposed=["gov_demerit"],
                            departure_reason="从轻", **args)
        event = record_decision(s, "T-1", outcome="exempt", handling_imposed=["reminder_talk"], **args)
        assert event.payload["handling_imposed"] == ["reminder_talk"]


def test_a_government_sanction_on_its_own_track(url):
    with db.session_scope(url) as s:
        open_and_investigate(s, track="government_sanction")
        event = record_decision(s, "T-1", on=D(2025, 5, 6), actor="standing committee", outcome="mitigated",
                                handling_imposed=["gov_demerit"], departure_reason="从轻处理", **DM_DECISION)
        assert event.payload["handling_imposed"] == ["gov_demerit"]
