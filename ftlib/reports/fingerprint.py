"""What a report depends on, as one digest: a re-run rebuilds only the reports whose digest changed.

A region's report reads the register rows of its own subtree only (its cases and their stages,
appeals, corrections, follow-ups and careers, its clarifications, registrations, headcounts and
the names of its sub-regions; ``ftlib.metrics`` counts nothing outside the subtree). Every row is
hashed once (``pandas.util.hash_pandas_object``, vectorised), the hashes are summed per region
(order-free, modulo 2^64) and rolled up to the ancestors; a report's digest is its region's
subtree sums with the report's parameters, the synthetic-data mark and the code and data that
draw a report. One county's new cases change the sums of that county and its ancestors only:
county, prefecture, province and nation are rebuilt, every other report is reused as it was.
The snapshot time (数据截至) is deliberately left out: a reused page keeps the time its figures
were read, which stays true for figures that did not change.
"""

# Imports inside functions: the package's files are walked only when a digest is asked for.

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ftlib.metrics import RegisterFrames

#: The frames keyed by region, and those keyed by case (their region is the case's).
BY_REGION = ("cases", "clarifications", "registrations", "headcount")
BY_CASE = ("stages", "appeals", "corrections", "followups", "careers")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The code and data a page is drawn with (a new ftlib or new labels rebuild every report)."""
    import ftlib
    from ftlib.resources import data_path

    root = Path(ftlib.__file__).parent
    files = sorted([*root.joinpath("reports").glob("*.py"), *root.joinpath("metrics").glob("*.py"),
                    root / "charts.py", root / "privacy.py", root / "i18n.py", root / "period.py",
                    *Path(data_path()).rglob("*.yaml"), *Path(data_path("reports")).glob("*")])
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    if frame.empty:
        return np.zeros(0, np.uint64)
    cols = sorted(frame.columns)
    return pd.util.hash_pandas_object(frame[cols].astype(str), index=False).to_numpy(np.uint64)


def subtree_digests(frames: RegisterFrames) -> dict[str, str]:
    """region code → digest of every register row in its subtree."""
    reg = frames.regions
    codes = [str(c) for c in reg["code"]]
    pos = {c: i for i, c in enumerate(codes)}
    names = [*BY_REGION, *BY_CASE, "regions"]
    sums = np.zeros((len(codes), len(names)), np.uint64)
    case_region = pd.Series(frames.cases["region"].astype(str).to_numpy(), index=frames.cases["case_id"].astype(str))
    for j, name in enumerate(names):
        frame = getattr(frames, name)
        if frame.empty:
            continue
        if name == "regions":
            where = frame["code"].astype(str)
        elif name in BY_REGION or "region" in frame.columns:
            where = frame["region"].astype(str)
        else:
            where = case_region.reindex(frame["case_id"].astype(str)).fillna("")
        idx = pd.Series(pos).reindex(where.to_numpy()).to_numpy()
        ok = ~np.isnan(idx)
        np.add.at(sums[:, j], idx[ok].astype(np.int64), _row_hashes(frame)[ok])
    parent = dict(zip(codes, (str(p) if isinstance(p, str) else "" for p in reg["parent"])))
    depth: dict[str, int] = {}

    def d(c: str) -> int:
        if c not in depth:
            p = parent.get(c, "")
            depth[c] = 0 if p not in pos or p == c else d(p) + 1
        return depth[c]

    with np.errstate(over="ignore"):
        for c in sorted(codes, key=d, reverse=True):   # children before parents
            p = parent[c]
            if p in pos and p != c:
                sums[pos[p]] += sums[pos[c]]
    return {c: sums[pos[c]].tobytes().hex() for c in codes}


def job_digest(region_digest: str, region: str, start: str, end: str, label: str, lang: str, k: object,
               synthetic: bool) -> str:
    key = "|".join(map(str, (code_digest(), region_digest, region, start, end, label, lang, k, synthetic)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]
