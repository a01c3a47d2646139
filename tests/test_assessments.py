"""The five assessments on a determination (issue 11 item 5) and the after-care of an organisation.

Expected values are worked out by hand from ftlib/data/assessments.yaml (which fact belongs to
which assessment, which value weighs which way: an illustrative reading of seed 004's "five
assessments") and from which facts each policy's rules read (ftlib/data/policies/cn-20*.yaml):
an assessment lists only the facts the determination's trace read.
"""

from __future__ import annotations

import pytest

from ftlib.engine import determine
from ftlib.facts import CONDITION_FACTS, case_from_dict
from ftlib.policy.assessments import WEIGHTS, table
from ftlib.policy.loader import DATA_DIR, PolicySet
from ftlib.render import determination_json, determination_text

CN_FILES = [DATA_DIR / "cn-2016.yaml", DATA_DIR / "cn-2018.yaml", DATA_DIR / "cn-2019.yaml"]
BASE = {
    "id": "A", "jurisdiction": "CN", "conduct_date": "2020-06-01", "scenario": "reform_pilot",
    "public_motive": True, "subject.rank": "county", "procedure.collective_decision": True,
    "procedure.followed": "full", "consequence.severity": "minor",
}


@pytest.fixture(scope="module")
def cn() -> PolicySet:
    return PolicySet(CN_FILES)


def case(**over):
    return case_from_dict({**BASE, **{k.replace("__", "."): v for k, v in over.items()}})


def by_id(d):
    return {a.id: a for a in d.assessments}


def test_the_table_names_five_assessments_over_vocabulary_facts():
    t = table()
    assert [f.id for f in t.factors] == ["motive", "basis", "process", "impact", "attitude"]
    assert t.status == "illustrative"
    for f in t.factors:
        assert f.label.zh and f.label.en and f.question.zh and f.question.en
        for name, ways in f.facts.items():
            spec = CONDITION_FACTS[name]  # a fact of the vocabulary
            keys = {"bool": {"true", "false"}, "number": {"zero", "positive"}}.get(spec.kind, set(spec.values))
            assert set(ways) <= keys, (f.id, name)
    # one fact, one assessment
    names = [n for f in t.factors for n in f.facts]
    assert len(names) == len(set(names))


def test_clean_case_under_cn2019(cn):
    # CN-2019, clean case, decided by row `exempt`. Facts its trace reads, by assessment:
    #  motive: public_motive=yes (for); knowingly_violated, personal_gain (distinctions),
    #    benefit_transfer (exclusion) = no (no weight) → for.
    #  basis: scenario reform_pilot (for); defied_prohibition, political_discipline,
    #    superior_decision_unlawful (row superior_unlawful) = no → for.
    #  process: procedure.followed full (for); procedure.emergency_onsite (procedure condition),
    #    objected_to_decision, objected_to_superior (grading rows before `exempt`) = no → for.
    #    procedure.collective_decision: no CN-2019 rule reads it, so it is not listed.
    #  impact: severity minor (for); the four incidents of major_harm = no → for.
    #  attitude: after.remedy none (no weight: nothing remedied may be nothing to remedy),
    #    self_reported, cooperated (Art. 18), concealed, refused_correction, repeated = no → neutral.
    d = determine(case(), "CN-2019", cn)
    a = by_id(d)
    assert {k: v.weight for k, v in a.items()} == {
        "motive": "for", "basis": "for", "process": "for", "impact": "for", "attitude": "neutral"}
    assert a["process"].facts == {"procedure.followed": "full", "procedure.emergency_onsite": False,
                                  "objected_to_decision": False, "objected_to_superior": False}
    assert a["process"].directions["procedure.followed"] == "for"
    assert a["motive"].facts == {"public_motive": True, "knowingly_violated": False, "personal_gain": False,
                                 "benefit_transfer": False}
    assert list(a["impact"].facts) == ["consequence.severity", "consequence.safety_incident",
                                       "consequence.environmental_incident", "consequence.food_safety_incident",
                                       "consequence.mass_incident"]


def test_cn2016_weighs_neither_process_nor_impact_nor_attitude(cn):
    # CN-2016 reads the three distinctions, the scenario and public_motive, nothing else: the
    # decision process, the consequences and the attitude after are not weighed at all.
    d = determine(case(), "CN-2016", cn)
    a = by_id(d)
    assert {k: v.weight for k, v in a.items()} == {
        "motive": "for", "basis": "for", "process": "not_weighed", "impact": "not_weighed",
        "attitude": "not_weighed"}
    assert a["basis"].facts == {"scenario": "reform_pilot", "defied_prohibition": False}
    assert a["process"].facts == {}


def test_weights_against_and_both_ways(cn):
    # CN-2019, concealed, serious consequences, losses partly recovered. The exclusion `concealed`
    # makes red_line decide (first row: later rows are not read, so objected_* are not listed).
    #  impact: severity serious → against (no incident) → against.
    #  attitude: after.remedy partial (for) and after.concealed yes (against) → mixed.
    #  process: only the procedure condition's facts: followed full (for), emergency_onsite no → for.
    d = determine(case(after__concealed=True, consequence__severity="serious", after__remedy="partial"), "CN-2019", cn)
    assert (d.outcome, d.deciding_rule) == ("not_tolerated", "red_line")
    a = by_id(d)
    assert a["impact"].weight == "against" and a["impact"].directions["consequence.severity"] == "against"
    assert a["attitude"].weight == "mixed"
    assert a["attitude"].directions["after.remedy"] == "for" and a["attitude"].directions["after.concealed"] == "against"
    assert a["process"].facts == {"procedure.followed": "full", "procedure.emergency_onsite": False}
    # shown in both languages, marked as a reading
    zh, en = determination_text(d, "zh"), determination_text(d, "en")
    assert "五个评估 (示例性):" in zh and "社会影响：不利于当事人" in zh and "事后态度：有利与不利并存" in zh
    assert "The five assessments (illustrative):" in en and "social impact: weighed against the cadre" in en
    data = determination_json(d)
    assert [x["weight"] for x in data["assessments"]] == ["for", "for", "for", "against", "mixed"]


def test_an_unknown_fact_leaves_its_assessment_open(cn):
    # after.remedy unknown (it is read by Art. 18 `remedied`): attitude open; the other facts of
    # the attitude assessment are known and weigh nothing.
    d = determine(case(after__remedy="unknown"), "CN-2019", cn)
    a = by_id(d)
    assert a["attitude"].weight == "open" and a["attitude"].directions["after.remedy"] == "open"
    assert all(a[k].weight in WEIGHTS for k in a)


def test_after_care_of_an_organisation_comes_from_its_own_table(cn):
    # CN-2019's aftercare_organisation (illustrative): an exempted unit is "evaluated objectively:
    # no deduction in its annual appraisal"; a person keeps the tolerated cadre's note.
    unit = determine(case(subject__kind="organisation"), "CN-2019", cn)
    person = determine(case(), "CN-2019", cn)
    assert unit.outcome == person.outcome == "exempt"
    assert unit.aftercare.note.zh == "（示例性）对单位客观评价，年度考核免予扣分，不影响评先评优"
    assert unit.aftercare.impact_period_months == 0 and unit.aftercare.follow_up_visit_within_working_days is None
    assert person.aftercare.note.zh == "客观评价、不影响考核评优和选拔任用"
    # a unit treated more lightly (partial procedure → tolerable_lighter): the policy gives no
    # period for a unit (null: it depends on the handling imposed); the tolerated note is added
    lighter = determine(case(subject__kind="organisation", procedure__followed="partial"), "CN-2019", cn)
    assert lighter.outcome == "mitigated" and lighter.aftercare.impact_period_months is None
    assert lighter.aftercare.note.zh == "客观评价、不影响考核评优和选拔任用"


def test_the_case_builder_shows_the_assessments_as_a_table(cn):
    # the same case as test_weights_against_and_both_ways, in the HTML the case builder, the quiz
    # and the case desk show beside the reasons
    from ftlib.ui.views import reasons_html

    d = determine(case(after__concealed=True, consequence__severity="serious", after__remedy="partial"), "CN-2019", cn)
    zh = reasons_html(d, "zh")
    assert "<h4>五个评估 <small>（示例性）</small></h4>" in zh
    assert "data-assessment='impact' data-weight='against'" in zh and "data-assessment='attitude' data-weight='mixed'" in zh
    assert "不利于当事人：后果程度=严重" in zh and "有利于当事人：挽回损失、消除影响=部分挽回" in zh
    en = reasons_html(d, "en")
    assert "The five assessments" in en and "weighed against the cadre: severity of consequences=serious" in en
