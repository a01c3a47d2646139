"""Determinations worked out by hand from the texts of ftlib/data/policies/cn-2016.yaml, cn-2018.yaml
and cn-2019.yaml (CN-2018 extends CN-2016, CN-2019 extends CN-2018).

Summary of the three grading tables as read from the files (first matching row wins):

CN-2016  distinctions: knowingly_violated, defied_prohibition, personal_gain; no exclusions;
         scope: reform_pilot, exploration, key_project, livelihood, emergency, historical_legacy;
         conditions: public_motive.
         rows: violates_distinction → not_tolerated | not_in_scope → out_of_scope |
               tolerable (conditions_met) → exempt | default → not_tolerated
CN-2018  + exclusions: political_discipline, benefit_transfer, after.concealed,
           after.refused_correction, history.repeated_after_warning,
           major_harm: severity == major OR (severity >= serious AND one of safety_incident,
           environmental_incident, food_safety_incident, mass_incident) — the clause reads "造成重大损失，
           或者发生安全生产、环境污染、食品安全、群体性事件等严重事故（后果达到“严重”及以上）";
           scope inherited from CN-2016;
         conditions: public_motive; procedure.followed != none or emergency_onsite (no after-report:
           no national text asks one for an emergency decision)
         rows: red_line → not_tolerated | not_in_scope → out_of_scope |
               exempt (conditions_met and severity <= serious and (followed == full or remedy == full)) |
               tolerable_lighter (conditions_met) → mitigated | default → not_tolerated
CN-2019  scope + policy_change, force_majeure; mitigations: remedy != none; cooperated or self_reported
         rows: red_line | superior_unlawful (objected_to_superior and superior_decision_unlawful) →
               not_tolerated | objected_superior (objected_to_superior) → not_accountable |
               objected (objected_to_decision) → not_accountable |
               force_majeure (force majeure, public_motive, followed != none, severity <= minor or
               remedy == full) → exempted | force_majeure_reduced (the same without the last) → reduced |
               not_in_scope | exempt | tolerable_lighter → mitigated | lighter_art18 (mitigating) → mitigated |
               default → not_tolerated
Corrections: CN-2016 rectify (always, 30 wd); CN-2018/19 rectify (always, 30 wd) and recover_losses
(loss > 0 and remedy != full, 60 wd). Aftercare (CN-2016, inherited): exempt 0 months / visit 60 wd;
mitigated no period fixed (null: it follows the handling imposed) / visit 60 wd; not_tolerated no period
fixed / no visit; out_of_scope none given.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import yaml

import ftlib
from ftlib.convert import cases_to_frame
from ftlib.engine import NoPolicyError, compare, determine, determine_frame
from ftlib.facts import FactError, case_from_dict
from ftlib.policy.loader import DATA_DIR, PolicySet

CN_FILES = [DATA_DIR / "cn-2016.yaml", DATA_DIR / "cn-2018.yaml", DATA_DIR / "cn-2019.yaml"]


@pytest.fixture(scope="module")
def cn() -> PolicySet:
    """Only the CN family, so that policy files added in parallel cannot change selection here."""
    return PolicySet(CN_FILES)


# A clean case: pilot reform, public motive, full procedure, minor consequence.
BASE = {
    "id": "H", "jurisdiction": "CN", "conduct_date": "2020-06-01", "scenario": "reform_pilot",
    "public_motive": True, "subject.rank": "county", "procedure.collective_decision": True,
    "procedure.followed": "full", "consequence.severity": "minor",
}


def case(**over):
    data = {**BASE, **{k.replace("__", "."): v for k, v in over.items()}}
    return case_from_dict(data)


# -- worked-by-hand grading ---------------------------------------------------------------------

# (policy, overrides, expected outcome, expected deciding row, reasoning)
HAND = [
    # CN-2016 -------------------------------------------------------------------------------
    ("CN-2016", {"personal_gain": True}, "not_tolerated", "violates_distinction",
     "distinction personal_gain true → violates_distinction (row 1)"),
    ("CN-2016", {"knowingly_violated": True}, "not_tolerated", "violates_distinction", "明知故犯 → row 1"),
    ("CN-2016", {"defied_prohibition": True, "scenario": "routine"}, "not_tolerated", "violates_distinction",
     "row 1 comes before the scope row"),
    ("CN-2016", {"scenario": "routine"}, "out_of_scope", "not_in_scope", "routine not in the 2016 scope"),
    ("CN-2016", {"scenario": "force_majeure"}, "out_of_scope", "not_in_scope",
     "force_majeure is not in the 2016 scope (added only in 2019)"),
    ("CN-2016", {}, "exempt", "tolerable", "no distinction, in scope, public motive → tolerable"),
    ("CN-2016", {"after.concealed": True, "consequence.severity": "major"}, "exempt", "tolerable",
     "2016 has no negative list and no severity threshold"),
    ("CN-2016", {"public_motive": False}, "not_tolerated", "default", "conditions_met false → default"),
    # CN-2018 -------------------------------------------------------------------------------
    ("CN-2018", {"after.concealed": True}, "not_tolerated", "red_line", "exclusion concealed"),
    ("CN-2018", {"benefit_transfer": True}, "not_tolerated", "red_line", "exclusion benefit_transfer"),
    ("CN-2018", {"history.repeated_after_warning": True}, "not_tolerated", "red_line", "exclusion repeated"),
    ("CN-2018", {"consequence.severity": "major", "consequence.safety_incident": True}, "not_tolerated",
     "red_line", "exclusion major_harm: a major loss already bars; the safety incident adds nothing"),
    ("CN-2018", {"consequence.severity": "serious", "consequence.safety_incident": True}, "not_tolerated",
     "red_line", "major_harm's second half: a safety incident with serious consequences (\"严重事故\")"),
    ("CN-2018", {"consequence.severity": "minor", "consequence.safety_incident": True}, "exempt", "exempt",
     "an incident with minor consequences is not a serious one: no exclusion; full procedure, minor → exempt"),
    ("CN-2018", {"knowingly_violated": True}, "not_tolerated", "red_line", "a distinction also hits red_line"),
    ("CN-2018", {"scenario": "routine"}, "out_of_scope", "not_in_scope", "routine not in scope"),
    ("CN-2018", {"scenario": "force_majeure"}, "out_of_scope", "not_in_scope", "scope inherited from 2016"),
    ("CN-2018", {}, "exempt", "exempt", "conditions met, minor <= serious, followed full"),
    ("CN-2018", {"procedure.followed": "partial", "after.remedy": "full", "consequence.severity": "serious"},
     "exempt", "exempt", "partial procedure but full remedy, serious <= serious"),
    ("CN-2018", {"procedure.followed": "partial", "after.remedy": "partial"}, "mitigated", "tolerable_lighter",
     "conditions met (partial != none) but neither full procedure nor full remedy"),
    ("CN-2018", {"consequence.severity": "major"}, "not_tolerated", "red_line",
     "a major loss alone is on the negative list (造成重大损失，或者…): major_harm → red_line"),
    ("CN-2018", {"procedure.followed": "none", "procedure.emergency_onsite": True, "procedure.reported_after": True,
                 "scenario": "emergency"}, "mitigated", "tolerable_lighter",
     "on-the-spot emergency decision satisfies the procedure condition; not exempt: followed none, remedy none"),
    ("CN-2018", {"procedure.followed": "none", "procedure.emergency_onsite": True, "scenario": "emergency"},
     "mitigated", "tolerable_lighter",
     "on-the-spot, not reported: the national condition asks no after-report, so it holds as above"),
    ("CN-2018", {"procedure.followed": "none", "scenario": "emergency"}, "not_tolerated", "default",
     "no procedure and no on-the-spot decision: the procedure condition fails; 2018 has no mitigations"),
    ("CN-2018", {"public_motive": False}, "not_tolerated", "default", "no public motive"),
    ("CN-2018", {"public_motive": False, "after.cooperated": True}, "not_tolerated", "default",
     "2018 has no mitigations group"),
    # CN-2019 -------------------------------------------------------------------------------
    ("CN-2019", {"benefit_transfer": True, "objected_to_decision": True}, "not_tolerated", "red_line",
     "red_line comes before objected"),
    ("CN-2019", {"political_discipline": True}, "not_tolerated", "red_line", "exclusion political_discipline"),
    ("CN-2019", {"objected_to_decision": True, "scenario": "routine", "public_motive": False}, "exempt",
     "objected", "Art.17(2) row precedes the scope row and needs nothing else"),
    ("CN-2019", {"scenario": "force_majeure", "procedure.followed": "partial", "consequence.severity": "major"},
     "not_tolerated", "red_line",
     "a major loss is on the inherited negative list, and red_line precedes the Art.17(3) rows"),
    ("CN-2019", {"scenario": "force_majeure", "procedure.followed": "partial", "consequence.severity": "serious",
                 "after.remedy": "partial"}, "mitigated", "force_majeure_reduced",
     "Art.17(3) graded: serious (no incident, not excluded), only partly recovered → force_majeure fails "
     "(neither <= minor nor remedy full) → reduced, not exempted"),
    ("CN-2019", {"consequence.severity": "serious", "consequence.environmental_incident": True}, "not_tolerated",
     "red_line", "serious environmental-pollution incident: major_harm (inherited from CN-2018)"),
    ("CN-2019", {"consequence.severity": "serious", "consequence.food_safety_incident": True}, "not_tolerated",
     "red_line", "serious food-safety incident: major_harm"),
    ("CN-2019", {"consequence.severity": "serious", "consequence.mass_incident": True}, "not_tolerated",
     "red_line", "serious mass incident: major_harm"),
    ("CN-2019", {"consequence.severity": "serious", "after.remedy": "full"}, "exempt", "exempt",
     "serious without any incident is not excluded; serious <= serious and remedy full → exempt"),
    ("CN-2019", {"consequence.mass_incident": True}, "exempt", "exempt",
     "a mass incident with minor consequences is not serious: no exclusion; full procedure, minor → exempt"),
    ("CN-2019", {"scenario": "force_majeure", "procedure.followed": "partial"}, "exempt", "force_majeure",
     "Art.17(3): force majeure, public motive, some procedure, minor consequences → exempted"),
    ("CN-2019", {"objected_to_superior": True, "superior_decision_unlawful": True}, "not_tolerated",
     "superior_unlawful", "Art.17 para.2, second sentence: an obviously unlawful superior decision keeps liability"),
    ("CN-2019", {"objected_to_superior": True, "scenario": "routine"}, "exempt", "objected_superior",
     "Art.17 para.2: proposed correcting a superior's wrong decision, not heeded; precedes the scope row"),
    ("CN-2019", {"scenario": "force_majeure", "procedure.followed": "none"}, "not_tolerated", "default",
     "force majeure without procedure: row 3 fails; in scope; procedure condition fails; no mitigation"),
    ("CN-2019", {"scenario": "routine"}, "out_of_scope", "not_in_scope", "routine not in scope"),
    ("CN-2019", {}, "exempt", "exempt", "Art.17(1) reading: full procedure, minor"),
    ("CN-2019", {"scenario": "policy_change"}, "exempt", "exempt", "policy_change is in the 2019 scope"),
    ("CN-2019", {"procedure.followed": "partial", "after.remedy": "partial"}, "mitigated", "tolerable_lighter",
     "conditions met, not exempt"),
    ("CN-2019", {"public_motive": False, "after.cooperated": True}, "mitigated", "lighter_art18",
     "conditions fail; Art.18 mitigation cooperated"),
    ("CN-2019", {"public_motive": False, "after.remedy": "partial"}, "mitigated", "lighter_art18",
     "conditions fail; Art.18 mitigation remedied (remedy != none)"),
    ("CN-2019", {"public_motive": False}, "not_tolerated", "default", "nothing applies"),
]


@pytest.mark.parametrize("pid,over,outcome,rule,why", HAND, ids=[f"{h[0]}-{h[3]}-{i}" for i, h in enumerate(HAND)])
def test_hand_worked(cn, pid, over, outcome, rule, why):
    d = determine(case(**over), pid, cn)
    assert (d.outcome, d.deciding_rule) == (outcome, rule), why
    assert d.policy.id == pid


def test_every_grading_row_is_covered(cn):
    for pid in ("CN-2016", "CN-2018", "CN-2019"):
        rows = {r.id for r in cn.get(pid).grading}
        covered = {h[3] for h in HAND if h[0] == pid}
        assert rows == covered, pid


def test_handling_with_exemption(cn):
    assert determine(case(), "CN-2016", cn).handling.zh == "批评教育、谈话提醒"
    assert determine(case(), "CN-2019", cn).handling.en == "criticism and education, reminder talk"
    assert determine(case(objected_to_decision=True), "CN-2019", cn).handling is None  # row gives none


def test_deciding_row_named_in_the_policy_file(cn):
    # The clean case is exempted by CN-2019's row "exempt", which its file names
    # {zh: 符合免责条件, en: meets the conditions for exemption}; the text and JSON show those words.
    from ftlib.render import determination_json, determination_text

    d = determine(case(), "CN-2019", cn)
    assert (d.deciding_label.zh, d.deciding_label.en) == ("符合免责条件", "meets the conditions for exemption")
    assert "← 符合免责条件 (exempt)" in determination_text(d, "zh")
    assert "← meets the conditions for exemption (exempt)" in determination_text(d, "en")
    assert determination_json(d)["deciding_label"] == {"zh": "符合免责条件", "en": "meets the conditions for exemption"}


# -- trace ---------------------------------------------------------------------------------------

def test_trace_cn2016_exempt(cn):
    d = determine(case(), "CN-2016", cn)
    # 3 distinctions, scope, 1 condition, then grading rows 1-3 (row 3 decides; row 4 never read)
    got = [(t.group, t.rule, t.result, t.facts) for t in d.trace]
    assert got == [
        ("distinctions", "knowingly_violated", False, {"knowingly_violated": False}),
        ("distinctions", "defied_prohibition", False, {"defied_prohibition": False}),
        ("distinctions", "personal_gain", False, {"personal_gain": False}),
        ("scope", "scope", True, {"scenario": "reform_pilot"}),
        ("conditions", "public_motive", True, {"public_motive": True}),
        ("grading", "violates_distinction", False, {"violates_distinction": False}),
        ("grading", "not_in_scope", False, {"in_scope": True}),
        ("grading", "tolerable", True, {"conditions_met": True}),
    ]
    assert [t.step for t in d.trace] == list(range(1, 9))
    assert [t.decisive for t in d.trace] == [False] * 7 + [True]
    assert "明知故犯" in d.trace[0].clause_zh and "deliberate violations" in d.trace[0].clause_en
    assert d.trace[0].clause_status == "official"
    assert "xitheory" in d.trace[0].source
    assert d.trace[7].clause == "grading_reading" and d.trace[7].clause_status == "illustrative"
    assert d.trace[7].clause_zh.startswith("（示例性解读）落在“三个区分开来”容错一侧")


@pytest.mark.parametrize("pid", ["CN-2016", "CN-2018", "CN-2019"])
@pytest.mark.parametrize("idx", range(0, len(HAND), 3))
def test_trace_invariants(cn, pid, idx):
    over = HAND[idx][1]
    d = determine(case(**over), pid, cn)
    policy = cn.get(pid)
    decisive = [t for t in d.trace if t.decisive]
    assert len(decisive) == 1
    assert decisive[0] is d.trace[-1]  # grading stops at the first match
    assert decisive[0].group == "grading" and decisive[0].rule == d.deciding_rule and decisive[0].result
    assert all(not t.result for t in d.trace if t.group == "grading" and not t.decisive)
    for t in d.trace:
        assert t.clause_zh and t.clause_en
        assert (t.clause_zh, t.clause_en) == (policy.clauses[t.clause].zh, policy.clauses[t.clause].en)
        assert t.condition
        # every step reads some fact, except the default row whose condition is the constant true
        assert t.facts or (t.rule == "default" and t.condition == "true"), t


def test_trace_reads_all_facts_of_a_row_even_if_it_fails_early(cn):
    # CN-2018, no public motive: conditions_met is false, so the `exempt` row is false already from
    # its first operand; the trace must still show the other facts it names. The procedure
    # condition names two facts: "procedure.followed != none or procedure.emergency_onsite".
    d = determine(case(public_motive=False), "CN-2018", cn)
    row = next(t for t in d.trace if t.group == "grading" and t.rule == "exempt")
    assert row.result is False
    assert row.facts == {"conditions_met": False, "consequence.severity": "minor",
                         "procedure.followed": "full", "after.remedy": "none"}
    assert d.deciding_rule == "default"
    proc = next(t for t in d.trace if t.group == "conditions" and t.rule == "procedure")
    assert proc.facts == {"procedure.followed": "full", "procedure.emergency_onsite": False}


def test_trace_cn2019_article_source(cn):
    d = determine(case(objected_to_decision=True), "CN-2019", cn)
    last = d.trace[-1]
    assert last.rule == "objected" and last.clause == "art17_2"
    assert "第十七条第一款第（二）项" in last.source and "vrainbow.cn" in last.source
    assert "反对意见" in last.clause_zh
    # mitigations are evaluated (and traced) before grading
    assert {t.rule for t in d.trace if t.group == "mitigations"} == {"remedied", "cooperated"}


# -- corrections and aftercare ------------------------------------------------------------------

def test_corrections_cn2016(cn):
    d = determine(case(**{"consequence.loss_cny": 1e5}), "CN-2016", cn)
    assert [(c.id, c.time_limit_working_days, c.zh) for c in d.corrections] == [
        ("rectify", 30, "限期整改，消除不良影响")]


@pytest.mark.parametrize("pid", ["CN-2018", "CN-2019"])
@pytest.mark.parametrize("loss,remedy,expected", [
    (50_000.0, "partial", [("rectify", 30), ("recover_losses", 60)]),
    (50_000.0, "none", [("rectify", 30), ("recover_losses", 60)]),
    (50_000.0, "full", [("rectify", 30)]),   # fully recovered: nothing left to recover
    (0.0, "none", [("rectify", 30)]),        # no loss
])
def test_corrections_cn2018_2019(cn, pid, loss, remedy, expected):
    d = determine(case(**{"consequence.loss_cny": loss, "after.remedy": remedy}), pid, cn)
    assert [(c.id, c.time_limit_working_days) for c in d.corrections] == expected
    # CN-2018 replaces the parent's rectify text
    assert d.corrections[0].zh == "限期整改，采取补救措施，消除不良影响"


def test_corrections_apply_whatever_the_outcome(cn):
    d = determine(case(benefit_transfer=True, **{"consequence.loss_cny": 10.0}), "CN-2019", cn)
    assert d.outcome == "not_tolerated"
    assert [c.id for c in d.corrections] == ["rectify", "recover_losses"]


@pytest.mark.parametrize("pid", ["CN-2016", "CN-2018", "CN-2019"])
def test_aftercare_per_outcome(cn, pid):
    cases = {  # a case per outcome under every CN version (see HAND)
        "exempt": case(),
        "not_tolerated": case(knowingly_violated=True),
        "out_of_scope": case(scenario="routine"),
    }
    if pid != "CN-2016":
        cases["mitigated"] = case(**{"procedure.followed": "partial", "after.remedy": "partial"})
    # cn-2016.yaml aftercare (inherited by CN-2018/2019): no impact period is fixed for mitigated or
    # not tolerated (null: it follows the handling imposed); exempt rows leave 批评教育、谈话提醒 (0)
    expected = {"exempt": (0, 60), "mitigated": (None, 60), "not_tolerated": (None, None), "out_of_scope": (0, None)}
    for outcome, c in cases.items():
        d = determine(c, pid, cn)
        assert d.outcome == outcome
        assert (d.aftercare.impact_period_months, d.aftercare.follow_up_visit_within_working_days) == \
            expected[outcome], (pid, outcome)


# -- selection by date ---------------------------------------------------------------------------

#: The national policies' English names, as their files give them.
NAME_EN = {"CN-2016": "National baseline (2016: the three distinctions)",
           "CN-2018": "National baseline (2018: Opinions on motivating cadres)",
           "CN-2019": "National baseline (2019: Accountability Regulations Art. 17-18)"}


@pytest.mark.parametrize("day,pid", [
    ("2017-03-01", "CN-2016"),
    ("2016-01-18", "CN-2016"),   # first day of CN-2016
    ("2018-05-19", "CN-2016"),   # last day of CN-2016
    ("2018-05-20", "CN-2018"),   # first day of CN-2018
    ("2018-06-15", "CN-2018"),
    ("2019-09-03", "CN-2018"),
    ("2019-09-04", "CN-2019"),
    ("2020-01-10", "CN-2019"),
])
def test_selection_by_conduct_date(cn, day, pid):
    d = determine(case(conduct_date=day), policies=cn)
    assert d.policy.id == pid
    assert d.selection.code == "at_conduct"
    # the reader meets the policy's name, never its id
    assert NAME_EN[pid] in d.selection.en and day in d.selection.zh and pid not in d.selection.en + d.selection.zh
    assert d.warnings == []


def test_selection_falls_back_to_parent_jurisdiction(cn):
    d = determine(case(conduct_date="2017-03-01", jurisdiction="CN-HB-WH"), policies=cn)
    assert d.policy.id == "CN-2016"


def test_no_policy_before_2016(cn):
    with pytest.raises(NoPolicyError) as e:
        determine(case(conduct_date="2015-07-01", id="OLD"), policies=cn)
    msg = str(e.value)
    assert "conduct_date" in msg and "2015-07-01" in msg and "OLD" in msg


def test_decision_before_conduct_is_an_error(cn):
    with pytest.raises(FactError) as e:
        determine(case(conduct_date="2020-01-10", decision_date="2019-12-31"), policies=cn)
    assert "decision_date" in str(e.value)


@pytest.mark.parametrize("over,old_outcome,new_outcome,new_rule", [
    # CN-2018: routine → not_in_scope (out_of_scope); CN-2019: objected row → exempt.
    ({"objected_to_decision": True, "scenario": "routine"}, "out_of_scope", "exempt", "objected"),
    # CN-2018: force_majeure not in scope → out_of_scope; CN-2019: Art.17(3) row → exempt.
    ({"scenario": "force_majeure", "procedure.followed": "partial"}, "out_of_scope", "exempt", "force_majeure"),
    # CN-2018: no public motive → default not_tolerated; CN-2019: Art.18 cooperated → mitigated.
    ({"public_motive": False, "after.self_reported": True}, "not_tolerated", "mitigated", "lighter_art18"),
])
def test_lenient_later_rule_applies(cn, over, old_outcome, new_outcome, new_rule):
    c = case(conduct_date="2019-01-15", decision_date="2020-03-01", **over)
    assert determine(c, "CN-2018", cn).outcome == old_outcome  # the hand premise
    d = determine(c, policies=cn)
    assert d.policy.id == "CN-2019"
    assert (d.outcome, d.deciding_rule) == (new_outcome, new_rule)
    assert d.selection.code == "lenient_later"
    assert NAME_EN["CN-2018"] in d.selection.en and NAME_EN["CN-2019"] in d.selection.en
    assert "从旧兼从轻" in d.selection.zh and "激励干部新担当新作为意见" in d.selection.zh


def test_later_rule_not_more_lenient_keeps_conduct_rule(cn):
    # both versions exempt the clean case: equal, not more lenient → CN-2018 kept
    d = determine(case(conduct_date="2019-01-15", decision_date="2020-03-01"), policies=cn)
    assert (d.policy.id, d.outcome, d.selection.code) == ("CN-2018", "exempt", "kept_conduct")
    assert NAME_EN["CN-2019"] in d.selection.en


def test_stricter_later_rule_is_not_applied_backwards(cn):
    # conduct 2017 (CN-2016): concealment is not on the 2016 negative list → exempt.
    # decision 2019-01 (CN-2018): concealment is a red line → not_tolerated. No hindsight: keep CN-2016.
    d = determine(case(conduct_date="2017-05-01", decision_date="2019-01-10", **{"after.concealed": True}),
                  policies=cn)
    assert (d.policy.id, d.outcome, d.deciding_rule, d.selection.code) == ("CN-2016", "exempt", "tolerable",
                                                                            "kept_conduct")


def test_decision_in_same_version_is_at_conduct(cn):
    d = determine(case(conduct_date="2020-01-15", decision_date="2021-03-01"), policies=cn)
    assert (d.policy.id, d.selection.code) == ("CN-2019", "at_conduct")


# -- forced policies -----------------------------------------------------------------------------

def test_forced_policy_not_in_force_warns(cn):
    d = determine(case(conduct_date="2017-03-01"), "CN-2019", cn)
    assert d.policy.id == "CN-2019"
    assert d.selection.code == "forced"
    codes = [w.code for w in d.warnings]
    assert codes == ["not_in_force"]
    assert NAME_EN["CN-2019"] in d.warnings[0].en and "2017-03-01" in d.warnings[0].zh


def test_forced_policy_in_force_no_warning(cn):
    d = determine(case(conduct_date="2017-03-01"), "CN-2016", cn)
    assert d.warnings == [] and d.selection.code == "forced"


def test_forced_family_picks_version_in_force(cn):
    assert determine(case(conduct_date="2018-07-01"), "CN", cn).policy.id == "CN-2018"


def test_forced_unknown_policy(cn):
    with pytest.raises(ftlib.PolicyError) as e:
        determine(case(), "XX-1999", cn)
    assert "XX-1999" in str(e.value)


def test_forced_policy_other_jurisdiction_warns(tmp_path):
    data = yaml.safe_load((DATA_DIR / "cn-2016.yaml").read_text(encoding="utf-8"))
    data.update(id="CN-ZZ-2016", family="CN-ZZ", jurisdiction="CN-ZZ")
    p = tmp_path / "zz.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ps = PolicySet([*CN_FILES, p])
    d = determine(case(conduct_date="2017-03-01", jurisdiction="CN-HB"), "CN-ZZ-2016", ps)
    assert [w.code for w in d.warnings] == ["other_jurisdiction"]
    assert "湖北省" in d.warnings[0].zh and "CN-HB" not in d.warnings[0].zh + d.warnings[0].en
    # and a CN-ZZ case selects its own policy before the national one
    assert determine(case(conduct_date="2017-03-01", jurisdiction="CN-ZZ-A"), policies=ps).policy.id == "CN-ZZ-2016"


# -- compare -------------------------------------------------------------------------------------

def test_compare_one_per_family():
    ps = ftlib.bundled()
    dets = compare(case(conduct_date="2020-01-10"))
    assert len(dets) == len(ps.families())
    assert sorted(d.policy.family for d in dets) == sorted(ps.families())
    cn_det = next(d for d in dets if d.policy.family == "CN")
    assert (cn_det.policy.id, cn_det.outcome) == ("CN-2019", "exempt")


def test_compare_given_policies(cn):
    c = case(conduct_date="2019-01-15", objected_to_decision=True, scenario="routine")
    dets = compare(c, ["CN-2016", "CN-2018", "CN-2019"], cn)
    assert [(d.policy.id, d.outcome) for d in dets] == [
        ("CN-2016", "out_of_scope"), ("CN-2018", "out_of_scope"), ("CN-2019", "exempt")]
    assert [w.code for w in dets[0].warnings] == ["not_in_force"]
    assert dets[1].warnings == []


# -- determine_frame -----------------------------------------------------------------------------

def test_determine_frame_hand_cases_and_index(cn):
    rows = [h for h in HAND if h[0] == "CN-2019"]
    df = cases_to_frame([case(**h[1]) for h in rows])
    df.index = [f"r{i}" for i in range(len(df))][::-1]  # a non-default index
    out = determine_frame(df, "CN-2019", cn)
    assert list(out.index) == list(df.index)
    assert list(out.columns) == ["outcome", "disposition", "rule"]
    assert list(out["outcome"].astype(str)) == [h[2] for h in rows]
    assert list(out["rule"].astype(str)) == [h[3] for h in rows]


def test_determine_frame_accepts_plain_columns(cn):
    # strings instead of categoricals, blank optional cells, optional columns absent
    df = pd.DataFrame([
        {**BASE},
        {**BASE, "scenario": "routine", "knowingly_violated": None},
        {**BASE, "public_motive": False, "after.cooperated": True},
    ], index=[7, 3, 5])
    out = determine_frame(df, "CN-2019", cn)
    assert list(out.index) == [7, 3, 5]
    assert list(out["outcome"].astype(str)) == ["exempt", "out_of_scope", "mitigated"]
    assert list(out["rule"].astype(str)) == ["exempt", "not_in_scope", "lighter_art18"]


def test_determine_frame_bad_enum_names_row(cn):
    df = pd.DataFrame([BASE, {**BASE, "consequence.severity": "catastrophic"}, BASE])
    with pytest.raises(FactError) as e:
        determine_frame(df, "CN-2018", cn)
    msg = str(e.value)
    assert "row 2" in msg and "consequence.severity" in msg and "catastrophic" in msg


def test_determine_frame_bad_bool_names_row(cn):
    df = pd.DataFrame([BASE, BASE, {**BASE, "personal_gain": "perhaps"}])
    with pytest.raises(FactError) as e:
        determine_frame(df, "CN-2016", cn)
    assert "row 3" in str(e.value) and "personal_gain" in str(e.value) and "perhaps" in str(e.value)


def _policy_reading_loss(tmp_path) -> PolicySet:
    data = yaml.safe_load((DATA_DIR / "cn-2016.yaml").read_text(encoding="utf-8"))
    data.update(id="T-LOSS", family="T", jurisdiction="CN-T")
    data["exclusions"] = [{"id": "big_loss", "clause": "grading_reading", "when": "consequence.loss_cny >= 1000000"}]
    data["grading"] = [{"id": "excluded", "clause": "grading_reading", "when": "excluded", "outcome": "not_tolerated"},
                       *data["grading"]]
    p = tmp_path / "loss.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return PolicySet([p])


def test_determine_frame_negative_number_names_row(tmp_path):
    ps = _policy_reading_loss(tmp_path)
    ok = pd.DataFrame([{**BASE, "consequence.loss_cny": 2e6}, {**BASE, "consequence.loss_cny": 10.0}])
    # by hand: 2e6 >= 1e6 → excluded → not_tolerated; 10 → tolerable → exempt
    assert list(determine_frame(ok, "T-LOSS", ps)["rule"].astype(str)) == ["excluded", "tolerable"]
    df = pd.DataFrame([BASE, {**BASE, "consequence.loss_cny": -3.0}])
    with pytest.raises(FactError) as e:
        determine_frame(df, "T-LOSS", ps)
    assert "row 2" in str(e.value) and "consequence.loss_cny" in str(e.value) and "-3" in str(e.value)


def test_determine_frame_rejects_bad_values_in_columns_the_policy_does_not_read(cn):
    # BUG (or design gap for the lead to decide): frame_columns() only converts the columns the
    # policy's rules read, so a value determine() would reject (it validates the whole Case) is
    # silently accepted by determine_frame when no grading/rule condition reads it: here a negative
    # loss (CN-2018 reads loss only in a correction) and an unknown rank. The two paths then
    # disagree: determine(case_from_dict(row)) raises FactError, determine_frame returns an outcome.
    for bad in ({"consequence.loss_cny": -3.0}, {"subject.rank": "emperor"}):
        df = pd.DataFrame([BASE, {**BASE, **bad}])
        with pytest.raises(FactError) as e:
            determine_frame(df, "CN-2018", cn)
        assert "row 2" in str(e.value) and next(iter(bad)) in str(e.value)


def test_determine_frame_blank_required_is_unknown(cn):
    # issue 11.4: a blank required cell is unknown. CN-2016: public motive is its one condition →
    # `tolerable` (exempt) when true, `default` (not_tolerated) when false: row 2 is open.
    df = pd.DataFrame([BASE, {**BASE, "public_motive": None}])
    out = determine_frame(df, "CN-2016", cn)
    assert list(out["outcome"].astype(str)) == ["exempt", "undetermined"]
    assert out["rule"].astype(str).tolist()[0] == "tolerable" and pd.isna(out["rule"].iloc[1])
    assert list(out["possible_outcomes"].astype(str)) == ["", "exempt,not_tolerated"]
    assert list(out["decisive_unknowns"].astype(str)) == ["", "public_motive"]


def test_determine_frame_unknown_policy(cn):
    with pytest.raises(ftlib.PolicyError):
        determine_frame(cases_to_frame([case()]), "XX-1", cn)


# -- a bug found while reading compiled.py -------------------------------------------------------

def test_later_group_may_read_an_earlier_aggregate(tmp_path):
    # BUG: schema.py says later groups may read the aggregates of earlier groups, and the
    # compiler accepts `in_scope` in a `conditions` rule, but CompiledPolicy.run / run_frame
    # compute the aggregates only after *all* rule steps, so evaluation raises KeyError('in_scope')
    # for one case and for a frame.
    data = yaml.safe_load((DATA_DIR / "cn-2016.yaml").read_text(encoding="utf-8"))
    data.update(id="T-2016", family="T", jurisdiction="CN-T")
    data["conditions"] = [{"id": "public_motive", "clause": "grading_reading", "when": "public_motive and in_scope"}]
    p = tmp_path / "t.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ps = PolicySet([p])
    # by hand: no distinction, reform_pilot in scope, public motive and in scope → tolerable → exempt
    d = determine(case(), "T-2016", ps)
    assert (d.outcome, d.deciding_rule) == ("exempt", "tolerable")
    out = determine_frame(cases_to_frame([case(), case(scenario="routine")]), "T-2016", ps)
    assert list(out["rule"].astype(str)) == ["tolerable", "not_in_scope"]


def test_decision_date_type(cn):
    c = case(decision_date="2020-07-01")
    assert c.decision_date == dt.date(2020, 7, 1)


def test_determine_frame_bad_enum_without_pandas_deprecation(cn):
    # BUG (forward compatibility): frame_columns() detects a value outside the vocabulary by
    # building pd.Categorical(values, categories=...) and looking for code -1; pandas 3.1 warns
    # (Pandas4Warning) that this "will raise in a future version", after which the user gets a
    # pandas ValueError instead of the FactError naming the row. Run with warnings as errors.
    import warnings

    df = pd.DataFrame([BASE, {**BASE, "consequence.severity": "catastrophic"}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FactError) as e:
            determine_frame(df, "CN-2018", cn)
    assert "row 2" in str(e.value)
