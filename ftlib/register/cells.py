"""Cells that are safe to open in a spreadsheet, and back.

Export: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
read by Excel, WPS or LibreOffice as a formula (spreadsheet injection: ``=HYPERLINK(...)``,
``=cmd|...``). Such a cell — unless it is a plain number like ``-3`` — is written with a leading
apostrophe, and so is any cell that already starts with one, so that import can take exactly one
apostrophe off and get the original back. In xlsx every cell is typed: a number whose text
reproduces exactly is a number, everything else a string (never a formula).

Import: one leading apostrophe is taken off (the rule above, documented in docs/register.md);
a cell holding a formula — in xlsx a formula cell, in CSV text starting with ``=`` — is an error
naming the cell: its value is whatever the spreadsheet last computed, not data.
"""

from __future__ import annotations

import re
from typing import Any

from ftlib.errors import FtlibError
from ftlib.safeinput import excerpt

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: str) -> str:
    """``value`` as written to a CSV or xlsx cell (the rule in the module docstring)."""
    if value and (value[0] == "'" or (value[0] in TRIGGERS and not _NUMBER.match(value))):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The value of an imported text cell: one leading apostrophe off."""
    return value[1:] if value.startswith("'") else value


def typed(value: Any) -> Any:
    """An export cell for openpyxl: None for blank, a number when its text reproduces exactly,
    else neutralised text."""
    if value is None or value == "":
        return None
    text = str(value)
    if _NUMBER.match(text):
        for cast in (int, float):
            try:
                num = cast(text)
            except ValueError:
                continue
            if _num_text(num) == text:
                return num
    return neutralise(text)


def _num_text(num: int | float) -> str:
    if isinstance(num, int):
        return str(num)
    return str(int(num)) if num.is_integer() and abs(num) < 1e15 else repr(num)


def refuse_formula(text: str, where: str) -> None:
    """A CSV cell that starts with ``=`` is a formula typed into a spreadsheet, not a value."""
    if text.startswith("="):
        raise FtlibError(f"{where}: value {excerpt(text)}: a formula, not a value; paste the values "
                         "(Excel: Paste Special → Values)")
