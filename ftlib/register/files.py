"""Reading the register's files: CSV (UTF-8, with or without BOM) and Excel workbooks, into all-text
tables whose index is the spreadsheet row number (the header is row 1). Also the files' layout
(the columns of a cases, events and registrations file), shared by validation and export.
A file that cannot be read is refused in one line naming the file (and the row, where one is to
blame). See ``ftlib.register.io`` for the file formats."""

# Imports inside functions: openpyxl is imported only for an xlsx file.

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import itertools
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ftlib.errors import FtlibError
from ftlib.facts import VOCABULARY
from ftlib.i18n import LANGS, label
from ftlib.register.cells import refuse_formula, restore
from ftlib.safeinput import check_size, decode, excerpt, limits

META = ["id", "region", "cadre_id", "channel", "received_on", "notice_on", "registration_id"]
#: Columns a cases file may name by their zh or en label (``register.header.*`` of the catalogue).
HEADER_LABELS = ("notice_on",)
FACT_COLUMNS = [n for n in VOCABULARY if n != "id"]
CASE_COLUMNS = META + FACT_COLUMNS
REGISTRATION_COLUMNS = ["registration_id", "region", "cadre_id", "registered_on", "category", "description"]
EVENT_COLUMNS = ["case_id", "seq", "kind", "at", "actor", "payload", "recorded_at", "recorded_by"]
#: The register's other rows (``ftlib.register.reference``): what makes an export a full copy.
REFERENCE_COLUMNS: dict[str, list[str]] = {
    "regions": ["code", "name_zh", "name_en", "parent", "illustrative"],
    "headcounts": ["region", "year", "cadres"],
    "cadres": ["cadre_id", "region", "rank", "unit_type"],
    "clarifications": ["region", "cadre_id", "clarified_on", "method", "accuser_referred", "referred_to"],
}
#: Sheets of a workbook (and the files of a CSV export), in the order an import reads them.
SHEETS = ("regions", "headcounts", "cadres", "registrations", "cases", "events", "clarifications")


#: At most this many problem lines from one file (the import's list shows as many).
MAX_LINES = 200


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


@lru_cache(maxsize=1)
def _header_words() -> dict[str, str]:
    """Every accepted spelling of a labelled header (its zh and en label, any case) → its name."""
    return {label(f"register.header.{name}", lang).casefold(): name for name in HEADER_LABELS for lang in LANGS}


def canonical_header(column: str) -> str:
    """A cases file's header cell as the column it names: ``收到问责调查通知日期`` or
    ``accountability notice received on`` is ``notice_on``; any other header is itself."""
    return _header_words().get(column.strip().casefold(), column)


def _kind_of(columns: list[str], source: str) -> str:
    cols = set(columns)
    if {"registration_id", "registered_on"} <= cols:
        return "registrations"
    for kind, signature in (("regions", {"code", "name_zh"}), ("headcounts", {"region", "year", "cadres"}),
                            ("cadres", {"cadre_id", "rank", "unit_type"}), ("clarifications", {"clarified_on", "method"})):
        if signature <= cols:
            return kind
    if {"case_id", "kind"} <= cols:
        return "events"
    if {"id", "jurisdiction"} <= cols:
        return "cases"
    raise FtlibError(f"{source}: row 1: the header ({', '.join(columns[:8])}) is neither a cases file "
                     "(id, jurisdiction, …) nor an events file (case_id, seq, kind, …)")


def _frame(header: list[str], rows: list[list[str]], source: str, numbers: list[int] | range | None = None
           ) -> pd.DataFrame:
    width = len(header)
    numbers = numbers if numbers is not None else range(2, 2 + len(rows))
    if set(map(len, rows)) - {width}:   # most files have every row as wide as the header
        long = [f"{source}: row {i}: {len(r)} cells but the header has {width} columns"
                for i, r in zip(numbers, rows) if len(r) > width and any(c.strip() for c in r[width:])]
        if long:   # every such row, one a line (not 21 wrong-column errors per row)
            raise FtlibError("\n".join(long[:MAX_LINES]))
        rows = [(r + [""] * width)[:width] for r in rows]
    # one 2-D object block, kept as object (pandas would otherwise copy every cell into its str dtype)
    cells = np.array(rows, dtype=object) if rows and width else np.empty((len(rows), width), dtype=object)
    return pd.DataFrame(cells, columns=header, index=pd.Index(numbers) if len(numbers) else pd.RangeIndex(2, 2),
                        dtype=object, copy=False)


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
    check_size(path, "import_file_bytes")
    content = decode(path.read_bytes(), str(path))   # UTF-8 (BOM or not), UTF-16 with BOM, GB18030/GBK
    if content.startswith("\ufeff"):
        content = content[1:]
    if not content.strip():
        raise FtlibError(f"{path}: the file is empty")
    df = _fast_csv(content, str(path))
    distinct = _distinct_columns(df) if df is not None else None
    if distinct is not None and len(content) > csv.field_size_limit() and any(
            len(uniques) and max(map(len, uniques)) > csv.field_size_limit() for _, uniques in distinct):
        df = distinct = None   # a cell over the csv module's field limit: the exact reading refuses it
    if df is None:
        df = _exact_csv(content, str(path))
    _check_cells(df, str(path), distinct)
    return Table(str(path), _kind_of(list(df.columns), str(path)), df)


def _exact_csv(content: str, source: str) -> pd.DataFrame:
    """The reference reading (Python's csv module): any file, every problem named."""
    try:
        grid = list(itertools.islice(csv.reader(_io.StringIO(content, newline="")), limits()["import_rows"] + 2))
    except csv.Error as err:
        raise FtlibError(f"{source}: malformed CSV ({excerpt(str(err))})") from None
    if len(grid) > limits()["import_rows"] + 1:
        raise FtlibError(f"{source}: more than {limits()['import_rows']:,} rows; split the file (docs/limits.md)")
    header = [c.strip() for c in grid[0]]
    _no_unnamed(header, source)
    body = grid[1:]
    if all(body):   # no blank line: rows numbered without a list of pairs
        rows, numbers = body, range(2, 2 + len(body))
    else:
        numbered = [(i, r) for i, r in enumerate(body, start=2) if r]   # blank lines skipped
        rows, numbers = [r for _, r in numbered], [i for i, _ in numbered]
    end = len(rows)
    while end and not any(c.strip() for c in rows[end - 1]):
        end -= 1
    return _frame(header, rows[:end], source, numbers[:end])  # too many cells: one line


#: Line breaks next to each other: a blank line (or one inside a quoted cell) — read exactly.
_BLANK_LINE = ("\n\n", "\r\r", "\n\r\n", "\r\n\r")


def _fast_csv(content: str, source: str) -> pd.DataFrame | None:
    """The same table as :func:`_exact_csv`, read by pandas' C parser (5× faster, and it shares
    one string object per distinct text, which the conversion of fact columns relies on to be
    fast), for a file it reads the same way: no blank line (the row numbers must count it), no
    row wider than the header (and, checked by the caller, no cell over the csv module's field
    limit). None: read exactly."""
    if content.startswith(("\n", "\r")) or any(b in content.rstrip("\r\n") for b in _BLANK_LINE):
        return None
    try:
        grid = pd.read_csv(_io.StringIO(content), header=None, dtype=object, keep_default_na=False,
                           na_filter=False, index_col=False, skip_blank_lines=False, engine="c")
    except (ValueError, csv.Error, pd.errors.ParserError):   # a row too wide, a broken quote: read exactly
        return None
    if len(grid) > limits()["import_rows"] + 1:
        raise FtlibError(f"{source}: more than {limits()['import_rows']:,} rows; split the file (docs/limits.md)")
    cells = grid.to_numpy(dtype=object)
    header = [str(c).strip() for c in cells[0]]
    _no_unnamed(header, source)
    end = len(cells)
    while end > 1 and not any(c.strip() for c in cells[end - 1]):
        end -= 1
    return pd.DataFrame(cells[1:end], columns=header, index=pd.RangeIndex(2, end + 1) if end > 1 else pd.RangeIndex(2, 2),
                        dtype=object, copy=False)


def _distinct_columns(df: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each column's cells as codes into its distinct texts."""
    return [pd.factorize(df.iloc[:, j].to_numpy()) for j in range(df.shape[1])]


def _check_cells(df: pd.DataFrame, source: str, distinct: list[tuple[np.ndarray, np.ndarray]] | None = None) -> None:
    """Formula cells refused (every one, one a line); one leading apostrophe taken off. Each
    column's distinct texts are looked at once, not every cell."""
    formulas = []
    distinct = distinct if distinct is not None else _distinct_columns(df)
    for j, col in enumerate(df.columns):
        vals = df.iloc[:, j].to_numpy()
        codes, uniques = distinct[j]
        if not len(uniques):
            continue
        bad = np.array([u.startswith("=") for u in uniques])
        if bad.any():
            for i in np.flatnonzero(bad[codes]):
                try:
                    refuse_formula(vals[i], f"{source}: row {df.index[i]}: column {col}")
                except FtlibError as err:
                    formulas.append(str(err))
        quoted = np.array([u.startswith("'") for u in uniques])
        if quoted.any():
            df.isetitem(j, np.array([restore(u) for u in uniques], dtype=object)[codes])
    if formulas:   # every formula cell, one a line
        raise FtlibError("\n".join(formulas[:MAX_LINES]))


def _no_unnamed(columns: list[str], source: str) -> None:
    for i, c in enumerate(columns, start=1):
        if not c or c.startswith("Unnamed:"):
            raise FtlibError(f"{source}: row 1: column {i}: value '': a column without a name")
    seen = set()
    for c in columns:
        if c in seen:
            raise FtlibError(f"{source}: row 1: column {c}: value {c!r}: the column appears twice")
        seen.add(c)


def _value(cell, source: str) -> str:
    """An xlsx cell's value as text; a formula is refused naming the cell."""
    if getattr(cell, "data_type", None) == "f":
        where = getattr(cell, "coordinate", "?")
        raise FtlibError(f"{source}: cell {where}: value {excerpt(str(cell.value))}: a formula, not a value; "
                         "paste the values (Excel: Paste Special → Values)")
    v = _cell(cell.value)
    return restore(v) if isinstance(cell.value, str) else v


def _not_a_zip_bomb(path: Path) -> None:
    """Refuse an xlsx whose parts would unzip past the limits (docs/limits.md) before opening it."""
    lim = limits()
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise FtlibError(f"{path}: not a readable Excel workbook ({excerpt(str(err) or 'corrupt')})") from None
    total = sum(i.file_size for i in infos)
    if total > lim["xlsx_uncompressed_bytes"]:
        raise FtlibError(f"{path}: unzips to {total:,} bytes; the limit is {lim['xlsx_uncompressed_bytes']:,} "
                         "(docs/limits.md)")
    for i in infos:
        if i.file_size > 1_000_000 and i.file_size > lim["xlsx_ratio"] * max(i.compress_size, 1):
            raise FtlibError(f"{path}: part {excerpt(i.filename)} unzips {i.file_size // max(i.compress_size, 1):,}× "
                             f"its size (limit {lim['xlsx_ratio']}×): not a spreadsheet a person saved")


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook  # only an xlsx file pays for importing openpyxl

    check_size(path, "import_file_bytes")
    _not_a_zip_bomb(path)
    try:
        # data_only=False: a formula cell shows as a formula (refused) instead of its cached value
        wb = load_workbook(path, read_only=True, data_only=False)
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
            it = wb[name].iter_rows()
            header_row = next(it, None)
            if header_row is None:
                continue
            header = [_value(c, source) for c in header_row]
            while header and not header[-1]:
                header.pop()
            _no_unnamed(header, source)
            rows, formulas = [], []
            for r in it:
                if len(rows) >= limits()["import_rows"]:
                    raise FtlibError(f"{source}: more than {limits()['import_rows']:,} rows; split the file "
                                     "(docs/limits.md)")
                row = []
                for c in r:
                    try:
                        row.append(_value(c, source))
                    except FtlibError as err:   # a formula: listed with every other one
                        formulas.append(str(err))
                        row.append("")
                rows.append(row)
            if formulas:
                raise FtlibError("\n".join(formulas[:MAX_LINES]))
            while rows and not any(rows[-1]):
                rows.pop()
            kind = _kind_of(header, source)
            if kind != name:
                raise FtlibError(f"{source}: row 1: the sheet is named {name!r} but its header is of a {kind} file")
            tables.append(Table(source, kind, _frame(header, rows, source)))
    finally:
        wb.close()
    return tables
