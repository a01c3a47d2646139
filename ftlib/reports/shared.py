"""The metrics of many reports computed once: one pass over the register for every region.

``ftlib.metrics.compute(frames, region, periods)`` counts the cases of ``region``'s subtree; a
report run for 3,207 regions would make 3,207 such passes per period set (and twice as many for
the two languages). Here the metrics are computed once for each root of the region tree and
each report takes the rows of its own subtree, its levels counted from itself — the same tables
``compute`` gives for that region (``tests/test_report_batch.py`` checks this table by table).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ftlib.metrics import RegisterFrames, compute
from ftlib.period import Period


class SharedMetrics:
    """Metric tables of every region of ``frames``, computed once per set of periods."""

    def __init__(self, frames: RegisterFrames):
        self.frames = frames
        reg = frames.regions
        codes = [str(c) for c in reg["code"]]
        parent = {str(c): (str(p) if isinstance(p, str) and p else None) for c, p in zip(reg["code"], reg["parent"])}
        children: dict[str, list[str]] = {}
        for c, p in parent.items():
            if p in parent:
                children.setdefault(p, []).append(c)
        self.roots = sorted(c for c in codes if parent[c] not in parent)
        # depth-first order as Metrics walks it (children sorted), and each region's span in it
        self.order: list[str] = []
        self.depth: dict[str, int] = {}
        stack = [(r, 0) for r in reversed(self.roots)]
        while stack:
            code, d = stack.pop()
            self.order.append(code)
            self.depth[code] = d
            stack.extend((ch, d + 1) for ch in sorted(children.get(code, []), reverse=True))
        self.pos = {c: i for i, c in enumerate(self.order)}
        self.span: dict[str, int] = {}
        for code in reversed(self.order):   # subtree size, children before parents
            self.span[code] = 1 + sum(self.span[ch] for ch in children.get(code, []))
        self.root_of: dict[str, str] = {}
        for r in self.roots:
            for c in self.order[self.pos[r]:self.pos[r] + self.span[r]]:
                self.root_of[c] = r
        self._cache: dict[tuple, dict[str, tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]]] = {}
        self._recent: dict[tuple, dict[str, pd.DataFrame]] = {}   # the last report's tables (its other language)
        self.memo: dict[tuple, object] = {}   # what reports keep for their other language (content._memo)

    def _tables(self, root: str, periods: Sequence[Period]) -> tuple[dict[str, pd.DataFrame], dict[str, np.ndarray]]:
        key = tuple((p.start, p.end, p.label) for p in periods)
        per_root = self._cache.setdefault(key, {})
        if root not in per_root:
            tables = compute(self.frames, root, list(periods))
            pos = {name: pd.Series(self.pos).reindex(t["region"].astype(str)).to_numpy(np.int64)
                   for name, t in tables.items()}
            per_root[root] = (tables, pos)
            if len(self._cache) > 8:   # a run uses a few period sets; keep memory bounded
                self._cache.pop(next(iter(self._cache)))
        return per_root[root]

    def compute(self, region: str, periods: Sequence[Period]) -> dict[str, pd.DataFrame]:
        """What ``compute(frames, region, periods)`` returns, from the shared pass."""
        if region not in self.pos:
            return compute(self.frames, region, list(periods))   # its error message
        key = (region, *((p.start, p.end, p.label) for p in periods))
        if key not in self._recent:
            if len(self._recent) >= 4:   # a report asks two period sets, once per language
                self._recent.pop(next(iter(self._recent)))
            self._recent[key] = self._subtree(region, periods)
        return {name: t.copy(deep=False) for name, t in self._recent[key].items()}   # a chart may add columns

    def _subtree(self, region: str, periods: Sequence[Period]) -> dict[str, pd.DataFrame]:
        tables, pos = self._tables(self.root_of[region], periods)
        a, b = self.pos[region], self.pos[region] + self.span[region]
        d = self.depth[region]
        out = {}
        for name, t in tables.items():
            rows = np.flatnonzero((pos[name] >= a) & (pos[name] < b))
            part = t.take(rows).reset_index(drop=True)
            if d:
                part["level"] = part["level"] - d
            out[name] = part
        return out


class SubtreeMetrics:
    """For one report: ``compute`` for its region, each period set once (shared by its languages)."""

    def __init__(self, frames: RegisterFrames):
        self.frames = frames
        self._cache: dict[tuple, dict[str, pd.DataFrame]] = {}
        self.memo: dict[tuple, object] = {}   # what the page keeps for its other language (content._memo)

    def compute(self, region: str, periods: Sequence[Period]) -> dict[str, pd.DataFrame]:
        key = (region, *((p.start, p.end, p.label) for p in periods))
        if key not in self._cache:
            self._cache[key] = compute(self.frames, region, list(periods))
        return {name: t.copy() for name, t in self._cache[key].items()}   # a chart may add columns
