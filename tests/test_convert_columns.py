"""String columns of real size through the table of references (ftlib/convert.py, issue 14.1).

Columns of at least ``TABLE_FROM`` rows are read through a table slot → (reference, code); the
cases here are those that path must get right: a CSV read (new objects every 16,384 rows),
blanks, ``unknown``, a bad cell far down the column, two objects of one block sharing a slot,
cells that share no object, and the table left empty after each column. Expected values are
worked out from the pattern each column is built from (spellings of ftlib/vocabulary.py, the
zh/en labels of ftlib/data/labels/ui_labels.yaml), not from running the conversion.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from ftlib import convert
from ftlib.convert import TABLE_FROM, fact_column
from ftlib.facts import FactError

N = 3 * TABLE_FROM + 1234  # a few blocks and a partial one


def _csv(columns: dict[str, list[str]]) -> pd.DataFrame:
    text = pd.DataFrame(columns).to_csv(index=False)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _fresh(text: str) -> str:
    """A new string object with the given text (not the interned literal)."""
    return "".join(list(text))


def test_yes_no_spellings_from_csv():
    spellings = ["是", "no", "Yes", " 否 ", "TRUE", "f"]  # yes, no, yes, no, yes, no
    df = _csv({"public_motive": [spellings[i % 6] for i in range(N)]})
    col = fact_column(df, "public_motive")
    assert col.unknown is None
    assert col.values.dtype == bool
    np.testing.assert_array_equal(col.values, np.arange(N) % 2 == 0)


def test_enum_values_and_labels_from_csv():
    # subject.rank: village 0, township 1 (乡科级), county 2, prefecture 3 (厅局级), province 4
    words = ["village", "乡科级", "County", "厅局级", "province"]
    df = _csv({"subject.rank": [words[(i * 7) % 5] for i in range(N)]})
    col = fact_column(df, "subject.rank")
    assert col.unknown is None
    np.testing.assert_array_equal(col.values, (np.arange(N) * 7) % 5)


def test_blank_and_unknown_cells_far_down_the_column():
    cells = ["yes" if i % 4 else "no" for i in range(N)]
    cells[TABLE_FROM + 5] = "unknown"
    cells[2 * TABLE_FROM + 7] = ""          # a required fact left blank: unknown
    cells[N - 1] = "待核实"
    col = fact_column(_csv({"public_motive": cells}), "public_motive")
    expected_unknown = np.zeros(N, dtype=bool)
    expected_unknown[[TABLE_FROM + 5, 2 * TABLE_FROM + 7, N - 1]] = True
    np.testing.assert_array_equal(col.unknown, expected_unknown)
    known = ~expected_unknown
    np.testing.assert_array_equal(col.values[known], (np.arange(N) % 4 != 0)[known])


def test_blank_optional_fact_takes_its_default():
    # after.cooperated is optional, default no
    cells = ["yes"] * N
    cells[TABLE_FROM * 2 + 3] = ""
    col = fact_column(_csv({"after.cooperated": cells}), "after.cooperated")
    assert col.unknown is None
    expected = np.ones(N, dtype=bool)
    expected[TABLE_FROM * 2 + 3] = False
    np.testing.assert_array_equal(col.values, expected)


def test_bad_cell_far_down_names_its_row():
    cells = ["no"] * N
    cells[2 * TABLE_FROM + 10] = "perhaps"
    with pytest.raises(FactError, match=rf"row {2 * TABLE_FROM + 11}: field public_motive: value 'perhaps'"):
        fact_column(_csv({"public_motive": cells}), "public_motive")


def _sharing_a_slot() -> tuple[str, str]:
    """Two live objects, texts 'yes' and 'no', whose addresses agree in the slot bits."""
    seen: dict[int, str] = {}
    keep = []
    for _ in range(200_000):
        for text in ("yes", "no"):
            obj = _fresh(text)
            keep.append(obj)
            slot = id(obj) & convert._SLOT_MASK_INT
            other = seen.get(slot)
            if other is not None and other != obj:
                return other, obj
            seen.setdefault(slot, obj)
    pytest.skip("no two objects of different text met in one slot")


def test_two_objects_sharing_a_slot_in_one_block():
    a, b = _sharing_a_slot()
    # alternate the two objects: every block holds both
    arr = np.empty(N, dtype=object)
    arr[0::2] = a
    arr[1::2] = b
    col = fact_column(pd.DataFrame({"public_motive": arr}), "public_motive")
    np.testing.assert_array_equal(col.values, (np.arange(N) % 2 == 0) == (a == "yes"))


def test_cells_sharing_no_object():
    arr = np.array([_fresh("是" if i % 5 == 0 else "否") for i in range(N)], dtype=object)
    col = fact_column(pd.DataFrame({"public_motive": arr}), "public_motive")
    np.testing.assert_array_equal(col.values, np.arange(N) % 5 == 0)


def test_table_is_left_empty_after_each_column():
    """A slot left filled could match a later object at a freed object's address."""
    fact_column(_csv({"public_motive": ["yes", "no"] * (N // 2)}), "public_motive")
    fact_column(_csv({"consequence.loss_cny": ["0", "1000", "250.5"] * (N // 3)}), "consequence.loss_cny")
    for refs, _ in convert._TABLES.by_type.values():
        assert not refs.any()


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text")


def test_table_is_left_empty_when_a_cell_cannot_be_read():
    arr = np.array([_fresh("village") for _ in range(N)], dtype=object)
    arr[:] = arr[0]                      # one shared object …
    arr[TABLE_FROM + 3] = _Unprintable()  # … and, in the second block, a cell that raises
    with pytest.raises(RuntimeError):
        fact_column(pd.DataFrame({"subject.rank": arr}), "subject.rank")
    for refs, _ in convert._TABLES.by_type.values():
        assert not refs.any()


def test_amounts_from_csv():
    amounts = ["0", "1000", "250.5", "", "1e6"]  # blank: the default 0
    col = fact_column(_csv({"consequence.loss_cny": [amounts[i % 5] for i in range(N)]}), "consequence.loss_cny")
    expected = np.array([0.0, 1000.0, 250.5, 0.0, 1e6])[np.arange(N) % 5]
    np.testing.assert_array_equal(col.values, expected)


def test_cell_codes_lists_every_bad_cell_of_a_long_column():
    """The import lists all bad cells (not only the first): every cell keeps its own class."""
    from ftlib.convert import BAD, MISSING, UNKNOWN_CELL, cell_codes

    cells = ["是" if i % 2 else "否" for i in range(N)]
    bad_rows = [7, TABLE_FROM + 1, 2 * TABLE_FROM + 99, N - 2]
    for r in bad_rows:
        cells[r] = "maybe"
    cells[5] = ""
    cells[TABLE_FROM * 3] = "unknown"
    codes, _ = cell_codes(_csv({"public_motive": cells})["public_motive"].to_numpy(dtype=object), "public_motive")
    assert np.flatnonzero(codes == BAD).tolist() == bad_rows
    assert np.flatnonzero(codes == MISSING).tolist() == [5]
    assert np.flatnonzero(codes == UNKNOWN_CELL).tolist() == [TABLE_FROM * 3]
    rest = np.ones(N, dtype=bool)
    rest[[*bad_rows, 5, TABLE_FROM * 3]] = False
    np.testing.assert_array_equal(codes[rest], (np.arange(N) % 2)[rest])


def _long_frame() -> pd.DataFrame:
    """N cases as a CSV gives them (all strings), alternating two fully known cases."""
    from ftlib.convert import cases_to_frame
    from ftlib.facts import case_from_dict

    base = {"jurisdiction": "CN", "conduct_date": "2020-05-01", "scenario": "reform_pilot",
            "subject": {"rank": "county"}, "procedure": {"collective_decision": True, "followed": "full"},
            "consequence": {"severity": "minor"}}
    cases = [case_from_dict({**base, "id": "A", "public_motive": True}),
             case_from_dict({**base, "id": "B", "public_motive": False, "personal_gain": True})]
    typed = cases_to_frame(cases)
    return _csv({c: typed[c].astype(str).tolist() * (N // 2) for c in typed.columns})


def test_a_column_the_policy_does_not_read_is_still_checked():
    """determine_frame checks every fact column present (as determine would), also those it only
    validates without converting (CN-2019 does not read subject.top_leader)."""
    from ftlib.engine import determine_frame

    df = _long_frame()
    assert "subject.top_leader" not in __import__("ftlib").bundled().compiled["CN-2019"].facts_read
    df.loc[TABLE_FROM + 17, "subject.top_leader"] = "perhaps"
    with pytest.raises(FactError, match=rf"row {TABLE_FROM + 18}: field subject.top_leader: value 'perhaps'"):
        determine_frame(df, "CN-2019")


def test_a_column_not_read_may_be_blank_or_unknown_and_changes_nothing():
    from ftlib.engine import determine_frame

    df = _long_frame()
    expected = determine_frame(df.drop(columns=["subject.top_leader"]), "CN-2019")
    clean = determine_frame(df, "CN-2019")   # the column checked through the table of references alone
    assert clean["rule"].astype(str).tolist() == expected["rule"].astype(str).tolist()
    df.loc[[3, TABLE_FROM + 4], "subject.top_leader"] = ["", "unknown"]
    got = determine_frame(df, "CN-2019")
    for col in ("outcome", "disposition", "rule"):
        assert got[col].astype(str).tolist() == expected[col].astype(str).tolist()
    # not vacuous: the two cases are decided differently (public motive, no personal gain, vs not)
    assert got["outcome"].astype(str).iloc[0] != got["outcome"].astype(str).iloc[1]
