"""Counterfactuals and ex-ante requirements, with expected sets worked out by hand from the
policy files (ftlib/data/policies/cn-2019.yaml, which extends cn-2018.yaml and cn-2016.yaml, and
cn-dm-ftz.yaml, cn-dm-br.yaml). The reasoning is in the comments above each expectation."""

import datetime as dt

import pytest

from ftlib.explain import counterfactuals, tolerance_requirements
from ftlib.facts import after_the_act, case_from_dict


def make(**facts):
    base = {"id": "t", "jurisdiction": "CN", "conduct_date": "2023-03-01", "subject.rank": "township",
            "scenario": "reform_pilot", "public_motive": True, "procedure.collective_decision": True,
            "procedure.followed": "full", "consequence.severity": "minor"}
    base.update(facts)
    return case_from_dict(base)


def as_sets(cf, outcome):
    """The change sets to ``outcome`` as a sorted list of sorted (fact, value) tuples."""
    return sorted(tuple(sorted(d.items())) for d in cf.sets(outcome))


def lit(*dicts):
    return sorted(tuple(sorted(d.items())) for d in dicts)


# Case A under CN-2019 (conduct 2023): reform pilot, public motive, full procedure, minor
# consequences, nothing remedied.
#   red_line: no distinction (CN-2018's knowingly_violated/defied_prohibition/personal_gain) and no
#   exclusion (political_discipline, benefit_transfer, after.concealed, after.refused_correction,
#   history.repeated_after_warning, major_harm = severity major OR (severity >= serious AND a
#   safety, environmental, food-safety or mass incident)) -> false.
#   objected, force_majeure: false. scope: reform_pilot is listed -> in scope.
#   conditions (CN-2018): public_motive; procedure = followed != none or emergency_onsite -> met.
#   exempt row: conditions_met, minor <= serious, followed == full -> EXEMPT.
# One change suffices for every other outcome:
#   not_tolerated: any of the 3 distinctions or 5 single-fact exclusions set true (8 sets);
#     severity major: a major loss alone is major_harm -> red_line (1 set); or public_motive
#     false / procedure.followed none (emergency_onsite is false): conditions fail, and nothing
#     mitigates (after.remedy none, not cooperated, not self-reported) -> default row (2 sets).
#     11 in all. (An incident alone is not enough: with minor consequences it is not serious;
#     severity serious alone is no exclusion and still passes "<= serious".)
#   mitigated: followed partial fails "followed == full or remedy == full" but leaves
#     conditions_met -> tolerable_lighter. (severity major now goes to not_tolerated.)
#   out_of_scope: scenario routine is the only scenario not in CN-2019's scope list.
CASE_A_NOT_TOLERATED = lit(
    {"knowingly_violated": True}, {"defied_prohibition": True}, {"personal_gain": True},
    {"political_discipline": True}, {"benefit_transfer": True}, {"after.concealed": True},
    {"after.refused_correction": True}, {"history.repeated_after_warning": True},
    {"public_motive": False}, {"procedure.followed": "none"}, {"consequence.severity": "major"},
)


def test_case_a_all_facts():
    cf = counterfactuals(make())
    assert cf.policy_id == "CN-2019" and cf.outcome == "exempt"
    assert as_sets(cf, "not_tolerated") == CASE_A_NOT_TOLERATED
    assert as_sets(cf, "mitigated") == lit({"procedure.followed": "partial"})
    assert as_sets(cf, "out_of_scope") == lit({"scenario": "routine"})
    assert cf.searched_to == 1 and cf.unreachable() == []
    # each change records the value it replaces
    routine = cf.by_outcome["out_of_scope"][0]
    assert routine.changes[0].before == "reform_pilot" and routine.rule == "not_in_scope"


def test_case_a_what_can_still_be_done():
    # Only after-the-act facts vary. Full procedure already gives the exemption, so remedy,
    # cooperation and self-report change nothing; concealing or refusing to correct is on the
    # negative list (red_line). Mitigated and out_of_scope cannot be reached.
    cf = counterfactuals(make(), mode="what_can_still_be_done")
    assert set(cf.varied) <= set(after_the_act())
    assert as_sets(cf, "not_tolerated") == lit({"after.concealed": True}, {"after.refused_correction": True})
    assert cf.unreachable() == ["mitigated", "out_of_scope"]


def test_case_b_partial_procedure_can_still_be_exempted_by_full_remedy():
    # Case B: as A but procedure partial, no collective decision. Conditions hold (partial != none),
    # the exempt row fails (neither followed == full nor remedy == full) -> tolerable_lighter,
    # MITIGATED. After the act: after.remedy full satisfies "remedy == full" -> exempt (partial
    # remedy does not). Concealing / refusing -> red_line.
    cf = counterfactuals(make(**{"procedure.followed": "partial", "procedure.collective_decision": False}),
                         mode="what_can_still_be_done")
    assert cf.outcome == "mitigated"
    assert as_sets(cf, "exempt") == lit({"after.remedy": "full"})
    assert as_sets(cf, "not_tolerated") == lit({"after.concealed": True}, {"after.refused_correction": True})
    assert cf.unreachable() == ["out_of_scope"]


# Case C under CN-2019: no public motive, no procedure at all, reform pilot, minor, nothing done
# afterwards. red_line false; objected false; force_majeure (needs the scenario) false; in scope;
# conditions fail (public_motive) -> exempt and tolerable_lighter rows fail; lighter_art18 needs
# "mitigating" (remedy != none, or cooperated, or self-reported) -> false; default: NOT TOLERATED.
def test_case_c_what_can_still_be_done_is_art18():
    # After the act, any one of the four Art. 18 grounds makes "mitigating" true -> lighter_art18.
    # Exemption needs conditions_met, which needs public_motive (fixed): unreachable.
    cf = counterfactuals(make(public_motive=False, **{"procedure.followed": "none"}), mode="what_can_still_be_done")
    assert cf.outcome == "not_tolerated"
    assert as_sets(cf, "mitigated") == lit({"after.remedy": "partial"}, {"after.remedy": "full"},
                                           {"after.cooperated": True}, {"after.self_reported": True})
    assert all(s.rule == "lighter_art18" for s in cf.by_outcome["mitigated"])
    assert cf.unreachable() == ["exempt", "out_of_scope"]


def test_case_c_all_facts_smallest():
    # Exemption in ONE change: objected_to_decision true -> row "objected" (Art. 17(2)), which
    # comes before the scope and conditions rows. Out of scope: scenario routine. Mitigated: the
    # four Art. 18 grounds (public_motive alone is not enough: procedure none still fails the
    # conditions, and procedure alone leaves public_motive false).
    cf = counterfactuals(make(public_motive=False, **{"procedure.followed": "none"}))
    # (objected_to_superior, Art. 17 para. 2, likewise comes before scope and conditions)
    assert as_sets(cf, "exempt") == lit({"objected_to_decision": True}, {"objected_to_superior": True})
    assert as_sets(cf, "out_of_scope") == lit({"scenario": "routine"})
    assert as_sets(cf, "mitigated") == lit({"after.remedy": "partial"}, {"after.remedy": "full"},
                                           {"after.cooperated": True}, {"after.self_reported": True})


def test_minimal_sets_beyond_the_smallest():
    # Up to 2 changes, keeping every minimal set (no proper subset reaches exempt):
    #  size 1: {objected_to_decision}.
    #  size 2 without objected: public_motive true + followed full -> conditions met, minor,
    #    full procedure -> exempt row. public_motive + followed partial -> only tolerable_lighter;
    #    public_motive + remedy full -> conditions still fail on procedure; public_motive +
    #    emergency_onsite -> conditions met (the national condition asks no after-report), but the
    #    exempt row still needs followed == full or remedy == full -> only tolerable_lighter;
    #    force_majeure needs scenario + motive + procedure (3).
    #  Every other 2-set reaching exempt contains objected_to_decision, so it is not minimal.
    cf = counterfactuals(make(public_motive=False, **{"procedure.followed": "none"}), max_changes=2,
                         smallest_only=False)
    # {objected_to_superior} too (Art. 17 para. 2 row, before scope and conditions)
    assert as_sets(cf, "exempt") == lit({"objected_to_decision": True}, {"objected_to_superior": True},
                                        {"public_motive": True, "procedure.followed": "full"})
    for sets in cf.by_outcome.values():  # no kept set contains another kept set
        items = [{(c.fact, c.after) for c in s.changes} for s in sets]
        assert not any(a < b for a in items for b in items)


def test_ftz_prompt_correction_condition():
    # CN-DM-FTZ-2020 (in force 2021): six cumulative conditions. With remedy none the "correction"
    # condition (after.remedy != none and not refused) fails, so conditions_met is false; there
    # are no mitigations -> default row, NOT TOLERATED. After the act: remedy partial or full
    # meets every condition; minor <= minor -> exempt row. "reduced" needs conditions_met too,
    # which with minor consequences always gives the exemption first: mitigated unreachable.
    case = make(jurisdiction="CN-DM-FTZ", conduct_date="2021-05-01")
    cf = counterfactuals(case, mode="what_can_still_be_done")
    assert (cf.policy_id, cf.outcome) == ("CN-DM-FTZ-2020", "not_tolerated")
    assert as_sets(cf, "exempt") == lit({"after.remedy": "partial"}, {"after.remedy": "full"})
    assert cf.unreachable() == ["mitigated", "out_of_scope"]


def test_number_thresholds_are_one_change():
    # CN-DM-BR-2019 exclusion large_unrecovered_loss: loss_cny >= 5000000 and remedy none. From a
    # loss of 20,000 yuan, 5,000,000 and 5,000,001 both cross it; they are one change, shown with
    # the value nearest the case's own (5,000,000).
    case = make(jurisdiction="CN-DM-BR", conduct_date="2021-01-01", scenario="key_project",
                **{"consequence.loss_cny": 20000})
    cf = counterfactuals(case, facts=["consequence.loss_cny"])
    assert cf.outcome == "exempt"
    assert cf.sets("not_tolerated") == [{"consequence.loss_cny": 5000000.0}]


def test_bad_mode():
    with pytest.raises(ValueError):
        counterfactuals(make(), mode="later")


def test_exante_requirements_cn2019_partial_procedure():
    # Planned: reform pilot under CN-2019, public motive, collective decision, procedure partial,
    # registered, the cadre decides (did not object). Open: the three distinctions, the
    # exclusions' facts, consequences and the aftermath.
    #  Tolerable (exempt or mitigated): conditions hold by plan (public motive, partial != none),
    #  so only red_line can stop it: each distinction and single-fact exclusion must stay false;
    #  major_harm = "severity major OR (severity >= serious AND an incident)": severity major is
    #  itself forbidden (none/minor/serious allowed), and each incident kind (safety, environmental,
    #  food-safety, mass) is forbidden together with severity serious — alone, with minor
    #  consequences, an incident is fine, and serious alone is fine: four PAIRS.
    #  Exemption: with partial procedure the exempt row needs remedy == full (and severity <=
    #  serious, which tolerance already requires, so it is no further requirement for exemption).
    r = tolerance_requirements({"scenario": "reform_pilot", "subject.rank": "township", "public_motive": True,
                                "procedure.collective_decision": True, "procedure.followed": "partial",
                                "procedure.emergency_onsite": False, "procedure.reported_after": False,
                                "procedure.exante_registered": True, "objected_to_decision": False,
                                "objected_to_superior": False},
                               "CN-JS", dt.date(2023, 3, 1))  # no local policy in Jiangsu: CN-2019
    assert r.policy_id == "CN-2019" and r.in_scope
    assert {(q.fact, q.allowed) for q in r.for_tolerance} == {
        (f, (False,)) for f in ("after.concealed", "after.refused_correction", "benefit_transfer",
                                "defied_prohibition", "history.repeated_after_warning", "knowingly_violated",
                                "personal_gain", "political_discipline")} | {
        ("consequence.severity", ("none", "minor", "serious"))}
    #  (objected_to_superior is planned false, so the para. 2 rows do not apply)
    assert set(r.pairs_tolerance) == {((f"consequence.{kind}", True), ("consequence.severity", "serious"))
                                      for kind in ("environmental_incident", "food_safety_incident",
                                                   "mass_incident", "safety_incident")}
    assert {(q.fact, q.allowed) for q in r.for_exemption} == {("after.remedy", ("full",))}


def test_exante_routine_work_is_never_tolerable():
    # Routine administration is in no scope list: nothing can make a mistake tolerable.
    r = tolerance_requirements({"scenario": "routine", "public_motive": True, "procedure.followed": "full",
                                "procedure.collective_decision": True, "objected_to_decision": False,
                                "objected_to_superior": False},
                               "CN-DM-FTZ", dt.date(2022, 1, 1))
    assert r.policy_id == "CN-DM-FTZ-2020"
    assert not r.in_scope and not r.tolerable_possible and not r.exempt_possible
