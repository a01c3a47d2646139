"""Validating the rows of the register's files before anything is written: every cell of a
cases table (vectorised), every event row and registration row. Every problem is collected as an
:class:`Issue` (file, spreadsheet row, column, value, reason), not only the first; an import that
finds any raises :class:`ImportError_` listing them."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ftlib import convert
from ftlib.errors import FtlibError
from ftlib.facts import CONDITION_FACTS, UNKNOWN, VOCABULARY
from ftlib.policy.loader import bundled
from ftlib.policy.select import in_force
from ftlib.register.casepolicy import application_window_breach
from ftlib.register.events import KINDS
from ftlib.register.files import (
    CASE_COLUMNS,
    EVENT_COLUMNS,
    FACT_COLUMNS,
    META,
    REGISTRATION_COLUMNS,
    Table,
    canonical_header,
)
from ftlib.register.procedure import PSEUDONYM
from ftlib.safeinput import excerpt, not_a_date, refused
from ftlib.vocabulary import CHANNELS

_REQUIRED_META = ["id", "channel", "received_on"]
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
REGION_CODE = re.compile(r"CN(-[A-Z0-9]+)*")
#: no blanks, slashes, terminal control or bidi-override characters (as a case file's id)
_CASE_ID = re.compile(r"[^\s/\\\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]{1,60}")


@dataclass(frozen=True)
class Issue:
    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}: column {self.column}: value {excerpt(self.value)}: {self.reason}"


class ImportError_(FtlibError):
    """An import refused; ``issues`` holds every problem found, the message shows them."""

    def __init__(self, issues: list[Issue]):
        issues = sorted(issues, key=lambda i: (i.file, i.row))  # stable: column order within a row
        self.issues = issues
        super().__init__(refused([str(i) for i in issues]))


def _issues_where(bad: np.ndarray, df: pd.DataFrame, col: str, source: str, reason: str,
                  values: pd.Series | None = None) -> list[Issue]:
    idx = np.flatnonzero(bad)
    vals = (values if values is not None else df[col]).to_numpy()
    rows = df.index.to_numpy()
    return [Issue(source, int(rows[i]), col, str(vals[i]), reason) for i in idx]


#: Per column of one stripped cases table: its cells as codes into its distinct texts.
Distinct = dict[str, tuple[np.ndarray, np.ndarray]]


def _distinct(s: pd.Series, memo: Distinct | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A column's cells as codes into its distinct texts: a check runs once per distinct text
    (a million rows hold a few thousand dates, six regions) and is spread back by the codes.
    ``memo``: the table's columns already factorised (by :func:`_stripped`)."""
    if memo is not None and s.name in memo:
        return memo[s.name]
    codes, uniques = pd.factorize(s.to_numpy(dtype=object))
    return codes, np.asarray(uniques, dtype=object)


def _is_blank(s: pd.Series, memo: Distinct | None = None) -> np.ndarray:
    codes, uniques = _distinct(s, memo)
    return (uniques == "")[codes] if len(uniques) else np.zeros(len(s), dtype=bool)


def _per_text(s: pd.Series, test: Callable[[str], bool], memo: Distinct | None = None) -> np.ndarray:
    """``test`` of every cell, evaluated once per distinct text."""
    codes, uniques = _distinct(s, memo)
    if not len(uniques):
        return np.zeros(len(s), dtype=bool)
    return np.fromiter((bool(test(u)) for u in uniques), bool, len(uniques))[codes]


def _parse_dates(s: pd.Series, memo: Distinct | None = None) -> tuple[np.ndarray, np.ndarray]:
    """ISO dates → datetime64[D]; returns (values, bad) where bad marks unparseable non-blank cells."""
    codes, uniques = _distinct(s, memo)
    days = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[D]")
    shaped = np.fromiter((_ISO_DAY.fullmatch(u) is not None for u in uniques), bool, len(uniques))
    if shaped.any():
        parsed = pd.to_datetime(pd.Series(uniques[shaped], dtype=object), format="%Y-%m-%d", errors="coerce")
        days[:-1][shaped] = parsed.to_numpy(dtype="datetime64[D]")
    values = days[codes] if len(uniques) else np.full(len(s), np.datetime64("NaT"), dtype="datetime64[D]")
    bad = ~_is_blank(s, memo) & np.isnat(values)
    return values, bad


def _stripped(df: pd.DataFrame) -> tuple[pd.DataFrame, Distinct]:
    """Every cell with surrounding blanks taken off ("" for a cell that is not text), stripping each
    distinct text once; the cells stay shared objects (what ``ftlib.convert`` is fast on). Also
    each column's codes into its stripped distinct texts (some may now be equal: harmless)."""
    out = {}
    memo: Distinct = {}
    for j, c in enumerate(df.columns):
        codes, uniques = _distinct(df.iloc[:, j])
        clean = np.array([u.strip() if isinstance(u, str) else "" for u in uniques], dtype=object)
        out[c] = clean[codes] if len(uniques) else np.full(len(df), "", dtype=object)
        memo[c] = (codes, clean)
    return pd.DataFrame(out, index=df.index, columns=df.columns, dtype=object), memo


def validate_cases(t: Table, existing_registrations: set[str]) -> tuple[list[Issue], pd.DataFrame | None]:
    """Check a cases table cell by cell (vectorised); return the issues and the typed rows."""
    df, src = t.frame, t.source
    issues: list[Issue] = []
    named = [canonical_header(c) for c in df.columns]   # a labelled header (收到问责调查通知日期) as its column
    if named != list(df.columns):
        for c, n in zip(df.columns, named):
            if n != c and n in df.columns:
                issues.append(Issue(src, 1, c, c, f"the column {n} appears twice (once by its label)"))
        df = df.set_axis(named, axis=1)
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
    df, memo = _stripped(df)
    for c in required:
        issues += _issues_where(_is_blank(df[c], memo), df, c, src, "required value is blank")
    typed: dict[str, Any] = {}
    for c in df.columns:
        s = df[c]
        blank = _is_blank(s, memo)
        if c in ("received_on", "notice_on", "conduct_date", "decision_date"):
            vals, bad = _parse_dates(s, memo)
            issues += _issues_where(bad, df, c, src, not_a_date())
            # a day after today is a typing slip that would change a decision (as in a case file)
            today = np.datetime64(dt.date.today(), "D")
            issues += _issues_where(~np.isnat(vals) & (vals > today), df, c, src, f"in the future (today is {today})")
            typed[c] = vals
            continue
        spec = VOCABULARY.get(c)
        if c == "channel":
            bad = ~blank & ~s.isin(CHANNELS).to_numpy()
            issues += _issues_where(bad, df, c, src, f"not one of {', '.join(CHANNELS)}")
        elif c == "cadre_id":
            bad = ~blank & ~_per_text(s, PSEUDONYM.match, memo)
            issues += _issues_where(bad, df, c, src, "only pseudonymous ids (letters, digits, - _ .) are stored, never names")
        elif c == "registration_id":
            bad = ~blank & ~s.isin(existing_registrations).to_numpy()
            issues += _issues_where(bad, df, c, src, "no such ex-ante registration in the register")
        elif c == "jurisdiction" or c == "region":
            bad = ~blank & ~_per_text(s, REGION_CODE.fullmatch, memo)
            issues += _issues_where(bad, df, c, src, "not a region code like CN-HB or CN-DM-BR")
        elif c == "id":
            bad = ~blank & ~_per_text(s, _CASE_ID.fullmatch, memo)
            issues += _issues_where(bad, df, c, src, "an id is 1–60 characters without spaces, slashes or control characters")
            dup = s.duplicated(keep="first").to_numpy() & ~blank
            issues += _issues_where(dup, df, c, src, "the same id appears on an earlier row")
        elif spec is not None and name_converts(c):
            # yes/no, enums (value or zh/en label) and amounts: the one column-wise conversion
            # of determine_frame (ftlib.convert), every bad cell listed
            codes, table = convert.cell_codes(s.to_numpy(dtype=object), c)
            issues += _issues_where(codes == convert.BAD, df, c, src, convert.why_not(c))
            typed[c] = (codes, table)
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
        flagged = flag[0] == 1 if flag is not None else np.zeros(len(df), dtype=bool)
        bad = ~_is_blank(df["registration_id"], memo) & ~flagged
        issues += _issues_where(bad, df, "registration_id", src,
                                "the case cites an ex-ante registration but procedure.exante_registered is not true")
    pol_ids, pol_issues = _policies_of(df, conduct, src, memo)
    issues += pol_issues
    if issues:
        return issues, None
    if "notice_on" in typed:
        issues += _application_windows(df, pol_ids, received, typed["notice_on"], src)
        if issues:
            return issues, None
    df = df.assign(_policy_id=pol_ids)
    return [], _typed_records(df, typed, memo)


def name_converts(name: str) -> bool:
    """A fact the column-wise conversion reads (yes/no, enum, amount)."""
    return name in CONDITION_FACTS and CONDITION_FACTS[name].kind in ("bool", "enum", "number")


def _policies_of(df: pd.DataFrame, conduct: np.ndarray, src: str, memo: Distinct | None = None
                 ) -> tuple[np.ndarray, list[Issue]]:
    """The policy in force for each row's jurisdiction on its conduct date, looked up once per
    distinct (jurisdiction, day); a row without one, or whose channel its policy does not allow,
    is an issue."""
    policies = bundled()
    jur_codes, jurs = _distinct(df["jurisdiction"], memo)
    days = conduct.astype("datetime64[D]").astype(np.int64)
    first = int(days.min()) if len(days) else 0
    span = int(days.max()) - first + 1 if len(days) else 1
    pair_codes, pairs = pd.factorize(jur_codes.astype(np.int64) * span + (days - first))
    found = [in_force(policies, jurs[k // span], dt.date(1970, 1, 1) + dt.timedelta(days=first + int(k % span)))
             for k in pairs]
    pol_ids = np.array([p.id if p else "" for p in found] or [""], dtype=object)
    ids = pol_ids[pair_codes] if len(pairs) else np.full(len(df), "", dtype=object)
    none = np.array([p is None for p in found] or [True])[pair_codes] if len(pairs) else np.zeros(0, dtype=bool)
    ch_codes, channels = _distinct(df["channel"], memo)
    allowed = np.array([[c in p.procedure.starts if p else True for c in channels] for p in found] or [[True]],
                       dtype=bool).reshape(max(len(found), 1), max(len(channels), 1))
    refused = ~none & ~allowed[pair_codes, ch_codes] if len(df) else none
    issues = []
    rows = df.index.to_numpy()
    conduct_s = df["conduct_date"].to_numpy()
    channel = df["channel"].to_numpy()
    jurisdiction = df["jurisdiction"].to_numpy()
    for i in np.flatnonzero(none | refused):
        p = found[pair_codes[i]]
        if p is None:
            issues.append(Issue(src, int(rows[i]), "conduct_date", str(conduct_s[i]),
                                f"no policy for {jurisdiction[i]} in force on that date"))
        else:
            issues.append(Issue(src, int(rows[i]), "channel", str(channel[i]),
                                f"policy {p.id} allows only {', '.join(p.procedure.starts)}"))
    return ids, issues


def _application_windows(df: pd.DataFrame, pol_ids: np.ndarray, received: np.ndarray, notice: np.ndarray,
                         src: str) -> list[Issue]:
    """An application received outside its policy's window from the notice day (the register's own
    check, ``casepolicy.application_window_breach``, once per distinct policy, channel and days)."""
    given = ~np.isnat(notice)
    if not given.any():
        return []
    policies = bundled().policies
    rows = df.index.to_numpy()[given]
    keys = zip(pol_ids[given], df["channel"].to_numpy()[given], received[given].astype(object), notice[given].astype(object))
    seen: dict[tuple[Any, ...], tuple[str, object, str] | None] = {}
    issues = []
    for row, key in zip(rows, keys):
        if key not in seen:
            pid, channel, on, notice_on = key
            seen[key] = application_window_breach(policies[pid], channel, on, notice_on)
        breach = seen[key]
        if breach is not None:
            issues.append(Issue(src, int(row), "notice_on", key[3].isoformat(),
                                f"received_on {key[2].isoformat()}: {breach[2]}"))
    return issues


def _blank_none(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), None, dtype=object)
    arr = df[col].to_numpy(dtype=object)
    return np.where(arr == "", None, arr).astype(object)


def _typed_records(df: pd.DataFrame, typed: dict[str, Any], memo: Distinct | None = None) -> pd.DataFrame:
    """Typed columns for insertion: facts as compact JSON (blank cells are left out)."""
    n = len(df)
    fact_cols = [c for c in FACT_COLUMNS if c in df.columns]
    # Each column's fragments come from a table of its distinct values — one JSON text per value,
    # not per cell — and are shared objects, so holding every column's at once costs a reference
    # per cell; a row's JSON is then joined once (blank cells add "", left out).
    pieces = []
    for c in fact_cols:
        spec = VOCABULARY[c]
        key = json.dumps(c) + ":"
        if c in typed and isinstance(typed[c], tuple):      # converted: stored in its canonical spelling
            codes, table = typed[c]
            if spec.kind == "bool":
                words = ["false", "true"]
            elif spec.kind == "enum":
                words = [json.dumps(v) for v in spec.values]
            else:
                words = [repr(float(table[i])) for i in range(len(table))]   # json.dumps of a finite float
            words.append(json.dumps(UNKNOWN))
            index = np.where(codes == convert.UNKNOWN_CELL, len(words) - 1, np.maximum(codes, 0))
            blank = codes == convert.MISSING
        else:
            index, uniques = _distinct(df[c], memo)
            if spec.kind == "date":
                words = ['"' + u + '"' for u in uniques]
            else:
                words = [json.dumps(u, ensure_ascii=False) for u in uniques]
            blank = _is_blank(df[c], memo)
        if not words:
            continue
        fragment = np.array([key + w + "," for w in words] + [""], dtype=object)
        pieces.append(fragment[np.where(blank, len(words), index)])
    facts = np.array(["{" + "".join(row)[:-1] + "}" for row in zip(*pieces)] if pieces else ["{}"] * n, dtype=object)
    region = df["region"] if "region" in df.columns else df["jurisdiction"]
    region = region.where(region != "", df["jurisdiction"])
    unit_type = df["subject.unit_type"].to_numpy() if "subject.unit_type" in df.columns else np.full(n, "", dtype=object)
    text = {
        "id": df["id"].to_numpy(),
        "region_code": region.to_numpy(),
        "jurisdiction": df["jurisdiction"].to_numpy(),
        "cadre_id": _blank_none(df, "cadre_id"),
        "channel": df["channel"].to_numpy(),
        "received_on": df["received_on"].to_numpy(),
        "notice_on": _blank_none(df, "notice_on"),
        "conduct_date": df["conduct_date"].to_numpy(),
        "policy_id": df["_policy_id"].to_numpy(),
        "registration_id": _blank_none(df, "registration_id"),
        "facts": facts,
        "rank": df["subject.rank"].to_numpy(),
        "unit_type": unit_type,
    }
    # object columns, not pandas' str dtype: the insert hands the cells to the driver as they are
    out = pd.DataFrame({"row": df.index.to_numpy(),
                        **{k: pd.Series(np.asarray(v, dtype=object), dtype=object, copy=False) for k, v in text.items()}})
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
                issues.append(Issue(src, row, "at", rec["at"], not_a_date()))
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
                issues.append(Issue(src, row, "registered_on", rec["registered_on"], not_a_date()))
        if len(issues) == n:
            out.append({**rec, "registered_on": on, "row": row, "source": src})
    return issues, out


def write_issues(issues: list[Issue], path: str | Path) -> None:
    pd.DataFrame([i.__dict__ for i in issues], columns=["file", "row", "column", "value", "reason"]).to_csv(
        path, index=False, encoding="utf-8-sig")
