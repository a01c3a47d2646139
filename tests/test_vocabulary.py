"""The one vocabulary: yes/no spellings read alike by case files, frames and the register import."""

import pandas as pd
import pytest

from ftlib.convert import cases_to_frame, fact_array
from ftlib.engine import determine, determine_frame
from ftlib.facts import FactError, case_from_dict
from ftlib.vocabulary import ALL_DISPOSITIONS, NO, OUTCOME_OF, OUTCOMES, TOLERATED, YES, parse_yes_no

YES_SPELLINGS = ["是", "yes", "Yes", "YES", "true", "True", "TRUE", "1", "✓", " 是 ", True, 1, 1.0]
NO_SPELLINGS = ["否", "no", "No", "false", "False", "FALSE", "0", "✗", False, 0, 0.0]

CASE = {
    "id": "v1", "jurisdiction": "CN", "conduct_date": "2019-06-01", "subject": {"rank": "county"},
    "scenario": "reform_pilot", "public_motive": True,
    "procedure": {"collective_decision": True, "followed": "full"}, "consequence": {"severity": "minor"},
}


@pytest.mark.parametrize("value", YES_SPELLINGS)
def test_yes_spellings(value):
    assert parse_yes_no(value) is True


@pytest.mark.parametrize("value", NO_SPELLINGS)
def test_no_spellings(value):
    assert parse_yes_no(value) is False


@pytest.mark.parametrize("value", ["maybe", "", "2", 2, None, float("nan"), "是的"])
def test_not_a_spelling(value):
    assert parse_yes_no(value) is None


def test_tables_do_not_overlap():
    assert not set(YES) & set(NO)


def test_case_file_reads_chinese_yes_no():
    case = case_from_dict({**CASE, "public_motive": "是", "procedure": {"collective_decision": "否", "followed": "full"}})
    assert case.public_motive is True and case.procedure.collective_decision is False
    with pytest.raises(FactError, match="public_motive.*'也许'"):
        case_from_dict({**CASE, "public_motive": "也许"})


def test_frame_reads_the_same_spellings_as_a_case_file():
    frame = pd.DataFrame({"public_motive": ["是", "否", "✓", "✗", "TRUE", "no"]})
    assert fact_array(frame, "public_motive").tolist() == [True, False, True, False, True, False]
    with pytest.raises(FactError, match="row 2: field public_motive: value '也许'"):
        fact_array(pd.DataFrame({"public_motive": ["是", "也许"]}), "public_motive")


def test_determine_frame_accepts_what_determine_accepts():
    case = case_from_dict({**CASE, "public_motive": "否"})
    frame = cases_to_frame([case]).astype({"public_motive": object})
    frame["public_motive"] = ["否"]
    assert determine_frame(frame, determine(case).policy.id)["outcome"].tolist() == [determine(case).outcome]


def test_dispositions_belong_to_outcomes():
    # issue 11: 不予问责 and 免予问责 are exemptions, 从轻 and 减轻 are mitigations.
    assert OUTCOME_OF["not_accountable"] == OUTCOME_OF["exempted"] == "exempt"
    assert OUTCOME_OF["lighter"] == OUTCOME_OF["reduced"] == "mitigated"
    assert set(ALL_DISPOSITIONS) == set(OUTCOME_OF)
    assert set(TOLERATED) <= set(OUTCOMES)
