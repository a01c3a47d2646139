"""Loading and validating cases (ftlib/facts.py).

Expected values come from the vocabulary in DESIGN.md and the defaults documented in the
module docstring of ftlib/facts.py, not from running the loader.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from ftlib.convert import cases_to_frame, typed_frame
from ftlib.errors import FtlibError
from ftlib.facts import (
    CONDITION_FACTS,
    VOCABULARY,
    Case,
    FactError,
    case_from_dict,
    cases_from_frame,
    load_case,
)

# The required facts as listed in the facts.py docstring (plus the case id, which is identity).
DOC_REQUIRED = {
    "jurisdiction", "conduct_date", "scenario", "public_motive", "subject.rank",
    "procedure.collective_decision", "procedure.followed", "consequence.severity",
}

NESTED = {
    "id": "T-1",
    "title": {"zh": "试点审批", "en": "pilot approval"},
    "jurisdiction": "CN-HB",
    "conduct_date": dt.date(2019, 3, 1),
    "subject": {"rank": "county", "top_leader": True},
    "scenario": "reform_pilot",
    "public_motive": True,
    "procedure": {"collective_decision": True, "followed": "partial"},
    "consequence": {"severity": "serious", "loss_cny": 120000},
    "after": {"remedy": "partial", "cooperated": True},
}
DOTTED = {
    "id": "T-1",
    "title.zh": "试点审批",
    "title.en": "pilot approval",
    "jurisdiction": "CN-HB",
    "conduct_date": "2019-03-01",
    "subject.rank": "county",
    "subject.top_leader": True,
    "scenario": "reform_pilot",
    "public_motive": True,
    "procedure.collective_decision": True,
    "procedure.followed": "partial",
    "consequence.severity": "serious",
    "consequence.loss_cny": 120000,
    "after.remedy": "partial",
    "after.cooperated": True,
}
MINIMAL = {
    "id": "M-1", "jurisdiction": "CN", "conduct_date": "2020-01-02", "scenario": "routine",
    "public_motive": False, "subject.rank": "village", "procedure.collective_decision": False,
    "procedure.followed": "none", "consequence.severity": "none",
}

YAML_CASE = """\
id: Y-1
jurisdiction: CN
conduct_date: 2017-06-30
decision_date: 2018-07-01
subject: {rank: township}
scenario: emergency
public_motive: true
procedure:
  collective_decision: false
  followed: partial
  emergency_onsite: true
  reported_after: true
consequence: {severity: minor, loss_cny: 2500.5}
"""


def _check_nested(case: Case) -> None:
    assert case.id == "T-1"
    assert case.title.zh == "试点审批" and case.title.en == "pilot approval"
    assert case.jurisdiction == "CN-HB"
    assert case.conduct_date == dt.date(2019, 3, 1)
    assert case.subject.rank == "county" and case.subject.top_leader is True
    assert case.procedure.followed == "partial" and case.procedure.collective_decision is True
    assert case.consequence.severity == "serious" and case.consequence.loss_cny == 120000.0
    assert case.after.remedy == "partial" and case.after.cooperated is True


# -- loading -----------------------------------------------------------------------------------

def test_load_yaml(tmp_path):
    p = tmp_path / "case.yaml"
    p.write_text(YAML_CASE, encoding="utf-8")
    c = load_case(p)
    assert c.id == "Y-1"
    assert c.conduct_date == dt.date(2017, 6, 30)
    assert c.decision_date == dt.date(2018, 7, 1)
    assert c.subject.rank == "township"
    assert c.scenario == "emergency"
    assert c.procedure.emergency_onsite is True and c.procedure.reported_after is True
    assert c.procedure.exante_registered is False
    assert c.consequence.loss_cny == 2500.5


def test_load_yaml_wrapped_typical_case(tmp_path):
    # typical-case files put the facts under `case:` beside their source
    p = tmp_path / "typical.yaml"
    body = "\n".join("  " + line for line in YAML_CASE.splitlines())
    p.write_text("source: {title: 某地典型案例}\ncase:\n" + body + "\n", encoding="utf-8")
    assert load_case(p).id == "Y-1"


def test_load_json(tmp_path):
    p = tmp_path / "case.json"
    data = {**NESTED, "conduct_date": "2019-03-01"}
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _check_nested(load_case(p))


def test_dict_nested_and_dotted_agree():
    a = case_from_dict(NESTED)
    b = case_from_dict(DOTTED)
    _check_nested(a)
    _check_nested(b)
    assert a == b


def test_flat_uses_dotted_names_of_the_vocabulary():
    flat = case_from_dict(NESTED).flat()
    assert set(flat) == set(VOCABULARY)
    assert flat["procedure.followed"] == "partial"
    assert flat["consequence.loss_cny"] == 120000.0


def test_cases_from_frame_rows():
    rows = [DOTTED, {**DOTTED, "id": "T-2", "knowingly_violated": True, "after.remedy": np.nan}]
    df = pd.DataFrame(rows)
    df["conduct_date"] = pd.to_datetime(df["conduct_date"])  # as Excel imports give it
    a, b = cases_from_frame(df)
    _check_nested(a)
    assert a.knowingly_violated is False  # blank (NaN) cell → documented default
    assert b.id == "T-2" and b.knowingly_violated is True
    assert b.after.remedy == "none"  # blank cell → documented default "none"
    assert b.conduct_date == dt.date(2019, 3, 1)


def test_cases_to_frame_round_trip_and_dtypes():
    cases = [case_from_dict(DOTTED), case_from_dict({**MINIMAL})]
    df = cases_to_frame(cases)
    assert len(df) == 2
    for name, spec in CONDITION_FACTS.items():
        assert name in df.columns
        if spec.kind == "enum":
            assert isinstance(df[name].dtype, pd.CategoricalDtype)
            assert df[name].cat.ordered
            assert list(df[name].cat.categories) == list(spec.values)
    assert list(df["consequence.severity"].astype(str)) == ["serious", "none"]
    assert cases_from_frame(df.drop(columns=["decision_date"])) == cases


# -- errors ------------------------------------------------------------------------------------

def _file(tmp_path, text: str, name: str = "bad.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_unknown_fact_in_file(tmp_path):
    p = _file(tmp_path, YAML_CASE + "knowingly_violatd: true\n")
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "knowingly_violatd" in msg and "True" in msg and "unknown fact" in msg


def test_unknown_nested_fact(tmp_path):
    p = _file(tmp_path, YAML_CASE.replace("subject: {rank: township}", "subject: {rank: township, age: 40}"))
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "subject.age" in msg and "40" in msg


def test_wrong_type(tmp_path):
    p = _file(tmp_path, YAML_CASE.replace("public_motive: true", "public_motive: maybe"))
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "public_motive" in msg and "'maybe'" in msg


def test_wrong_type_number(tmp_path):
    p = _file(tmp_path, YAML_CASE.replace("loss_cny: 2500.5", "loss_cny: lots"))
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "consequence.loss_cny" in msg and "'lots'" in msg


def test_negative_loss(tmp_path):
    p = _file(tmp_path, YAML_CASE.replace("loss_cny: 2500.5", "loss_cny: -5"))
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "consequence.loss_cny" in msg and "-5" in msg


@pytest.mark.parametrize("field,value", [
    ("scenario", "picnic"), ("consequence.severity", "catastrophic"), ("procedure.followed", "mostly"),
    ("subject.rank", "emperor"), ("after.remedy", "some"), ("subject.unit_type", "ngo"),
])
def test_bad_enum_value(field, value):
    with pytest.raises(FactError) as e:
        case_from_dict({**DOTTED, field: value}, "cases.xlsx")
    msg = str(e.value)
    assert "cases.xlsx" in msg and field in msg and repr(value) in msg


def test_bad_jurisdiction_code():
    with pytest.raises(FactError) as e:
        case_from_dict({**DOTTED, "jurisdiction": "Hubei"})
    assert "jurisdiction" in str(e.value) and "'Hubei'" in str(e.value)


@pytest.mark.parametrize("field", sorted(DOC_REQUIRED - {"jurisdiction", "conduct_date"}))
def test_missing_required_fact_is_unknown(field):
    # issue 11.4: a required fact left out is unknown, not an error
    data = {k: v for k, v in DOTTED.items() if k != field}
    c = case_from_dict(data, "form")
    assert c.flat()[field] == "unknown"
    assert c.unknown_facts() == [field]


@pytest.mark.parametrize("field", ["jurisdiction", "conduct_date"])
def test_missing_identity_fact(field):
    # the jurisdiction and the conduct date choose the policy: they cannot be unknown
    data = {k: v for k, v in DOTTED.items() if k != field}
    with pytest.raises(FactError) as e:
        case_from_dict(data, "form")
    msg = str(e.value)
    assert msg.startswith("form") and field in msg and "required" in msg


def test_optional_fact_left_out_keeps_its_default_but_may_be_unknown():
    c = case_from_dict(DOTTED)
    assert c.after.concealed is False and c.unknown_facts() == []
    c = case_from_dict({**DOTTED, "after.concealed": "unknown", "consequence.loss_cny": "unknown"})
    assert c.unknown_facts() == ["consequence.loss_cny", "after.concealed"]


def test_bad_value_names_the_fact_not_the_union_member():
    with pytest.raises(FactError) as e:
        case_from_dict({**DOTTED, "consequence.loss_cny": -5}, "form")
    assert str(e.value).startswith("form: field consequence.loss_cny: value -5:")


def test_required_facts_are_those_documented():
    required = {name for name, spec in VOCABULARY.items() if spec.required}
    assert required == DOC_REQUIRED | {"id"}


def test_empty_file(tmp_path):
    p = _file(tmp_path, "  \n\n")
    with pytest.raises(FactError) as e:
        load_case(p)
    assert str(p) in str(e.value) and "empty" in str(e.value)


def test_malformed_yaml(tmp_path):
    # "CN: HB" on line 2 puts a second mapping value inside a plain scalar: a YAML error there
    text = "id: Y-1\njurisdiction: CN: HB\nscenario: routine\n"
    p = _file(tmp_path, text)
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "line 2" in msg and "malformed" in msg


def test_malformed_json(tmp_path):
    p = _file(tmp_path, '{"id": "J-1",\n "scenario": routine}\n', "bad.json")
    with pytest.raises(FactError) as e:
        load_case(p)
    msg = str(e.value)
    assert str(p) in msg and "line 2" in msg and "malformed JSON" in msg


def test_file_not_a_mapping(tmp_path):
    p = _file(tmp_path, "- a\n- b\n")
    with pytest.raises(FactError) as e:
        load_case(p)
    assert str(p) in str(e.value) and "mapping" in str(e.value)


def test_missing_file(tmp_path):
    p = tmp_path / "nope.yaml"
    with pytest.raises(FactError) as e:
        load_case(p)
    assert str(p) in str(e.value)


def test_frame_row_error_names_row():
    df = pd.DataFrame([DOTTED, DOTTED, {**DOTTED, "consequence.severity": "catastrophic"}])
    with pytest.raises(FactError) as e:
        cases_from_frame(df, "import.csv")
    msg = str(e.value)
    assert "import.csv" in msg and "row 3" in msg and "consequence.severity" in msg and "'catastrophic'" in msg


def test_frame_unknown_column_names_row():
    df = pd.DataFrame([{**DOTTED, "after.regret": True}])
    with pytest.raises(FactError) as e:
        cases_from_frame(df)
    assert "row 1" in str(e.value) and "after.regret" in str(e.value)


def test_fact_error_is_user_error():
    assert issubclass(FactError, FtlibError) and issubclass(FactError, ValueError)


# -- documented defaults -----------------------------------------------------------------------

def test_documented_defaults():
    c = case_from_dict(MINIMAL)
    flat = c.flat()
    # "every yes/no fact that is not given is false"
    for name, spec in VOCABULARY.items():
        if spec.kind == "bool" and name not in MINIMAL:
            assert flat[name] is False, name
    assert c.subject.top_leader is False
    assert c.subject.unit_type == "party_gov"
    assert c.consequence.loss_cny == 0
    assert c.after.remedy == "none"
    assert c.decision_date is None


def test_typed_frame_fills_missing_columns_with_defaults():
    df = typed_frame(pd.DataFrame([MINIMAL]))
    assert bool(df.loc[0, "knowingly_violated"]) is False
    assert df.loc[0, "subject.unit_type"] == "party_gov"
    assert df.loc[0, "consequence.loss_cny"] == 0.0
    assert df.loc[0, "after.remedy"] == "none"


def test_typed_frame_missing_required_column_is_unknown():
    df = typed_frame(pd.DataFrame([{k: v for k, v in MINIMAL.items() if k != "public_motive"}]))
    assert df.loc[0, "public_motive"] == "unknown"


def test_typed_frame_blank_bool_cell_takes_default_false():
    # BUG: a blank (NaN) cell in a yes/no column becomes True (NaN is truthy under astype(bool)),
    # whereas the documented default for an unstated yes/no fact is false (cases_from_frame and
    # determine_frame both treat the blank cell as false).
    df = pd.DataFrame([{**MINIMAL, "knowingly_violated": True}, MINIMAL])
    assert pd.isna(df.loc[1, "knowingly_violated"])
    typed = typed_frame(df)
    assert list(typed["knowingly_violated"]) == [True, False]


# -- mixing nested and dotted keys -------------------------------------------------------------

def test_mixed_nested_and_dotted_keys_any_order():
    # BUG: with a dotted key first and the nested group after it, unflatten() replaces the group
    # built from the dotted key, so procedure.collective_decision is lost ("required fact is
    # missing"); the other order works.
    rest = {k: v for k, v in DOTTED.items() if not k.startswith("procedure.")}
    one = {**rest, "procedure": {"followed": "partial"}, "procedure.collective_decision": True}
    two = {**rest, "procedure.collective_decision": True, "procedure": {"followed": "partial"}}
    assert case_from_dict(one).procedure.collective_decision is True
    assert case_from_dict(two).procedure.collective_decision is True


def test_dotted_key_under_a_value_is_not_silently_dropped():
    # BUG: {"scenario.x": 1, "scenario": "routine"} (dotted key first) is accepted: unflatten()
    # overwrites the group {"x": 1} with the value "routine", so the unknown fact "scenario.x"
    # disappears without an error ("unknown facts are an error, not a silent default").
    with pytest.raises(FactError) as e:
        case_from_dict({"scenario.x": 1, **DOTTED}, "cases.csv: row 4")
    assert "scenario.x" in str(e.value)


def test_dotted_key_under_a_value_error_names_source():
    # BUG: in the other order unflatten() raises "field scenario.x: scenario is both a value and
    # a group" without the source (file / row), unlike every other FactError.
    with pytest.raises(FactError) as e:
        case_from_dict({**DOTTED, "scenario.x": 1}, "cases.csv: row 4")
    assert "cases.csv: row 4" in str(e.value) and "scenario.x" in str(e.value)


@pytest.mark.parametrize("text,why", [
    ("a: 1\na: 2\n", "key 'a' appears twice"),
    ("x: .nan\n", "infinite or not-a-number"),
    ("d: 2025-02-30\n", "not a real date"),
])
def test_shipped_files_keep_the_refusals_under_the_fast_parser(text, why):
    """Files inside ftlib/data are parsed by libyaml (kernel start-up); a slip in one of them is
    still refused with its line, as a user's file would be."""
    from ftlib.errors import FtlibError
    from ftlib.safeinput import load_yaml

    with pytest.raises(FtlibError, match=why):
        load_yaml(text, "shipped.yaml", package=True)


def test_only_files_inside_the_package_take_the_fast_parser(tmp_path):
    from ftlib.resources import data_path, is_package_data

    assert is_package_data(data_path("policies", "cn-2019.yaml"))
    assert not is_package_data(tmp_path / "cn-2019.yaml")
    # a user's file keeps the alias limit (ftlib/data/limits.yaml) the fast parser does not check
    from ftlib.errors import FtlibError
    from ftlib.safeinput import limits, load_file

    n = limits()["yaml_aliases"] + 1
    f = tmp_path / "aliases.yaml"
    f.write_text("a: &x 1\nb: [" + ", ".join(["*x"] * n) + "]\n", encoding="utf-8")
    with pytest.raises(FtlibError, match="aliases"):
        load_file(f)
