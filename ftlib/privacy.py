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

The bridge rule only stops exact recovery. A hidden small count may still be narrowed (the row
says it is 3 or 4): so afterwards ``suppress`` solves, by linear programming, the smallest and
largest value each hidden small count can take given every published cell, the sums, any
published group sums (``groups``: e.g. tolerated = exempt + mitigated, shown elsewhere on the
page) and what "<k" itself says (1..k−1), and hides one more cell beside any count whose range is
narrower than ``min_range`` (``ftlib/data/privacy.yaml``), until none is.
"""

# Imports inside functions: SciPy's LP solver is imported only when a table needs its suppression widened.

from __future__ import annotations

import hashlib
import hmac
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ftlib.metrics import DISPOSITIONS
from ftlib.resources import read_yaml


def _settings() -> dict:
    return read_yaml("privacy.yaml")


_S = _settings()
DEFAULT_K: int = int(_S["min_cell"])
#: How wide the range of values a hidden count could take must stay (``ftlib/data/privacy.yaml``).
MIN_RANGE: int = int(_S["min_range"])
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
        if isinstance(x, pd.Series):   # numbers as they are; anything else read as a number (or NaN)
            return x.to_numpy(dtype=float, na_value=np.nan) if x.dtype.kind in "iufb" else \
                np.asarray(pd.to_numeric(x, errors="coerce"), dtype=float)
        return np.asarray(x, dtype=float)

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


def published_text(value, kind: str = "count", *, num=None, den=None, k: int = DEFAULT_K,
                   percent: bool | None = None) -> str:
    """One figure as published text: ``<k`` for a hidden count, ``<k*`` for a figure hidden because
    it rests on a small group, a dash when there is no figure. Shares (and ratios with
    ``percent=True``) as percentages with one decimal."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if not may_publish(kind, value, num=num, den=den, k=k):
        return f"<{k}" if kind == "count" else f"<{k}*"
    if kind == "count":
        return f"{int(value):,}"
    if percent or (percent is None and kind == "rate"):
        return f"{100 * float(value):.1f}%"
    if kind == "stat":
        return f"{float(value):.0f}"
    return f"{float(value):.2f}"


def suppress(table: pd.DataFrame, k: int = DEFAULT_K, *, margins: bool = True, zeros_visible: bool = True,
             mark: str = MARK, total_label: str = "Total", total_row_label: str | None = None,
             hidden_rows: Sequence = (), groups: Sequence[Sequence] = (),
             keep: Sequence = (), force: Sequence[tuple] = (), total_row_shown: bool = True,
             min_range: int | None = None) -> Suppressed:
    """Suppress small counts in ``table`` (rows × columns of non-negative integer counts).

    ``margins=True`` adds the row totals, column totals and grand total (published, hence
    protected too). ``hidden_rows``: rows that are part of the totals but never shown (e.g. a
    parent region's own cases beside its sub-regions); they count as fully hidden. ``groups``:
    sets of columns whose sum (per row) the page may publish elsewhere (tolerated = exempt +
    mitigated), each a list of columns or ``(columns, rows)`` when only those rows' sums are
    published: a reader is assumed to know a group's sum (where published) unless it is itself
    small, and a small group sum is protected like a hidden cell. ``force``: (row, column) cells
    hidden whatever their value (the page hides that figure elsewhere). ``total_row_shown=False``:
    the column totals are not published (a chart of periods shows each period's total only). ``keep``: columns (e.g. the total) shown elsewhere on the page:
    hiding them here would protect nothing, so other cells are hidden instead.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    vals = _with_margins(table, margins, total_label, total_row_label or total_label)
    x = vals.to_numpy()
    primary = ~may_publish("count", x, k=k) | ((x == 0) & (not zeros_visible))
    hidden = primary.copy()
    for r in hidden_rows:
        hidden[vals.index.get_loc(r), :] = True
    if margins:
        own = [vals.index.get_loc(r) for r in hidden_rows] + ([] if total_row_shown else [len(vals) - 1])
        if not total_row_shown:
            hidden[-1, :] = True
        cols = []
        for g in groups:
            names, rows = (g if len(g) == 2 and not isinstance(g[0], str) else (g, None))
            cols.append(([vals.columns.get_loc(c) for c in names],
                         None if rows is None else {vals.index.get_loc(r) for r in rows}))
        for r, c in force:
            hidden[vals.index.get_loc(r), vals.columns.get_loc(c)] = True
        kept = np.zeros_like(hidden)
        for c in keep:
            kept[:, vals.columns.get_loc(c)] = True
        hidden = _protect(x, hidden, primary, kept, k, MIN_RANGE if min_range is None else min_range,
                          zeros_visible, own, cols, total_row_shown)
    secondary = hidden & ~primary
    for r in hidden_rows:
        secondary[vals.index.get_loc(r), :] = False
    if margins and not total_row_shown:
        secondary[-1, :] = False
        primary = primary.copy()
        primary[-1, :] = False
    shown = x.astype(object)   # numbers as Python ints; the two kinds of hidden cell never overlap
    shown[primary] = f"<{k}"
    shown[secondary] = mark
    disp = pd.DataFrame(shown, index=vals.index, columns=vals.columns, dtype=object)
    if len(hidden_rows):
        disp = disp.drop(index=list(hidden_rows))
    as_frame = lambda a: pd.DataFrame(a, index=vals.index, columns=vals.columns)  # noqa: E731
    return Suppressed(vals, as_frame(primary), as_frame(secondary), disp, k)


def _with_margins(table: pd.DataFrame, margins: bool, total_label: str, total_row_label: str) -> pd.DataFrame:
    """``table``'s counts as whole numbers (missing: 0), with a total column and a total row when
    ``margins``. Built in numpy for tables of counts (a report suppresses dozens of small tables:
    pandas' column-by-column conversion and row enlargement were most of the cost)."""
    plain = (len(table.columns) and all(t.kind in "iu" for t in table.dtypes)
             and total_label not in table.columns and total_row_label not in table.index)
    if not plain:
        vals = table.apply(pd.to_numeric).fillna(0).astype(np.int64)
        if (vals.to_numpy() < 0).any():
            raise ValueError("counts must be non-negative")
        if margins:
            vals = vals.copy()
            vals[total_label] = vals.sum(axis=1)
            vals.loc[total_row_label] = vals.sum(axis=0)
        return vals
    body = table.to_numpy(np.int64)
    if (body < 0).any():
        raise ValueError("counts must be non-negative")
    index, columns = table.index, table.columns
    if margins:
        body = np.column_stack([body, body.sum(axis=1)])
        body = np.vstack([body, body.sum(axis=0)])
        index = pd.Index([*index, total_row_label], name=index.name)
        columns = pd.Index([*columns, total_label], name=columns.name)
    return pd.DataFrame(body, index=index, columns=columns)


#: Tables protected so far: (everything the protection reads) → the cells hidden. A report run
#: suppresses the same table for both languages, and many small regions have the same tables.
_PROTECTED: dict[tuple, bytes] = {}
_PROTECTED_MAX = 20_000


def _protect(x: np.ndarray, hidden: np.ndarray, primary: np.ndarray, kept: np.ndarray, k: int, min_range: int,
             zeros_visible: bool, own: list[int], groups: list[tuple], total_row_shown: bool) -> np.ndarray:
    """Complementary suppression and widening until neither hides more. The result depends on
    the positions and values given here only (never on labels), so it is kept per input."""
    key = (x.shape, x.astype(np.int64).tobytes(), hidden.tobytes(), primary.tobytes(), kept.tobytes(), k, min_range,
           zeros_visible, tuple(own), tuple((tuple(g), None if r is None else tuple(sorted(r))) for g, r in groups),
           total_row_shown)
    done = _PROTECTED.get(key)
    if done is not None:
        return np.frombuffer(done, dtype=bool).reshape(x.shape).copy()
    free = None if total_row_shown else len(x) - 1
    while True:   # no bridge, then no narrow range; widening may make a bridge: again until neither
        hidden = _complement(x, hidden, kept, free=free)
        wider = _widen(x, hidden, primary, k, min_range, zeros_visible, own, groups, kept)
        if (wider == hidden).all():
            break
        hidden = wider
    if len(_PROTECTED) >= _PROTECTED_MAX:
        _PROTECTED.clear()
    _PROTECTED[key] = hidden.tobytes()
    return hidden


def _complement(x: np.ndarray, hidden: np.ndarray, kept: np.ndarray | None = None,
                free: int | None = None) -> np.ndarray:
    """Hide more cells of the table-with-margins ``x`` until no hidden cell is a bridge."""
    hidden = hidden.copy()
    nr, nc = x.shape
    while True:
        bridge = _find_bridge(hidden, free)
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
        if kept is not None and any(not kept[c] for c in cand):
            cand = [c for c in cand if not kept[c]]   # a cell shown elsewhere protects nothing
        if not cand:
            raise RuntimeError("cannot protect the table")   # only if every cell is already hidden
        u, v = min(cand, key=lambda c: (x[c] == 0, touches[c], x[c], c))
        hidden[u, v] = True


def _margin_equations(x: np.ndarray, idx: dict) -> tuple[list[np.ndarray], list[float]]:
    """The equations a reader gets from a table whose last row and column are its sums: for every
    row and column, the hidden cells (``idx``: cell → unknown's index) add up to the margin less
    the visible cells."""
    nr, nc = x.shape
    lines = [[(i, j) for j in range(nc)] for i in range(nr)] + [[(i, j) for i in range(nr)] for j in range(nc)]
    eqs, rhs = [], []
    for line in lines:
        *body, total = line
        row, known = np.zeros(len(idx)), 0.0
        for cell, sign in [(c, 1.0) for c in body] + [(total, -1.0)]:
            if cell in idx:
                row[idx[cell]] += sign
            else:
                known += sign * x[cell]
        if row.any():
            eqs.append(row)
            rhs.append(-known)
    return eqs, rhs


def _coef(x: np.ndarray, line: tuple[str, int], cell: tuple[int, int]) -> float:
    """A cell's sign in a line's equation: the line's margin (its last cell) −1, the others +1."""
    nr, nc = x.shape
    margin = (line[1], nc - 1) if line[0] == "r" else (nr - 1, line[1])
    return -1.0 if tuple(cell) == margin else 1.0


def _cycle(x: np.ndarray, hidden: np.ndarray, idx: dict, target: tuple[int, int]) -> np.ndarray | None:
    """A change of the hidden cells that keeps every row and column sum: +1 on ``target`` and ±1
    around the shortest cycle of hidden cells through it (rows and columns the nodes, hidden cells
    the edges), or None when ``target`` lies on no cycle."""
    i, j = target
    start, goal = ("c", j), ("r", i)
    prev: dict = {start: None}
    queue = deque([start])
    while queue and goal not in prev:
        node = queue.popleft()
        kind, n = node
        cells = [(int(u), n) for u in np.flatnonzero(hidden[:, n])] if kind == "c" else \
            [(n, int(v)) for v in np.flatnonzero(hidden[n])]
        for cell in cells:
            nxt = ("r", cell[0]) if kind == "c" else ("c", cell[1])
            if cell != target and nxt not in prev:
                prev[nxt] = (node, cell)
                queue.append(nxt)
    if goal not in prev:
        return None
    d = np.zeros(len(idx))
    d[idx[target]], node, last, value = 1.0, goal, target, 1.0
    while prev[node] is not None:   # walk back from row i to column j, each line's sum kept
        before, cell = prev[node]
        value = -_coef(x, node, last) * value / _coef(x, node, cell)
        d[idx[cell]] += value
        node, last = before, cell
    return d


def _span(x: np.ndarray, hidden: np.ndarray, idx: dict, a_eq: np.ndarray | None, bounds: list, group: tuple,
          ) -> tuple[float, float] | None:
    """Two values the sum of ``group`` can take (a sub-range of what the LP finds): the true table
    moved along one cycle of hidden cells as far as the bounds allow, when that move keeps every
    equation (margins and group sums; checked). None when no cycle gives one."""
    target = next((c for c in group if c in idx), None)
    d = None if target is None else _cycle(x, hidden, idx, target)
    if d is None or (a_eq is not None and np.abs(a_eq @ d).max(initial=0.0) > 1e-9):
        return None
    step = sum(d[idx[c]] for c in group if c in idx)
    if step == 0:
        return None
    lo_t, hi_t = -np.inf, np.inf
    for cell, n in idx.items():
        if d[n] == 0:
            continue
        lo, hi = bounds[n]   # lo ≤ x + t·d ≤ hi
        at_lo = (lo - x[cell]) / d[n]
        at_hi = np.inf * np.sign(d[n]) if hi is None else (hi - x[cell]) / d[n]
        lo_t, hi_t = max(lo_t, min(at_lo, at_hi)), min(hi_t, max(at_lo, at_hi))
    now = float(sum(x[c] for c in group))
    a, b = now + lo_t * step, now + hi_t * step
    return (min(a, b), max(a, b))


def _ranges(x: np.ndarray, hidden: np.ndarray, primary: np.ndarray, k: int, zeros_visible: bool,
            own: Sequence[int], groups: Sequence[tuple], cells: list, wide: float | None = None):
    """Smallest and largest value of each of ``cells`` (each a tuple of cells of ``x``, a table
    with margins, whose sum is asked) that the visible cells, the row/column sums, the group sums
    and the "<k" bounds allow. With ``wide``: where one cycle of hidden cells already moves the
    sum over at least ``wide``, those two values instead (no LP: the cell is not narrow either way)."""
    nr, nc = x.shape
    idx = {cell: n for n, cell in enumerate(zip(*np.nonzero(hidden)))}
    eqs, rhs = _margin_equations(x, idx)
    for g, known_rows in groups:
        for i in range(nr):
            if i in own or 0 < x[i, g].sum() < k:   # a small group sum is not published: not known
                continue
            if known_rows is not None and i not in known_rows:
                continue
            row, known = np.zeros(len(idx)), 0.0
            for j in g:
                if (i, j) in idx:
                    row[idx[(i, j)]] += 1.0
                else:
                    known += x[i, j]
            if row.any():
                eqs.append(row)
                rhs.append(x[i, g].sum() - known)
    lo_b = 0 if not zeros_visible else 1
    bounds = [(lo_b, k - 1) if primary[c] and c[0] not in own else (0, None) for c in idx]
    a_eq = np.array(eqs) if eqs else None
    found: list = []   # per group: its range, or (objective, known) still to be solved
    for group in cells:
        c, known = np.zeros(len(idx)), 0.0
        for cell in group:          # a cell, or the cells of a group whose sum is asked
            if cell in idx:
                c[idx[cell]] = 1.0
            else:
                known += x[cell]
        if not c.any():
            found.append((known, known))
            continue
        if wide is not None:
            span = _span(x, hidden, idx, a_eq, bounds, group)
            if span is not None and span[1] - span[0] >= wide:
                found.append(span)
                continue
        found.append((c, known))
    todo = [f for f in found if isinstance(f[0], np.ndarray)]
    solved = iter(_extremes([c for c, _ in todo], a_eq, rhs, bounds))
    for group, f in zip(cells, found):
        if isinstance(f[0], np.ndarray):
            lo, hi = next(solved)
            f = (lo + f[1], hi + f[1])
        yield group, f


def _extremes(objectives: list[np.ndarray], a_eq: np.ndarray | None, rhs: list, bounds: list) -> list[tuple]:
    """Smallest and largest value of each objective over the same constraints (0 and ∞ where the
    LP has none). All in one LP of independent blocks, a minimum and a maximum per objective: a
    small LP costs a few milliseconds of set-up in SciPy whatever its size, and a report asks
    dozens. Where that LP has no optimum (a block unbounded or infeasible) each is solved alone."""
    from scipy.optimize import linprog

    if not objectives:
        return []
    from scipy.sparse import block_diag

    n, q = len(bounds), 2 * len(objectives)
    c = np.concatenate([sign * o for o in objectives for sign in (1, -1)])
    big = None if a_eq is None else block_diag([a_eq] * q, format="csc")
    res = linprog(c, A_eq=big, b_eq=(rhs * q) or None, bounds=bounds * q, method="highs")
    if res.status == 0:
        part = res.x.reshape(q, n)
        return [(float(o @ part[2 * i]), float(o @ part[2 * i + 1])) for i, o in enumerate(objectives)]
    out = []
    for o in objectives:
        res = [linprog(sign * o, A_eq=a_eq, b_eq=rhs or None, bounds=bounds, method="highs") for sign in (1, -1)]
        out.append((res[0].fun if res[0].status == 0 else 0.0, -res[1].fun if res[1].status == 0 else np.inf))
    return out


def _widen(x: np.ndarray, hidden: np.ndarray, primary: np.ndarray, k: int, min_range: int, zeros_visible: bool,
           own: Sequence[int], groups: Sequence[tuple], kept: np.ndarray) -> np.ndarray:
    """Hide more cells until every hidden small count, and every small group sum, can take values
    over at least ``min_range``."""
    hidden = hidden.copy()
    need = min(min_range, (k - 2) if zeros_visible else (k - 1))
    nr, nc = x.shape
    while True:
        small = [((c,), c) for c in zip(*np.nonzero(hidden)) if 0 <= x[c] < k and c[0] not in own
                 and (x[c] > 0 or not zeros_visible)]
        small += [(tuple((i, j) for j in g), (i, g[0])) for g, _ in groups for i in range(nr - 1)
                  if i not in own and 0 < x[i, g].sum() < k]
        if not small or need <= 0:
            return hidden
        pinned = next((at for (_, at), (_, (lo, hi)) in zip(small, _ranges(x, hidden, primary, k, zeros_visible, own,
                                                                           groups, [c for c, _ in small], need))
                       if hi - lo < need - 1e-6), None)
        if pinned is None:
            return hidden
        i, j = pinned
        near = {(i, v) for v in range(nc)} | {(u, j) for u in range(nr)} | \
            {(i, v) for g, _ in groups if j in g for v in g}
        # near cells first, not the ones shown elsewhere; a zero only when no count will do
        # (a zero beside a total of 0 gives nothing away, nor does it protect anything)
        cand = [c for c in near if not hidden[c] and not kept[c]]
        cand = [c for c in cand if x[c] > 0] or [c for c in cand if x[c[0], -1] > 0 and x[-1, c[1]] > 0] or \
            [c for c in zip(*np.nonzero(~hidden & ~kept)) if x[c] > 0]
        if not cand:
            return hidden      # everything that could help is hidden already
        hidden[min(cand, key=lambda c: (c[0] == nr - 1 or c[1] == nc - 1, x[c], c))] = True


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


def _find_bridge(hidden: np.ndarray, free: int | None = None) -> tuple[int, int] | None:
    """A hidden cell on no cycle; cells of row ``free`` (an unpublished total row) do not count."""
    for i, j in zip(*np.nonzero(hidden)):
        if i == free:
            continue
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
    eqs, rhs = _margin_equations(x, idx)
    out = []
    for cell, n in idx.items():
        c = np.zeros(len(idx))
        c[n] = 1
        lo = linprog(c, A_eq=np.array(eqs), b_eq=rhs, bounds=(0, None)).fun
        top = linprog(-c, A_eq=np.array(eqs), b_eq=rhs, bounds=(0, None))
        hi = -top.fun if top.status == 0 else np.inf     # 3: unbounded
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


#: Each sum is a count of cadres in its own right: tolerated, determinations, not tolerated, closed
#: without a determination.
OUTCOME_GROUPS = (("exempt", "mitigated"), ("exempt", "mitigated", "not_tolerated", "out_of_scope"),
                  ("not_tolerated", "out_of_scope"), ("not_accepted", "withdrawn"))


def outcome_figures(rows: pd.DataFrame, k: int) -> pd.DataFrame:
    """Which of the nested outcome counts a page may give for each row of an outcomes table:
    decided ⊇ determinations ⊇ tolerated. Each is a count of cadres, and so is the difference of any
    two that are given (decided but not determined, determined but not tolerated, ...): a count is
    given only where it and its differences to the others given are not small. The determinations
    are given through the tolerance rate beside the tolerated count, so only with both."""
    det, tol = rows["determinations"].astype(float), rows["tolerated"].astype(float)
    decided = rows[[c for c in DISPOSITIONS if c in rows]].sum(axis=1).astype(float)

    def ok(v) -> np.ndarray:
        return np.asarray(may_publish("count", v, k=k))
    tolerated = ok(tol) & ok(decided - tol)
    determinations = tolerated & ok(det) & ok(det - tol) & ok(decided - det)
    return pd.DataFrame({"decided": ok(decided), "determinations": determinations, "tolerated": tolerated},
                        index=rows.index)


def determinations_published(rows: pd.DataFrame, k: int) -> pd.Series:
    """``outcome_figures(rows, k)["determinations"]``."""
    return outcome_figures(rows, k)["determinations"]


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
