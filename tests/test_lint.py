"""The linter finds each kind of defect it promises, in policy files built to have one."""

from pathlib import Path

import pytest
import yaml

from ftlib.policy.lint import lint
from ftlib.policy.loader import PolicyError
from tests.conftest import ROOT

BASE = ROOT / "ftlib/data/policies/cn-2016.yaml"


def variant(tmp: Path, edit) -> Path:
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    edit(data)
    p = tmp / "variant.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def codes(findings, policy="CN-2016"):
    return {(f.code, f.level) for f in findings if f.policy == policy}


def test_bundled_policies_have_no_errors():
    assert [str(f) for f in lint() if f.level == "error"] == []


def test_shadowed_row_is_unreachable(tmp_path):
    # "conditions_met" (row tolerable) already matches every case this row matches.
    def edit(d):
        d["grading"].insert(3, {"id": "shadowed", "clause": "grading_reading",
                                "when": "conditions_met and public_motive", "outcome": "mitigated"})
    found = lint([variant(tmp_path, edit)])
    assert ("unreachable-row", "error") in codes(found)
    assert any("shadowed" in f.message for f in found)


def test_contradictory_row_is_impossible(tmp_path):
    def edit(d):
        d["grading"].insert(0, {"id": "never", "clause": "grading_reading",
                                "when": "public_motive and not public_motive", "outcome": "exempt"})
    found = lint([variant(tmp_path, edit)])
    assert any(f.code == "impossible-row" and "never" in f.message for f in found)


def test_missing_default_row_is_refused(tmp_path):
    def edit(d):
        d["grading"].pop()
    with pytest.raises(PolicyError, match="default row"):
        lint([variant(tmp_path, edit)])


def test_undefined_clause_is_refused(tmp_path):
    def edit(d):
        d["grading"][0]["clause"] = "no_such_clause"
    with pytest.raises(PolicyError, match="no_such_clause.*clause not defined"):
        lint([variant(tmp_path, edit)])


def test_unknown_fact_is_refused(tmp_path):
    def edit(d):
        d["conditions"][0]["when"] = "public_spirit"
    with pytest.raises(PolicyError, match="unknown fact 'public_spirit'"):
        lint([variant(tmp_path, edit)])


def test_overlapping_validity_in_one_family(tmp_path):
    def edit(d):
        d["id"] = "CN-2016"
        d["effective_to"] = "2018-12-31"  # CN-2018 starts 2018-05-20
    found = lint([variant(tmp_path, edit)])
    assert ("overlapping-validity", "error") in codes(found)


def test_official_clause_without_source(tmp_path):
    def edit(d):
        d["clauses"]["three_distinctions"].pop("source")
    found = lint([variant(tmp_path, edit)])
    assert any(f.code == "official-without-source" and "three_distinctions" in f.message for f in found)


def test_grading_row_without_words_in_both_languages(tmp_path):
    # the row is otherwise the bundled "tolerable" row; only its words are taken away or halved
    def no_label(d):
        d["grading"][2].pop("label")

    def no_english(d):
        d["grading"][2]["label"] = {"zh": "符合容错条件", "en": "  "}
    for edit in (no_label, no_english):
        found = lint([variant(tmp_path, edit)])
        assert [f.message for f in found if f.code == "row-without-label"] == [
            "grading row 'tolerable' has no label in both languages (label: {zh: …, en: …})"]
    # the bundled file names every row: no such finding
    assert not [f for f in lint([BASE]) if f.code == "row-without-label"]


def test_cli_lint_exit_status(tmp_path, cli):
    def edit(d):
        d["grading"].insert(0, {"id": "never", "clause": "grading_reading",
                                "when": "public_motive and not public_motive", "outcome": "exempt"})
    r = cli("lint", str(variant(tmp_path, edit)))
    assert r.returncode == 1
    assert "impossible-row" in r.stdout
    assert cli("lint").returncode == 0
