"""Export of the register as files in the import's layout: a workbook with the sheets
``regions``, ``headcounts``, ``cadres``, ``registrations``, ``cases``, ``events`` and
``clarifications``, or for ``X.csv`` the files ``X.csv`` (cases) and ``X.<sheet>.csv``. Importing
an export into an empty register reproduces everything it holds (a full copy)."""

# Imports inside functions: openpyxl is imported only for an xlsx export.

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ftlib.errors import FtlibError
from ftlib.register import db
from ftlib.register.cells import neutralise, typed
from ftlib.register.files import CASE_COLUMNS, EVENT_COLUMNS, FACT_COLUMNS, REGISTRATION_COLUMNS, SHEETS, _num
from ftlib.register.models import CaseRow, Event, Registration
from ftlib.register.reference import export_reference
from ftlib.safeinput import atomic_path, write_error


def _fact_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return _num(float(value))
    return str(value)


def export_frames(url: str | None = None) -> dict[str, pd.DataFrame]:
    """Everything the register holds as all-text frames in the file layout, one per sheet
    (``files.SHEETS``): regions, headcounts, cadres, registrations, cases, events and the
    clarifications recorded without a case."""
    engine = db.require_current(url)
    with sessionmaker(engine)() as s:
        case_rows = []
        # the notice day lives in the case's started event; the cases sheet shows it beside received_on
        notices = {cid: (payload or {}).get("notice_on") or ""
                   for cid, payload in s.execute(select(Event.case_id, Event.payload).where(Event.kind == "started"))}
        for r in s.scalars(select(CaseRow).order_by(CaseRow.id)):
            row = {"id": r.id, "region": r.region_code, "cadre_id": r.cadre_id or "", "channel": r.channel,
                   "received_on": r.received_on.isoformat(), "notice_on": notices.get(r.id, ""),
                   "registration_id": r.registration_id or ""}
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
        reference = export_reference(s)
    frames = {"registrations": pd.DataFrame(reg_rows, columns=REGISTRATION_COLUMNS, dtype=object),
              "cases": pd.DataFrame(case_rows, columns=CASE_COLUMNS, dtype=object),
              "events": pd.DataFrame(event_rows, columns=EVENT_COLUMNS, dtype=object), **reference}
    return {name: frames[name] for name in SHEETS}


def _text_cell(ws, value):
    """A string as an explicit text cell: openpyxl would make a formula of any string starting "="."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def export_file(to: str | Path, url: str | None = None) -> list[Path]:
    """Write the register's cases and events to ``to`` (.xlsx: two sheets; .csv: two files)."""
    to = Path(to)
    suffix = to.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise FtlibError(f"{to}: unknown file type {to.suffix!r} (use .csv or .xlsx)")
    frames = export_frames(url)
    try:
        to.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise write_error(to.parent, err) from None
    # every file is written beside its target and renamed into place: a failed write (disk
    # full, killed) leaves the old file or none, never a truncated one. Cells are neutralised
    # against spreadsheet formulas (``cells``).
    if suffix == ".csv":
        paths = {name: to if name == "cases" else to.with_name(f"{to.stem}.{name}.csv") for name in SHEETS}
        # all files written first, renamed into place only when every one is: a failure leaves
        # the previous export (or none), never some files of the new one beside old ones
        with contextlib.ExitStack() as stack:
            for name, path in paths.items():
                tmp = stack.enter_context(atomic_path(path))
                frames[name].map(lambda v: neutralise(str(v)) if isinstance(v, str) else v).to_csv(
                    tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
        return list(paths.values())
    if suffix == ".xlsx":
        from openpyxl import Workbook  # only an xlsx export pays for importing openpyxl

        wb = Workbook(write_only=True)
        try:
            with atomic_path(to) as tmp:
                # a write-only workbook streams each sheet to a temporary file while rows are
                # appended, so a full disk or the file-size limit can strike here already
                for name, df in frames.items():
                    ws = wb.create_sheet(name)
                    ws.append(list(df.columns))
                    for row in df.itertuples(index=False):
                        ws.append([_text_cell(ws, typed(v)) for v in row])
                wb.save(tmp)
        except FtlibError:
            for ws in wb.worksheets:   # close the failed sheet streams now, not noisily at exit
                try:
                    ws.close()
                except Exception:  # noqa: BLE001, S110 — the write already failed and is reported
                    pass
            raise
    return [to]
