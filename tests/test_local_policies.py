"""The illustrative local policies (ftlib/data/policies/cn-dm-*.yaml), the region list
(ftlib/data/jurisdictions.yaml), version selection by conduct and decision date within the CN-DM
family, and fallback along the jurisdiction code.

Every expected value below was read off the policy files by hand; the comments give the steps.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from ftlib import bundled, determine
from ftlib.library import library
from ftlib.policy.lint import lint_families
from ftlib.policy.select import jurisdiction_chain
from tests.conftest import ROOT

LOCAL = ["CN-DM-2017", "CN-DM-2022", "CN-DM-FTZ-2020", "CN-DM-BR-2019", "CN-DM-SS-2018"]
STAGES = {"acceptance", "investigation", "decision", "feedback", "filing"}
REGIONS = yaml.safe_load((ROOT / "ftlib/data/jurisdictions.yaml").read_text(encoding="utf-8"))


def case(name: str):
    return next(i.case for i in library() if i.path.stem == name)


# -- the policy files -------------------------------------------------------------------------

def test_local_policies_load_with_the_national_ones():
    assert set(bundled().policies) == {"CN-2016", "CN-2018", "CN-2019", *LOCAL}


@pytest.mark.parametrize("pid", LOCAL)
def test_local_policy_is_illustrative_and_complete(pid):
    p = bundled().get(pid)
    assert p.status == "illustrative" and p.source is None
    assert p.jurisdiction.startswith("CN-DM") and REGIONS[p.jurisdiction]["illustrative"] is True
    # The summary names the DOMAIN.md §7 variation it models, in both languages.
    assert "第7节" in p.summary.zh and "§7" in p.summary.en
    for cid, clause in p.clauses.items():
        assert clause.status == "illustrative" and clause.source is None, cid
        assert clause.zh.startswith("（示例）") and clause.en.startswith("(illustrative)"), cid
    proc = p.procedure
    assert set(proc.time_limits_working_days) == STAGES
    assert all(v >= 1 for v in proc.time_limits_working_days.values())
    assert proc.appeal_window_working_days >= 1 and proc.review_time_limit_working_days >= 1
    assert proc.collective and 0 < proc.quorum <= 1
    assert p.corrections and all(c.time_limit_working_days >= 1 for c in p.corrections)
    assert {"exempt", "mitigated", "not_tolerated"} <= set(p.aftercare)
    assert p.grading[-1].when is True or str(p.grading[-1].when).lower() == "true"


def test_local_policy_files_say_they_are_illustrative_in_a_header_comment():
    for f in ("cn-dm-2017", "cn-dm-2022", "cn-dm-ftz", "cn-dm-br", "cn-dm-ss"):
        head = (ROOT / f"ftlib/data/policies/{f}.yaml").read_text(encoding="utf-8").split("\nid:")[0]
        assert "ILLUSTRATIVE" in head and "§7" in head and "fictional" in head, f


def test_cn_dm_family_has_two_consecutive_versions_and_no_family_errors():
    versions = bundled().families()["CN-DM"]
    assert [(p.id, p.effective_from, p.effective_to) for p in versions] == [
        ("CN-DM-2017", dt.date(2017, 3, 1), dt.date(2021, 12, 31)),
        ("CN-DM-2022", dt.date(2022, 1, 1), None),
    ]
    assert [str(f) for f in lint_families(bundled()) if f.level == "error"] == []


def test_cn_dm_2022_adds_the_emergency_exception_and_legacy_and_tightens_exemption():
    v1, v2 = bundled().get("CN-DM-2017"), bundled().get("CN-DM-2022")
    assert "historical_legacy" not in v1.scope.scenarios and "historical_legacy" in v2.scope.scenarios
    cond1 = {r.id: r.when for r in v1.conditions}
    cond2 = {r.id: r.when for r in v2.conditions}
    assert cond1["collective"] == "procedure.collective_decision"
    assert "procedure.emergency_onsite and procedure.reported_after" in cond2["collective"]
    assert {"refused_correction", "safety_incident"} <= {r.id for r in v2.exclusions} - {r.id for r in v1.exclusions}
    exempt2 = next(r.when for r in v2.grading if r.id == "exempt")
    assert 'consequence.severity <= "minor"' in exempt2


def test_ftz_has_six_cumulative_conditions_and_a_narrow_scope():
    p = bundled().get("CN-DM-FTZ-2020")
    assert [r.id for r in p.conditions] == ["lawful", "reform_purpose", "diligence", "public_motive",
                                            "procedure", "correction"]
    assert sorted(p.scope.scenarios) == ["emergency", "exploration", "reform_pilot"]
    assert p.procedure.onsite_report_within_working_days == 2


def test_binhe_is_broad_with_registration_and_a_joint_meeting():
    p = bundled().get("CN-DM-BR-2019")
    assert p.exante_registration is True
    assert len(p.scope.scenarios) == 8 and "routine" not in p.scope.scenarios
    assert len(p.distinctions) + len(p.exclusions) == 13
    assert len(p.exclusions) > len(bundled().get("CN-2019").exclusions)
    assert p.procedure.decision_body.id == "joint_meeting"
    assert {b.id for b in p.procedure.consult} == {"organisation_department", "audit", "petitions"}
    assert p.procedure.higher_approval is not None


def test_shanshui_has_an_emergency_clause_and_committee_approval():
    p = bundled().get("CN-DM-SS-2018")
    assert p.procedure.onsite_report_within_working_days == 2
    assert p.procedure.higher_approval.id == "county_party_standing_committee"
    assert [r.id for r in p.grading][2:4] == ["emergency_onsite", "emergency_late_report"]
    # The time limits differ from the province's.
    assert p.procedure.time_limits_working_days != bundled().get("CN-DM-2017").procedure.time_limits_working_days


# -- versions in time ------------------------------------------------------------------------

def test_conduct_date_pair_same_facts_different_outcomes():
    # c16a/c16b: historical legacy, public motive, collective, full procedure, minor, remedy full.
    # 2020 conduct -> CN-DM-2017, whose Art. 5 lacks historical legacy: out of scope.
    # 2023 conduct -> CN-DM-2022, Art. 5(6) includes it; minor with full procedure: exempt.
    a, b = case("c16a-dm-resettlement-legacy-2020"), case("c16b-dm-resettlement-legacy-2023")
    assert a.model_dump(exclude={"id", "title", "conduct_date"}) == b.model_dump(exclude={"id", "title", "conduct_date"})
    da, db = determine(a), determine(b)
    assert (da.policy.id, da.outcome, da.deciding_rule, da.selection.code) == (
        "CN-DM-2017", "out_of_scope", "not_in_scope", "at_conduct")
    assert (db.policy.id, db.outcome, db.deciding_rule, db.selection.code) == (
        "CN-DM-2022", "exempt", "exempt", "at_conduct")


def test_more_lenient_later_version_applies_when_decided_after_it_took_effect():
    # c17: on-the-spot emergency purchase reported promptly, conduct 2021-07-20.
    # CN-DM-2017 (no emergency exception): conditions fail, lighter -> mitigated.
    # CN-DM-2022 (Art. 7a): conditions met, minor with full remedy -> exempt.
    a, b = case("c17a-dm-landslide-onsite"), case("c17b-dm-landslide-onsite")
    assert a.model_dump(exclude={"id", "decision_date"}) == b.model_dump(exclude={"id", "decision_date"})
    da = determine(a)  # decided 2021-11-30: CN-DM-2017 is in force at both dates
    assert (da.policy.id, da.outcome, da.deciding_rule, da.selection.code) == (
        "CN-DM-2017", "mitigated", "lighter", "at_conduct")
    db = determine(b)  # decided 2022-03-15: CN-DM-2022 in force and more lenient
    assert (db.policy.id, db.outcome, db.deciding_rule, db.selection.code) == (
        "CN-DM-2022", "exempt", "exempt", "lenient_later")


def test_stricter_later_version_does_not_apply_to_earlier_conduct():
    # c18: collective, full procedure, serious consequences, key project.
    # CN-DM-2017 Art. 8 exempts (<= serious); CN-DM-2022 Art. 8 needs <= minor -> reduced.
    da = determine(case("c18a-dm-supplier-bankrupt-2021"))  # conduct 2021, decided 2022
    assert (da.policy.id, da.outcome, da.deciding_rule, da.selection.code) == (
        "CN-DM-2017", "exempt", "exempt", "kept_conduct")
    db = determine(case("c18b-dm-supplier-bankrupt-2022"))  # conduct 2022
    assert (db.policy.id, db.outcome, db.deciding_rule, db.selection.code) == (
        "CN-DM-2022", "mitigated", "reduced", "at_conduct")


# -- fallback along the jurisdiction code -----------------------------------------------------

def test_district_without_a_policy_uses_its_city_policy():
    # c10: Hexi District has no policy -> Binhe's; a top leader deciding alone with no
    # procedure outside an emergency is Binhe's Art. 6(9): red line.
    det = determine(case("c10-brhx-one-man-decision"))
    assert (det.policy.id, det.outcome, det.deciding_rule) == ("CN-DM-BR-2019", "not_tolerated", "red_line")


def test_town_without_a_policy_uses_its_county_policy():
    det = determine(case("c14-ss-dyke-late-report"))
    assert (det.policy.id, det.outcome, det.deciding_rule) == ("CN-DM-SS-2018", "mitigated", "emergency_late_report")


@pytest.mark.parametrize("day,pid,outcome,rule", [
    # c06 facts (livelihood, public motive, no procedure, partial remedy) in Hubei:
    ("2017-06-01", "CN-2016", "exempt", "tolerable"),          # only public motive is required
    ("2018-10-01", "CN-2018", "not_tolerated", "default"),     # basic procedure required, no lighter row
    ("2020-03-20", "CN-2019", "mitigated", "lighter_art18"),   # Art. 18: partly remedied
])
def test_real_province_without_local_policy_uses_the_national_version_in_force(day, pid, outcome, rule):
    c = case("c06-well-repair-no-procedure").model_copy(update={"conduct_date": dt.date.fromisoformat(day)})
    assert c.jurisdiction == "CN-HB"
    det = determine(c)
    assert (det.policy.id, det.outcome, det.deciding_rule, det.selection.code) == (pid, outcome, rule, "at_conduct")


def test_conduct_before_any_demo_province_version_falls_back_to_cn_2016():
    det = determine(case("c19-dm-land-mortgage-2016"))  # CN-DM-LY, 2016-06-15
    assert (det.policy.id, det.outcome, det.deciding_rule) == ("CN-2016", "exempt", "tolerable")
    # The day CN-DM-2017 takes effect, the provincial measures apply instead (full procedure,
    # minor, conditions met -> Art. 8 exempt).
    c = case("c19-dm-land-mortgage-2016").model_copy(update={"conduct_date": dt.date(2017, 3, 1)})
    det = determine(c)
    assert (det.policy.id, det.outcome, det.deciding_rule) == ("CN-DM-2017", "exempt", "exempt")


def test_ftz_case_before_the_ftz_rules_falls_back_to_the_province():
    # c11 facts one day before CN-DM-FTZ-2020 takes effect: CN-DM-2017 applies; no collective
    # decision and no emergency exception -> conditions fail; public motive and full remedy -> lighter.
    c = case("c11-ftz-warehouse-fire").model_copy(update={"conduct_date": dt.date(2020, 6, 30)})
    det = determine(c)
    assert (det.policy.id, det.outcome, det.deciding_rule) == ("CN-DM-2017", "mitigated", "lighter")
    assert determine(case("c11-ftz-warehouse-fire")).policy.id == "CN-DM-FTZ-2020"


# -- the region list ---------------------------------------------------------------------------

def test_jurisdictions_cover_the_policies_and_their_fallback_regions():
    for code in ["CN", "CN-DM", "CN-DM-FTZ", "CN-DM-BR", "CN-DM-SS", "CN-DM-BR-HX", "CN-DM-SS-QS", "CN-DM-LY", "CN-HB"]:
        assert REGIONS[code]["zh"] and REGIONS[code]["en"], code
    for p in bundled().policies.values():
        assert p.jurisdiction in REGIONS, p.id
    with_policy = {p.jurisdiction for p in bundled().policies.values()}
    assert {"CN-DM-BR-HX", "CN-DM-SS-QS", "CN-DM-LY", "CN-HB"}.isdisjoint(with_policy)
    assert REGIONS["CN-HB"]["illustrative"] is False


def test_every_region_parent_is_the_next_code_in_its_fallback_chain():
    for code, entry in REGIONS.items():
        chain = jurisdiction_chain(code)
        assert entry["parent"] == (chain[1] if len(chain) > 1 else None), code
        assert entry["illustrative"] == code.startswith("CN-DM"), code


def test_every_library_case_region_is_listed():
    for item in library():
        region = item.case.jurisdiction if item.case else item.meta["clarification"]["jurisdiction"]
        assert region in REGIONS, (item.path.name, region)
