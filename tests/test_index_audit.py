"""Index audit: nothing the dashboards index publishes together lets a reader work out a count
below the threshold (issue 13: "everything a page publishes together … earlier periods on the
same page"). The index shows, per region, five figures over the last four quarters and two
eight-quarter trend lines; the figures and every point of every drawn line are constraints on the
register's true counts, as in tests/test_page_audit.py:

- a shown count fixes its cell; a shown share ties its numerator to its denominator;
- a region's count = its sub-regions' + its own (own ≥ 0), for the window and for each quarter;
- a region's four-quarter tolerated count = the sum of its last four quarterly points
  (the same quantity, drawn and tabled);
- a flagged region ("no tolerance decision") has tolerated = 0.

Every hidden true count of 1..k-1 (window or quarter) must keep a range of at least ``MIN_RANGE``
under linear programming. The truths come from ``ftlib.metrics.compute`` per window and quarter —
the register's counts, independent of what the overview decided to show."""

from __future__ import annotations

import numpy as np
import pytest

from ftlib.metrics import compute
from ftlib.metrics.synthetic import synthetic
from ftlib.period import Period, parse_period
from ftlib.reports.overview import COUNTS, RATES, build_overview
from tests.test_page_audit import MIN_RANGE, K, Page


@pytest.fixture(scope="module", params=[11, 23])
def frames(request):
    return synthetic(300, 10, "2024Q4", 8, seed=request.param)


def _truth(frames, ov):
    from ftlib.period import quarters

    window = parse_period(ov.quarters[-4]).start, parse_period(ov.quarters[-1]).end
    win = Period(window[0], window[1], "window")
    t = compute(frames, ov.root, [win], groups=("intake", "outcomes", "stages", "appeals"))
    truth = {}
    intake, out, ap = (t[g].set_index("region") for g in ("intake", "outcomes", "appeals"))
    st = t["stages"].groupby("region")[["with_limit", "within_limit"]].sum()
    for r in intake.index:
        vals = {"applications": intake.at[r, "cadre_application"] + intake.at[r, "unit_application"],
                "tolerated": out.at[r, "tolerated"], "determinations": out.at[r, "determinations"],
                "with_limit": st["with_limit"].get(r, 0), "within_limit": st["within_limit"].get(r, 0),
                "appeals": ap.at[r, "appeals_filed"]}
        for c, v in vals.items():
            truth[("ov", c, r, "window", None)] = float(v)
    qs = [parse_period(q) for q in ov.quarters]
    assert [q.label for q in quarters(qs[0].start, qs[-1].end)] == ov.quarters
    tq = compute(frames, ov.root, qs, groups=("intake", "outcomes"))
    for row in tq["intake"].itertuples():
        truth[("q", "received", row.region, row.period, None)] = float(row.received)
    for row in tq["outcomes"].itertuples():
        truth[("q", "tolerated", row.region, row.period, None)] = float(row.tolerated)
    return truth


def _constraints(frames, ov, truth) -> Page:
    page = Page(truth)
    kids = frames.regions.groupby("parent")["code"].apply(list).to_dict()
    shown_codes = {r["code"] for r in ov.rows}
    for r in ov.rows:
        code, figs = r["code"], r["figures"]
        for c in ("applications", "tolerated", "appeals"):
            if figs[c] is not None:
                page.between({("ov", c, code, "window", None): 1.0}, figs[c], figs[c], f"{code} {c}")
        for rate, (num, den) in RATES.items():
            v = figs.get(rate)
            if v is not None and v == v:   # shown (not held back, not n/a): ties num to den (exact here)
                page.share(("ov", num, code, "window", None), ("ov", den, code, "window", None), v, 1e-9,
                           f"{code} {rate}")
        for name, line in r["trends"].items():
            if line is not None:
                for q, v in zip(ov.quarters, line):
                    page.between({("q", name, code, q, None): 1.0}, v, v, f"{code} {name} {q}")
        if code in ov.flagged:
            page.between({("ov", "tolerated", code, "window", None): 1.0}, 0, 0, f"{code} flagged")
    # what a reader knows of how the counts fit together
    for code in shown_codes:
        last4 = {("q", "tolerated", code, q, None): -1.0 for q in ov.quarters[-4:]}
        page.between({("ov", "tolerated", code, "window", None): 1.0, **last4}, 0, 0, f"{code} window = quarters")
        parts = [c for c in kids.get(code, []) if c in shown_codes]
        if not parts:
            continue
        keys = [("ov", c, None, "window", None) for c in COUNTS] + \
               [("q", n, None, q, None) for n in ("received", "tolerated") for q in ov.quarters]
        for (t, col, _, p, s) in keys:
            own = {(t, col, code, p, s): 1.0, **{(t, col, c, p, s): -1.0 for c in parts}}
            page.between(own, 0, np.inf, f"hierarchy {code} {col} {p}")
    return page


def _pinned(frames, ov) -> list:
    truth = _truth(frames, ov)
    page = _constraints(frames, ov, truth)
    targets = [k for k in page.index if 0 < truth[k] < K]
    assert targets, "the register must have small counts for the audit to mean anything"
    pinned = []
    for key in targets:
        lo, hi = page.ranges({key: 1.0})
        if hi - lo < MIN_RANGE - 1e-6:
            pinned.append((key, truth[key], round(lo, 2), round(hi, 2), sorted(page.why)[:4]))
    return pinned


def test_the_index_pins_no_hidden_small_count(frames):
    pinned = _pinned(frames, build_overview(frames, k=K))
    assert pinned == [], "\n".join(map(str, pinned))


def test_the_audit_catches_an_index_that_publishes_small_counts(frames):
    # built with k = 1 the overview holds nothing back: every small count is on the page, pinned
    assert len(_pinned(frames, build_overview(frames, k=1))) > 0
