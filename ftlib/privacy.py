"""What may be published: small-count suppression and pseudonymous cadre ids.

Rules for anything published (report tables, dashboards, exports marked for publication). ONE
function decides whether a single figure may be published: ``may_publish`` (``publish`` and
``published_text`` are its scalar / Series / display wrappers; tables use it for their primary cells).
Report headlines, report tables, charts and dashboards all go through it:

- a count ``v`` with ``0 < v < k`` is hidden;
- a *share* (``kind="rate"``: a part ``num`` of a whole ``den``, e.g. tolerated of determinations)
  is hidden when ``den`` is below ``k``, when ``num`` is a small count, or when the rest
  ``den - num`` is one: a published share and its denominator give both back;
- a *ratio* (``kind="ratio"``: ``num`` is not a part of ``den``, e.g. decided per received) is
  hidden when ``num`` or ``den`` is a small count;
- a statistic over ``den`` cases (``kind="stat"``: a median, a percentile) is hidden when
  ``den`` is below ``k``: a median of two handling times is one cadre's handling time;

- a count below ``k`` (default 5) is shown as ``"<5"`` (primary suppression). Zero is shown by
  default: it identifies nobody, and "no case at all" is exactly what the metrics must show; pass
  ``zeros_visible=False`` to hide zeros too;
- any further cell that would let a hidden count be recovered from the row and column totals is
  hidden as well and shown as ``mark`` (complementary suppression, below);
- rates are published only if their numerator and denominator are (``mask_rates``);
- cadres appear only by pseudonymous id (``pseudonymise``); ``check_publishable`` refuses tables
  with direct identifiers or free-text columns.

Complementary suppression. A table with its margins is a set of linear equations (each row and
column sums to its total). Seen as a bipartite graph (row and column nodes, one edge per hidden
cell), a hidden cell can be recovered exactly iff its edge lies on no cycle (a bridge): a row or
column with exactly one hidden cell is the simplest case. So, until no bridge is left, for each
bridge we hide the smallest non-zero visible cell that closes a cycle through it. ``exposed``
checks the result independently with linear programming (used by the tests).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_K = 5
MARK = "*"
#: Columns that never go into a published table.
FORBIDDEN_COLUMNS = frozenset({"name", "cadre_name", "name_of_cadre", "id_card", "id_number", "phone", "case_id",
                               "departure_reason", "reason", "title", "address"})
PSEUDONYM = re.compile(r"^P-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Suppressed:
    values: pd.DataFrame      # the counts, with margins when asked for
    primary: pd.DataFrame     # bool: count below k
    secondary: pd.DataFrame   # bool: hidden so that primary cells cannot be recovered
    display: pd.DataFrame     # what is published: ints, "<k" and ``mark``
    k: int

    @property
    def hidden(self) -> pd.DataFrame:
        return self.primary | self.secondary


#: What ``may_publish`` knows how to judge.
KINDS = ("count", "rate", "ratio", "stat")


def _small(x: np.ndarray, k: int) -> np.ndarray:
    return (x > 0) & (x < k)


def may_publish(kind: str, value, *, num=None, den=None, k: int = DEFAULT_K):
    """THE publication rule (see the module docstring): True where the figure may be published.

    Works on scalars and on aligned arrays/Series (returns a bool or a bool array). A missing value
    (None/NaN) is "not published" (shown as a dash by ``published_text``)."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: one of {', '.join(KINDS)}")
    if k is None or k < 1:
        raise ValueError("k must be at least 1")

    def arr(x):
        return np.asarray(pd.to_numeric(x, errors="coerce") if isinstance(x, pd.Series) else x, dtype=float)

    v = arr(value)
    ok = ~np.isnan(v)
    if kind == "count":
        ok &= ~_small(v, k)
    else:
        d = arr(den) if den is not None else None
        n = arr(num) if num is not None else None
        if d is not None:
            ok &= ~_small(np.nan_to_num(d, nan=0.0), k)
        if n is not None and kind in ("rate", "ratio"):
            ok &= ~_small(np.nan_to_num(n, nan=0.0), k)
        if kind == "rate" and n is not None and d is not None:
            ok &= ~_small(np.nan_to_num(d - n, nan=0.0), k)
    return bool(ok) if ok.ndim == 0 else ok


def publish(value, kind: str = "count", *, num=None, den=None, k: int | None = DEFAULT_K):
    """``value`` where ``may_publish`` allows it, else None (scalar) / NaN (Series, same index).
    ``k=None`` publishes everything (internal analysis only)."""
    if isinstance(value, pd.Series):
        if not k:
            return value
        return value.where(may_publish(kind, value, num=num, den=den, k=k))
    if not k:
        return value
    return value if may_publish(kind, value, num=num, den=den, k=k) else None


def published_text(value, kind: str = "count", *, num=None, den=None, k: int = DEFAULT_K) -> str:
    """One figure as published text: ``<k`` for a hidden count, ``<k*`` for a figure hidden because
    it rests on a small group, a dash when there is no figure."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if not may_publish(kind, value, num=num, den=den, k=k):
        return f"<{k}" if kind == "count" else f"<{k}*"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{100 * float(value):.1f}%"
    if kind == "stat":
        return f"{float(value):.0f}"
    return f"{float(value):.2f}"


def suppress(table: pd.DataFrame, k: int = DEFAULT_K, *, margins: bool = True, zeros_visible: bool = True,
             mark: str = MARK, total_label: str = "Total", total_row_label: str | None = None,
             hidden_rows: Sequence = ()) -> Suppressed:
    """Suppress small counts in ``table`` (rows × columns of non-negative integer counts).

    ``margins=True`` adds the row totals, column totals and grand total (published, hence
    protected too). ``hidden_rows``: rows that are part of the totals but never shown (e.g. a
    parent region's own cases beside its sub-regions); they count as fully hidden.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    vals = table.apply(pd.to_numeric).fillna(0).astype(np.int64)
    if (vals.to_numpy() < 0).any():
        raise ValueError("counts must be non-negative")
    if margins:
        vals = vals.copy()
        vals[total_label] = vals.sum(axis=1)
        vals.loc[total_row_label or total_label] = vals.sum(axis=0)
    x = vals.to_numpy()
    primary = ~may_publish("count", x, k=k) | ((x == 0) & (not zeros_visible))
    hidden = primary.copy()
    for r in hidden_rows:
        hidden[vals.index.get_loc(r), :] = True
    if margins:
        hidden = _complement(x, hidden)
    secondary = hidden & ~primary
    for r in hidden_rows:
        secondary[vals.index.get_loc(r), :] = False
    disp = vals.astype(object).copy()
    disp = disp.mask(pd.DataFrame(primary, index=vals.index, columns=vals.columns), f"<{k}")
    disp = disp.mask(pd.DataFrame(secondary, index=vals.index, columns=vals.columns), mark)
    disp = disp.drop(index=list(hidden_rows))
    as_frame = lambda a: pd.DataFrame(a, index=vals.index, columns=vals.columns)  # noqa: E731
    return Suppressed(vals, as_frame(primary), as_frame(secondary), disp, k)


def _complement(x: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hide more cells of the table-with-margins ``x`` until no hidden cell is a bridge."""
    hidden = hidden.copy()
    nr, nc = x.shape
    while True:
        bridge = _find_bridge(hidden)
        if bridge is None:
            return hidden
        i, j = bridge
        rows_a, cols_a = _component(hidden, ("r", i), skip=bridge)
        rows_b, cols_b = _component(hidden, ("c", j), skip=bridge)
        cand = [(u, v) for u in rows_a for v in cols_b] + [(u, v) for u in rows_b for v in cols_a]
        cand = [(u, v) for u, v in cand if not hidden[u, v]]
        if not cand:   # one side has no node of the other kind: grow it along the bridge's row or column,
            # preferring a cell whose column (row) already holds hidden cells, so that a cycle closes soon
            if not cols_a:
                cand = [(i, v) for v in range(nc) if not hidden[i, v]]
                touches = {c: not hidden[:, c[1]].any() for c in cand}
            else:
                cand = [(u, j) for u in range(nr) if not hidden[u, j]]
                touches = {c: not hidden[c[0], :].any() for c in cand}
        else:
            touches = dict.fromkeys(cand, False)
        if not cand:
            raise RuntimeError("cannot protect the table")   # only if every cell is already hidden
        u, v = min(cand, key=lambda c: (x[c] == 0, touches[c], x[c], c))
        hidden[u, v] = True


def _component(hidden: np.ndarray, start: tuple[str, int], skip: tuple[int, int] | None) -> tuple[set, set]:
    rows, cols, stack = set(), set(), [start]
    while stack:
        kind, n = stack.pop()
        if kind == "r":
            if n in rows:
                continue
            rows.add(n)
            stack.extend(("c", j) for j in np.flatnonzero(hidden[n]) if (n, j) != skip)
        else:
            if n in cols:
                continue
            cols.add(n)
            stack.extend(("r", i) for i in np.flatnonzero(hidden[:, n]) if (i, n) != skip)
    return rows, cols


def _find_bridge(hidden: np.ndarray) -> tuple[int, int] | None:
    for i, j in zip(*np.nonzero(hidden)):
        rows, cols = _component(hidden, ("r", int(i)), skip=(int(i), int(j)))
        if int(j) not in cols:
            return int(i), int(j)
    return None


def exposed(values: pd.DataFrame, hidden: pd.DataFrame) -> list[tuple]:
    """Hidden cells of a table *with margins* whose value an attacker can work out exactly from the
    visible cells and the row/column sums (min = max under the constraints, counts ≥ 0)."""
    from scipy.optimize import linprog

    x, h = values.to_numpy(dtype=float), hidden.to_numpy()
    nr, nc = x.shape
    idx = {cell: n for n, cell in enumerate(zip(*np.nonzero(h)))}
    if not idx:
        return []
    eqs, rhs = [], []
    for line in [[(i, j) for j in range(nc)] for i in range(nr)] + [[(i, j) for i in range(nr)] for j in range(nc)]:
        *body, total = line
        row = np.zeros(len(idx))
        known = 0.0
        for cell, sign in [(c, 1.0) for c in body] + [(total, -1.0)]:
            if cell in idx:
                row[idx[cell]] += sign
            else:
                known += sign * x[cell]
        if row.any():
            eqs.append(row)
            rhs.append(-known)
    out = []
    for cell, n in idx.items():
        c = np.zeros(len(idx))
        c[n] = 1
        lo = linprog(c, A_eq=np.array(eqs), b_eq=rhs, bounds=(0, None)).fun
        hi = -linprog(-c, A_eq=np.array(eqs), b_eq=rhs, bounds=(0, None)).fun
        if hi - lo < 0.5:
            out.append((values.index[cell[0]], values.columns[cell[1]]))
    return out


def publish_breakdown(metric: pd.DataFrame, region: str, period: str, columns: Sequence[str],
                      k: int = DEFAULT_K, *, names: dict[str, str] | None = None, **kw) -> Suppressed:
    """A metric table's counts for the direct sub-regions of ``region`` in ``period`` (rows) ×
    ``columns``, with ``region`` itself as the total row, suppressed. The region's own cases (not in
    any sub-region) are a hidden row, so they take part in the totals but are never shown."""
    t = metric[metric["period"] == period].set_index("region")
    level = t.at[region, "level"]
    kids = [r for r in t.index if r.startswith(region + "-") and t.at[r, "level"] == level + 1]
    table = t.loc[kids, list(columns)].astype(np.int64)
    own = t.loc[region, list(columns)].astype(np.int64) - table.sum(axis=0)
    hidden_rows = []
    if (own != 0).any():
        table.loc["(own)"] = own
        hidden_rows = ["(own)"]
    if names:
        table = table.rename(index=names)
    return suppress(table, k, total_row_label=names.get(region, region) if names else region,
                    hidden_rows=hidden_rows, **kw)


def mask_rates(display: pd.DataFrame, rates: dict[str, tuple[str, str]], mark: str = MARK) -> pd.DataFrame:
    """Hide a rate column wherever its numerator or denominator column is not a plain number."""
    out = display.copy()
    for rate, (num, den) in rates.items():
        bad = out[num].map(lambda v: isinstance(v, str)) | out[den].map(lambda v: isinstance(v, str))
        out[rate] = out[rate].astype(object).mask(bad, mark)
    return out


def pseudonymise(ids: Iterable, key: bytes) -> pd.Series:
    """Stable pseudonymous ids ``P-`` + 12 hex digits of HMAC-SHA256(key, id). Keep ``key`` secret:
    without it the pseudonym cannot be linked back to the cadre."""
    if not key:
        raise ValueError("a secret key is required")
    return pd.Series([f"P-{hmac.new(key, str(i).encode(), hashlib.sha256).hexdigest()[:12]}" for i in ids])


def check_publishable(table: pd.DataFrame, k: int = DEFAULT_K) -> None:
    """Raise ``ValueError`` if ``table`` carries identifiers or free text, or a cadre id that is not a pseudonym."""
    bad = FORBIDDEN_COLUMNS & {str(c).lower() for c in table.columns}
    if bad:
        raise ValueError(f"not publishable: column(s) {', '.join(sorted(bad))}")
    if "cadre_id" in table.columns:
        raw = [v for v in table["cadre_id"].dropna().astype(str) if not PSEUDONYM.match(v)]
        if raw:
            raise ValueError(f"not publishable: cadre_id values that are not pseudonyms ({len(raw)})")
