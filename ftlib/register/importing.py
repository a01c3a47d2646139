"""The import: validate every row of every file (``ftlib.register.validate``), then write them all
in one transaction — all or nothing, also when the process is killed half-way. A case or event
already in the register with identical values is skipped (importing a file twice adds nothing);
with different values it is an error. Events enter through ``record_event``, checked by the same
rules as when they are recorded."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ftlib.errors import FtlibError
from ftlib.i18n import label
from ftlib.regions import regions
from ftlib.register import db
from ftlib.register.files import Table, read_file
from ftlib.register.models import CaseRow, Event, Region, Registration
from ftlib.register.procedure import ensure_region, progress_of, record_event, register_exante
from ftlib.register.reference import FIRST, LAST, check_regions, parse_reference, region_codes, write_reference
from ftlib.register.validate import ImportError_, Issue, parse_events, parse_registrations, validate_cases
from ftlib.safeinput import refused

BATCH = 20_000


def _write_registrations(session: Session, rows: list[dict[str, Any]]) -> list[Issue]:
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


@dataclass
class ImportSummary:
    cases_added: int = 0
    cases_unchanged: int = 0
    events_added: int = 0
    events_unchanged: int = 0

    #: rows added of the register's other tables (regions, headcounts, cadres, clarifications)
    added: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        other = "".join(f"; {k}: {n} added" for k, n in self.added.items() if n)
        return (f"cases: {self.cases_added} added, {self.cases_unchanged} already present; "
                f"events: {self.events_added} added, {self.events_unchanged} already present{other}")


def _placeholders(conn, names: list[str]) -> str:
    style = conn.dialect.paramstyle
    if style == "qmark":
        return ", ".join("?" for _ in names)
    if style in ("format", "pyformat"):
        return ", ".join("%s" for _ in names)
    return ", ".join(f":{n}" for n in names)  # pragma: no cover


def import_files(paths: list[str | Path], url: str | None = None, progress: bool = False,
                 create_regions: bool = False) -> ImportSummary:
    """Validate every row of every file, then write them all in one transaction. A region that is
    neither in the register nor among ftlib's jurisdictions is an error (a typing slip would
    otherwise make a new region), unless ``create_regions``."""
    tables: list[Table] = []
    unread: list[str] = []
    for p in paths:   # every file is read, and every file that cannot be is listed
        try:
            tables += read_file(p)
        except FtlibError as err:
            unread += str(err).splitlines()
    if unread:
        raise FtlibError(refused(unread))
    engine = db.require_current(url)
    summary = ImportSummary()
    maker = sessionmaker(engine)
    with maker() as session, session.begin():
        issues: list[Issue] = []
        reference: dict[str, list[dict[str, Any]]] = {}
        for t in (t for t in tables if t.kind in (*FIRST, *LAST)):
            found, rows = parse_reference(t)
            issues += found
            reference.setdefault(t.kind, []).extend(rows)
        if not issues:
            issues += check_regions(session, reference.get("regions", []))
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
        if cases is not None and not issues and not create_regions:
            issues += _unknown_regions(session, cases, region_codes(reference))
        if cases is not None and not issues:
            new_cases, found = _compare_existing_cases(session, cases)
            issues += found
            summary.cases_unchanged = len(cases) - len(new_cases)
        event_rows: list[dict[str, Any]] = []
        for t in (t for t in tables if t.kind == "events"):
            found, rows = parse_events(t)
            issues += found
            event_rows += rows
        if cases is not None and not issues:
            issues += _place_notices(session, cases, event_rows)
        if issues:
            raise ImportError_(issues)
        for kind in FIRST:
            added, found = write_reference(session, kind, reference.get(kind, []))
            if found:
                raise ImportError_(found)
            summary.added[kind] = added
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
        for kind in LAST:
            added, found = write_reference(session, kind, reference.get(kind, []))
            if found:
                raise ImportError_(found)
            summary.added[kind] = added
    return summary


def _place_notices(session: Session, cases: pd.DataFrame, event_rows: list[dict[str, Any]]) -> list[Issue]:
    """A cases row's notice day (``notice_on``) goes where the register keeps it, the payload of
    the case's ``started`` event: into that event's payload when the import brings the event
    without one; checked against it when the event gives one or is already in the register
    (recorded events are never changed); else the import records the start itself — on
    ``received_on``, by the row's channel — and ``record_event`` checks it as any start."""
    given = cases[cases["notice_on"].notna()]
    if not len(given):
        return []
    brought = {r["case_id"]: r for r in event_rows if r["kind"] == "started"}
    stored: dict[str, dict[str, Any]] = {}
    ids = given["id"].tolist()
    for i in range(0, len(ids), 5000):
        query = select(Event.case_id, Event.payload).where(Event.kind == "started", Event.case_id.in_(ids[i:i + 5000]))
        stored.update((cid, payload or {}) for cid, payload in session.execute(query))
    actor = f"{label('register.import_actor', 'zh')} / {label('register.import_actor', 'en')}"
    issues = []
    for r in given.itertuples(index=False):
        ev = brought.get(r.id)
        if r.id in stored:        # the start is recorded: the notice day must be the one it holds
            other, where = stored[r.id].get("notice_on"), "its start, already in the register (recorded events " \
                "are not changed),"
        elif ev is not None:      # the start comes in this import: it takes the day, or must agree
            other, where = ev["payload"].get("notice_on"), f"its started event ({ev['source']}: row {ev['row']})"
            if other is None:
                ev["payload"]["notice_on"] = other = r.notice_on
        else:                     # no start anywhere: the import records it
            event_rows.append({"row": r.row, "source": r.source, "case_id": r.id, "seq": 1, "kind": "started",
                               "at": dt.date.fromisoformat(str(r.received_on)[:10]), "actor": actor,
                               "payload": {"channel": r.channel, "notice_on": r.notice_on},
                               "recorded_at": None, "recorded_by": None})
            continue
        if other != r.notice_on:
            issues.append(Issue(r.source, r.row, "notice_on", r.notice_on,
                                f"case {r.id}: {where} gives notice_on = {other or '(none)'}"))
    return issues


def _unknown_regions(session: Session, cases: pd.DataFrame, brought: set[str]) -> list[Issue]:
    known = set(session.scalars(select(Region.code))) | set(regions()) | brought
    out = []
    for r in cases[~cases["region_code"].isin(known)].itertuples():
        out.append(Issue(r.source, r.row, "region", r.region_code,
                         "no such region in the register or ftlib's jurisdictions (import --create-regions to add it)"))
    return out


def _present(session: Session, table: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` the register's ``table`` holds, asked through the driver in chunks (an
    empty table — a first import — is not asked at all)."""
    conn = session.connection()
    if conn.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first() is None:
        return set()
    found: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        sql = f"SELECT id FROM {table} WHERE id IN ({_placeholders(conn, chunk)})"
        found.update(r[0] for r in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


def _compare_existing_cases(session: Session, cases: pd.DataFrame) -> tuple[pd.DataFrame, list[Issue]]:
    present = sorted(_present(session, "cases", cases["id"].tolist()))
    existing: dict[str, CaseRow] = {}
    for i in range(0, len(present), 5000):
        for row in session.scalars(select(CaseRow).where(CaseRow.id.in_(present[i:i + 5000]))):
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
    conn = session.connection()
    for code in sorted(set(cases["region_code"])):
        ensure_region(session, code)
    cadres = cases[cases["cadre_id"].notna()].drop_duplicates("cadre_id")
    if len(cadres):
        known = _present(session, "cadres", cadres["cadre_id"].tolist())
        new = cadres[~cadres["cadre_id"].isin(known)]
        rows = list(zip(new["cadre_id"], new["region_code"], new["rank"],
                        new["unit_type"].replace("", "party_gov")))
        if rows:
            conn.exec_driver_sql(f"INSERT INTO cadres (id, region_code, rank, unit_type) VALUES "
                                 f"({_placeholders(conn, ['a'] * 4)})", rows)
    names = ["id", "region_code", "jurisdiction", "cadre_id", "channel", "received_on", "conduct_date",
             "policy_id", "registration_id", "facts"]
    sql = f"INSERT INTO cases ({', '.join(names)}) VALUES ({_placeholders(conn, names)})"
    # dates go in as the cells' text: validation let only ISO days (YYYY-MM-DD) through
    cols = [cases[n].to_numpy(dtype=object) for n in names]
    total = len(cases)
    for start in range(0, total, BATCH):
        batch = list(zip(*(c[start:start + BATCH] for c in cols)))
        conn.exec_driver_sql(sql, batch)
        if progress:
            print(f"ftlib import: wrote {min(start + BATCH, total)} of {total} cases (not yet committed)",
                  file=sys.stderr, flush=True)


def _import_events(session: Session, rows: list[dict[str, Any]], progress: bool) -> tuple[int, int, list[Issue]]:
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
