"""The CSV reader's two paths give the same table: pandas' C parser for a regular file (fast,
and one string object per distinct text), Python's csv module for anything else (blank lines,
rows wider than the header, broken quotes). Expected tables written out by hand."""

from __future__ import annotations

import csv

import pytest

from ftlib.errors import FtlibError
from ftlib.register.files import _exact_csv, _fast_csv, read_file


def _table(df):
    return list(df.columns), list(df.index), df.to_numpy().tolist()


CASES = [
    # (content, header, spreadsheet rows, cells)
    ("id,jurisdiction\nA-1,CN-HB\nA-2,CN-DM\n", ["id", "jurisdiction"], [2, 3], [["A-1", "CN-HB"], ["A-2", "CN-DM"]]),
    # CRLF, a header cell with blanks around it, a cell with blanks kept (validation strips)
    ("id , jurisdiction\r\n A-1 ,CN-HB\r\n", ["id", "jurisdiction"], [2], [[" A-1 ", "CN-HB"]]),
    # a quoted cell with a comma, a doubled quote and a line break: still one record, row 2
    ('id,title.zh\n"A-1","甲,""乙""\n丙"\nA-2,丁\n', ["id", "title.zh"], [2, 3], [["A-1", '甲,"乙"\n丙'], ["A-2", "丁"]]),
    # a short row is padded with blanks
    ("id,jurisdiction,scenario\nA-1,CN-HB\n", ["id", "jurisdiction", "scenario"], [2], [["A-1", "CN-HB", ""]]),
    # trailing blank lines and a trailing row of blank cells are not rows
    ("id,jurisdiction\nA-1,CN-HB\n,\n\n\n", ["id", "jurisdiction"], [2], [["A-1", "CN-HB"]]),
    # a blank line in the middle is skipped but counted: A-2 is on spreadsheet row 4
    ("id,jurisdiction\nA-1,CN-HB\n\nA-2,CN-DM\n", ["id", "jurisdiction"], [2, 4], [["A-1", "CN-HB"], ["A-2", "CN-DM"]]),
    # a row of blank cells in the middle stays (validation reports its blank required cells)
    ("id,jurisdiction\n,\nA-2,CN-DM\n", ["id", "jurisdiction"], [2, 3], [["", ""], ["A-2", "CN-DM"]]),
    # extra blank cells past the header are allowed
    ("id,jurisdiction\nA-1,CN-HB,,\n", ["id", "jurisdiction"], [2], [["A-1", "CN-HB"]]),
    # no final line break
    ("id,jurisdiction\nA-1,CN-HB", ["id", "jurisdiction"], [2], [["A-1", "CN-HB"]]),
]


@pytest.mark.parametrize(("content", "header", "rows", "cells"), CASES)
def test_both_readings_give_the_table_worked_out_by_hand(content, header, rows, cells):
    assert _table(_exact_csv(content, "f.csv")) == (header, rows, cells)
    fast = _fast_csv(content, "f.csv")
    if fast is not None:   # None: the file is left to the exact reading
        assert _table(fast) == (header, rows, cells)


def test_a_regular_file_takes_the_fast_path_and_shares_distinct_texts():
    content = "id,jurisdiction\n" + "".join(f"A-{i},CN-HB\n" for i in range(50))
    df = _fast_csv(content, "f.csv")
    assert df is not None and len(df) == 50
    cells = df["jurisdiction"].to_numpy()
    assert all(c is cells[0] for c in cells)   # one object for "CN-HB": what ftlib.convert is fast on


def test_blank_lines_and_wide_rows_go_to_the_exact_reading():
    assert _fast_csv("id,jurisdiction\nA-1,CN-HB\n\nA-2,CN-DM\n", "f.csv") is None
    assert _fast_csv("id,jurisdiction\nA-1,CN-HB,x\n", "f.csv") is None
    assert _fast_csv('id,jurisdiction\n"A-1,CN-HB\n', "f.csv") is None


def test_formulas_and_apostrophes_through_either_path(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("id,jurisdiction,title.zh\nA-1,CN-HB,'=1+1\nA-2,CN-HB,''x\n", encoding="utf-8")
    df = read_file(f)[0].frame
    assert df["title.zh"].tolist() == ["=1+1", "'x"]          # one apostrophe off
    f.write_text("id,jurisdiction,title.zh\nA-1,CN-HB,=1+1\n\nA-2,CN-HB,=2\n", encoding="utf-8")
    with pytest.raises(FtlibError) as info:
        read_file(f)
    assert str(info.value).splitlines() == [
        f"{f}: row 2: column title.zh: value '=1+1': a formula, not a value; paste the values (Excel: Paste Special → Values)",
        f"{f}: row 4: column title.zh: value '=2': a formula, not a value; paste the values (Excel: Paste Special → Values)"]


def test_a_cell_over_the_csv_field_limit_is_refused_on_either_path(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text("id,title.zh\nA-1," + "x" * (csv.field_size_limit() + 1) + "\n", encoding="utf-8")
    with pytest.raises(FtlibError, match="malformed CSV"):
        read_file(f)
