"""The condition language (ftlib/policy/conditions.py).

Expected truth values are worked out by hand from the declared enum order in DESIGN.md
(consequence.severity: none < minor < serious < major; procedure.followed and after.remedy:
none < partial < full).
"""

from __future__ import annotations

import numpy as np
import pytest

from ftlib.errors import FtlibError
from ftlib.facts import CONDITION_FACTS, FactSpec
from ftlib.policy.conditions import ConditionError, compile_condition

SEVERITY = ("none", "minor", "serious", "major")  # declared order, DESIGN.md


def ev(text: str, **facts) -> bool:
    facts = {k.replace("__", "."): v for k, v in facts.items()}
    return compile_condition(text).evaluate(facts)[0]


def test_declared_severity_order_matches_vocabulary():
    assert CONDITION_FACTS["consequence.severity"].values == SEVERITY
    assert CONDITION_FACTS["procedure.followed"].values == ("none", "partial", "full")
    assert CONDITION_FACTS["after.remedy"].values == ("none", "partial", "full")


# -- enum ordering -----------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [("none", True), ("minor", True), ("serious", False), ("major", False)])
def test_severity_at_most_minor(value, expected):
    assert ev('consequence.severity <= "minor"', consequence__severity=value) is expected


@pytest.mark.parametrize("value,expected", [("none", False), ("minor", False), ("serious", True), ("major", True)])
def test_literal_on_the_left(value, expected):
    # "serious" <= severity  ⇔  severity in {serious, major}
    assert ev('"serious" <= consequence.severity', consequence__severity=value) is expected


@pytest.mark.parametrize("op,expected", [
    ("<", {"none"}), ("<=", {"none", "minor"}), (">", {"serious", "major"}), (">=", {"minor", "serious", "major"}),
    ("==", {"minor"}), ("!=", {"none", "serious", "major"}),
])
def test_every_ordering_operator(op, expected):
    got = {v for v in SEVERITY if ev(f'consequence.severity {op} "minor"', consequence__severity=v)}
    assert got == expected


def test_chained_enum_comparison():
    got = {v for v in SEVERITY if ev('"none" < consequence.severity < "major"', consequence__severity=v)}
    assert got == {"minor", "serious"}


def test_ordering_is_not_alphabetical():
    # alphabetically "full" < "none" < "partial"; by declared order none < partial < full
    assert ev('procedure.followed > "partial"', procedure__followed="full") is True
    assert ev('procedure.followed > "partial"', procedure__followed="none") is False


# -- in / not in -------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario,expected", [
    ("emergency", True), ("force_majeure", True), ("routine", False), ("reform_pilot", False)])
def test_in(scenario, expected):
    assert ev('scenario in ["emergency", "force_majeure"]', scenario=scenario) is expected
    assert ev('scenario not in ["emergency", "force_majeure"]', scenario=scenario) is (not expected)


def test_in_with_tuple_and_numbers():
    assert ev('after.remedy in ("partial", "full")', after__remedy="partial") is True
    assert ev('after.remedy in ("partial", "full")', after__remedy="none") is False
    assert ev("consequence.loss_cny in [0, 100]", consequence__loss_cny=100.0) is True
    assert ev("consequence.loss_cny in [0, 100]", consequence__loss_cny=50.0) is False


# -- boolean connectives -----------------------------------------------------------------------

@pytest.mark.parametrize("a", [False, True])
@pytest.mark.parametrize("b", [False, True])
@pytest.mark.parametrize("c", [False, True])
def test_and_or_not(a, b, c):
    f = {"personal_gain": a, "benefit_transfer": b, "public_motive": c}
    assert compile_condition("personal_gain or benefit_transfer").evaluate(f)[0] is (a or b)
    assert compile_condition("personal_gain and benefit_transfer").evaluate(f)[0] is (a and b)
    assert compile_condition("not personal_gain").evaluate(f)[0] is (not a)
    assert compile_condition("(personal_gain or benefit_transfer) and not public_motive").evaluate(f)[0] is (
        (a or b) and not c)
    # precedence: not > and > or
    assert compile_condition("personal_gain or benefit_transfer and public_motive").evaluate(f)[0] is (
        a or (b and c))
    assert compile_condition("personal_gain == benefit_transfer").evaluate(f)[0] is (a == b)
    assert compile_condition("personal_gain != true").evaluate(f)[0] is (not a)


def test_constants():
    assert compile_condition("true").evaluate({})[0] is True
    assert compile_condition("false").evaluate({})[0] is False
    assert compile_condition(True).evaluate({})[0] is True
    assert compile_condition("True").evaluate({})[0] is True
    assert compile_condition("not false").evaluate({})[0] is True


# -- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("loss,expected", [(0.0, True), (999_999.0, True), (1_000_000.0, False), (5e7, False)])
def test_number_compare(loss, expected):
    assert ev("consequence.loss_cny < 1000000", consequence__loss_cny=loss) is expected


def test_number_forms():
    assert ev("consequence.loss_cny > -1", consequence__loss_cny=0.0) is True
    assert ev("consequence.loss_cny >= 0.5", consequence__loss_cny=0.25) is False
    assert ev("consequence.loss_cny == 0", consequence__loss_cny=0.0) is True
    assert ev("0 < consequence.loss_cny <= 1e6", consequence__loss_cny=1e6) is True
    assert ev("0 < consequence.loss_cny <= 1e6", consequence__loss_cny=0.0) is False


# -- trace reads -------------------------------------------------------------------------------

def test_reads_every_fact_even_when_and_short_circuits():
    cond = compile_condition('knowingly_violated and consequence.severity == "major" and after.remedy != "full"')
    ok, reads = cond.evaluate({"knowingly_violated": False, "consequence.severity": "minor", "after.remedy": "full"})
    assert ok is False
    # the first operand already decides; the trace must still show the other two facts
    assert reads == {"knowingly_violated": False, "consequence.severity": "minor", "after.remedy": "full"}


def test_reads_every_fact_even_when_or_short_circuits():
    cond = compile_condition("public_motive or (procedure.emergency_onsite and procedure.reported_after)")
    ok, reads = cond.evaluate({"public_motive": True, "procedure.emergency_onsite": False,
                               "procedure.reported_after": True})
    assert ok is True
    assert reads == {"public_motive": True, "procedure.emergency_onsite": False, "procedure.reported_after": True}


def test_reads_only_what_the_condition_names():
    facts = {"personal_gain": True, "benefit_transfer": False, "public_motive": True}
    ok, reads = compile_condition("personal_gain").evaluate(facts)
    assert ok is True and reads == {"personal_gain": True}
    assert compile_condition("personal_gain or benefit_transfer").facts == {"personal_gain", "benefit_transfer"}


def test_derived_predicates():
    derived = {"excluded": FactSpec("excluded", "bool"), "condition.public_motive": FactSpec("condition.public_motive", "bool")}
    cond = compile_condition("excluded or not condition.public_motive", derived)
    ok, reads = cond.evaluate({"excluded": False, "condition.public_motive": False})
    assert ok is True and reads == {"excluded": False, "condition.public_motive": False}
    with pytest.raises(ConditionError):
        compile_condition("excluded")  # not allowed without the engine's derived names


# -- errors ------------------------------------------------------------------------------------

# `why` is a fragment of the explanation, chosen so that it does not occur in the condition text
@pytest.mark.parametrize("text,why", [
    ("knowingly_violatd", "unknown fact 'knowingly_violatd'"),
    ('consequence.sevrity <= "minor"', "unknown fact 'consequence.sevrity'"),
    ("subject", "unknown fact 'subject'"),                           # a group, not a fact
    ("conduct_date", "unknown fact 'conduct_date'"),                 # not a condition fact
    ('consequence.severity == "catastrophic"', "has no value 'catastrophic'"),
    ('scenario in ["emergency", "picnic"]', "has no value 'picnic'"),
    ("consequence.severity <= 1", "has no value 1"),                 # enum vs number
    ("knowingly_violated < personal_gain", "does not order yes/no"),
    ("public_motive >= true", "does not order yes/no"),
    ('knowingly_violated == "yes"', "cannot compare bool"),
    ("consequence.loss_cny > true", "cannot compare number"),
    ("knowingly_violated and", "syntax error"),
    ("personal_gain && benefit_transfer", "syntax error"),
    ("(public_motive", "syntax error"),
    ("consequence.loss_cny", "not a yes/no test"),
    ("not consequence.severity", "needs a yes/no operand"),
    ("consequence.severity and public_motive", "needs yes/no operands"),
    ("len(scenario) > 3", "unsupported expression"),
    ("public_motive if personal_gain else true", "unsupported expression"),
    ("-public_motive", "only before a number"),
    ("scenario in scenario", "needs a list"),
    ("", "empty"),
])
def test_condition_errors_name_the_condition(text, why):
    with pytest.raises(ConditionError) as e:
        compile_condition(text)
    msg = str(e.value)
    assert repr(text) in msg, msg
    assert why in msg, msg
    assert "\n" not in msg


def test_condition_error_is_user_error():
    assert issubclass(ConditionError, FtlibError)


def test_comparing_two_different_enums_is_a_type_error():
    # BUG: two enum facts with different vocabularies compare by their index, so
    # consequence.severity == after.remedy is true for ("minor", "partial") — both index 1.
    # The type check should reject comparing values of different vocabularies.
    with pytest.raises(ConditionError):
        compile_condition("consequence.severity == after.remedy")


# -- scalar and vectorised evaluation agree ----------------------------------------------------

TABLE = [  # hand-built: every row a different mix
    {"knowingly_violated": False, "personal_gain": False, "public_motive": True, "scenario": "reform_pilot",
     "consequence.severity": "none", "procedure.followed": "full", "after.remedy": "none", "consequence.loss_cny": 0.0},
    {"knowingly_violated": True, "personal_gain": False, "public_motive": True, "scenario": "emergency",
     "consequence.severity": "minor", "procedure.followed": "partial", "after.remedy": "full", "consequence.loss_cny": 5e5},
    {"knowingly_violated": False, "personal_gain": True, "public_motive": False, "scenario": "routine",
     "consequence.severity": "serious", "procedure.followed": "none", "after.remedy": "partial", "consequence.loss_cny": 1e6},
    {"knowingly_violated": True, "personal_gain": True, "public_motive": False, "scenario": "force_majeure",
     "consequence.severity": "major", "procedure.followed": "full", "after.remedy": "full", "consequence.loss_cny": 2e7},
    {"knowingly_violated": False, "personal_gain": False, "public_motive": False, "scenario": "policy_change",
     "consequence.severity": "minor", "procedure.followed": "none", "after.remedy": "none", "consequence.loss_cny": 1.0},
]

# condition → expected value per TABLE row, worked out by hand
HAND = {
    'consequence.severity <= "minor"': [True, True, False, False, True],
    "knowingly_violated or personal_gain": [False, True, True, True, False],
    "public_motive and not knowingly_violated": [True, False, False, False, False],
    'scenario in ["emergency", "force_majeure"]': [False, True, False, True, False],
    'scenario not in ["emergency", "force_majeure"]': [True, False, True, False, True],
    "consequence.loss_cny >= 1000000": [False, False, True, True, False],
    'procedure.followed != "none" or after.remedy == "full"': [True, True, False, True, False],
    'public_motive and consequence.severity <= "serious" and (procedure.followed == "full" or after.remedy == "full")':
        [True, True, False, False, False],
    '"minor" <= consequence.severity < "major"': [False, True, True, False, True],
    "true": [True] * 5,
    "not true": [False] * 5,
    "knowingly_violated == personal_gain": [True, False, False, True, True],
}


def _columns(rows):
    cols = {}
    for name in rows[0]:
        spec = CONDITION_FACTS[name]
        vals = [r[name] for r in rows]
        if spec.kind == "enum":
            cols[name] = np.array([spec.values.index(v) for v in vals], dtype=np.int8)
        elif spec.kind == "bool":
            cols[name] = np.array(vals, dtype=bool)
        else:
            cols[name] = np.array(vals, dtype=float)
    return cols


@pytest.mark.parametrize("text", list(HAND))
def test_scalar_and_vectorised_agree_with_hand_values(text):
    cond = compile_condition(text)
    scalar = [cond.evaluate(r)[0] for r in TABLE]
    vector = cond.evaluate_frame(_columns(TABLE), len(TABLE))
    assert scalar == HAND[text]
    assert vector.dtype == bool and vector.shape == (len(TABLE),)
    assert vector.tolist() == HAND[text]
