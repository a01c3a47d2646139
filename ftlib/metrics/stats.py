"""Small vectorised statistics: quantiles from count histograms, Fisher's exact test on many 2×2 tables."""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln


def hist_quantile(hist: np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of integer values 0..V-1 given their counts along the last axis.

    Same definition as ``numpy.quantile(values, q)`` (linear interpolation between the order
    statistics at positions floor/ceil of (n - 1)·q): the median of 2, 3, 10, 11 is 6.5.
    NaN where the histogram is empty.
    """
    hist = np.asarray(hist)
    n = hist.sum(axis=-1)
    cum = np.cumsum(hist, axis=-1)
    pos = np.maximum(n - 1, 0) * q
    lo, hi = np.floor(pos), np.ceil(pos)

    def value_at(i: np.ndarray) -> np.ndarray:   # the i-th smallest value (0-based)
        return (cum <= i[..., None]).sum(axis=-1)

    v_lo, v_hi = value_at(lo), value_at(hi)
    out = v_lo + (v_hi - v_lo) * (pos - lo)
    return np.where(n > 0, out, np.nan)


def _log_hypergeom(x, total, good, draws):
    def lchoose(a, b):
        return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)
    return lchoose(good, x) + lchoose(total - good, draws - x) - lchoose(total, draws)


def fisher_two_sided(a, b, c, d) -> np.ndarray:
    """Two-sided p-values of Fisher's exact test for the 2×2 tables [[a, b], [c, d]] (arrays).

    Same rule as ``scipy.stats.fisher_exact``: the sum of the hypergeometric probabilities of all
    tables with the same margins that are no more likely than the observed one. NaN where a row or
    column of the table is empty (no test possible).
    """
    a, b, c, d = (np.asarray(v, dtype=np.int64).ravel() for v in (a, b, c, d))
    out = np.full(a.shape, np.nan)
    r1, c1, n = a + b, a + c, a + b + c + d
    ok = (r1 > 0) & (c + d > 0) & (c1 > 0) & (b + d > 0)
    if not ok.any():
        return out
    tables = np.stack([a[ok], r1[ok], c1[ok], n[ok]], axis=1)
    uniq, inverse = np.unique(tables, axis=0, return_inverse=True)
    ua, ur1, uc1, un = uniq.T
    lo = np.maximum(0, ur1 - (un - uc1))
    hi = np.minimum(ur1, uc1)
    sizes = hi - lo + 1
    owner = np.repeat(np.arange(len(uniq)), sizes)
    starts = np.cumsum(sizes) - sizes
    x = lo[owner] + (np.arange(sizes.sum()) - starts[owner])
    logp = _log_hypergeom(x, un[owner], uc1[owner], ur1[owner])
    observed = _log_hypergeom(ua, un, uc1, ur1)
    keep = logp <= observed[owner] + 1e-7
    p = np.bincount(owner, weights=np.where(keep, np.exp(logp), 0.0), minlength=len(uniq))
    out[ok] = np.minimum(p, 1.0)[inverse.ravel()]
    return out


def holm(p: np.ndarray) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values along the last axis (one family of tests a row); NaN
    (no test) is left out of the family and stays NaN. Valid whatever the dependence between
    the tests, as with each group against the rest."""
    p = np.asarray(p, dtype=float)
    flat = p.reshape(-1, p.shape[-1]) if p.ndim else p.reshape(1, 1)
    m = (~np.isnan(flat)).sum(axis=1, keepdims=True)
    order = np.argsort(np.where(np.isnan(flat), np.inf, flat), axis=1, kind="stable")
    ranked = np.take_along_axis(flat, order, axis=1)
    factor = m - np.arange(flat.shape[1])                   # m, m-1, …, for the i-th smallest
    adjusted = np.fmax.accumulate(np.where(np.isnan(ranked), np.nan, ranked * factor), axis=1)
    adjusted = np.where(np.isnan(ranked), np.nan, np.minimum(adjusted, 1.0))
    out = np.empty_like(flat)
    np.put_along_axis(out, order, adjusted, axis=1)
    return out.reshape(p.shape)
