"""What an implementation report says, independent of how it is shown (Voilà or static HTML).

Every number that leaves this module has passed the privacy rules: counts below k are shown as
"<k", rates whose numerator or denominator is hidden are hidden too, and breakdown tables get
complementary suppression (``ftlib.privacy``).
"""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ftlib.i18n import label
from ftlib.metrics import CHANNELS, RegisterFrames, compute, metric_label
from ftlib.period import Period, quarters
from ftlib.privacy import MARK, may_publish, outcome_figures, published_text, suppress
from ftlib.reports import ReportError
from ftlib.reports.sortable import sortable, with_total_footer

#: The headline figures: (key, table, column, kind, numerator column, denominator column). The kind
#: and the two columns are what ``ftlib.privacy.may_publish`` judges a figure by.
HEADLINE: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (
    ("received", "intake", "received", "count", None, None),
    ("per_1000_cadres", "intake", "per_1000_cadres", "ratio", "received", None),
    ("decided", "clearance", "decided", "count", None, None),
    ("clearance_rate", "clearance", "clearance_rate", "ratio%", "decided", "received"),
    ("pending_end", "clearance", "pending_end", "count", None, None),
    ("tolerated", "outcomes", "tolerated", "count", None, None),
    ("tolerance_rate", "outcomes", "tolerance_rate", "rate", "tolerated", "determinations"),
    ("days_median", "outcomes", "days_median", "stat", None, "determinations"),
    ("appeal_rate", "appeals", "appeal_rate", "rate", "appealed", "determinations"),
    ("overturn_rate", "appeals", "overturn_rate", "rate", "overturned", "appeals_decided"),
    ("agreement_rate", "agreement", "agreement_rate", "rate", "agreed", "compared"),
    ("corrections_on_time", "corrections", "on_time_rate", "rate", "on_time", "due"),
    ("followups_on_time", "followups", "on_time_rate", "rate", "on_time", "due"),
    ("clarified", "clarifications", "cleared", "count", None, None),
    ("registrations", "exante", "registrations", "count", None, None),
)


@dataclass
class Section:
    key: str
    title: str
    chart_makers: list[Callable[[], Any]] = field(default_factory=list)  # built only when drawn
    table_html: str = ""
    note: str = ""

    def specs(self) -> list[dict]:
        """The section's charts as Vega-Lite specs, each checked to hold aggregated data only."""
        # built as plain specs, without Altair's objects (``charts.specs_only``; the same specs,
        # tests/test_charts.py), and not validated: Altair took a third of a report run
        with charts_mod().specs_only():
            out = [make().to_dict(validate=False) for make in self.chart_makers]
        for spec in out:
            charts_mod().assert_aggregated(spec)
        return out


def charts_mod():
    """``ftlib.charts``, imported on first use: Altair takes over a second to import, and a
    report that only validates its parameters and computes its figures does not need it."""
    from ftlib import charts

    return charts


@dataclass
class Report:
    region: str
    region_name: str
    period: Period
    lang: str
    k: int
    headline: pd.DataFrame        # key, label, value, previous (display strings)
    summary: list[str]
    sections: list[Section]
    meta: dict = field(default_factory=dict)  # the register's snapshot time and synthetic mark


def fmt_value(value: Any, kind: str, den: Any, k: int, num: Any = None) -> str:
    """One published figure, as ``ftlib.privacy.published_text`` writes it ("days" is a statistic,
    "ratio%" a ratio shown as a percentage)."""
    return published_text(value, {"days": "stat", "ratio%": "ratio"}.get(kind, kind), num=num, den=den, k=k,
                          percent=kind in ("rate", "ratio%"))


#: What a held-back figure shows on a page (the legend, ``page.hidden``, says why).
HELD_BACK = "—"


def shown_text(text: str, lang: str) -> str:
    """A published figure as the reader sees it: whatever ``published_text`` held back ("<k",
    "<k*", "*") as "—", explained by the legend; no figure at all as "无" / "n/a"."""
    text = str(text)
    if text == "—":
        return label("page.not_applicable", lang)
    return HELD_BACK if text.startswith("<") or text == MARK else text


def validate(frames: RegisterFrames, region: str, period: Period, lang: str, k: int) -> None:
    known = set(frames.regions["code"])
    if region not in known:
        raise ReportError(f"region {region!r}: unknown (known: {', '.join(sorted(known))})")
    if period.end < period.start:
        raise ReportError(f"period {period.start}..{period.end}: ends before it starts")
    if lang not in ("zh", "en"):
        raise ReportError(f"lang {lang!r}: use zh or en")
    if int(k) < 1:
        raise ReportError(f"min_cell {k!r}: must be at least 1")


class _Tops:
    """The report region's own row (level 0) of each metric table, per period, found once for the
    headline and the summary (a boolean filter of a table per figure was a fifth of a report's time),
    and which outcome figures the page may give for each period (``privacy.outcome_figures`` on
    those rows at once)."""

    def __init__(self, cur: dict[str, pd.DataFrame], k: int):
        self.cur, self.k = cur, k
        self._rows: dict[str, tuple[pd.DataFrame, list[dict], dict[str, int]]] = {}
        self._given: pd.DataFrame | None = None
        self.figures: dict[tuple[str, str], str] = {}   # the headline's, before ``shown_text``: any language

    def _level0(self, table: str) -> tuple[pd.DataFrame, list[dict], dict[str, int]]:
        if table not in self._rows:
            t = self.cur[table]
            top = t[t["level"].to_numpy() == 0]
            first: dict[str, int] = {}
            for i, p in enumerate(top["period"].tolist()):
                first.setdefault(p, i)
            self._rows[table] = (top, top.to_dict("records"), first)
        return self._rows[table]

    def row(self, table: str, period: str) -> dict:
        """The row as a dict (empty when the table has none for ``period``)."""
        _, records, first = self._level0(table)
        i = first.get(period)
        return records[i] if i is not None else {}

    def given(self, period: str, what: str) -> bool:
        """May the page give the outcomes row's ``what`` for ``period`` (``privacy.outcome_figures``)?"""
        top, _, first = self._level0("outcomes")
        i = first.get(period)
        if i is None:
            return False
        if self._given is None:
            self._given = outcome_figures(top, self.k)
        return bool(self._given[what].iloc[i])


def _headline(tops: _Tops, cur_label: str, prev_label: str, lang: str, k: int) -> pd.DataFrame:
    rows = []
    for key, table, col, kind, num, den in HEADLINE:
        def fig(period: str, table=table, col=col, kind=kind, num=num, den=den, key=key) -> str:
            if (key, period) in tops.figures:
                return tops.figures[key, period]
            row = tops.row(table, period)
            if key in ("tolerance_rate", "tolerated") and not tops.given(
                    period, "determinations" if key == "tolerance_rate" else "tolerated"):
                text = "—" if not row else f"<{k}*"   # it would give a small group away
            else:
                text = fmt_value(row.get(col), kind, row.get(den) if den else None, k, row.get(num) if num else None)
            tops.figures[key, period] = text
            return text

        rows.append({
            "key": key,
            "label": label(f"headline.{key}", lang),
            "value": shown_text(fig(cur_label), lang),
            "previous": shown_text(fig(prev_label), lang),
            "raw": tops.row(table, cur_label).get(col),
        })
    return pd.DataFrame(rows)


def _change(now: Any, before: Any) -> float | None:
    try:
        a, b = float(now), float(before)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(a) or np.isnan(b) else a - b


def _summary(cur: dict[str, pd.DataFrame], tops: _Tops, cur_label: str, prev_label: str, lang: str,
             k: int) -> list[str]:
    """A few sentences on what changed since the previous period, from published figures only."""
    out: list[str] = []
    i_now, i_before = tops.row("intake", cur_label), tops.row("intake", prev_label)
    received, before = int(i_now.get("received", 0) or 0), int(i_before.get("received", 0) or 0)
    if received == 0:
        out.append(label("summary.no_cases", lang))
    elif received >= k and before >= k:
        d = received - before
        key = "summary.received_up" if d > 0 else "summary.received_down" if d < 0 else "summary.received_same"
        out.append(label(key, lang).format(now=received, before=before, diff=abs(d)))
    else:
        out.append(label("summary.received_small", lang).format(k=k))
    o_now, o_before = tops.row("outcomes", cur_label), tops.row("outcomes", prev_label)
    def shown(row: dict, period: str) -> bool:   # the tolerance rate of the period is itself publishable
        return may_publish("rate", row.get("tolerance_rate"), num=row.get("tolerated"),
                           den=row.get("determinations"), k=k) and tops.given(period, "determinations")

    if shown(o_now, cur_label) and shown(o_before, prev_label):
        ch = _change(o_now.get("tolerance_rate"), o_before.get("tolerance_rate"))
        if ch is not None:
            out.append(label("summary.tolerance", lang).format(
                now=100 * float(o_now["tolerance_rate"]), diff=100 * abs(ch), sign="+" if ch >= 0 else "−"))
        ch = _change(o_now.get("days_median"), o_before.get("days_median"))
        if ch is not None:
            out.append(label("summary.days", lang).format(now=float(o_now["days_median"]), diff=abs(ch),
                                                            sign="+" if ch >= 0 else "−"))
    st = cur["stages"]
    st = st[(st["level"] == 0) & (st["period"] == cur_label) & (st["with_limit"] >= k)]
    late = st[st["share_within_limit"] < 0.9]
    if len(late):
        names = "、".join(metric_label(f"value.{s}", lang) for s in late["stage"]) if lang == "zh" else \
            ", ".join(metric_label(f"value.{s}", lang) for s in late["stage"])
        out.append(label("summary.stages_late", lang).format(stages=names))
    intake = cur["intake"]
    empty = intake[(intake["period"] == cur_label) & (intake["level"] > 0) & intake["empty"].astype(bool)]
    if len(empty):
        out.append(label("summary.empty_regions", lang).format(n=len(empty)))
    return out


def _subregion_table(cur: dict[str, pd.DataFrame], period: str, region: str, names: dict[str, str], lang: str,
                     k: int) -> str:
    """Received, not tolerated and tolerated per direct sub-region, with small cells protected. The
    region's own cases (in no sub-region) take part in the totals as a hidden row, so that a total
    minus the shown sub-regions never gives a hidden one back."""
    intake, outcomes = cur["intake"], cur["outcomes"]
    lv = intake.loc[intake["region"] == region, "level"]
    if lv.empty:
        return ""
    here = (intake["period"] == period) & (intake["level"] == int(lv.iloc[0]) + 1) & \
        intake["region"].str.startswith(region + "-")
    rows = intake[here].set_index("region")
    if rows.empty:
        return ""
    o = outcomes[outcomes["period"] == period].set_index("region")
    kids = list(rows.index)

    def col(frame: pd.DataFrame, expr) -> pd.Series:
        part = expr(frame.reindex(kids)).fillna(0).astype(np.int64)
        total = expr(frame.reindex([region])).fillna(0).astype(np.int64)
        return pd.concat([part, pd.Series({"(own)": int(total.iloc[0]) - int(part.sum())})])

    received = metric_label("column.received", lang)
    counts = pd.DataFrame({
        received: col(intake[intake["period"] == period].set_index("region"), lambda f: f["received"]),
        metric_label("column.not_tolerated", lang): col(o, lambda f: f["determinations"] - f["tolerated"]),
        metric_label("column.tolerated", lang): col(o, lambda f: f["tolerated"]),
    })
    counts.index = [names.get(r, r) for r in kids] + ["(own)"]
    own = ["(own)"] if (counts.loc["(own)"] != 0).any() else []
    if not own:
        counts = counts.drop(index="(own)")
    total = label("report.total", lang)
    kw = dict(total_label=total, total_row_label=total, hidden_rows=own)
    parent = o.reindex([region])
    given = None if parent.empty else outcome_figures(parent, k).iloc[0]
    force = [] if given is None else [(total, c) for c, what in
                                      ((total, "determinations"), (counts.columns[2], "tolerated")) if not given[what]]
    shown = suppress(counts.iloc[:, 1:], k, force=force, **kw).display
    # received as the sub-region intake chart shows its totals: the same protected breakdown
    wide = rows[list(CHANNELS)].astype(np.int64)
    chan = charts_mod().protected_breakdown(wide, k, intake[(intake["period"] == period) &
                                                            (intake["region"] == region)].iloc[0])
    tot = chan.values["__total__"].where(~chan.hidden["__total__"]).drop(index=["__own__"], errors="ignore")
    small = chan.primary["__total__"]
    first = [f"<{k}" if small[r] else ("*" if pd.isna(v) else int(v)) for r, v in tot.items()]
    shown.insert(0, received, first)
    shown = shown.map(lambda v: shown_text(v, lang) if isinstance(v, str) else v)
    table = shown.to_html(classes="ftlib-table", border=0, escape=True)
    return sortable(with_total_footer(table) if total in shown.index else table)


def _memo(shared: Any, key: tuple, make: Callable[[], Any]) -> Any:
    """``make()``, kept in ``shared.memo`` when there is one (the metrics of a run, or of one page:
    ``reports.shared``) so that a page's other language, and the run's other reports, do not
    compute it again; a few dozen entries at most."""
    memo = getattr(shared, "memo", None)
    if memo is None:
        return make()
    if key not in memo:
        if len(memo) >= 64:
            memo.clear()
        memo[key] = make()
    return memo[key]


def build_report(frames: RegisterFrames, region: str, period: Period, lang: str = "zh", k: int = 5,
                 shared: Any = None) -> Report:
    """The report; ``shared`` (``ftlib.reports.shared.SharedMetrics``) gives the metric tables from
    one pass over the register for all reports of a run instead of a pass per report."""
    validate(frames, region, period, lang, k)
    prev = period.previous()
    figures = shared.compute if shared is not None else (lambda r, ps: compute(frames, r, ps))
    cur = figures(region, [prev, period])
    # the region's rows and headline figures once for the page's languages (kept on ``shared``)
    tops = _memo(shared, ("tops", region, prev, period, k), lambda: _Tops(cur, k))
    # The four quarters up to the period end (more when the period itself is longer).
    trend_periods = quarters(min(period.start, period.end - pd.Timedelta(days=270)), period.end)
    trend = figures(region, trend_periods)
    names = _memo(shared, ("names", lang), lambda: dict(zip(frames.regions["code"].tolist(),
                                                         map(str, frames.regions[f"name_{lang}"].tolist()))))
    def chart(name: str, table: dict, key: str, **kw: Any) -> Callable[[], Any]:
        return lambda: getattr(charts_mod(), name)(table[key], lang, k=k, **kw)

    cur_stages = {"stages": cur["stages"][cur["stages"]["period"] == period.label]}
    s: list[Section] = [
        Section("trends", label("report.section.trends", lang),
                [chart("intake_chart", trend, "intake"), chart("clearance_chart", trend, "clearance")]),
        Section("outcomes", label("report.section.outcomes", lang), [chart("outcomes_chart", trend, "outcomes")]),
        Section("stages", label("report.section.stages", lang), [chart("stages_chart", cur_stages, "stages")]),
        Section("appeals", label("report.section.appeals", lang), [chart("appeals_chart", trend, "appeals")]),
        Section("agreement", label("report.section.agreement", lang), [chart("agreement_chart", trend, "agreement")]),
        Section("aftercare", label("report.section.aftercare", lang),
                [lambda: charts_mod().deadlines_chart(trend["corrections"], trend["followups"], lang, k=k),
                 chart("careers_chart", trend, "careers")]),
        Section("subregions", label("report.section.subregions", lang),
                [chart("intake_chart", cur, "intake", by="region", period=period.label, names=names)],
                table_html=_subregion_table(cur, period.label, region, names, lang, k)),
    ]
    return Report(region, names.get(region, region), period, lang, k,
                  _headline(tops, period.label, prev.label, lang, k),
                  _summary(cur, tops, period.label, prev.label, lang, k), s, dict(getattr(frames, "meta", {})))  # older snapshots have no meta


def headline_html(report: Report) -> str:
    lang = report.lang
    head = (f"<tr><th>{label('report.figure', lang)}</th><th>{html.escape(report.period.label)}</th>"
            f"<th>{html.escape(report.period.previous().label)}</th></tr>")
    body = "".join(
        f"<tr><td>{html.escape(r.label)}</td><td class='ftlib-figure' data-metric='{r.key}'>{html.escape(r.value)}</td>"
        f"<td>{html.escape(r.previous)}</td></tr>" for r in report.headline.itertuples())
    return f"<table class='ftlib-headline'>{head}{body}</table>"


def title_html(report: Report) -> str:
    from ftlib.reports.index import legend_html, stamp_html

    lang = report.lang
    title = label("report.title", lang).format(region=report.region_name, period=report.period.label)
    summary = "".join(f"<li>{html.escape(s)}</li>" for s in report.summary)
    back = f"<a class='ftlib-back' href='index.ipynb?lang={lang}'>{html.escape(label('page.back', lang))}</a>"
    return (f"{back}{stamp_html(report.meta, lang)}<h1 class='ftlib-title'>{html.escape(title)}</h1>"
            f"<p><small>{html.escape(report.period.start.isoformat())} – {html.escape(report.period.end.isoformat())}"
            f"</small></p>{legend_html(report.k, lang)}"
            f"<h3>{label('report.summary', lang)}</h3><ul class='ftlib-summary'>{summary}</ul>")

