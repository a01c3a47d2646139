"""Cases with unknown facts (issue 11 item 4). Expected values are worked out by hand from the
CN-2016/2018/2019 policy files (ftlib/data/policies/cn-20*.yaml), quoted in the comments."""

from __future__ import annotations

import json

import pytest

from ftlib.engine import determine
from ftlib.facts import case_from_dict
from ftlib.policy.completions import TooManyUnknowns
from ftlib.policy.loader import DATA_DIR, PolicySet

CN_FILES = [DATA_DIR / "cn-2016.yaml", DATA_DIR / "cn-2018.yaml", DATA_DIR / "cn-2019.yaml"]

# A clean case under CN-2019: pilot reform, public motive, full procedure, minor consequence →
# grading row `exempt` ("conditions_met and consequence.severity <= serious and
# (procedure.followed == full or after.remedy == full)").
BASE = {
    "id": "U", "jurisdiction": "CN", "conduct_date": "2020-06-01", "scenario": "reform_pilot",
    "public_motive": True, "subject.rank": "county", "procedure.collective_decision": True,
    "procedure.followed": "full", "consequence.severity": "minor",
}


@pytest.fixture(scope="module")
def cn() -> PolicySet:
    return PolicySet(CN_FILES)


def case(drop=(), **over):
    data = {**BASE, **{k.replace("__", "."): v for k, v in over.items()}}
    return case_from_dict({k: v for k, v in data.items() if k not in drop})


def test_left_out_fact_no_rule_reads_decides(cn):
    # CN-2019 reads no condition on procedure.collective_decision: both values give `exempt`
    d = determine(case(drop=["procedure.collective_decision"]), policies=cn)
    assert (d.outcome, d.deciding_rule) == ("exempt", "exempt")
    assert d.unknown_facts == ["procedure.collective_decision"]
    assert d.possible_outcomes == [] and d.decisive_unknowns == []


def test_unknown_that_cannot_change_the_result(cn):
    # knowingly_violated → distinction → `red_line` (not_tolerated), whatever public_motive is
    d = determine(case(public_motive="unknown", knowingly_violated=True), policies=cn)
    assert (d.outcome, d.deciding_rule) == ("not_tolerated", "red_line")
    assert d.unknown_facts == ["public_motive"]
    red = next(t for t in d.trace if t.rule == "red_line")
    assert red.decisive and red.result is True


def test_unknown_severity_is_undetermined(cn):
    # none/minor/serious (no incident) → row `exempt`; major → exclusion `major_harm` ("severity
    # == major or …": a major loss alone bars) → `red_line` → not_tolerated
    d = determine(case(consequence__severity="unknown"), policies=cn)
    assert d.outcome == "undetermined" and d.deciding_rule == ""
    assert d.possible_outcomes == ["exempt", "not_tolerated"]
    assert d.decisive_unknowns == ["consequence.severity"]
    assert d.handling is None and not any(t.decisive for t in d.trace)
    exempt_row = next(t for t in d.trace if t.rule == "exempt")
    assert exempt_row.result is None and exempt_row.facts["consequence.severity"] == "unknown"
    # the exclusion itself is open too: it reads the unknown severity
    harm = next(t for t in d.trace if t.rule == "major_harm")
    assert harm.result is None


def test_decisive_unknowns_ordered_by_completions_split(cn):
    # after.concealed true → `red_line` (not_tolerated) for all 4 severities; false → exempt for
    # none/minor/serious, `red_line` for major (major_harm). Of the 8 completions, concealed
    # splits 6 (flipping it changes none/minor/serious, not major: red_line either way);
    # severity splits the 4 with concealed false (none/minor/serious ↔ major), none with it true.
    d = determine(case(consequence__severity="unknown", after__concealed="unknown"), policies=cn)
    assert d.outcome == "undetermined"
    assert d.possible_outcomes == ["exempt", "not_tolerated"]
    assert d.decisive_unknowns == ["after.concealed", "consequence.severity"]


def test_unknown_scenario(cn):
    # routine is outside CN-2019's scope (`not_in_scope`: out_of_scope); force_majeure with public
    # motive and procedure → row `force_majeure` (exempt); every other listed situation → `exempt`
    d = determine(case(drop=["scenario"]), policies=cn)
    assert d.possible_outcomes == ["exempt", "out_of_scope"]
    assert d.decisive_unknowns == ["scenario"]


def test_unknown_amount_tried_on_each_side_of_the_threshold(cn):
    # CN-2018's correction "consequence.loss_cny > 0 and after.remedy != full" reads the amount;
    # no grading row does, so an unknown amount decides (exempt) — the amount is still unknown
    d = determine(case(conduct_date="2019-01-01", consequence__loss_cny="unknown"), policies=cn)
    assert d.policy.id == "CN-2018" and d.outcome == "exempt"
    assert d.unknown_facts == ["consequence.loss_cny"]


def test_lenient_later_with_unknown(cn):
    # routine scenario, objected, minor consequences, safety incident unknown: CN-2018 (conduct
    # 2019-01-01) → `not_in_scope` (out_of_scope) either way (with minor consequences no incident
    # is "serious": major_harm needs severity >= serious for one); CN-2019 (decision 2020-01-10) →
    # `objected` (exempt) before scope is read. 从旧兼从轻 → CN-2019, exempt, in every completion.
    d = determine(case(conduct_date="2019-01-01", decision_date="2020-01-10", scenario="routine",
                       objected_to_decision=True, consequence__safety_incident="unknown"), policies=cn)
    assert (d.policy.id, d.outcome, d.deciding_rule) == ("CN-2019", "exempt", "objected")
    assert d.selection.code == "lenient_later_open"
    assert d.unknown_facts == ["consequence.safety_incident"]


def test_lenient_later_with_unknown_severity_stays_open(cn):
    # The same with the severity unknown instead: a major loss is on both versions' negative
    # list and CN-2019's `red_line` comes before `objected`, so severity major → not_tolerated
    # under both (CN-2018 kept); none/minor/serious → CN-2018 out_of_scope, CN-2019 `objected`
    # (not_accountable, more lenient) → CN-2019. Completions differ: undetermined on the severity.
    d = determine(case(conduct_date="2019-01-01", decision_date="2020-01-10", scenario="routine",
                       objected_to_decision=True, consequence__severity="unknown"), policies=cn)
    assert d.outcome == "undetermined"
    assert d.possible_dispositions == ["not_accountable", "not_tolerated"]
    assert d.decisive_unknowns == ["consequence.severity"]


def test_forced_policy_with_unknown(cn):
    d = determine(case(consequence__severity="unknown"), "CN-2016", cn)
    # CN-2016 reads no severity: `tolerable` (exempt) whatever it is
    assert (d.policy.id, d.outcome) == ("CN-2016", "exempt")


def test_too_many_unknowns_is_one_line(cn):
    # every fact CN-2019 reads unknown: more than MAX_COMPLETIONS combinations
    facts = {k: "unknown" for k in ("knowingly_violated", "defied_prohibition", "personal_gain", "political_discipline",
                                    "benefit_transfer", "after.concealed", "after.refused_correction",
                                    "history.repeated_after_warning", "consequence.safety_incident",
                                    "objected_to_decision", "after.remedy", "after.cooperated", "after.self_reported",
                                    "procedure.emergency_onsite", "procedure.reported_after")}
    c = case_from_dict({"id": "X", "jurisdiction": "CN", "conduct_date": "2020-06-01", **facts})
    with pytest.raises(TooManyUnknowns) as e:
        determine(c, policies=cn)
    assert "\n" not in str(e.value) and "combinations" in str(e.value)


def test_cli_shows_what_to_verify(tmp_path):
    from ftlib.cli import main

    p = tmp_path / "u.json"
    p.write_text(json.dumps({k: v for k, v in {**BASE, "consequence.severity": "unknown"}.items()}), encoding="utf-8")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["determine", str(p)]) == 0
    text = out.getvalue()
    assert "待核实：" in text and "consequence.severity" in text
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["determine", str(p), "--lang", "en"]) == 0
    assert "To verify: " in out.getvalue()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["determine", str(p), "--format", "json"]) == 0
    data = json.loads(out.getvalue())
    assert data["outcome"] == "undetermined"
    # as in test_unknown_severity_is_undetermined: exempt for none/minor/serious, not_tolerated for major
    assert data["possible_outcomes"] == ["exempt", "not_tolerated"]
    assert data["decisive_unknowns"] == ["consequence.severity"]
    assert data["unknown_facts"] == ["consequence.severity"]
