"""The CLI as a user meets it: outputs, languages, and one-line errors with exit status 2."""

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_cli

CASE = {
    "id": "cli-demo",
    "jurisdiction": "CN-JS",  # a real province without a local policy here: CN applies
    "conduct_date": "2020-05-01",
    "subject": {"rank": "county"},
    "scenario": "emergency",
    "public_motive": True,
    "procedure": {"collective_decision": False, "followed": "partial", "emergency_onsite": True, "reported_after": True},
    "consequence": {"severity": "minor", "loss_cny": 20000},
    "after": {"remedy": "full"},
}


def write(tmp: Path, name: str, data) -> Path:
    p = tmp / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_determine_json_carries_outcome_policy_trace_corrections_warnings(tmp_path, cli):
    # By hand under CN-2019 (in force 2019-09-04 onwards, so on 2020-05-01): no distinction or
    # exclusion applies; "emergency" is in scope; public motive and partial procedure meet the
    # conditions; severity minor <= serious and remedy full -> row "exempt".
    r = cli("determine", str(write(tmp_path, "c.yaml", CASE)), "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["outcome"] == "exempt"
    assert out["deciding_rule"] == "exempt"
    assert out["policy"]["id"] == "CN-2019" and out["policy"]["version"] == "2019-09"
    assert out["warnings"] == []
    assert [c["time_limit_working_days"] for c in out["corrections"]] == [30]
    decisive = [t for t in out["trace"] if t["decisive"]]
    assert len(decisive) == 1 and decisive[0]["rule"] == "exempt"
    assert decisive[0]["facts"]["after.remedy"] == "full"


def test_text_output_is_chinese_by_default_and_english_on_request(tmp_path, cli):
    path = str(write(tmp_path, "c.yaml", CASE))
    zh = cli("determine", path)
    en = cli("determine", path, "--lang", "en")
    assert "认定结果: 免责（不予问责或免予问责）" in zh.stdout
    assert "处理结论: 免予问责" in zh.stdout
    assert "Outcome: exempt (not held accountable or exempted from accountability)" in en.stdout
    assert "Disposition: exempted from accountability" in en.stdout
    assert "认定" not in en.stdout.split("〔")[0]


def test_forced_policy_not_in_force_warns(tmp_path, cli):
    r = cli("determine", str(write(tmp_path, "c.yaml", CASE)), "--policy", "CN-2016", "--format", "json")
    out = json.loads(r.stdout)
    assert out["policy"]["id"] == "CN-2016"
    assert [w["code"] for w in out["warnings"]] == ["not_in_force"]


def test_compare_lists_each_family(tmp_path, cli):
    r = cli("compare", str(write(tmp_path, "c.yaml", CASE)), "--format", "json")
    assert r.returncode == 0, r.stderr
    fams = [d["policy"]["family"] for d in json.loads(r.stdout)]
    assert len(fams) == len(set(fams)) and "CN" in fams


def test_policies_lists_validity_dates(cli):
    r = cli("policies", "--lang", "en")
    assert r.returncode == 0
    line = next(ln for ln in r.stdout.splitlines() if ln.strip().startswith("CN-2018"))
    assert "2018-05-20" in line and "2019-09-03" in line


def _one_line_error(r, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])


@pytest.mark.parametrize("name,content,needles", [
    ("malformed.yaml", "id: [x\nscenario: routine\n", ["malformed.yaml", "line", "malformed YAML"]),
    ("empty.yaml", "", ["empty.yaml", "empty"]),
    ("unknown.yaml", {**CASE, "bribe_amount": 5}, ["unknown.yaml", "bribe_amount", "unknown fact"]),
    ("wrongtype.yaml", {**CASE, "public_motive": "perhaps"}, ["wrongtype.yaml", "public_motive", "perhaps"]),
    ("range.yaml", {**CASE, "consequence": {"severity": "minor", "loss_cny": -5}}, ["range.yaml", "consequence.loss_cny", "-5"]),
    ("enum.yaml", {**CASE, "scenario": "holiday"}, ["enum.yaml", "scenario", "holiday"]),
    ("early.yaml", {**CASE, "conduct_date": "2015-03-01"}, ["early.yaml", "conduct_date", "2015-03-01", "no policy"]),
])
def test_bad_case_files_give_one_line_and_exit_2(tmp_path, cli, name, content, needles):
    _one_line_error(cli("determine", str(write(tmp_path, name, content))), *needles)


def test_unknown_policy_id(tmp_path, cli):
    _one_line_error(cli("determine", str(write(tmp_path, "c.yaml", CASE)), "--policy", "CN-1999"), "CN-1999", "unknown policy")


def test_syntax_error_in_policy_condition(tmp_path, cli):
    pol = tmp_path / "pol"
    pol.mkdir()
    text = (ROOT / "ftlib/data/policies/cn-2016.yaml").read_text(encoding="utf-8")
    text = text.replace("when: conditions_met\n", "when: conditions_met and (\n")
    (pol / "cn-2016.yaml").write_text(text, encoding="utf-8")
    r = cli("--policy-dir", str(pol), "determine", str(write(tmp_path, "c.yaml", {**CASE, "conduct_date": "2017-01-01"})))
    _one_line_error(r, "cn-2016.yaml", "grading", "tolerable", "syntax error")


def test_missing_case_file(cli, tmp_path):
    _one_line_error(cli("determine", str(tmp_path / "nope.yaml")), "nope.yaml", "cannot read")


def test_max_kernels_must_be_a_positive_whole_number():
    for bad in ("0", "-3", "many"):
        r = run_cli("notebook", "04", "--max-kernels", bad)
        assert r.returncode == 2 and r.stdout == ""
        last = r.stderr.strip().splitlines()[-1]
        assert f"value '{bad}': a whole number of kernels, at least 1" in last and "Traceback" not in r.stderr


def test_pool_must_be_a_whole_number_of_kernels_zero_or_more():
    for bad in ("-1", "few"):
        r = run_cli("notebook", "04", "--pool", bad)
        assert r.returncode == 2 and r.stdout == ""
        last = r.stderr.strip().splitlines()[-1]
        assert f"value '{bad}': a whole number of kernels, 0 or more" in last and "Traceback" not in r.stderr
