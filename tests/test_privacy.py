"""Small-count suppression, worked by hand, and pseudonymous ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ftlib.privacy import (
    check_publishable,
    exposed,
    mask_rates,
    pseudonymise,
    publish_breakdown,
    suppress,
)


def test_primary_and_complementary_by_hand():
    #        a   b   c | Total
    # r1     3   8  15 | 26       3 < 5 and 2 < 5 are primary. Row r1 and column a would each give 3 back,
    # r2    10   7   2 | 19       so a cycle is closed: r1·c (15: column c already holds the hidden 2)
    # r3    12  20   9 | 41       and r2·a (10) → hidden r1·a, r1·c, r2·a, r2·c: one degree of freedom left
    # Total 25  35  26 | 86       (a + 15 = 18 + ..., every value of a in 1..4 fits).
    t = pd.DataFrame({"a": [3, 10, 12], "b": [8, 7, 20], "c": [15, 2, 9]}, index=["r1", "r2", "r3"])
    s = suppress(t, k=5)
    assert s.display.values.tolist() == [
        ["<5", 8, "*", 26],
        ["*", 7, "<5", 19],
        [12, 20, 9, 41],
        [25, 35, 26, 86],
    ]
    assert exposed(s.values, s.hidden) == []
    # without the complementary cells, row r1 gives 3 back: the audit sees it
    assert ("r1", "a") in exposed(s.values, s.primary)


def test_small_totals_and_zeros():
    #        a   b | Total       b = 2 and its row total 2 are < 5; the 0 stays visible (identifies nobody).
    # r1     0   2 |  2          Column b (2 + 20 = 22) and column Total (2 + 30 = 32) would give them back,
    # r2    10  20 | 30          so r2·b (20) and r2·Total (30) are hidden too.
    # Total 10  22 | 32
    t = pd.DataFrame({"a": [0, 10], "b": [2, 20]}, index=["r1", "r2"])
    s = suppress(t, k=5)
    assert s.display.values.tolist() == [[0, "<5", "<5"], [10, "*", "*"], [10, 22, 32]]
    assert exposed(s.values, s.hidden) == []
    hidden_zero = suppress(t, k=5, zeros_visible=False)
    assert hidden_zero.display.loc["r1", "a"] == "<5"


def test_k_is_configurable_and_large_counts_untouched():
    t = pd.DataFrame({"a": [6, 40], "b": [30, 50]}, index=["x", "y"])
    assert suppress(t, k=5).display.values.tolist() == [[6, 30, 36], [40, 50, 90], [46, 80, 126]]
    s = suppress(t, k=10)
    assert s.display.loc["x", "a"] == "<10"
    assert s.hidden.to_numpy().sum() == 4
    assert exposed(s.values, s.hidden) == []


def test_random_tables_never_expose_a_small_count():
    rng = np.random.default_rng(3)
    for _ in range(40):
        shape = rng.integers(2, 6, size=2)
        t = pd.DataFrame(rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40], size=shape))
        s = suppress(t, k=5)
        assert (s.hidden | ~((s.values > 0) & (s.values < 5))).all().all()
        assert exposed(s.values, s.hidden) == []


def test_publish_breakdown_hides_the_parents_own_cases():
    #            cadre  unit | Total     P's own cases (not in A or B) = P − A − B = (3, 1 | 4): a row that
    # P-A           1     4  |   5       takes part in the sums but is never shown. Primary: A·cadre, A·unit.
    # P-B           8     5  |  13       With the own row hidden, column Total (5 + 13 + own = 22) would give
    # (own)         3     1  |   4       the own total 4 back unless A·Total is hidden too → "*".
    # P            12    10  |  22
    metric = pd.DataFrame({
        "region": ["P", "P-A", "P-B"], "level": [0, 1, 1], "period": "2025Q1",
        "cadre_application": [12, 1, 8], "unit_application": [10, 4, 5],
    })
    s = publish_breakdown(metric, "P", "2025Q1", ["cadre_application", "unit_application"], k=5)
    assert list(s.display.index) == ["P-A", "P-B", "P"]
    assert s.display.values.tolist() == [["<5", "<5", "*"], [8, 5, 13], [12, 10, 22]]
    assert exposed(s.values, s.hidden) == []


def test_mask_rates_follow_their_counts():
    d = pd.DataFrame({"decided": ["<5", 10], "received": [7, 12], "clearance_rate": [0.43, 0.83]})
    out = mask_rates(d, {"clearance_rate": ("decided", "received")})
    assert out["clearance_rate"].tolist() == ["*", 0.83]


def test_pseudonyms_and_publishable_check():
    a = pseudonymise(["张三-001", "李四-002"], key=b"secret")
    assert a.tolist() == pseudonymise(["张三-001", "李四-002"], key=b"secret").tolist()
    assert a.str.match(r"^P-[0-9a-f]{12}$").all()
    assert a[0] != pseudonymise(["张三-001"], key=b"other")[0]
    with pytest.raises(ValueError):
        pseudonymise(["x"], key=b"")
    check_publishable(pd.DataFrame({"cadre_id": a, "n": [1, 2]}))
    with pytest.raises(ValueError, match="pseudonym"):
        check_publishable(pd.DataFrame({"cadre_id": ["张三-001"]}))
    with pytest.raises(ValueError, match="departure_reason"):
        check_publishable(pd.DataFrame({"departure_reason": ["x"]}))
