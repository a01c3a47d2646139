"""The rows of a register that are not cases or events, as files, so that an export is a full
copy (issue 13, item 6): **regions** (codes, names, parents — also those not in
``ftlib/data/jurisdictions.yaml``), **headcounts** (cadres per region and year, the denominator of
the per-1,000-cadres rate), **cadres** (every pseudonymous cadre, those without a case included)
and the **clarifications** recorded without a case (澄清正名 of a cadre no case was opened for;
those of a case are rebuilt from its ``clarified`` event).

Import writes them first (regions, headcounts, cadres) or last (clarifications), in the same
transaction as the cases and events. A row already in the register is unchanged if equal and an
error if it differs; clarifications (no natural key) are matched as a multiset, so importing the
same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ftlib.regions import regions
from ftlib.register.files import REFERENCE_COLUMNS, Table
from ftlib.register.models import Cadre, Clarification, Headcount, Region
from ftlib.register.procedure import PSEUDONYM, ensure_region
from ftlib.register.validate import REGION_CODE, Issue
from ftlib.safeinput import excerpt, not_a_date, unsafe
from ftlib.vocabulary import CLARIFY_METHODS, RANKS, REFERRALS, YES_NO

#: In the order an import writes them (regions before what refers to them).
FIRST = ("regions", "headcounts", "cadres")
LAST = ("clarifications",)


def _text(v: Any) -> str:
    return "" if v is None else str(v)


def export_reference(session: Session) -> dict[str, pd.DataFrame]:
    """The four tables as all-text frames in the file layout."""
    rows: dict[str, list[dict[str, str]]] = {
        "regions": [{"code": r.code, "name_zh": r.name_zh, "name_en": r.name_en, "parent": _text(r.parent),
                     "illustrative": "true" if r.illustrative else "false"}
                    for r in session.scalars(select(Region).order_by(Region.code))],
        "headcounts": [{"region": h.region_code, "year": str(h.year), "cadres": str(h.cadres)}
                       for h in session.scalars(select(Headcount).order_by(Headcount.region_code, Headcount.year))],
        "cadres": [{"cadre_id": c.id, "region": _text(c.region_code), "rank": _text(c.rank),
                    "unit_type": _text(c.unit_type)} for c in session.scalars(select(Cadre).order_by(Cadre.id))],
        "clarifications": [_clarification_row(c) for c in session.scalars(
            select(Clarification).where(Clarification.case_id.is_(None)).order_by(Clarification.id))],
    }
    return {k: pd.DataFrame(v, columns=REFERENCE_COLUMNS[k], dtype=object) for k, v in rows.items()}


def _clarification_row(c: Clarification) -> dict[str, str]:
    return {"region": c.region_code, "cadre_id": _text(c.cadre_id), "clarified_on": c.clarified_on.isoformat(),
            "method": c.method, "accuser_referred": "true" if c.accuser_referred else "false",
            "referred_to": _text(c.referred_to)}


def parse_reference(t: Table) -> tuple[list[Issue], list[dict[str, Any]]]:
    """Check every row of a regions, headcounts, cadres or clarifications table; typed rows."""
    cols, src, df = REFERENCE_COLUMNS[t.kind], t.source, t.frame
    issues = [Issue(src, 1, c, c, f"unknown column (a {t.kind} file has {', '.join(cols)})")
              for c in df.columns if c not in cols]
    issues += [Issue(src, 1, c, "", "required column is missing") for c in cols if c not in df.columns]
    if issues:
        return issues, []
    out = []
    for row, rec in zip(df.index, df.to_dict(orient="records")):
        rec = {k: str(v).strip() for k, v in rec.items()}
        found: list[Issue] = []

        def bad(col: str, why: str, rec=rec, row=row, found=found) -> None:
            found.append(Issue(src, row, col, rec.get(col, ""), why))
        typed = _typed(t.kind, rec, bad)
        issues += found
        if not found:
            out.append({**typed, "row": row, "source": src})
    return issues, out


def _typed(kind: str, rec: dict[str, str], bad) -> dict[str, Any]:
    need = {"regions": ("code", "name_zh", "name_en"), "headcounts": ("region", "year", "cadres"),
            "cadres": ("cadre_id",), "clarifications": ("region", "clarified_on", "method")}[kind]
    for c in need:
        if not rec.get(c):
            bad(c, "required value is blank")
    # a name or code that would clear a terminal or reorder a report's line is refused, once a cell
    dirty = {c for c, v in rec.items() if unsafe(v)}
    for c in dirty:
        bad(c, "holds a terminal-control or bidi-override character")
    if kind == "regions":
        for c in ("code", "parent"):
            if rec.get(c) and c not in dirty and not (len(rec[c]) <= 40 and REGION_CODE.fullmatch(rec[c])):
                bad(c, "not a region code like CN-HB or CN-DM-BR (at most 40 characters)")
        for c in ("name_zh", "name_en"):
            if len(rec.get(c, "")) > 200:
                bad(c, f"a name of {len(rec[c])} characters; at most 200")
    out: dict[str, Any] = dict(rec)
    for c in ("year", "cadres"):
        if kind == "headcounts" and rec.get(c):
            if not rec[c].isdigit():
                bad(c, "not a whole number ≥ 0")
            else:
                out[c] = int(rec[c])
    for c in ("illustrative", "accuser_referred"):
        if c in rec:
            value = YES_NO.get(rec[c].lower()) if rec[c] else False
            if value is None:
                bad(c, "not yes or no")
            out[c] = value
    if rec.get("cadre_id") and not PSEUDONYM.match(rec["cadre_id"]):
        bad("cadre_id", "only pseudonymous ids are stored, never names")
    if kind == "cadres" and rec.get("rank") and rec["rank"] not in RANKS:
        bad("rank", f"not one of {', '.join(RANKS)}")
    if kind == "clarifications":
        try:
            out["clarified_on"] = dt.date.fromisoformat(rec.get("clarified_on", ""))
        except ValueError:
            if rec.get("clarified_on"):
                bad("clarified_on", not_a_date())
        else:
            if out["clarified_on"] > dt.date.today():
                bad("clarified_on", f"in the future (today is {dt.date.today()})")
        if rec.get("method") and rec["method"] not in CLARIFY_METHODS:
            bad("method", f"not one of {', '.join(CLARIFY_METHODS)}")
        if rec.get("referred_to") and rec["referred_to"] not in REFERRALS:
            bad("referred_to", f"not one of {', '.join(REFERRALS)}")
    return {k: (None if v == "" else v) for k, v in out.items()}


def check_regions(session: Session, rows: list[dict[str, Any]]) -> list[Issue]:
    """The regions rows of an import against each other and the register: every parent is a region
    (in the register, in this import or in ftlib's jurisdictions) and following parents from any
    region ends at a top region — a circle (CN-A → CN-B → CN-A, or a region its own parent) would
    make report trees and sub-region totals loop."""
    parent: dict[str, str | None] = {c: v.get("parent") for c, v in regions().items()}
    parent.update((r.code, r.parent) for r in session.scalars(select(Region)))
    parent.update((r["code"], r.get("parent")) for r in rows)
    issues = []
    for r in rows:
        if r.get("parent") and r["parent"] not in parent:
            issues.append(Issue(r["source"], r["row"], "parent", r["parent"],
                                "no such region in the register, this import's regions or ftlib's jurisdictions"))
            continue
        path, code = [r["code"]], r.get("parent")
        while code and code in parent and code not in path:
            path.append(code)
            code = parent[code]
        if code in path:
            circle = " → ".join([*path[path.index(code):], code])
            issues.append(Issue(r["source"], r["row"], "parent", r.get("parent") or "",
                                f"the parents go round in a circle ({excerpt(circle, 120)[1:-1]})"))
    return issues


def region_codes(rows: dict[str, list[dict[str, Any]]]) -> set[str]:
    """The regions an import brings itself (known to its cases and cadres)."""
    return {r["code"] for r in rows.get("regions", [])}


def write_reference(session: Session, kind: str, rows: list[dict[str, Any]]) -> tuple[int, list[Issue]]:
    """Write the rows of one kind; (rows added, rows that clash with the register)."""
    if kind == "clarifications":
        unknown = [r for r in rows if not _region_known(session, r["region"])]
        if unknown:
            return 0, [Issue(r["source"], r["row"], "region", r["region"], "not in the register, in this "
                             "import's regions or in ftlib's jurisdictions") for r in unknown]
        return _write_clarifications(session, rows), []
    model, key, fields = {
        "regions": (Region, lambda r: r["code"], {"name_zh": "name_zh", "name_en": "name_en", "parent": "parent",
                                                  "illustrative": "illustrative"}),
        "headcounts": (Headcount, lambda r: (r["region"], r["year"]), {"cadres": "cadres"}),
        "cadres": (Cadre, lambda r: r["cadre_id"], {"region_code": "region", "rank": "rank",
                                                    "unit_type": "unit_type"}),
    }[kind]
    added, issues = 0, []
    for r in rows:
        code = r["code"] if kind == "regions" else r.get("region")
        if kind != "regions" and code and not _region_known(session, code):
            issues.append(Issue(r["source"], r["row"], "region", code,
                                "not in the register, in this import's regions or in ftlib's jurisdictions"))
            continue
        old = session.get(model, key(r))
        if old is None:
            values = {attr: r.get(col) for attr, col in fields.items()}
            if kind == "regions":
                values["code"] = r["code"]
            elif kind == "headcounts":
                values.update(region_code=r["region"], year=r["year"])
            else:
                values["id"] = r["cadre_id"]
            session.add(model(**values))
            added += 1
            continue
        for attr, col in fields.items():
            if getattr(old, attr) != r.get(col):
                issues.append(Issue(r["source"], r["row"], col, str(r.get(col) or ""),
                                    f"{kind[:-1]} {key(r)} is already in the register with {col} = "
                                    f"{getattr(old, attr)!r}"))
                break
    session.flush()
    return added, issues


def _region_known(session: Session, code: str) -> bool:
    if session.get(Region, code) is not None:
        return True
    if code in regions():
        ensure_region(session, code)
        return True
    return False


def _write_clarifications(session: Session, rows: list[dict[str, Any]]) -> int:
    def key(region, cadre, on, method, referred, to):
        return (region, cadre, on, method, bool(referred), to)
    have = Counter(key(c.region_code, c.cadre_id, c.clarified_on, c.method, c.accuser_referred, c.referred_to)
                   for c in session.scalars(select(Clarification).where(Clarification.case_id.is_(None))))
    added = 0
    for r in rows:
        k = key(r["region"], r.get("cadre_id"), r["clarified_on"], r["method"], r.get("accuser_referred"),
                r.get("referred_to"))
        if have[k] > 0:
            have[k] -= 1
            continue
        session.add(Clarification(region_code=r["region"], cadre_id=r.get("cadre_id"), case_id=None,
                                  clarified_on=r["clarified_on"], method=r["method"],
                                  accuser_referred=bool(r.get("accuser_referred")), referred_to=r.get("referred_to")))
        added += 1
    session.flush()
    return added
