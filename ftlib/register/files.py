"""Reading the register's files: CSV (UTF-8, with or without BOM) and Excel workbooks, into all-text
tables whose index is the spreadsheet row number (the header is row 1). Also the files' layout
(the columns of a cases, events and registrations file), shared by validation and export.
A file that cannot be read is refused in one line naming the file (and the row, where one is to
blame). See ``ftlib.register.io`` for the file formats."""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ftlib.errors import FtlibError
from ftlib.facts import VOCABULARY

META = ["id", "region", "cadre_id", "channel", "received_on", "registration_id"]
FACT_COLUMNS = [n for n in VOCABULARY if n != "id"]
CASE_COLUMNS = META + FACT_COLUMNS
REGISTRATION_COLUMNS = ["registration_id", "region", "cadre_id", "registered_on", "category", "description"]
SHEETS = ("registrations", "cases", "events")
EVENT_COLUMNS = ["case_id", "seq", "kind", "at", "actor", "payload", "recorded_at", "recorded_by"]
SHEETS = ("registrations", "cases", "events")


@dataclass
class Table:
    source: str  # file, or file[sheet]
    kind: str  # "cases" or "events"
    frame: pd.DataFrame  # all cells as str, "" for blank; index = spreadsheet row number


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return _num(value)
    return str(value).strip()


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _kind_of(columns: list[str], source: str) -> str:
    cols = set(columns)
    if {"registration_id", "registered_on"} <= cols:
        return "registrations"
    if {"case_id", "kind"} <= cols:
        return "events"
    if {"id", "jurisdiction"} <= cols:
        return "cases"
    raise FtlibError(f"{source}: row 1: the header ({', '.join(columns[:8])}) is neither a cases file "
                     "(id, jurisdiction, …) nor an events file (case_id, seq, kind, …)")


def _frame(header: list[str], rows: list[list[str]], source: str) -> pd.DataFrame:
    width = len(header)
    for i, r in enumerate(rows, start=2):
        if len(r) > width and any(c.strip() for c in r[width:]):
            raise FtlibError(f"{source}: row {i}: {len(r)} cells but the header has {width} columns")
    df = pd.DataFrame([(r + [""] * width)[:width] for r in rows], columns=header, dtype=object)
    df.index = pd.RangeIndex(2, 2 + len(df))
    return df


def read_file(path: str | Path) -> list[Table]:
    path = Path(path)
    if not path.exists():
        raise FtlibError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv(path)]
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise FtlibError(f"{path}: unknown file type {path.suffix!r} (use .csv or .xlsx)")


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FtlibError(f"{path}: not UTF-8 text (byte {raw[err.start]:#04x} at offset {err.start}); "
                         "save it as “CSV UTF-8”") from None
    if "\x00" in content:
        raise FtlibError(f"{path}: contains NUL bytes; not a CSV text file")
    if not content.strip():
        raise FtlibError(f"{path}: the file is empty")
    try:
        df = pd.read_csv(_io.StringIO(content), dtype=str, keep_default_na=False, na_filter=False,
                         skipinitialspace=False)
    except (pd.errors.ParserError, csv.Error) as err:
        raise FtlibError(f"{path}: malformed CSV ({str(err).strip().splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    _no_unnamed(list(df.columns), str(path))
    df = df.astype(object)
    df.index = pd.RangeIndex(2, 2 + len(df))
    return Table(str(path), _kind_of(list(df.columns), str(path)), df)


def _no_unnamed(columns: list[str], source: str) -> None:
    for i, c in enumerate(columns, start=1):
        if not c or c.startswith("Unnamed:"):
            raise FtlibError(f"{source}: row 1: column {i}: value '': a column without a name")
    seen = set()
    for c in columns:
        if c in seen:
            raise FtlibError(f"{source}: row 1: column {c}: value {c!r}: the column appears twice")
        seen.add(c)


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook  # only an xlsx file pays for importing openpyxl

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise FtlibError(f"{path}: not a readable Excel workbook ({type(err).__name__}: "
                         f"{str(err).splitlines()[0] if str(err) else 'corrupt'})") from None
    tables = []
    try:
        names = [n for n in wb.sheetnames if n in SHEETS]
        if not names:
            raise FtlibError(f"{path}: no sheet named {', '.join(SHEETS)} (sheets: {', '.join(wb.sheetnames)})")
        for name in names:
            source = f"{path}[{name}]"
            it = wb[name].iter_rows(values_only=True)
            header_row = next(it, None)
            if header_row is None:
                continue
            header = [_cell(c) for c in header_row]
            while header and not header[-1]:
                header.pop()
            _no_unnamed(header, source)
            rows = [[_cell(c) for c in r] for r in it]
            while rows and not any(rows[-1]):
                rows.pop()
            kind = _kind_of(header, source)
            if kind != name:
                raise FtlibError(f"{source}: row 1: the sheet is named {name!r} but its header is of a {kind} file")
            tables.append(Table(source, kind, _frame(header, rows, source)))
    finally:
        wb.close()
    return tables
