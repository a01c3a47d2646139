"""Cases with unknown facts, decided by enumerating their completions (vectorised).

A *completion* of a case gives each of its unknown facts one value. The values worth trying
are finite: both answers of a yes/no fact, every value of an enum, and for an amount one value
per interval the policies' thresholds cut (``thresholds``/``representatives``) — two amounts in
the same interval satisfy the same conditions, so these completions stand for all of them.

``resolve`` takes a function that decides fully known rows and the rows with unknown cells,
evaluates every completion of every such row in one numpy pass per pattern of unknown facts,
and tells per row: the result when all completions agree, else that it is open, with the
results some completion reaches and the unknown facts ordered by how many completions each
splits (a completion is *split* by a fact when changing only that fact changes the result).
One case (``determine``) and a table (``determine_frame``) call the same code, so they agree
by construction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ftlib.errors import FtlibError
from ftlib.facts import CONDITION_FACTS
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.conditions import Compare, Const, In, Node, Ref

#: Completions evaluated per numpy pass (rows × completions), to bound memory.
CHUNK = 1 << 20
#: One case with more completions than this is refused (establish some facts first).
MAX_COMPLETIONS = 1 << 21

#: decide(cols, n) → (result code per row, deciding row code per row, policy choice per row)
Decide = Callable[[Mapping[str, np.ndarray], int], tuple[np.ndarray, np.ndarray, np.ndarray]]


class TooManyUnknowns(FtlibError):
    """More combinations of unknown facts than can be enumerated for one case."""


def _number_literals(node: Node, out: dict[str, set[float]]) -> None:
    if isinstance(node, Compare):
        for ref, lit in ((node.left, node.right), (node.right, node.left)):
            if isinstance(ref, Ref) and ref.kind == "number" and isinstance(lit, Const):
                out.setdefault(ref.name, set()).add(float(lit.value))
    if isinstance(node, In) and isinstance(node.left, Ref) and node.left.kind == "number":
        out.setdefault(node.left.name, set()).update(float(v) for v in node.options)
    for child in vars(node).values():
        for c in child if isinstance(child, list) else [child]:
            if isinstance(c, Node):
                _number_literals(c, out)


def thresholds(compiled: Iterable[CompiledPolicy]) -> dict[str, np.ndarray]:
    """Per amount fact, the sorted constants the policies compare it with."""
    found: dict[str, set[float]] = {}
    for c in compiled:
        for step in [*c.steps, *c.grading]:
            _number_literals(step.condition.root, found)
        for _, cond in c.corrections:
            _number_literals(cond.root, found)
    return {k: np.array(sorted(v)) for k, v in found.items()}


def representatives(cuts: np.ndarray) -> np.ndarray:
    """One amount ≥ 0 per interval the cuts make: each cut itself and a value strictly between
    (and beyond) consecutive cuts."""
    cuts = np.unique(cuts[cuts >= 0])
    vals = [0.0]  # [0, first cut), or the first cut itself when it is 0
    for i, a in enumerate(cuts):
        b = cuts[i + 1] if i + 1 < len(cuts) else a + 2.0
        vals += [float(a), float((a + b) / 2)]
    return np.unique(np.array(vals, dtype=float))


def domain(name: str, cuts: Mapping[str, np.ndarray]) -> np.ndarray:
    """The values of one fact worth trying, typed as the engine's columns are."""
    spec = CONDITION_FACTS[name]
    if spec.kind == "bool":
        return np.array([False, True])
    if spec.kind == "enum":
        return np.arange(len(spec.values), dtype=np.int8)
    return representatives(cuts.get(name, np.array([0.0])))


@dataclass
class Resolved:
    """Per row: ``result`` (the agreed result code, or ``open_code`` where completions differ),
    ``rule`` and ``choice`` (the deciding row and policy most completions of the row reach),
    ``possible`` (bit k set when some completion reaches result k), ``unknown`` (bit i set when
    fact ``names[i]`` is unknown in the row) — both None when no cell is unknown — and ``decisive`` (per row, the unknown facts that
    split completions, most first, as a tuple of indices into ``names``)."""

    names: list[str]
    result: np.ndarray
    rule: np.ndarray
    choice: np.ndarray
    possible: np.ndarray | None
    unknown: np.ndarray | None
    decisive: list[tuple[int, ...]]
    decisive_rows: np.ndarray  # the rows ``decisive`` describes (those with unknown cells)


def resolve(decide: Decide, cols: Mapping[str, np.ndarray], unknown: Mapping[str, np.ndarray], n: int,
            open_code: int, n_rules: int, cuts: Mapping[str, np.ndarray], limit: int | None = None) -> Resolved:
    """Decide n rows whose cells may be unknown (``unknown[name]`` masks; values under a mask are
    ignored). ``limit``: refuse a row with more completions (one case at a time)."""
    # vocabulary order, so that ties among decisive facts break the same way everywhere
    names = [k for k in CONDITION_FACTS if unknown.get(k) is not None and unknown[k].any()]
    if len(names) > 62:
        raise TooManyUnknowns(f"{len(names)} facts unknown: too many to enumerate")
    if not names:  # nothing unknown: one pass, nothing to enumerate
        result, rule, choice = decide(cols, n)
        return Resolved(names, result, rule, choice, None, None, [], np.empty(0, dtype=np.int64))
    pattern = np.zeros(n, dtype=np.int64)
    for i, k in enumerate(names):
        pattern |= unknown[k].astype(np.int64) << i
    known_rows = np.flatnonzero(pattern == 0)
    result = np.empty(n, dtype=np.int8)
    rule = np.empty(n, dtype=np.int16)
    choice = np.zeros(n, dtype=np.int8)
    possible = np.zeros(n, dtype=np.int64)
    decisive: list[tuple[int, ...]] = []
    decisive_rows: list[np.ndarray] = []
    if len(known_rows):
        sub = {k: v[known_rows] for k, v in cols.items()}
        result[known_rows], rule[known_rows], choice[known_rows] = decide(sub, len(known_rows))
        possible[known_rows] = np.int64(1) << result[known_rows].astype(np.int64)
    patterns, inverse = np.unique(pattern, return_inverse=True)
    for p_i, p in enumerate(patterns):
        if p == 0:
            continue
        rows = np.flatnonzero(inverse == p_i)
        facts = [k for i, k in enumerate(names) if (int(p) >> i) & 1]
        doms = [domain(k, cuts) for k in facts]
        dims = [len(d) for d in doms]
        m = int(np.prod(dims))
        if limit is not None and m > limit:
            raise TooManyUnknowns(f"{m:,} combinations of the unknown facts ({', '.join(facts)}): "
                                  "too many to enumerate — establish some of them first")
        grids = np.meshgrid(*doms, indexing="ij")
        grid = {k: g.ravel() for k, g in zip(facts, grids)}
        per = max(1, CHUNK // m)
        for start in range(0, len(rows), per):
            r = rows[start:start + per]
            k = len(r)
            sub = {}
            for name, col in cols.items():
                sub[name] = np.tile(grid[name], k) if name in grid else np.repeat(col[r], m)
            res, rl, ch = decide(sub, k * m)
            res = res.reshape(k, m)
            lo, hi = res.min(axis=1), res.max(axis=1)
            agreed = lo == hi
            result[r] = np.where(agreed, lo, open_code)
            possible[r] = np.bitwise_or.reduce(np.int64(1) << res.astype(np.int64), axis=1)
            rule[r] = _mode(rl.reshape(k, m), n_rules)
            choice[r] = _mode(ch.reshape(k, m), 2)
            # decisive unknowns: only rows left open have any
            open_at = np.flatnonzero(~agreed)
            if not len(open_at):
                continue
            shaped = res[open_at].reshape(len(open_at), *dims)
            splits = np.zeros((len(open_at), len(facts)), dtype=np.int64)
            for a in range(len(facts)):
                split = shaped.max(axis=a + 1) != shaped.min(axis=a + 1)
                splits[:, a] = split.reshape(len(open_at), -1).sum(axis=1) * dims[a]
            # most splitting first; ties in vocabulary order (``names`` follows it)
            order = np.argsort(-splits, axis=1, kind="stable")
            idx = [names.index(f) for f in facts]
            ranked = np.where(np.take_along_axis(splits, order, axis=1) > 0, order + 1, 0)
            distinct, which = np.unique(ranked, axis=0, return_inverse=True)
            tuples = [tuple(idx[j - 1] for j in row if j) for row in distinct]
            decisive.extend(tuples[w] for w in which.ravel())
            decisive_rows.append(r[open_at])
    rows_all = np.concatenate(decisive_rows) if decisive_rows else np.empty(0, dtype=np.int64)
    return Resolved(names, result, rule, choice, possible, pattern, decisive, rows_all)


def _mode(values: np.ndarray, size: int) -> np.ndarray:
    """Per row of a (k, m) array of small codes, the most frequent (ties: the smallest)."""
    k, m = values.shape
    if m == 1:
        return values[:, 0]
    lo, hi = values.min(axis=1), values.max(axis=1)
    out = lo.copy()
    mixed = np.flatnonzero(lo != hi)  # only rows whose completions differ need counting
    if len(mixed):
        sub = values[mixed]
        flat = sub.astype(np.int64) + size * np.arange(len(mixed), dtype=np.int64)[:, None]
        counts = np.bincount(flat.ravel(), minlength=len(mixed) * size).reshape(len(mixed), size)
        out[mixed] = counts.argmax(axis=1).astype(values.dtype)
    return out
