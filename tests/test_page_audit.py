"""Page audit: nothing on a report page lets a reader work out a count below the threshold.

For every page ``ftlib report --all`` writes for a small seeded register, every figure the page
publishes in either language (headline for both periods, chart data, the sub-region table) is
read back from the report and turned into a linear constraint on the register's true counts:
a shown count fixes its cell, "<5" bounds it to 1..4, a shown share or ratio ties its numerator to
its denominator (within the rounding shown), a chart's total is the sum of its bars. The reader is
also assumed to know how the counts fit together (received = sum of the channels; a region's
count = its sub-regions' + its own, own ≥ 0; determinations = the four determining outcomes;
tolerated = exempt + mitigated; each of these = its dispositions (不予问责, 免予问责, 减轻, 从轻) and
its "not recorded" part; compared = agreed + departures; the clearance and appeals tables
share intake's received and outcomes' determinations) — each identity is added only where it
holds in the data, so the attacker is as strong as the data allows.

For every true count of 1..k-1 among the constrained cells (and every "rest" determinations −
tolerated of that size), linear programming gives the smallest and largest value the page allows.
A hidden small count must not be pinned: the range must span at least ``MIN_RANGE`` (2 for k = 5:
at least three values remain possible).
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import unescape

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from ftlib.metrics import CHANNELS, DISPOSITIONS, TOLERATED_PARTS, compute, metric_label
from ftlib.metrics.synthetic import synthetic
from ftlib.period import quarters
from ftlib.reports.content import HEADLINE, build_report
from ftlib.reports.jobs import plan_jobs

K = 5
MIN_RANGE = 2
DETERMINING = ("exempt", "mitigated", "not_tolerated", "out_of_scope")
#: Columns that are one quantity under two tables' names.
ALIAS = {("clearance", "received"): ("intake", "received"),
         ("appeals", "determinations"): ("outcomes", "determinations")}


class Page:
    """The constraints one page puts on the true counts (keys: table, column, region, period, stage)."""

    def __init__(self, truth: dict[tuple, float]):
        self.truth = truth
        self.index: dict[tuple, int] = {}
        self.rows: list[tuple[dict[int, float], float, float, str]] = []   # lo ≤ Σ coef·x ≤ hi, what

    def key(self, table, col, region, period, stage=None) -> tuple:
        table, col = ALIAS.get((table, col), (table, col))
        return (table, col, region, period, stage)

    def v(self, key: tuple) -> int:
        if key not in self.truth:
            raise KeyError(f"no true value for {key}")
        return self.index.setdefault(key, len(self.index))

    def between(self, terms: dict[tuple, float], lo: float, hi: float, what: str) -> None:
        true = sum(c * self.truth[k] for k, c in terms.items())
        assert lo - 1e-6 <= true <= hi + 1e-6, f"audit misread {what}: true {true}, page says {lo}..{hi}"
        row: dict[int, float] = defaultdict(float)
        for k, c in terms.items():
            row[self.v(k)] += c
        self.rows.append((dict(row), lo, hi, what))

    def share(self, num: tuple, den: tuple, r: float, tol: float, what: str) -> None:
        """num = r·den within ±tol·den."""
        self.between({num: 1.0, den: -(r + tol)}, -np.inf, 0.0, what)
        self.between({num: 1.0, den: -(r - tol)}, 0.0, np.inf, what)

    def identities(self, regions: pd.DataFrame) -> None:
        kids = regions.groupby("parent")["code"].apply(list).to_dict()
        for key in list(self.index):
            table, col, region, period, stage = key
            if region in kids:           # a region's count = its sub-regions' + its own (≥ 0)
                parts = [(table, col, c, period, stage) for c in kids[region]]
                if all(p in self.truth for p in parts) and \
                        self.truth[key] >= sum(self.truth[p] for p in parts) - 1e-9:
                    self.between({key: 1.0, **{p: -1.0 for p in parts}}, 0.0, np.inf, f"hierarchy {key}")
        seen = {(r, p) for (_, _, r, p, _) in self.index}
        for region, period in seen:
            def k(t, c, region=region, period=period):
                return self.key(t, c, region, period)
            for total, parts in ((k("intake", "received"), [k("intake", c) for c in CHANNELS]),
                                 (k("outcomes", "determinations"), [k("outcomes", c) for c in DETERMINING]),
                                 (k("outcomes", "tolerated"), [k("outcomes", "exempt"), k("outcomes", "mitigated")]),
                                 *((k("outcomes", o), [k("outcomes", f"disp_{p}") for p, (of, _) in
                                                       TOLERATED_PARTS.items() if of == o]) for o in ("exempt", "mitigated")),
                                 (k("agreement", "compared"), [k("agreement", "agreed"), k("agreement", "departures")]),
                                 (k("clearance", "decided"), [k("outcomes", c) for c in DISPOSITIONS])):
                if total in self.truth and all(p in self.truth for p in parts) and \
                        abs(self.truth[total] - sum(self.truth[p] for p in parts)) < 1e-9:
                    self.between({total: 1.0, **{p: -1.0 for p in parts}}, 0.0, 0.0, f"identity {total}")

    def ranges(self, terms: dict[tuple, float]) -> tuple[float, float]:
        n = len(self.index)
        a_ub, b_ub, whats = [], [], []
        for row, lo, hi, what in self.rows:
            vec = np.zeros(n)
            for i, c in row.items():
                vec[i] = c
            if hi < np.inf:
                a_ub.append(vec)
                b_ub.append(hi)
                whats.append(what)
            if lo > -np.inf:
                a_ub.append(-vec)
                b_ub.append(-lo)
                whats.append(what)
        c = np.zeros(n)
        for k, coef in terms.items():
            c[self.index[k]] += coef
        out, self.why = [], set()
        for sign in (1, -1):
            res = linprog(sign * c, A_ub=np.array(a_ub), b_ub=b_ub, bounds=(0, None), method="highs")
            assert res.status in (0, 3), res.message        # 3: unbounded above
            out.append(sign * res.fun if res.status == 0 else np.inf)
            if res.status == 0:   # the published figures that bind (for the failure message)
                self.why |= {whats[i] for i in np.flatnonzero(np.abs(res.ineqlin.marginals) > 1e-9)}
        return out[0], out[1]


def _truth(frames, region: str, periods: list) -> tuple[dict[tuple, float], dict[str, pd.DataFrame]]:
    tables = compute(frames, region, periods)
    truth: dict[tuple, float] = {}
    for name, t in tables.items():
        num = [c for c in t.columns if c not in ("region", "level", "period", "stage") and
               pd.api.types.is_numeric_dtype(t[c])]
        for row in t.itertuples(index=False):
            d = row._asdict()
            for c in num:
                table, col = ALIAS.get((name, c), (name, c))
                if name != table:
                    continue       # the alias' own table holds the value
                if pd.notna(d[c]):
                    truth[(table, col, d["region"], d["period"], d.get("stage"))] = float(d[c])
    return truth, tables


def _reverse(lang: str, keys) -> dict[str, str]:
    return {metric_label(k, lang): k.split(".", 1)[1] for k in keys}


def _count_text(text: str) -> tuple[float, float] | None:
    text = str(text).strip()
    if text == f"<{K}":
        return 1, K - 1
    if text.replace(",", "").isdigit():
        v = float(text.replace(",", ""))
        return v, v
    return None


def _read_headline(page: Page, rep, cadres: dict) -> None:
    spec = {key: (table, col, kind, num, den) for key, table, col, kind, num, den in HEADLINE}
    for row in rep.headline.itertuples():
        table, col, kind, num, den = spec[row.key]
        for text, period in ((row.value, rep.period.label), (row.previous, rep.period.previous().label)):
            key = page.key(table, col, rep.region, period)
            if kind == "count":
                got = _count_text(text)
                if got:
                    page.between({key: 1.0}, *got, f"headline {row.key} {period}")
            elif text.endswith("%") and not text.startswith("<"):
                r = float(text[:-1]) / 100
                page.share(page.key(table, num, rep.region, period), page.key(table, den, rep.region, period),
                           r, 0.0005 + 1e-9, f"headline {row.key} {period}")
            elif row.key == "per_1000_cadres" and text[:1].isdigit():
                c = cadres[(rep.region, period)]
                r = float(text)
                page.between({page.key("intake", "received", rep.region, period): 1.0},
                             c * (r - 0.005) / 1000, c * (r + 0.005) / 1000, "per 1000")


#: chart in the order build_report makes them → (table, by, counts' total column or None, share specs)
SHARES = {
    "clearance_rate": ("clearance", "decided", "received"),
    "appeal_rate": ("appeals", "appealed", "determinations"),
    "overturn_rate": ("appeals", "overturned", "appeals_decided"),
    "agreement_rate": ("agreement", "agreed", "compared"),
    "corrections": ("corrections", "on_time", "due"),
    "followups": ("followups", "on_time", "due"),
    "evaluated_share": ("careers", "evaluated_normally", "evaluated_known"),
    "promoted_share": ("careers", "promoted", "promoted_known"),
    "share_within_limit": ("stages", "within_limit", "with_limit"),
}
CHARTS = [("trends", "intake", "period"), ("trends", "clearance", "period"), ("outcomes", "outcomes", "period"),
          ("stages", "stages", "period"), ("appeals", "appeals", "period"), ("agreement", "agreement", "period"),
          ("aftercare", "deadlines", "period"), ("aftercare", "careers", "period"),
          ("subregions", "intake", "region")]


def _read_charts(page: Page, rep, names_back: dict[str, str]) -> None:
    lang = rep.lang
    labels = _reverse(lang, [f"column.{c}" for c in (*CHANNELS, *DISPOSITIONS, *SHARES)]
                      + [f"column.disp_{p}" for p in TOLERATED_PARTS]
                      + ["group.corrections", "group.followups", "column.share_within_limit"])
    stages = _reverse(lang, [f"value.{s}" for s in ("acceptance", "investigation", "decision", "feedback",
                                                    "filing", "review")])
    specs = [spec for sec in rep.sections for spec in sec.specs()]
    assert len(specs) == len(CHARTS)
    for (_, table, by), spec in zip(CHARTS, specs):
        for rows in spec.get("datasets", {}).values():
            for r in rows:
                if by == "region" and "region" in r:
                    where = (names_back[r["region"]], rep.period.label)
                elif "period" in r:
                    where = (rep.region, r["period"])
                else:
                    continue          # a note or a rule
                if "total" in r:
                    cols = CHANNELS if table == "intake" else DISPOSITIONS
                    page.between({page.key(table, c, *where): 1.0 for c in cols}, r["total"], r["total"],
                                 f"{table} total {where}")
                elif "count" in r and r.get("measure") in labels:
                    page.between({page.key(table, labels[r["measure"]], *where): 1.0}, r["count"], r["count"],
                                 f"{table} bar {labels[r['measure']]} {where}")
                elif "stage" in r:
                    t, num, den = SHARES["share_within_limit"]
                    stage = stages[r["stage"]]
                    page.share(page.key(t, num, *where, stage), page.key(t, den, *where, stage), r["value"], 1e-9,
                               "stage share")
                elif "value" in r and labels.get(r.get("measure")) in SHARES:
                    t, num, den = SHARES[labels[r["measure"]]]
                    page.share(page.key(t, num, *where), page.key(t, den, *where), r["value"], 1e-9,
                               f"{t} share {where}")


def _html_table(html: str) -> pd.DataFrame:
    """The table as written by ``DataFrame.to_html`` (header row, then a header cell and data cells a row)."""
    rows = [[unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]
    head, *body = rows
    return pd.DataFrame([r[1:] for r in body], index=[r[0] for r in body], columns=head[1:])


def _read_table(page: Page, rep, names_back: dict[str, str]) -> None:
    html = rep.sections[-1].table_html
    if not html:
        return
    t = _html_table(html)
    lang = rep.lang
    received, not_tol, tol = (metric_label(f"column.{c}", lang) for c in ("received", "not_tolerated", "tolerated"))
    for name, row in t.iterrows():
        region = names_back.get(name, rep.region)     # the total row is the region itself
        p = rep.period.label

        def k(table, col, region=region, p=p):
            return page.key(table, col, region, p)
        exprs = {received: {k("intake", "received"): 1.0},
                 not_tol: {k("outcomes", "determinations"): 1.0, k("outcomes", "tolerated"): -1.0},
                 tol: {k("outcomes", "tolerated"): 1.0},
                 t.columns[-1]: {k("outcomes", "determinations"): 1.0}}
        for col, terms in exprs.items():
            got = _count_text(row[col])
            if got:
                page.between(terms, *got, f"table {name} {col}")


@pytest.fixture(scope="module")
def frames():
    return synthetic(300, 10, "2024Q4", 2, seed=11)


def test_no_page_pins_a_hidden_small_count(frames):
    jobs = plan_jobs(all_=True, frames=frames)
    assert len(jobs) == 20     # 10 regions × 2 quarters
    pinned, checked = audit(frames, jobs)
    assert checked > 20            # the register does have small counts on its pages
    assert pinned == [], "\n".join(map(str, pinned))


def audit(frames, jobs) -> tuple[list, int]:
    """Pinned hidden small counts over the pages of ``jobs``, and how many small counts were checked."""
    reg = frames.regions.set_index("code")
    pinned, checked = [], 0
    for job in jobs:
        period = job.period
        trend = quarters(min(period.start, period.end - pd.Timedelta(days=270)), period.end)
        periods = sorted({*(q.label for q in trend), period.previous().label, period.label})
        truth, tables = _truth(frames, job.region, periods)
        page = Page(truth)
        it = tables["intake"]
        cadres = {(r.region, r.period): r.cadres for r in it.itertuples()}
        for lang in ("zh", "en"):
            rep = build_report(frames, job.region, period, lang, K)
            back = {str(reg.at[c, f"name_{lang}"]): c for c in reg.index}
            _read_headline(page, rep, cadres)
            _read_charts(page, rep, back)
            _read_table(page, rep, back)
        page.identities(frames.regions)
        targets = [({key: 1.0}, key) for key in list(page.index) if 0 < truth[key] < K]
        for (t, _, r, p, _) in list(page.index):
            if t == "outcomes":
                d, tl = page.key(t, "determinations", r, p), page.key(t, "tolerated", r, p)
                if d in page.index and tl in page.index and 0 < truth[d] - truth[tl] < K:
                    targets.append(({d: 1.0, tl: -1.0}, ("outcomes", "determinations-tolerated", r, p, None)))
        done = set()
        for terms, key in targets:
            if key in done:
                continue
            done.add(key)
            checked += 1
            lo, hi = page.ranges(terms)
            if hi - lo < MIN_RANGE - 1e-6:
                pinned.append((job.region, period.label, key, truth.get(key), round(lo, 2), round(hi, 2),
                               sorted(page.why)))
    return pinned, checked
