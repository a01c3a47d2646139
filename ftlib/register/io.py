"""Import and export of cases and events as CSV (UTF-8) and Excel (xlsx).

**Files.** A *cases* file has one row per case: ``id``, ``region`` (default: the
jurisdiction), ``cadre_id`` (pseudonymous), ``channel`` (``cadre_application``,
``unit_application``, ``ex_officio``), ``received_on``, ``registration_id`` and one column per
fact of the vocabulary (``jurisdiction``, ``conduct_date``, ``subject.rank``, …; see
``ftlib.facts``). An *events* file has ``case_id``, ``seq``, ``kind``, ``at``, ``actor``,
``payload`` (a JSON object) and optionally ``recorded_at`` and ``recorded_by`` (who typed it in). The kind of a CSV file is read from
its header; a workbook has a sheet ``cases`` and/or a sheet ``events``. ``export`` writes a
workbook with both sheets, or for ``X.csv`` the cases to ``X.csv`` and the events to
``X.events.csv`` (and the ex-ante registrations the cases cite, columns
``registration_id, region, cadre_id, registered_on, category, description``, to
``X.registrations.csv`` / sheet ``registrations``). Blank cells are facts not given (they take the documented defaults).

**Guarantees.** Every row of every file is validated before anything is written; all problems
are reported (file, row as numbered in a spreadsheet — the header is row 1 —, column, value,
reason), not only the first. The whole import is one transaction: all or nothing, also when the
process is killed half-way. A case or event already in the register with identical values is
skipped, so importing the same file twice adds nothing; with different values it is an error.
Events are checked by the same rules as when they are recorded (procedure order, policy's
decision body, quorum, consultation, reasons for departures, appeal windows). Export then
import reproduces the cases and events exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from ftlib.errors import FtlibError
from ftlib.facts import VOCABULARY
from ftlib.register import db
from ftlib.register.models import CaseRow, Event, Registration
from ftlib.vocabulary import YES_NO

META = ["id", "region", "cadre_id", "channel", "received_on", "registration_id"]
FACT_COLUMNS = [n for n in VOCABULARY if n != "id"]
CASE_COLUMNS = META + FACT_COLUMNS
REGISTRATION_COLUMNS = ["registration_id", "region", "cadre_id", "registered_on", "category", "description"]
SHEETS = ("registrations", "cases", "events")
EVENT_COLUMNS = ["case_id", "seq", "kind", "at", "actor", "payload", "recorded_at", "recorded_by"]
_REQUIRED_META = ["id", "channel", "received_on"]
_TRUE = {s for s, v in YES_NO.items() if v}  # the one yes/no table (ftlib.vocabulary), lower case
_FALSE = {s for s, v in YES_NO.items() if not v}
MAX_SHOWN = 200
BATCH = 20_000


@dataclass(frozen=True)
class Issue:
    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: column {self.column}: value {self.value!r}: {self.reason}"


class ImportError_(FtlibError):
    """An import refused; ``issues`` holds every problem found, the message shows them."""

    def __init__(self, issues: list[Issue]):
        issues = sorted(issues, key=lambda i: (i.file, i.row))  # stable: column order within a row
        self.issues = issues
        shown = "\n".join(f"  {i}" for i in issues[:MAX_SHOWN])
        more = f"\n  … and {len(issues) - MAX_SHOWN} more" if len(issues) > MAX_SHOWN else ""
        super().__init__(f"import refused, nothing was written: {len(issues)} problem(s)\n{shown}{more}")


# -- reading files -------------------------------------------------------------------------------

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
    from openpyxl import load_workbook

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


# -- validating cases ------------------------------------------------------------------------------

def _issues_where(bad: np.ndarray, df: pd.DataFrame, col: str, source: str, reason: str,
                  values: pd.Series | None = None) -> list[Issue]:
    idx = np.flatnonzero(bad)
    vals = (values if values is not None else df[col]).to_numpy()
    rows = df.index.to_numpy()
    return [Issue(source, int(rows[i]), col, str(vals[i]), reason) for i in idx]


def _parse_dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """ISO dates → datetime64[D]; returns (values, bad) where bad marks unparseable non-blank cells."""
    blank = (s == "").to_numpy()
    shaped = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(s.where(shaped & ~blank, None), format="%Y-%m-%d", errors="coerce")
    values = parsed.to_numpy(dtype="datetime64[D]")
    bad = ~blank & np.isnat(values)
    return values, bad


def validate_cases(t: Table, existing_registrations: set[str]) -> tuple[list[Issue], pd.DataFrame | None]:
    """Check a cases table cell by cell (vectorised); return the issues and the typed rows."""
    df, src = t.frame, t.source
    issues: list[Issue] = []
    known = set(CASE_COLUMNS)
    for c in df.columns:
        if c not in known:
            issues.append(Issue(src, 1, c, c, "unknown column (not a fact of the vocabulary nor "
                                              f"one of {', '.join(META)})"))
    required = _REQUIRED_META + [n for n, s in VOCABULARY.items() if s.required and n != "id"]
    for c in required:
        if c not in df.columns:
            issues.append(Issue(src, 1, c, "", "required column is missing"))
    if issues:
        return issues, None
    df = df.apply(lambda s: s.str.strip()).replace({np.nan: ""})
    for c in required:
        issues += _issues_where((df[c] == "").to_numpy(), df, c, src, "required value is blank")
    typed: dict[str, Any] = {}
    for c in df.columns:
        s = df[c]
        blank = (s == "").to_numpy()
        if c in ("received_on", "conduct_date", "decision_date"):
            vals, bad = _parse_dates(s)
            issues += _issues_where(bad, df, c, src, "not a date (YYYY-MM-DD)")
            typed[c] = vals
            continue
        spec = VOCABULARY.get(c)
        if c == "channel":
            from ftlib.register.procedure import CHANNELS

            bad = ~blank & ~s.isin(CHANNELS).to_numpy()
            issues += _issues_where(bad, df, c, src, f"not one of {', '.join(CHANNELS)}")
        elif c == "cadre_id":
            from ftlib.register.procedure import PSEUDONYM

            bad = ~blank & ~s.str.match(PSEUDONYM.pattern).fillna(False).to_numpy(dtype=bool)
            issues += _issues_where(bad, df, c, src, "only pseudonymous ids (letters, digits, - _ .) are stored, never names")
        elif c == "registration_id":
            bad = ~blank & ~s.isin(existing_registrations).to_numpy()
            issues += _issues_where(bad, df, c, src, "no such ex-ante registration in the register")
        elif c == "jurisdiction" or c == "region":
            bad = ~blank & ~s.str.fullmatch(r"CN(-[A-Z0-9]+)*").fillna(False).to_numpy(dtype=bool)
            issues += _issues_where(bad, df, c, src, "not a region code like CN-HB or CN-DM-BR")
        elif c == "id":
            bad = ~blank & ~s.str.fullmatch(r"[^\s/\\]{1,60}").fillna(False).to_numpy(dtype=bool)
            issues += _issues_where(bad, df, c, src, "an id is 1–60 characters without spaces or slashes")
            dup = s.duplicated(keep="first").to_numpy() & ~blank
            issues += _issues_where(dup, df, c, src, "the same id appears on an earlier row")
        elif spec is not None and spec.kind == "enum":
            bad = ~blank & ~s.isin(spec.values).to_numpy()
            issues += _issues_where(bad, df, c, src, f"not one of {', '.join(spec.values)}")
        elif spec is not None and spec.kind == "bool":
            low = s.str.lower()
            t_ = low.isin(_TRUE).to_numpy()
            f_ = low.isin(_FALSE).to_numpy()
            issues += _issues_where(~blank & ~t_ & ~f_, df, c, src, "not true/false")
            typed[c] = np.where(t_, True, np.where(f_, False, None))
        elif spec is not None and spec.kind == "number":
            num = pd.to_numeric(s.where(~pd.Series(blank, index=s.index), None), errors="coerce").to_numpy(dtype=float)
            bad = ~blank & (np.isnan(num) | (num < 0))
            issues += _issues_where(bad, df, c, src, "not a number ≥ 0")
            typed[c] = num
    if issues:
        return issues, None
    # cross-field checks
    conduct = typed["conduct_date"]
    received = typed["received_on"]
    bad = received < conduct
    issues += _issues_where(bad, df, "received_on", src, "before conduct_date")
    if "decision_date" in typed:
        dd = typed["decision_date"]
        issues += _issues_where(~np.isnat(dd) & (dd < conduct), df, "decision_date", src, "before conduct_date")
    if "registration_id" in df.columns:
        flag = typed.get("procedure.exante_registered")
        flagged = flag == True if flag is not None else np.zeros(len(df), dtype=bool)  # noqa: E712
        bad = (df["registration_id"] != "").to_numpy() & ~flagged
        issues += _issues_where(bad, df, "registration_id", src,
                                "the case cites an ex-ante registration but procedure.exante_registered is not true")
    pol_ids, pol_issues = _policies_of(df, conduct, src)
    issues += pol_issues
    if issues:
        return issues, None
    df = df.assign(_policy_id=pol_ids)
    return [], _typed_records(df, typed)


def _policies_of(df: pd.DataFrame, conduct: np.ndarray, src: str) -> tuple[np.ndarray, list[Issue]]:
    from ftlib.policy.loader import bundled
    from ftlib.policy.select import in_force

    policies = bundled()
    keys = pd.DataFrame({"j": df["jurisdiction"].to_numpy(), "d": conduct})
    found: dict[tuple[str, Any], Any] = {}
    for j, d in keys.drop_duplicates().itertuples(index=False):
        found[(j, d)] = in_force(policies, j, pd.Timestamp(d).date())
    pol = [found[(j, d)] for j, d in zip(keys["j"], keys["d"])]
    ids = np.array([p.id if p else "" for p in pol], dtype=object)
    issues = []
    rows = df.index.to_numpy()
    conduct_s = df["conduct_date"].to_numpy()
    channel = df["channel"].to_numpy()
    for i, p in enumerate(pol):
        if p is None:
            issues.append(Issue(src, int(rows[i]), "conduct_date", str(conduct_s[i]),
                                f"no policy for {df['jurisdiction'].iat[i]} in force on that date"))
        elif channel[i] not in p.procedure.starts:
            issues.append(Issue(src, int(rows[i]), "channel", str(channel[i]),
                                f"policy {p.id} allows only {', '.join(p.procedure.starts)}"))
    return ids, issues


def _blank_none(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), None, dtype=object)
    arr = df[col].to_numpy(dtype=object)
    return np.where(arr == "", None, arr).astype(object)


def _typed_records(df: pd.DataFrame, typed: dict[str, Any]) -> pd.DataFrame:
    """Typed columns for insertion: facts as compact JSON (blank cells are left out)."""
    n = len(df)
    fact_cols = [c for c in FACT_COLUMNS if c in df.columns]
    # The facts JSON grows one column at a time: holding every column's fragments at once
    # (15 × n strings) was the import's peak memory.
    facts = np.full(n, "", dtype=object)
    for c in fact_cols:
        spec = VOCABULARY[c]
        raw = df[c].to_numpy(dtype=object)
        blank = raw == ""
        key = json.dumps(c) + ":"
        if spec.kind == "bool":
            frag = np.where(typed[c] == True, key + "true", key + "false").astype(object)  # noqa: E712
        elif spec.kind == "number":
            frag = np.array([key + json.dumps(float(v)) for v in typed[c]], dtype=object) if n else np.array([], dtype=object)
        elif spec.kind in ("date", "enum"):
            frag = key + '"' + raw + '"'
        else:
            frag = np.array([key + json.dumps(v, ensure_ascii=False) for v in raw], dtype=object)
        facts = np.where(blank, facts, np.where(facts == "", frag, facts + "," + frag))
    facts = "{" + facts + "}" if n else facts
    region = df["region"] if "region" in df.columns else df["jurisdiction"]
    region = region.where(region != "", df["jurisdiction"])
    out = pd.DataFrame({
        "row": df.index.to_numpy(),
        "id": df["id"].to_numpy(),
        "region_code": region.to_numpy(),
        "jurisdiction": df["jurisdiction"].to_numpy(),
        "cadre_id": pd.Series(_blank_none(df, "cadre_id"), dtype=object),
        "channel": df["channel"].to_numpy(),
        "received_on": df["received_on"].to_numpy(),
        "conduct_date": df["conduct_date"].to_numpy(),
        "policy_id": df["_policy_id"].to_numpy(),
        "registration_id": pd.Series(_blank_none(df, "registration_id"), dtype=object),
        "facts": facts,
        "rank": df["subject.rank"].to_numpy(),
        "unit_type": df["subject.unit_type"].to_numpy() if "subject.unit_type" in df.columns else "",
    })
    return out


# -- validating events -------------------------------------------------------------------------------

def parse_events(t: Table) -> tuple[list[Issue], list[dict[str, Any]]]:
    df, src = t.frame, t.source
    issues: list[Issue] = []
    for c in df.columns:
        if c not in EVENT_COLUMNS:
            issues.append(Issue(src, 1, c, c, f"unknown column (an events file has {', '.join(EVENT_COLUMNS)})"))
    for c in EVENT_COLUMNS[:5]:
        if c not in df.columns:
            issues.append(Issue(src, 1, c, "", "required column is missing"))
    if issues:
        return issues, []
    from ftlib.register.events import KINDS

    out = []
    for row, rec in zip(df.index, df.to_dict(orient="records")):
        rec = {k: (v.strip() if isinstance(v, str) else v) for k, v in rec.items()}
        bad = len(issues)
        for c in ("case_id", "kind", "at", "actor"):
            if not rec.get(c):
                issues.append(Issue(src, row, c, "", "required value is blank"))
        if rec.get("kind") and rec["kind"] not in KINDS:
            issues.append(Issue(src, row, "kind", rec["kind"], f"not one of {', '.join(KINDS)}"))
        try:
            seq = int(rec.get("seq", ""))
            if seq < 1:
                raise ValueError
        except ValueError:
            issues.append(Issue(src, row, "seq", rec.get("seq", ""), "not a whole number ≥ 1"))
            seq = 0
        at = None
        if rec.get("at"):
            try:
                at = dt.date.fromisoformat(rec["at"])
            except ValueError:
                issues.append(Issue(src, row, "at", rec["at"], "not a date (YYYY-MM-DD)"))
        payload: Any = {}
        if rec.get("payload"):
            try:
                payload = json.loads(rec["payload"])
            except json.JSONDecodeError as err:
                issues.append(Issue(src, row, "payload", rec["payload"][:60], f"not JSON ({err.msg})"))
            else:
                if not isinstance(payload, dict):
                    issues.append(Issue(src, row, "payload", rec["payload"][:60], "not a JSON object"))
        recorded = None
        if rec.get("recorded_at"):
            try:
                recorded = dt.datetime.fromisoformat(rec["recorded_at"])
            except ValueError:
                issues.append(Issue(src, row, "recorded_at", rec["recorded_at"], "not a date and time"))
        if len(issues) == bad:
            out.append({"row": row, "source": src, "case_id": rec["case_id"], "seq": seq, "kind": rec["kind"],
                        "at": at, "actor": rec["actor"], "payload": payload, "recorded_at": recorded,
                        "recorded_by": str(rec.get("recorded_by") or "")[:120] or None})
    return issues, out


def parse_registrations(t: Table) -> tuple[list[Issue], list[dict[str, Any]]]:
    df, src = t.frame, t.source
    issues = [Issue(src, 1, c, c, f"unknown column (a registrations file has {', '.join(REGISTRATION_COLUMNS)})")
              for c in df.columns if c not in REGISTRATION_COLUMNS]
    issues += [Issue(src, 1, c, "", "required column is missing") for c in REGISTRATION_COLUMNS[:5]
               if c not in df.columns]
    if issues:
        return issues, []
    from ftlib.register.procedure import PSEUDONYM

    out = []
    for row, rec in zip(df.index, df.to_dict(orient="records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        n = len(issues)
        for c in ("registration_id", "region", "registered_on", "category"):
            if not rec.get(c):
                issues.append(Issue(src, row, c, "", "required value is blank"))
        if rec.get("cadre_id") and not PSEUDONYM.match(rec["cadre_id"]):
            issues.append(Issue(src, row, "cadre_id", rec["cadre_id"], "only pseudonymous ids are stored, never names"))
        try:
            on = dt.date.fromisoformat(rec.get("registered_on", ""))
        except ValueError:
            on = None
            if rec.get("registered_on"):
                issues.append(Issue(src, row, "registered_on", rec["registered_on"], "not a date (YYYY-MM-DD)"))
        if len(issues) == n:
            out.append({**rec, "registered_on": on, "row": row, "source": src})
    return issues, out


def _write_registrations(session: Session, rows: list[dict[str, Any]]) -> list[Issue]:
    from ftlib.register.procedure import register_exante

    issues = []
    for r in rows:
        old = session.get(Registration, r["registration_id"])
        if old is not None:
            same = (old.region_code, old.cadre_id or "", old.registered_on, old.category, old.description) == (
                r["region"], r.get("cadre_id", ""), r["registered_on"], r["category"], r.get("description", ""))
            if not same:
                issues.append(Issue(r["source"], r["row"], "registration_id", r["registration_id"],
                                    "already in the register with other values"))
            continue
        register_exante(session, r["registration_id"], r["region"], r["registered_on"], r["category"],
                        r.get("description", ""), r.get("cadre_id") or None)
    return issues


# -- the import -------------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    cases_added: int = 0
    cases_unchanged: int = 0
    events_added: int = 0
    events_unchanged: int = 0

    def __str__(self) -> str:
        return (f"cases: {self.cases_added} added, {self.cases_unchanged} already present; "
                f"events: {self.events_added} added, {self.events_unchanged} already present")


def _placeholders(conn, names: list[str]) -> str:
    style = conn.dialect.paramstyle
    if style == "qmark":
        return ", ".join("?" for _ in names)
    if style in ("format", "pyformat"):
        return ", ".join("%s" for _ in names)
    return ", ".join(f":{n}" for n in names)  # pragma: no cover


def import_files(paths: list[str | Path], url: str | None = None, progress: bool = False) -> ImportSummary:
    """Validate every row of every file, then write them all in one transaction."""
    from sqlalchemy.orm import sessionmaker

    tables: list[Table] = []
    for p in paths:
        tables += read_file(p)
    engine = db.require_current(url)
    summary = ImportSummary()
    maker = sessionmaker(engine)
    with maker() as session, session.begin():
        issues: list[Issue] = []
        reg_rows: list[dict[str, Any]] = []
        for t in (t for t in tables if t.kind == "registrations"):
            found, rows = parse_registrations(t)
            issues += found
            reg_rows += rows
        regs = set(session.scalars(select(Registration.id))) | {r["registration_id"] for r in reg_rows}
        case_frames = []
        for t in (t for t in tables if t.kind == "cases"):
            found, recs = validate_cases(t, regs)
            issues += found
            if recs is not None:
                recs["source"] = t.source
                case_frames.append(recs)
        cases = pd.concat(case_frames, ignore_index=True) if case_frames else None
        if cases is not None and not issues:
            dup = cases["id"].duplicated(keep="first")
            for r in cases[dup].itertuples():
                issues.append(Issue(r.source, r.row, "id", r.id, "the same id appears in another file of this import"))
        new_cases = cases
        if cases is not None and not issues:
            new_cases, found = _compare_existing_cases(session, cases)
            issues += found
            summary.cases_unchanged = len(cases) - len(new_cases)
        event_rows: list[dict[str, Any]] = []
        for t in (t for t in tables if t.kind == "events"):
            found, rows = parse_events(t)
            issues += found
            event_rows += rows
        if issues:
            raise ImportError_(issues)
        if reg_rows:
            found = _write_registrations(session, reg_rows)
            if found:
                raise ImportError_(found)
        # Cases first (events of this import may refer to them), still inside the transaction.
        if new_cases is not None and len(new_cases):
            _insert_cases(session, new_cases, progress)
            summary.cases_added = len(new_cases)
        if event_rows:
            added, unchanged, found = _import_events(session, event_rows, progress)
            if found:
                raise ImportError_(found)
            summary.events_added, summary.events_unchanged = added, unchanged
    return summary


def _compare_existing_cases(session: Session, cases: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    ids = list(cases["id"])
    existing: dict[str, CaseRow] = {}
    for i in range(0, len(ids), 5000):
        for row in session.scalars(select(CaseRow).where(CaseRow.id.in_(ids[i:i + 5000]))):
            existing[row.id] = row
    if not existing:
        return cases, []
    issues = []
    keep = np.ones(len(cases), dtype=bool)
    for i, r in enumerate(cases.itertuples(index=False)):
        old = existing.get(r.id)
        if old is None:
            continue
        keep[i] = False
        mine = {"region": r.region_code, "cadre_id": r.cadre_id, "channel": r.channel,
                "received_on": str(r.received_on)[:10], "registration_id": r.registration_id,
                **json.loads(r.facts)}
        theirs = {"region": old.region_code, "cadre_id": old.cadre_id, "channel": old.channel,
                  "received_on": old.received_on.isoformat(), "registration_id": old.registration_id, **old.facts}
        for k in sorted(set(mine) | set(theirs)):
            if mine.get(k) != theirs.get(k):
                issues.append(Issue(r.source, r.row, k, str(mine.get(k, "")),
                                    f"case {r.id} is already in the register with {k} = {theirs.get(k)!r}"))
                break
    return cases[keep], issues


def _insert_cases(session: Session, cases: pd.DataFrame, progress: bool) -> None:
    from ftlib.register.procedure import ensure_region

    conn = session.connection()
    for code in sorted(set(cases["region_code"])):
        ensure_region(session, code)
    cadres = cases[cases["cadre_id"].notna()].drop_duplicates("cadre_id")
    if len(cadres):
        known = set()
        ids = list(cadres["cadre_id"])
        for i in range(0, len(ids), 5000):
            query = text("SELECT id FROM cadres WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
            known |= set(session.execute(query, {"ids": ids[i:i + 5000]}).scalars())
        new = cadres[~cadres["cadre_id"].isin(known)]
        rows = list(zip(new["cadre_id"], new["region_code"], new["rank"],
                        new["unit_type"].replace("", "party_gov")))
        if rows:
            conn.exec_driver_sql(f"INSERT INTO cadres (id, region_code, rank, unit_type) VALUES "
                                 f"({_placeholders(conn, ['a'] * 4)})", rows)
    names = ["id", "region_code", "jurisdiction", "cadre_id", "channel", "received_on", "conduct_date",
             "policy_id", "registration_id", "facts"]
    sql = f"INSERT INTO cases ({', '.join(names)}) VALUES ({_placeholders(conn, names)})"
    cols = [cases[n].to_numpy(dtype=object) for n in names]
    for n in ("received_on", "conduct_date"):
        cols[names.index(n)] = np.datetime_as_string(cases[n].to_numpy(dtype="datetime64[D]")).astype(object)
    total = len(cases)
    for start in range(0, total, BATCH):
        batch = list(zip(*(c[start:start + BATCH] for c in cols)))
        conn.exec_driver_sql(sql, batch)
        if progress:
            print(f"ftlib import: wrote {min(start + BATCH, total)} of {total} cases (not yet committed)",
                  file=sys.stderr, flush=True)


def _import_events(session: Session, rows: list[dict[str, Any]], progress: bool) -> tuple[int, int, list[Issue]]:
    from ftlib.register.procedure import progress_of, record_event

    issues: list[Issue] = []
    by_case: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_case.setdefault(r["case_id"], []).append(r)
    added = unchanged = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for n, (case_id, evs) in enumerate(sorted(by_case.items()), start=1):
        evs.sort(key=lambda r: r["seq"])
        case = session.get(CaseRow, case_id)
        if case is None:
            for r in evs:
                issues.append(Issue(r["source"], r["row"], "case_id", case_id, "no such case in the register or this import"))
            continue
        stored = {e.seq: e for e in session.scalars(select(Event).where(Event.case_id == case_id))}
        p = progress_of(session, case_id)
        seen_seq: set[int] = set()
        for r in evs:
            if r["seq"] in seen_seq:
                issues.append(Issue(r["source"], r["row"], "seq", str(r["seq"]), f"case {case_id} has this seq twice"))
                break
            seen_seq.add(r["seq"])
            old = stored.get(r["seq"])
            if old is not None:
                stored_payload = dict(old.payload or {})
                if "window_ends" not in r["payload"]:
                    stored_payload.pop("window_ends", None)  # filled in when it was recorded
                same = (old.kind, old.at, old.actor, stored_payload) == (r["kind"], r["at"], r["actor"], r["payload"])
                if same:
                    unchanged += 1
                    continue
                issues.append(Issue(r["source"], r["row"], "seq", str(r["seq"]),
                                    f"case {case_id} already has event {r['seq']} ({old.kind} on {old.at}) with other values"))
                break
            if r["seq"] != p.seq + 1:
                issues.append(Issue(r["source"], r["row"], "seq", str(r["seq"]),
                                    f"case {case_id}: the next event must be number {p.seq + 1}"))
                break
            try:
                record_event(session, case_id, r["kind"], r["at"], r["actor"], r["payload"], case=case, progress=p,
                             recorded_at=r["recorded_at"] or now, recorded_by=r.get("recorded_by"))
            except FtlibError as err:
                issues.append(Issue(r["source"], r["row"], "kind", r["kind"], str(err)))
                break
            added += 1
        if progress and n % 1000 == 0:
            print(f"ftlib import: checked events of {n} of {len(by_case)} cases (not yet committed)",
                  file=sys.stderr, flush=True)
    session.flush()
    return added, unchanged, issues


# -- export -----------------------------------------------------------------------------------------

def _fact_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _num(float(value))
    return str(value)


def export_frames(url: str | None = None) -> dict[str, pd.DataFrame]:
    """Registrations, cases and events of the register as all-text frames in the file layout."""
    engine = db.require_current(url)
    from sqlalchemy.orm import sessionmaker

    with sessionmaker(engine)() as s:
        case_rows = []
        for r in s.scalars(select(CaseRow).order_by(CaseRow.id)):
            row = {"id": r.id, "region": r.region_code, "cadre_id": r.cadre_id or "", "channel": r.channel,
                   "received_on": r.received_on.isoformat(), "registration_id": r.registration_id or ""}
            row.update({c: _fact_cell(r.facts.get(c)) for c in FACT_COLUMNS})
            case_rows.append(row)
        event_rows = [{
            "case_id": e.case_id, "seq": str(e.seq), "kind": e.kind, "at": e.at.isoformat(), "actor": e.actor,
            "payload": json.dumps(e.payload or {}, ensure_ascii=False, sort_keys=True),
            "recorded_at": e.recorded_at.isoformat(sep=" ") if e.recorded_at else "",
            "recorded_by": e.recorded_by or "",
        } for e in s.scalars(select(Event).order_by(Event.case_id, Event.seq))]
        reg_rows = [{"registration_id": r.id, "region": r.region_code, "cadre_id": r.cadre_id or "",
                     "registered_on": r.registered_on.isoformat(), "category": r.category,
                     "description": r.description or ""}
                    for r in s.scalars(select(Registration).order_by(Registration.id))]
    return {"registrations": pd.DataFrame(reg_rows, columns=REGISTRATION_COLUMNS, dtype=object),
            "cases": pd.DataFrame(case_rows, columns=CASE_COLUMNS, dtype=object),
            "events": pd.DataFrame(event_rows, columns=EVENT_COLUMNS, dtype=object)}


def export_file(to: str | Path, url: str | None = None) -> list[Path]:
    """Write the register's cases and events to ``to`` (.xlsx: two sheets; .csv: two files)."""
    to = Path(to)
    suffix = to.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FtlibError(f"{to}: unknown file type {to.suffix!r} (use .csv or .xlsx)")
    frames = export_frames(url)
    to.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        paths = {"cases": to, "events": to.with_name(to.stem + ".events.csv"),
                 "registrations": to.with_name(to.stem + ".registrations.csv")}
        for name, path in paths.items():
            frames[name].to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        return [paths["registrations"], paths["cases"], paths["events"]]
    if suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        for name, df in frames.items():
            ws = wb.create_sheet(name)
            ws.append(list(df.columns))
            for row in df.itertuples(index=False):
                ws.append([str(v) if v not in (None, "") else None for v in row])
        wb.save(to)
    return [to]


def write_issues(issues: list[Issue], path: str | Path) -> None:
    pd.DataFrame([i.__dict__ for i in issues], columns=["file", "row", "column", "value", "reason"]).to_csv(
        path, index=False, encoding="utf-8-sig")
