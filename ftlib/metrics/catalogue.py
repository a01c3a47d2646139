"""The metric catalogue, computed for a region and all its sub-regions × a list of periods.

Every table returned has the columns ``region``, ``level`` (0 = the region asked for, 1 = its
children, ...) and ``period`` (the period label), one row per region × period (× stage/group
where the table has one more dimension), zero-filled so that regions without any case appear.
A region's figures include all its sub-regions. Formulas: ``docs/metrics.md``.

How it is computed (for 1,000,000 cases in well under a second per group): each event is mapped
to (own region, period[, category]) with integer codes, counted once with ``numpy.bincount`` into
a dense cube, and the cube is rolled up the region tree bottom-up. Medians and percentiles are
taken from rolled-up histograms of integer working days, so they are exact for parents too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ftlib import workdays
from ftlib.metrics.frames import DETERMINATIONS, DISPOSITIONS, TOLERATED_PARTS, FramesError, RegisterFrames
from ftlib.metrics.stats import fisher_two_sided, hist_quantile, holm
from ftlib.period import Period, parse_period
from ftlib.vocabulary import CHANNELS, RANKS, REPORTED_METHODS, TOLERATED

GROUPS: tuple[str, ...] = ("intake", "clearance", "outcomes", "stages", "appeals", "agreement", "departures",
                           "corrections", "followups", "clarifications", "exante", "fairness", "careers")
METHODS: tuple[str, ...] = REPORTED_METHODS
EXEMPT, N_DET = DISPOSITIONS.index("exempt"), len(DETERMINATIONS)
TOLERATED_CODES = tuple(DISPOSITIONS.index(o) for o in TOLERATED)


def _codes(values: pd.Series, categories: Sequence) -> np.ndarray:
    """Position of each value in ``categories``; -1 for a missing or unknown value."""
    return pd.Index(list(categories), dtype=object).get_indexer(pd.Series(values).astype(object)).astype(np.int64)


def _bools(values: pd.Series) -> np.ndarray:
    """1 / 0 / -1 (unknown)."""
    b = pd.Series(values).astype("boolean")
    return np.where(b.isna().to_numpy(), -1, b.fillna(False).to_numpy(dtype=bool).astype(np.int64))


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, float), np.asarray(den, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def as_periods(periods: Iterable[Period | str] | Period | str) -> list[Period]:
    if isinstance(periods, (str, Period)):
        periods = [periods]
    out = [p if isinstance(p, Period) else parse_period(p) for p in periods]
    if not out:
        raise FramesError("periods: give at least one period")
    return out


class Metrics:
    """All metric groups for ``region`` (and its sub-regions) × ``periods``.

    ``periods``: ``Period`` objects or labels (``2025Q3``, ``2025``, ``2025-01-01..2025-06-30``);
    they must not overlap (compute quarters and years in two calls).
    """

    def __init__(self, frames: RegisterFrames, region: str, periods: Iterable[Period | str] | str):
        self.frames = frames
        self._tree(region)
        self.periods = sorted(as_periods(periods), key=lambda p: p.start)
        self.labels = [p.label for p in self.periods]
        self.starts = np.array([p.start for p in self.periods], dtype="datetime64[D]")
        self.ends = np.array([p.end for p in self.periods], dtype="datetime64[D]")
        if (self.starts[1:] <= self.ends[:-1]).any():
            raise FramesError("periods overlap: compute overlapping periods in separate calls")
        self.end_ord = workdays.ordinal(self.ends)
        self.P = len(self.periods)
        c = frames.cases
        self.case_code = self._region_codes(c["region"])
        self.recv = workdays.as_days(c["received"])
        self.dec = workdays.as_days(c["decided"])
        self.recv_ord, self.dec_ord = workdays.ordinal(self.recv), workdays.ordinal(self.dec)
        if (self.dec_ord < self.recv_ord).any():
            bad = c["case_id"].to_numpy()[self.dec < self.recv][:5]
            raise FramesError(f"cases decided before they were received: {', '.join(map(str, bad))}")
        self.p_recv, self.p_dec = self._pidx(self.recv), self._pidx(self.dec)
        self.out = _codes(c["outcome"], DISPOSITIONS)
        self.rec = _codes(c["recommended"], DETERMINATIONS)
        self.is_det = (self.out >= 0) & (self.out < N_DET)
        self.part = self._tolerated_parts(c)
        self._case_index: pd.Index | None = None

    def _tolerated_parts(self, c: pd.DataFrame) -> np.ndarray:
        """Index in ``TOLERATED_PARTS`` of each tolerated case (-1 for the others): its disposition,
        or its outcome's "not recorded" part when the frame has none for it."""
        names = list(TOLERATED_PARTS)
        disp = c["disposition"] if "disposition" in c.columns else pd.Series(None, index=c.index, dtype=object)
        part = _codes(disp, names)                 # not_accountable, exempted, reduced, lighter
        for i, (outcome, d) in enumerate(TOLERATED_PARTS.values()):
            if d is None:
                part = np.where((part < 0) & (self.out == DISPOSITIONS.index(outcome)), i, part)
        return np.where(np.isin(self.out, TOLERATED_CODES), part, -1)

    # -- structure ---------------------------------------------------------------------------
    def _tree(self, region: str) -> None:
        reg = self.frames.regions
        parent = dict(zip(reg["code"], reg["parent"]))
        if region not in parent:
            raise FramesError(f"region {region!r}: not in regions")
        children: dict[str, list[str]] = {}
        for code, par in parent.items():
            if isinstance(par, str) and par:
                children.setdefault(par, []).append(code)
        order, level, stack = [], {}, [(region, 0)]
        while stack:   # depth-first, children sorted: CN-DM, CN-DM-BR, CN-DM-BR-HX, CN-DM-XY ...
            code, lv = stack.pop()
            order.append(code)
            level[code] = lv
            stack.extend((ch, lv + 1) for ch in sorted(children.get(code, []), reverse=True))
        self.region = region
        self.codes = order
        self.level = np.array([level[c] for c in order])
        pos = {c: i for i, c in enumerate(order)}
        self.parent_idx = np.array([pos.get(parent[c], -1) if i else -1 for i, c in enumerate(order)])
        self.C = len(order)
        names = reg.set_index("code")
        self.names = {lang: [str(names.at[c, f"name_{lang}"]) for c in order] for lang in ("zh", "en")}

    def _region_codes(self, values: pd.Series) -> np.ndarray:
        return _codes(values, self.codes)

    def _codes_of(self, frame: pd.DataFrame) -> np.ndarray:
        """Own-region index for rows of a frame keyed by case_id (or carrying ``region``)."""
        if "region" in frame.columns:
            return self._region_codes(frame["region"])
        if self._case_index is None:
            self._case_index = pd.Index(self.frames.cases["case_id"])
        pos = self._case_index.get_indexer(frame["case_id"])
        if (pos < 0).any():
            raise FramesError(f"case_id not in cases: {', '.join(map(str, frame['case_id'][pos < 0][:5]))}")
        return self.case_code[pos]

    def _pidx(self, days: np.ndarray) -> np.ndarray:
        days = workdays.as_days(days)
        i = np.searchsorted(self.starts, days, side="right") - 1
        j = np.clip(i, 0, self.P - 1)
        ok = (i >= 0) & (days <= self.ends[j]) & ~np.isnat(days)
        return np.where(ok, i, -1)

    def _cube(self, code: np.ndarray, per: np.ndarray, mask=None, extra=None, size: int = 1,
              weights=None) -> np.ndarray:
        """Counts (or sums of ``weights``) by own region × period × extra, rolled up: (C, P, size)."""
        ok = (code >= 0) & (per >= 0)
        if mask is not None:
            ok &= mask
        if extra is not None:
            ok &= (extra >= 0) & (extra < size)
        key = (code[ok] * self.P + per[ok]) * size + (extra[ok] if extra is not None else 0)
        w = None if weights is None else np.asarray(weights, float)[ok]
        cube = np.bincount(key, weights=w, minlength=self.C * self.P * size).reshape(self.C, self.P, size)
        return self._rollup(cube if weights is not None else cube.astype(np.int64))

    def _rollup(self, cube: np.ndarray) -> np.ndarray:
        cube = cube.copy()
        for i in np.argsort(-self.level, kind="stable"):
            if self.parent_idx[i] >= 0:
                cube[self.parent_idx[i]] += cube[i]
        return cube

    def _spans(self, code, first, last, extra=None, size: int = 1) -> np.ndarray:
        """Rows active in every period from ``first`` to ``last`` (inclusive), counted per period: (C, P, size)."""
        first, last = np.asarray(first, np.int64), np.minimum(np.asarray(last, np.int64), self.P - 1)
        ok = (first <= last) & (first < self.P)
        start = self._cube(code, np.where(ok, first, -1), extra=extra, size=size)
        stop = self._cube(code, np.where(ok & (last + 1 < self.P), last + 1, -1), extra=extra, size=size)
        return np.cumsum(start - stop, axis=1)

    def _hist(self, code, per, values, mask=None) -> np.ndarray:
        values = np.nan_to_num(values, nan=-1).astype(np.int64)
        ok = values >= 0 if mask is None else mask & (values >= 0)
        size = int(values[ok].max()) + 1 if ok.any() else 1
        return self._cube(code, per, ok, values, size)

    def _table(self, cols: dict[str, np.ndarray], extra: tuple[str, Sequence] | None = None) -> pd.DataFrame:
        """Long table from (C, P) arrays, or (C, P, E) arrays with ``extra = (name, values)``."""
        C, P = self.C, self.P
        E = 1 if extra is None else len(extra[1])
        data = {
            "region": np.repeat(self.codes, P * E),
            "level": np.repeat(self.level, P * E),
            "period": np.tile(np.repeat(self.labels, E), C),
        }
        if extra is not None:
            data[extra[0]] = np.tile(np.asarray(extra[1], dtype=object), C * P)
        for name, arr in cols.items():
            data[name] = np.asarray(arr).reshape(C * P * E)
        return pd.DataFrame(data)

    # -- 1 intake ----------------------------------------------------------------------------
    def intake(self) -> pd.DataFrame:
        """Cases received by channel, per 1,000 cadres; ``empty``: cadres but no case received."""
        chan = _codes(self.frames.cases["channel"], CHANNELS)
        by_chan = self._cube(self.case_code, self.p_recv, extra=chan, size=len(CHANNELS))
        total = self._cube(self.case_code, self.p_recv)[..., 0]
        cadres = self._cadres()
        cols = {ch: by_chan[..., i] for i, ch in enumerate(CHANNELS)}
        cols.update(received=total, cadres=cadres, per_1000_cadres=_rate(total * 1000, cadres),
                    empty=(cadres > 0) & (total == 0))
        return self._table(cols)

    def _cadres(self) -> np.ndarray:
        hc = self.frames.headcount
        code = self._region_codes(hc["region"])
        years = pd.to_numeric(hc["year"]).to_numpy()
        cadres = pd.to_numeric(hc["cadres"]).to_numpy(dtype=float)
        out = np.zeros((self.C, self.P))
        for p, period in enumerate(self.periods):
            m = (years == period.end.year) & (code >= 0)
            out[:, p] = np.bincount(code[m], weights=cadres[m], minlength=self.C)
        return self._rollup(out[..., None])[..., 0]

    def empty_regions(self) -> pd.DataFrame:
        """Regions (at any level) with cadres but no case received in the period (“empty on the document”)."""
        t = self.intake()
        return t.loc[t["empty"], ["region", "level", "period", "cadres"]].reset_index(drop=True)

    # -- 2 clearance and pending -------------------------------------------------------------
    def clearance(self) -> pd.DataFrame:
        received = self._cube(self.case_code, self.p_recv)[..., 0]
        decided = self._cube(self.case_code, self.p_dec, mask=~np.isnat(self.dec))[..., 0]
        codes, pers, ages = [], [], []
        for p in range(self.P):
            pending = (self.recv <= self.ends[p]) & ~(self.dec <= self.ends[p]) & (self.case_code >= 0)
            codes.append(self.case_code[pending])
            pers.append(np.full(int(pending.sum()), p))
            ages.append(self.end_ord[p] - self.recv_ord[pending])
        hist = self._hist(np.concatenate(codes), np.concatenate(pers), np.concatenate(ages))
        n_pending = hist.sum(axis=-1)
        cum = np.cumsum(hist, axis=-1)
        oldest = np.where(n_pending > 0, (cum < n_pending[..., None]).sum(axis=-1), np.nan)
        return self._table({
            "received": received, "decided": decided, "clearance_rate": _rate(decided, received),
            "pending_end": n_pending, "pending_age_median": hist_quantile(hist, 0.5),
            "pending_age_p90": hist_quantile(hist, 0.9), "pending_age_max": oldest,
        })

    # -- 3 outcomes and time to decision -----------------------------------------------------
    def outcomes(self) -> pd.DataFrame:
        mix = self._cube(self.case_code, self.p_dec, extra=self.out, size=len(DISPOSITIONS))
        det = mix[..., :N_DET].sum(axis=-1)
        tolerated = mix[..., 0] + mix[..., 1]
        hist = self._hist(self.case_code, self.p_dec, self.dec_ord - self.recv_ord, mask=self.is_det)
        cols = {o: mix[..., i] for i, o in enumerate(DISPOSITIONS)}
        # 不予问责 / 免予问责 / 减轻 / 从轻 apart (each tolerated outcome's parts sum to it)
        parts = self._cube(self.case_code, self.p_dec, extra=self.part, size=len(TOLERATED_PARTS))
        cols.update({f"disp_{name}": parts[..., i] for i, name in enumerate(TOLERATED_PARTS)})
        cols.update(determinations=det, tolerated=tolerated, tolerance_rate=_rate(tolerated, det),
                    days_median=hist_quantile(hist, 0.5), days_p90=hist_quantile(hist, 0.9))
        return self._table(cols)

    # -- 4 stages within the time limit ------------------------------------------------------
    def stages(self) -> pd.DataFrame:
        st = self.frames.stages
        names = list(pd.unique(st["stage"].dropna()))
        code, stage = self._codes_of(st), _codes(st["stage"], names)
        start, fin = workdays.as_days(st["started"]), workdays.as_days(st["finished"])
        s_ord, f_ord = workdays.ordinal(start), workdays.ordinal(fin)
        limit = pd.to_numeric(st["limit_working_days"]).to_numpy(dtype=float)
        has_limit = ~np.isnan(limit)
        p_fin = self._pidx(fin)
        S = max(len(names), 1)
        finished = self._cube(code, p_fin, extra=stage, size=S)
        with_limit = self._cube(code, p_fin, mask=has_limit, extra=stage, size=S)
        within = self._cube(code, p_fin, mask=has_limit & (f_ord - s_ord <= limit), extra=stage, size=S)
        # open and overdue at the end of period p: end_ord[p] - s_ord > limit and not finished by end p;
        # for each stage that is a run of consecutive periods [first, last]
        first = np.searchsorted(self.end_ord, np.where(has_limit, s_ord + limit, np.inf), side="right")
        last = np.searchsorted(self.ends, fin, side="left") - 1    # NaT sorts last: open to the end
        overdue = self._spans(code, first, last, stage, S)
        if not names:
            finished = finished[..., :0]
            with_limit, within, overdue = finished, finished, finished
        return self._table({"finished": finished, "with_limit": with_limit, "within_limit": within,
                            "share_within_limit": _rate(within, with_limit), "open_overdue": overdue},
                           extra=("stage", names))

    # -- 5 appeals ---------------------------------------------------------------------------
    def appeals(self) -> pd.DataFrame:
        ap = self.frames.appeals
        det = self._cube(self.case_code, self.p_dec, mask=self.is_det)[..., 0]
        has_appeal = self.frames.cases["case_id"].isin(ap["case_id"]).to_numpy()
        appealed = self._cube(self.case_code, self.p_dec, mask=self.is_det & has_appeal)[..., 0]
        code = self._codes_of(ap)
        filed = self._cube(code, self._pidx(ap["filed"]))[..., 0]
        p_done = self._pidx(ap["decided"])
        done = self._cube(code, p_done)[..., 0]
        overturned = self._cube(code, p_done, mask=_bools(ap["overturned"]) == 1)[..., 0]
        return self._table({"determinations": det, "appealed": appealed, "appeal_rate": _rate(appealed, det),
                            "appeals_filed": filed, "appeals_decided": done, "overturned": overturned,
                            "overturn_rate": _rate(overturned, done)})

    # -- 6 agreement with the engine ---------------------------------------------------------
    def agreement(self) -> pd.DataFrame:
        compared_m = self.is_det & (self.rec >= 0)
        depart_m = compared_m & (self.out != self.rec)
        no_reason = self.frames.cases["departure_reason"].isna().to_numpy()
        compared = self._cube(self.case_code, self.p_dec, mask=compared_m)[..., 0]
        departures = self._cube(self.case_code, self.p_dec, mask=depart_m)[..., 0]
        missing = self._cube(self.case_code, self.p_dec, mask=depart_m & no_reason)[..., 0]
        return self._table({"compared": compared, "agreed": compared - departures,
                            "agreement_rate": _rate(compared - departures, compared), "departures": departures,
                            "departures_without_reason": missing})

    def departures(self) -> pd.DataFrame:
        """Departures from the engine's recommendation by decision body, with their reasons (internal use:
        the reason is free text and may identify someone, so this table is not for publication)."""
        c = self.frames.cases
        m = self.is_det & (self.rec >= 0) & (self.out != self.rec) & (self.p_dec >= 0) & (self.case_code >= 0)
        cols = ["decision_body", "recommended", "outcome", "departure_reason"]
        own = pd.DataFrame({"code": self.case_code[m], "p": self.p_dec[m]})
        for col in cols:
            own[col] = c[col].to_numpy()[m]
        own["departure_reason"] = own["departure_reason"].fillna("")
        own["decision_body"] = own["decision_body"].fillna("")
        anc = self._ancestors()
        rows = own.merge(anc, on="code").groupby(["anc", "p", *cols], sort=True).size().rename("cases").reset_index()
        out = pd.DataFrame({"region": np.asarray(self.codes, dtype=object)[rows["anc"]],
                            "level": self.level[rows["anc"]],
                            "period": np.asarray(self.labels, dtype=object)[rows["p"]]})
        for col in [*cols, "cases"]:
            out[col] = rows[col].to_numpy()
        return out

    def _ancestors(self) -> pd.DataFrame:
        pairs = []
        for i in range(self.C):
            j = i
            while j >= 0:
                pairs.append((i, j))
                j = self.parent_idx[j]
        return pd.DataFrame(pairs, columns=["code", "anc"])

    # -- 7 corrections, follow-ups, clarifications -------------------------------------------
    def _deadlines(self, frame: pd.DataFrame, done_col: str) -> pd.DataFrame:
        code = self._codes_of(frame)
        due, done = workdays.as_days(frame["due"]), workdays.as_days(frame[done_col])
        p_due = self._pidx(due)
        n_due = self._cube(code, p_due)[..., 0]
        on_time = self._cube(code, p_due, mask=done <= due)[..., 0]
        # overdue at the end of period p: due <= end p and not done by end p — periods [first, last]
        first = np.searchsorted(self.ends, due, side="left")
        last = np.searchsorted(self.ends, done, side="left") - 1
        overdue = self._spans(code, first, last)[..., 0]
        return self._table({"due": n_due, "on_time": on_time, "on_time_rate": _rate(on_time, n_due),
                            "overdue_open": overdue})

    def corrections(self) -> pd.DataFrame:
        return self._deadlines(self.frames.corrections, "completed")

    def followups(self) -> pd.DataFrame:
        return self._deadlines(self.frames.followups, "visited")

    def clarifications(self) -> pd.DataFrame:
        cl = self.frames.clarifications
        code = self._region_codes(cl["region"])
        accused, cleared = workdays.as_days(cl["accused_on"]), workdays.as_days(cl["cleared_on"])
        p_cl = self._pidx(cleared)
        hist = self._hist(code, p_cl, workdays.ordinal(cleared) - workdays.ordinal(accused))
        methods = list(METHODS) + sorted(set(cl["method"].dropna().astype(str)) - set(METHODS))
        by_method = self._cube(code, p_cl, extra=_codes(cl["method"], methods), size=len(methods))
        cols = {"accusations": self._cube(code, self._pidx(accused))[..., 0],
                "cleared": self._cube(code, p_cl)[..., 0],
                "days_median": hist_quantile(hist, 0.5), "days_p90": hist_quantile(hist, 0.9),
                "accusers_referred": self._cube(code, p_cl, mask=_bools(cl["accuser_referred"]) == 1)[..., 0]}
        cols.update({f"method_{m}": by_method[..., i] for i, m in enumerate(methods)})
        return self._table(cols)

    # -- 8 ex-ante registration --------------------------------------------------------------
    def exante(self) -> pd.DataFrame:
        reg = self.frames.registrations
        registrations = self._cube(self._region_codes(reg["region"]), self._pidx(reg["registered_on"]))[..., 0]
        ex = _bools(self.frames.cases["exante_registered"])
        tol = np.isin(self.out, TOLERATED_CODES)
        cols = {"registrations": registrations}
        for name, flag in (("with", 1), ("without", 0)):
            det = self._cube(self.case_code, self.p_dec, mask=self.is_det & (ex == flag))[..., 0]
            t = self._cube(self.case_code, self.p_dec, mask=self.is_det & (ex == flag) & tol)[..., 0]
            cols.update({f"{name}_determinations": det, f"{name}_tolerated": t,
                         f"{name}_tolerance_rate": _rate(t, det)})
        return self._table(cols)

    # -- 9 fairness (the "small stove" question) ---------------------------------------------
    def fairness(self) -> pd.DataFrame:
        """Among determinations the engine recommended as exempt: the exemption rate by rank and by top-leader
        status. ``p_value``: Fisher's exact test (two-sided) of the group against all other groups;
        ``p_adjusted``: the same, Holm-adjusted for comparing every group of the dimension."""
        c = self.frames.cases
        base = self.is_det & (self.rec == EXEMPT)
        exempted = self.out == EXEMPT
        rank = _codes(c["rank"], RANKS)
        top = _bools(c["top_leader"])
        dims = [("rank", list(RANKS), rank), ("top_leader", [True, False], np.where(top >= 0, 1 - top, -1))]
        tables = []
        for dim, groups, code in dims:
            n = self._cube(self.case_code, self.p_dec, mask=base, extra=code, size=len(groups))
            k = self._cube(self.case_code, self.p_dec, mask=base & exempted, extra=code, size=len(groups))
            n_all, k_all = n.sum(axis=-1, keepdims=True), k.sum(axis=-1, keepdims=True)
            p = fisher_two_sided(k, n - k, k_all - k, (n_all - k_all) - (n - k)).reshape(n.shape)
            # Holm over the groups of one dimension in one region and period; with two groups
            # both rows are the same 2×2 test, a family of one
            adjusted = holm(p) if len(groups) > 2 else p
            t = self._table({"recommended_exempt": n, "exempted": k, "exemption_rate": _rate(k, n),
                             "p_value": p, "p_adjusted": adjusted}, extra=("group", groups))
            t.insert(3, "dimension", dim)
            tables.append(t)
        return pd.concat(tables, ignore_index=True)

    # -- 10 careers --------------------------------------------------------------------------
    def careers(self) -> pd.DataFrame:
        cr = self.frames.careers
        code, p = self._codes_of(cr), self._pidx(cr["impact_end"])
        ev, pr = _bools(cr["evaluated_normally"]), _bools(cr["promoted"])
        cols = {"impact_ended": self._cube(code, p)[..., 0]}
        for name, v in (("evaluated", ev), ("promoted", pr)):
            known = self._cube(code, p, mask=v >= 0)[..., 0]
            yes = self._cube(code, p, mask=v == 1)[..., 0]
            cols.update({f"{name}_known": known, f"{name}_normally" if name == "evaluated" else name: yes,
                         f"{name}_share": _rate(yes, known)})
        return self._table(cols)

    # -- everything --------------------------------------------------------------------------
    def all(self, groups: Iterable[str] = GROUPS) -> dict[str, pd.DataFrame]:
        return {g: getattr(self, g)() for g in groups}


def compute(frames: RegisterFrames, region: str, periods, groups: Iterable[str] = GROUPS) -> dict[str, pd.DataFrame]:
    """Every metric group (or those named) for ``region`` and its sub-regions × ``periods``."""
    unknown = set(groups) - set(GROUPS)
    if unknown:
        raise FramesError(f"unknown metric group(s): {', '.join(sorted(unknown))}")
    return Metrics(frames, region, periods).all(groups)


def quarter_range(first: str, last: str) -> list[Period]:
    """Quarters from ``first`` to ``last`` inclusive, e.g. ``quarter_range("2021Q1", "2025Q4")``."""
    a, b = parse_period(first), parse_period(last)
    return [Period(q.start_time.date(), q.end_time.date(), f"{q.year}Q{q.quarter}")
            for q in pd.period_range(pd.Timestamp(a.start), pd.Timestamp(b.end), freq="Q")]


__all__ = ["GROUPS", "METHODS", "Metrics", "compute", "quarter_range", "as_periods"]
