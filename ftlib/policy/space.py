"""The discrete fact space a policy reads: every combination of the values that can change an
outcome. The linter enumerates it to find impossible and unreachable rows; the counterfactual
search walks it to find the smallest changes that move a case."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from ftlib.facts import CONDITION_FACTS
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.conditions import Compare, Const, In, Node, Ref

MAX_ENUMERATED = 2_000_000


def _number_literals(node: Node, out: dict[str, set[float]]) -> None:
    if isinstance(node, Compare):
        for ref, lit in ((node.left, node.right), (node.right, node.left)):
            if isinstance(ref, Ref) and ref.kind == "number" and isinstance(lit, Const):
                out.setdefault(ref.name, set()).add(float(lit.value))
    for child in vars(node).values():
        if isinstance(child, Node):
            _number_literals(child, out)
        elif isinstance(child, list):
            for c in child:
                if isinstance(c, Node):
                    _number_literals(c, out)
    if isinstance(node, In):
        _number_literals(node.left, out)


def domains(compiled: CompiledPolicy) -> dict[str, list[Any]]:
    """For each fact the policy reads, the values worth trying (enums: all values; yes/no:
    both; numbers: 0 and each threshold in the policy, just below and just above it)."""
    literals: dict[str, set[float]] = {}
    for step in [*compiled.steps, *compiled.grading]:
        _number_literals(step.condition.root, literals)
    out: dict[str, list[Any]] = {}
    for name in sorted(compiled.facts_read):
        spec = CONDITION_FACTS[name]
        if spec.kind == "bool":
            out[name] = [False, True]
        elif spec.kind == "enum":
            out[name] = list(spec.values)
        else:
            vals = {0.0}
            for v in literals.get(name, ()):
                vals |= {max(v - 1, 0.0), v, v + 1}
            out[name] = sorted(vals)
    return out


def space_size(dom: dict[str, list[Any]]) -> int:
    return int(np.prod([len(v) for v in dom.values()], dtype=np.int64)) if dom else 1


def enumerate_frame(dom: dict[str, list[Any]], limit: int = MAX_ENUMERATED, seed: int = 0) -> tuple[pd.DataFrame, bool]:
    """All combinations as a DataFrame (or a seeded sample of ``limit`` when larger).
    Returns (frame, exhaustive)."""
    names = list(dom)
    size = space_size(dom)
    if size <= limit:
        grids = np.meshgrid(*[np.arange(len(dom[n])) for n in names], indexing="ij")
        idx = {n: g.ravel() for n, g in zip(names, grids)}
        exhaustive = True
    else:
        rng = np.random.default_rng(seed)
        idx = {n: rng.integers(0, len(dom[n]), size=limit) for n in names}
        # Half the sample draws yes/no facts "no" 9 times in 10: most red-line facts are yes/no
        # and rows behind the negative list are reached only when they all are "no"; a uniform
        # sample of a space with many such facts would miss those rows.
        half = limit // 2
        for n in names:
            if CONDITION_FACTS[n].kind == "bool" and len(dom[n]) == 2:
                no = dom[n].index(False) if False in dom[n] else 0
                idx[n][half:] = np.where(rng.random(limit - half) < 0.9, no, 1 - no)
        exhaustive = False
    data = {}
    for n in names:
        spec = CONDITION_FACTS[n]
        values = np.asarray(dom[n], dtype=object)[idx[n]]
        if spec.kind == "enum":
            data[n] = pd.Categorical.from_codes(idx[n], categories=list(spec.values), ordered=True)
        elif spec.kind == "bool":
            data[n] = values.astype(bool)
        else:
            data[n] = values.astype(float)
    return pd.DataFrame(data), exhaustive


def iter_space(dom: dict[str, list[Any]]):
    """Every combination as a dict (small spaces only)."""
    names = list(dom)
    for combo in itertools.product(*(dom[n] for n in names)):
        yield dict(zip(names, combo))
