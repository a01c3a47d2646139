"""Policy diff and policy impact, checked against differences read off the policy files."""

import re

import pandas as pd
import pytest

from ftlib.impact import EditError, drop_rule, policy_data, policy_impact, set_condition, set_time_limit
from ftlib.policy.diff import outcome_diff, text_diff
from ftlib.policy.loader import bundled


def test_text_diff_2016_to_2018_names_the_new_negative_list_and_condition():
    ps = bundled()
    changes = text_diff(ps.get("CN-2016"), ps.get("CN-2018"))
    added = {(c.section, c.item) for c in changes if c.kind == "added"}
    # cn-2018.yaml adds six exclusions and the "procedure" condition; cn-2016 has no exclusions.
    assert {("exclusions", x) for x in
            ["political_discipline", "benefit_transfer", "concealed", "refused_correction", "repeated", "major_harm"]} <= added
    assert ("conditions", "procedure") in added
    # The three distinctions keep their ids but cite the Opinions' clause instead of the speech.
    changed = {(c.section, c.item) for c in changes if c.kind == "changed"}
    assert {("distinctions", "knowingly_violated"), ("distinctions", "personal_gain")} <= changed
    # Scope is inherited unchanged (cn-2018 gives none of its own).
    assert not [c for c in changes if c.section == "scope"]
    assert ("identity", "effective_from") in changed


def test_outcome_diff_counts_the_whole_space():
    ps = bundled()
    table = outcome_diff(ps.compiled["CN-2016"], ps.compiled["CN-2016"])
    # A policy against itself: everything on the diagonal.
    assert int(table.values.sum()) == int(table.values.trace())
    table = outcome_diff(ps.compiled["CN-2016"], ps.compiled["CN-2018"])
    # CN-2016 never gives "mitigated" (no such grading row), so that row of the table is empty.
    assert int(table.loc["mitigated"].sum()) == 0
    # CN-2018 gives "mitigated" somewhere, so some cases move into that column.
    assert int(table["mitigated"].sum()) > 0


BASE = {
    "subject.rank": "county", "scenario": "reform_pilot", "public_motive": True,
    "procedure.collective_decision": True, "procedure.followed": "full", "consequence.severity": "minor",
}


def test_dropping_an_exclusion_changes_exactly_the_cases_it_caught():
    cases = pd.DataFrame([
        {**BASE, "region": "CN-A", "after.concealed": True},   # caught by exclusion "concealed"
        {**BASE, "region": "CN-A", "after.concealed": False},  # exempt either way
        {**BASE, "region": "CN-B", "after.concealed": True, "knowingly_violated": True},  # still red line
    ])
    # By hand under CN-2019: row 1 hits red_line (excluded) -> not_tolerated; without the
    # exclusion it reaches "exempt" (conditions met, minor, full procedure). Row 3 still
    # violates a distinction -> not_tolerated in both.
    edited = drop_rule(policy_data(bundled().get("CN-2019")), "exclusions", "concealed")
    impact = policy_impact(cases, "CN-2019", edited)
    assert impact.total == 3
    assert list(impact.changed.index) == [0]
    assert impact.pairs.to_dict("records") == [{"before": "not_tolerated", "after": "exempt", "cases": 1}]
    assert impact.by_region.loc["CN-A", "not_tolerated → exempt"] == 1


def test_tightening_a_condition():
    cases = pd.DataFrame([{**BASE, "region": "CN-A", "procedure.collective_decision": False}])
    edited = set_condition(policy_data(bundled().get("CN-2019")), "conditions", "procedure",
                           "procedure.collective_decision")
    # By hand: without a collective decision the condition now fails, conditions_met is false,
    # no mitigation applies (remedy none, no cooperation) -> default row, not_tolerated.
    impact = policy_impact(cases, "CN-2019", edited)
    assert impact.pairs.to_dict("records") == [{"before": "exempt", "after": "not_tolerated", "cases": 1}]


def test_bad_edits_are_refused():
    data = policy_data(bundled().get("CN-2019"))
    with pytest.raises(EditError, match="no rule 'nope'"):
        drop_rule(data, "exclusions", "nope")
    with pytest.raises(EditError, match="no stage 'lunch'"):
        set_time_limit(data, "lunch", 3)
    with pytest.raises(EditError, match="unknown fact"):
        policy_impact(pd.DataFrame([BASE]), "CN-2019", set_condition(data, "conditions", "procedure", "x.y"))
    assert set_time_limit(data, "decision", 3)["procedure"]["time_limits_working_days"]["decision"] == 3


def test_diff_text_speaks_names_and_articles_not_ids():
    from ftlib.policy.diff import diff_report, diff_text

    ps = bundled()
    text = diff_text(diff_report(ps.compiled["CN-2018"], ps.compiled["CN-2019"], "zh"), "zh")
    lines = text.splitlines()
    # the two policies by the names their files give, once, at the top
    assert lines[:2] == ["前者：《全国基线（2018年：激励干部新担当新作为意见）》", "后者：《全国基线（2019年：问责条例第十七、十八条）》"]
    # CN-2019 adds Art. 17 para. 2: shown by its article (the clause's source), not by the file's clause id
    assert any(line.startswith("  [条款] 新增: 〔第十七条第二款〕对上级错误决定提出改正或者撤销意见未被采纳") for line in lines), text
    assert not re.search(r"CN-20|art17|〔[a-z_0-9]+〕", text), text
