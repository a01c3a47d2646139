"""The suppression's shortcuts change nothing it hides: a range shown wide by one cycle of hidden
cells needs no LP, and a table protected once (any labels) is not protected again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ftlib import privacy as P


def test_one_cycle_gives_the_range_the_lp_gives_for_a_two_by_two_table():
    # [[2, 6], [7, 3]] with margins; all four body cells hidden. One degree of freedom t:
    # 2+t, 6−t, 7−t, 3+t; the two small counts stay within 1..4: t ∈ [−1, 1], so the 2 is 1..3.
    x = np.array([[2, 6, 8], [7, 3, 10], [9, 9, 18]])
    hidden = np.zeros_like(x, dtype=bool)
    hidden[:2, :2] = True
    primary = (x > 0) & (x < 5)
    idx = {cell: n for n, cell in enumerate(zip(*np.nonzero(hidden)))}
    bounds = [(1, 4) if primary[c] else (0, None) for c in idx]
    eqs, _ = P._margin_equations(x, idx)
    assert P._span(x, hidden, idx, np.array(eqs), bounds, ((0, 0),)) == (1.0, 3.0)
    (_, by_lp), = P._ranges(x, hidden, primary, 5, True, [], [], [((0, 0),)])
    assert by_lp == pytest.approx((1.0, 3.0))
    (_, by_cycle), = P._ranges(x, hidden, primary, 5, True, [], [], [((0, 0),)], wide=2)
    assert by_cycle == (1.0, 3.0)


def test_a_cell_on_no_cycle_has_no_span():
    x = np.array([[2, 6, 8], [7, 3, 10], [9, 9, 18]])
    hidden = np.zeros_like(x, dtype=bool)
    hidden[0, 0] = hidden[0, 1] = True   # one row: both cells bridges, each worked out from the column sums
    idx = {cell: n for n, cell in enumerate(zip(*np.nonzero(hidden)))}
    assert P._span(x, hidden, idx, None, [(1, 4), (0, None)], ((0, 0),)) is None


@pytest.mark.parametrize("seed", [3, 11])
def test_suppression_is_the_same_with_and_without_the_shortcuts(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    plain = P._ranges
    for _ in range(25):
        nr, nc = rng.integers(2, 6), rng.integers(2, 5)
        t = pd.DataFrame(rng.choice([0, 1, 2, 3, 4, 6, 9, 15], size=(nr, nc)),
                         columns=[f"c{i}" for i in range(nc)], index=[f"r{i}" for i in range(nr)])
        kw = {"groups": [["c0", "c1"]]} if nc >= 3 and rng.random() < 0.5 else {}
        if rng.random() < 0.3:
            kw["hidden_rows"] = ["r0"]
        P._PROTECTED.clear()
        fast = P.suppress(t, 5, **kw).hidden.to_numpy()
        P._PROTECTED.clear()
        monkeypatch.setattr(P, "_ranges", lambda *a, **k: plain(*a[:8]))   # every range by LP
        slow = P.suppress(t, 5, **kw).hidden.to_numpy()
        monkeypatch.setattr(P, "_ranges", plain)
        assert (fast == slow).all(), (t, kw)


def test_a_table_protected_once_is_not_solved_again_whatever_its_labels(monkeypatch):
    t = pd.DataFrame([[2, 6, 1], [7, 3, 8], [9, 9, 9]], index=["甲", "乙", "丙"], columns=["a", "b", "c"])
    P._PROTECTED.clear()
    first = P.suppress(t, 5)
    calls = []
    monkeypatch.setattr(P, "_complement", lambda *a, **k: calls.append(a))   # the protection's first step
    again = P.suppress(t.set_axis(["A", "B", "C"]).set_axis(["x", "y", "z"], axis=1), 5)
    assert calls == []
    assert (again.hidden.to_numpy() == first.hidden.to_numpy()).all()
    assert list(again.display.index) == ["A", "B", "C", "Total"]
