"""The province at a glance, for the index dashboard: per region the five figures a leader asks
for over the last four quarters (tolerance applications, tolerance decisions, tolerated share,
time limits kept, appeals), the regions that made no tolerance decision at all in that time
(the mechanism "on paper only"), and eight-quarter trends drawn as small inline SVG lines.

Publication rules (``ftlib.privacy``): every count goes through ``suppress`` with the parent
region as the total and the parent's own-level cases as a hidden row, so a small count can
neither be read nor worked out from its siblings; a rate is published only when its numerator
and denominator are, and then only where ``may_publish`` allows it; a trend line is drawn only when every quarter of it (and, for a region with
sub-regions) is zero or at least ``k`` and its four-quarter figure is published; where the lines of
a region and of all its sub-regions would give away small own-level counts of the region, the
smallest sub-region's line is held back. Whatever is held back is shown as "—" and the page's legend says why.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ftlib.metrics import RegisterFrames, compute
from ftlib.period import Period, quarters
from ftlib.privacy import may_publish, suppress

#: The counts of the overview (published through ``suppress``), then the rates built on them.
COUNTS = ("applications", "tolerated", "determinations", "with_limit", "within_limit", "appeals")
SHOWN = ("applications", "tolerated", "tolerated_share", "time_limits_kept", "appeals")
RATES = {"tolerated_share": ("tolerated", "determinations"), "time_limits_kept": ("within_limit", "with_limit")}
TRENDS = ("received", "tolerated")
HIDDEN = None  # a value held back; shown as "—"


@dataclass
class Overview:
    root: str
    window: Period                 # the last four quarters
    quarters: list[str]            # the eight quarters of the trends
    rows: list[dict]               # one per region, tree order: code, level, names, figures, trends
    flagged: list[str]             # regions without any tolerance decision in the window
    k: int
    meta: dict = field(default_factory=dict)
    suppressed: dict = field(default_factory=dict)   # what suppression held back, group by group (the index's cache)


def _last_quarter(frames: RegisterFrames) -> dt.date:
    days = pd.to_datetime(pd.concat([frames.cases["received"], frames.cases["decided"]]), errors="coerce").dropna()
    return (days.max() if len(days) else pd.Timestamp.today()).date()


def _root(frames: RegisterFrames) -> str:
    reg = frames.regions
    codes = set(reg["code"])
    tops = [c for c, p in zip(reg["code"], reg["parent"]) if not (isinstance(p, str) and p in codes)]
    # the top region holding the most cases (a register may list a national row above its province)
    used = frames.cases["region"].value_counts()
    return max(sorted(tops), key=lambda c: (sum(used.get(x, 0) for x in codes if x == c or x.startswith(c + "-")), c))


def _window_counts(frames: RegisterFrames, root: str, window: Period) -> pd.DataFrame:
    t = compute(frames, root, [window], groups=("intake", "outcomes", "stages", "appeals"))
    intake, out, ap = (t[g].set_index("region") for g in ("intake", "outcomes", "appeals"))
    st = t["stages"].groupby("region")[["with_limit", "within_limit"]].sum()
    df = pd.DataFrame({
        "level": intake["level"],
        "applications": intake["cadre_application"] + intake["unit_application"],
        "tolerated": out["tolerated"], "determinations": out["determinations"],
        "with_limit": st["with_limit"].reindex(intake.index).fillna(0),
        "within_limit": st["within_limit"].reindex(intake.index).fillna(0),
        "appeals": ap["appeals_filed"],
    })
    return df.astype({c: np.int64 for c in COUNTS})


def _children(frames: RegisterFrames, codes: list[str]) -> dict[str, list[str]]:
    parent = dict(zip(frames.regions["code"], frames.regions["parent"]))
    out: dict[str, list[str]] = {}
    for c in codes:
        p = parent.get(c)
        if isinstance(p, str) and p in codes:
            out.setdefault(p, []).append(c)
    return out


def _suppressed(counts: pd.DataFrame, children: dict[str, list[str]], k: int,
                cache: dict[str, list[bool]] | None = None,
                used: dict[str, list[bool]] | None = None) -> pd.DataFrame:
    """True where a count is held back: small, or able to reveal a small one (per parent group,
    its own-level cases a hidden row; a cell hidden in any group it appears in is hidden).

    ``cache`` maps a group's whole input (figure, parent, sub-regions, their counts, the parent's
    count, ``k``) to what ``suppress`` held back: a later run over a register where one county
    changed solves only the groups above it (suppress is a function of that input alone). ``used``
    receives every group of this register, found or solved: the cache for the next run."""
    hidden = pd.DataFrame(False, index=counts.index, columns=list(COUNTS))
    own = "\0own"
    for par, kids in children.items():
        for col in COUNTS:
            values = [int(v) for v in counts.loc[kids, col]]
            key = json.dumps([col, par, kids, values, int(counts.at[par, col]), k], ensure_ascii=False)
            flags = (cache or {}).get(key)
            if flags is None or len(flags) != len(kids) + 1:
                part = counts.loc[kids, [col]].copy()
                part.loc[own] = counts.at[par, col] - int(part[col].sum())
                s = suppress(part, k, margins=True, hidden_rows=[own], total_label="\0total", total_row_label=par)
                flags = [bool(s.hidden[col].at[code]) for code in [*kids, par]]
            if used is not None:
                used[key] = flags
            for code, h in zip([*kids, par], flags):
                hidden.at[code, col] |= h
    for col in COUNTS:  # a region without sub-regions is still a count of its own
        small = (counts[col] > 0) & (counts[col] < k)
        hidden[col] |= small
    return hidden


def _trends(frames: RegisterFrames, root: str, qs: list[Period], children: dict[str, list[str]], k: int,
            shown: pd.DataFrame) -> dict[str, dict[str, list[int] | None]]:
    t = compute(frames, root, qs, groups=("intake", "outcomes"))
    series = {"received": t["intake"].pivot(index="region", columns="period", values="received"),
              "tolerated": t["outcomes"].pivot(index="region", columns="period", values="tolerated")}
    labels = [q.label for q in qs]
    out: dict[str, dict[str, list[int] | None]] = {}
    for name, table in series.items():
        table = table[labels].astype(np.int64)
        ok = ((table == 0) | (table >= k)).all(axis=1)
        for par, kids in children.items():   # tree order: a parent before its sub-regions
            own = table.loc[par] - table.loc[kids].sum(axis=0)
            if ok[par] and ok[kids].all() and not ((own == 0) | (own >= k)).all():
                # every line drawn would give away the parent's small own-level counts: hold back
                # the smallest sub-region's line instead of the parent's
                ok[min(kids, key=lambda c: (int(table.loc[c].sum()), c))] = False
        figure = "applications" if name == "received" else "tolerated"
        out[name] = {code: (table.loc[code].tolist() if ok[code] and shown.at[code, figure] else HIDDEN)
                     for code in table.index}
    return out


def build_overview(frames: RegisterFrames, k: int = 5, root: str | None = None,
                   cache: dict[str, list[bool]] | None = None) -> Overview:
    """The published overview of ``root`` (default: the register's top region) and its sub-regions
    (``cache``: see ``_suppressed``; the index keeps one beside the pages)."""
    root = root or _root(frames)
    end = _last_quarter(frames)
    qs = quarters(end - pd.DateOffset(months=21), end)[-8:]
    window = Period(qs[-4].start, qs[-1].end, f"{qs[-4].label}–{qs[-1].label}")
    counts = _window_counts(frames, root, window)
    codes = list(counts.index)
    children = _children(frames, codes)
    used: dict[str, list[bool]] = {}
    hidden = _suppressed(counts, children, k, cache, used)
    shown = ~hidden
    trends = _trends(frames, root, qs, children, k, shown)
    names = frames.regions.set_index("code")
    rows = []
    for code in codes:
        figs: dict[str, float | int | None] = {c: (int(counts.at[code, c]) if shown.at[code, c] else HIDDEN)
                                               for c in COUNTS}
        for rate, (num, den) in RATES.items():
            n, d = figs[num], figs[den]
            if n is HIDDEN or d is HIDDEN:
                figs[rate] = HIDDEN
            elif d == 0:
                figs[rate] = float("nan")   # nothing to compute: "n/a", not held back
            else:                           # THE publication rule for rates (small parts held back)
                figs[rate] = n / d if may_publish("rate", n / d, num=n, den=d, k=k) else HIDDEN
        rows.append({"code": code, "level": int(counts.at[code, "level"]),
                     "zh": str(names.at[code, "name_zh"]), "en": str(names.at[code, "name_en"]),
                     "figures": {c: figs[c] for c in SHOWN},
                     "trends": {t: trends[t].get(code) for t in TRENDS}})
    # "no tolerance decision": a zero is published (it identifies nobody), so the flag reveals nothing more
    flagged = [code for code in codes if counts.at[code, "tolerated"] == 0]
    return Overview(root, window, [q.label for q in qs], rows, flagged, k, dict(getattr(frames, "meta", {})), used)
