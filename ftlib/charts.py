"""Altair charts of the metrics, one function per metric group, zh labels by default (``lang="en"``).

Every chart is drawn from a table returned by ``ftlib.metrics`` (already aggregated by region ×
period): the chart data holds region names, period labels, measure names and numbers, never a case
or cadre row (``assert_aggregated``). Charts are meant for dashboards, so small counts are
protected as in ``ftlib.privacy``: count breakdowns go through ``suppress`` (hidden cells are left
out of the bars and drawn as one grey "not published" segment up to the total, printed only when
it is itself publishable) and every rate, share and median goes through ``privacy.publish`` (the
one publication rule). A chart that hides anything says so in its subtitle. ``k=None`` turns this
off for internal analysis.

Offline: ``enable_offline()`` once per kernel (the ``jupyter`` renderer with ``offline=True``,
needs ``anywidget``; works in Voilà without a CDN). Static files: ``export(chart, "x.png")`` or
``.svg`` through vl-convert, with the Noto CJK fonts registered so Chinese renders.
"""

# Imports inside functions: vl-convert is imported only when a chart is drawn to SVG or PNG.

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from ftlib.metrics import CHANNELS, DISPOSITIONS, METHODS, TOLERATED_PARTS, metric_label
from ftlib.privacy import DEFAULT_K, OUTCOME_GROUPS, outcome_figures, publish, suppress
from ftlib.vocabulary import TOLERATED

FONT = "Noto Sans CJK SC"
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts")
IDENTIFYING = ("case_id", "cadre_id", "departure_reason", "name", "id_card")
WIDTH = 420


# -- set-up ---------------------------------------------------------------------------------------
def enable_offline() -> None:
    """Render charts in notebooks and Voilà without any CDN (Vega bundled by the anywidget renderer)."""
    alt.renderers.enable("jupyter", offline=True)
    _theme()


@lru_cache(maxsize=1)
def register_fonts() -> list[str]:
    """Register the CJK fonts with vl-convert (once a process); returns the directories used.
    The Noto directories when present (fast); the whole font tree only as a fallback."""
    import vl_convert as vlc

    found = [d for d in FONT_DIRS[:-1] if Path(d).is_dir()] or [d for d in FONT_DIRS[-1:] if Path(d).is_dir()]
    for d in found:
        vlc.register_font_directory(d)
    return found


def to_svg(chart: alt.TopLevelMixin | dict) -> str:
    """The chart drawn as SVG by vl-convert, offline, with the CJK fonts."""
    import vl_convert as vlc

    register_fonts()
    return vlc.vegalite_to_svg(chart if isinstance(chart, dict) else chart.to_dict())


def export(chart: alt.TopLevelMixin, path: str | Path, scale: float = 2.0) -> Path:
    """Write ``chart`` as PNG or SVG (by the suffix) with CJK fonts, fully offline."""
    import vl_convert as vlc

    register_fonts()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        path.write_bytes(vlc.vegalite_to_png(chart.to_dict(), scale=scale))
    elif path.suffix == ".svg":
        path.write_text(to_svg(chart), encoding="utf-8")
    else:
        raise ValueError(f"{path}: export writes .png or .svg")
    return path


# -- report charts without Altair's objects -----------------------------------------------------------
#: Set while report pages build their specs (``specs_only``): the chart functions then return a
#: ``_Spec``, the dict Altair would write, built directly. Altair's objects cost ~20 ms of a core a
#: chart (deep copies of the schema objects, validation in ``properties``, combining sub-charts), a
#: third of a report; the charts are the same (tests/test_charts.py compares both for every chart of
#: the sample register's reports).
_SPECS_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("ftlib_chart_specs_only", default=False)
_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300},
           "axis": {"labelFont": FONT, "titleFont": FONT}, "font": FONT,
           "legend": {"labelFont": FONT, "titleFont": FONT},
           "title": {"anchor": "start", "font": FONT, "fontSize": 15}}


@contextlib.contextmanager
def specs_only(on: bool = True):
    """Within it, the chart functions return plain Vega-Lite specs (``.to_dict()`` as Altair's);
    ``on=False``: Altair's objects again (a chart form that has no direct spec)."""
    token = _SPECS_ONLY.set(on)
    try:
        yield
    finally:
        _SPECS_ONLY.reset(token)


def _values(df: pd.DataFrame) -> list[dict]:
    """``df``'s rows as Altair's ``to_values`` writes them (numbers as Python numbers, NaN as None)."""
    cols = {}
    for name in df.columns:
        col = df[name]
        kind = col.dtype.kind
        if kind in "iub":
            cols[str(name)] = col.tolist()
        elif kind == "f":
            a = col.to_numpy()
            cols[str(name)] = [None if bad else v for v, bad in zip(a.tolist(), ~np.isfinite(a))]
        elif kind == "O":
            cols[str(name)] = [None if v is None or (isinstance(v, float) and v != v) else v for v in col.tolist()]
        else:  # a kind no chart here draws: Altair's own conversion
            return alt.utils.sanitize_pandas_dataframe(df).to_dict(orient="records")
    names = list(cols)
    return [dict(zip(names, row)) for row in zip(*cols.values())]


def _named(node, datasets: dict):
    """``node`` with every inline ``{"values": …}`` replaced by its dataset name, as Altair consolidates."""
    if isinstance(node, dict):
        if set(node) == {"values"}:
            values = node["values"]
            name = "empty" if values == [{}] else "data-" + hashlib.sha256(
                json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
            datasets[name] = values
            return {"name": name}
        return {k: _named(v, datasets) for k, v in node.items()}
    if isinstance(node, list):
        return [_named(v, datasets) for v in node]
    return node


class _Spec:
    """A chart as a Vega-Lite dict with inline data (what ``specs_only`` makes the chart functions return)."""

    def __init__(self, spec: dict):
        self.spec = spec

    @property
    def title(self):
        return self.spec.get("title", alt.Undefined)

    def properties(self, **kw) -> _Spec:
        return _Spec({**self.spec, **kw})

    def to_dict(self, validate: bool = False) -> dict:  # noqa: ARG002 — the signature of Altair's
        datasets: dict = {}
        out = _named(self.spec, datasets)
        if datasets:
            out["datasets"] = datasets
        out["$schema"] = alt.SCHEMA_URL
        return out


def _chart(data: pd.DataFrame, mark: dict, encoding: dict, **props) -> _Spec:
    return _Spec({"data": {"values": _values(data)}, "mark": mark, "encoding": encoding, **props})


def _enc(field: str, kind: str, **kw) -> dict:
    """One encoding channel as Altair writes it (``None`` values kept: ``sort=None`` is written as null)."""
    return {"field": field, "type": {"N": "nominal", "Q": "quantitative"}[kind], **kw}


_LIFTED = ("width", "height")


def _layer(*charts: _Spec) -> _Spec:
    """``a + b``: a layer, the parts' width and height on the layer (as Altair lifts them)."""
    parts = [dict(c.spec) for c in charts]
    lifted = {}
    for part in parts:
        for key in _LIFTED:
            if key in part:
                lifted[key] = part.pop(key)
    return _Spec({"layer": parts, **lifted})


def _hconcat(*charts: _Spec, independent_color: bool = True) -> _Spec:
    out = {"hconcat": [c.spec for c in charts]}
    if independent_color:
        out["resolve"] = {"scale": {"color": "independent"}}
    return _Spec(out)


def _theme() -> None:
    alt.theme.enable("default")


def _config(chart, title: str):
    if isinstance(chart, _Spec):
        return _Spec({**chart.spec, "title": title, "config": _CONFIG})
    return (chart.properties(title=title)
            .configure(font=FONT)
            .configure_axis(labelFont=FONT, titleFont=FONT)
            .configure_legend(labelFont=FONT, titleFont=FONT)
            .configure_title(font=FONT, fontSize=15, anchor="start"))


def assert_aggregated(chart: alt.TopLevelMixin | dict) -> None:
    """Raise if the chart's data (a chart or its spec) holds a column that identifies a case or a cadre."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    for rows in spec.get("datasets", {}).values():
        for r in rows[:1]:
            bad = [c for c in r if c in IDENTIFYING]
            if bad:
                raise ValueError(f"chart data holds identifying column(s): {', '.join(bad)}")


# -- what a chart hid, so that it can say so --------------------------------------------------------
_HIDDEN: contextvars.ContextVar[list | None] = contextvars.ContextVar("ftlib_chart_hidden", default=None)
HIDDEN_GREY = "#bdbdbd"


def _hid(original: pd.Series | np.ndarray, shown: pd.Series | np.ndarray) -> None:
    """Note that ``shown`` left out a value that ``original`` had."""
    o, v = pd.notna(np.asarray(original, dtype=float)), pd.notna(np.asarray(shown, dtype=float))
    seen = _HIDDEN.get()
    if seen is not None and (o & ~v).any():
        seen.append(True)


def _says_what_it_hides(fn):
    """Give the chart a subtitle saying that values were hidden, when any were (``k`` from the call)."""
    @functools.wraps(fn)
    def wrapper(*args, **kw):
        token = _HIDDEN.set([])
        try:
            chart = fn(*args, **kw)
            hidden = bool(_HIDDEN.get())
        finally:
            _HIDDEN.reset(token)
        if not hidden:
            return chart
        lang = kw.get("lang") or next((a for a in args if isinstance(a, str)), "zh")
        k = kw.get("k", DEFAULT_K)
        note = L("text.hidden_note", lang).format(k=k)
        title = chart.title if isinstance(chart.title, str) else ""
        if isinstance(chart, _Spec):
            return chart.properties(title={"text": title, "anchor": "start", "subtitle": [note],
                                           "subtitleColor": "#555", "subtitleFont": FONT})
        return chart.properties(title=alt.TitleParams(text=title, subtitle=[note], subtitleFont=FONT,
                                                      subtitleColor="#555", anchor="start"))
    return wrapper


# -- helpers ---------------------------------------------------------------------------------------
def L(key: str, lang: str) -> str:  # noqa: N802
    return metric_label(key, lang)


def _select(t: pd.DataFrame, region: str | None, period: str | None, by: str) -> tuple[pd.DataFrame, str]:
    """``by="period"``: one region (default: the top one) across periods; ``by="region"``: its direct
    sub-regions in one period (default: the last). Returns the rows and the x field."""
    # numpy masks: the pandas comparisons of string columns were a tenth of a report's chart time
    level, reg = t["level"].to_numpy(), t["region"].to_numpy(dtype=object)
    top = region or reg[level == level.min()][0]
    here = reg == top
    if by == "period":
        return t[here], "period"
    if by != "region":
        raise ValueError("by: 'period' or 'region'")
    period = period or t["period"].iloc[-1]
    lv = level[here][0]
    below = np.fromiter((r.startswith(top + "-") for r in reg), bool, len(reg))
    kids = t[(t["period"].to_numpy(dtype=object) == period) & (level == lv + 1) & below]
    return kids, "region"


#: Sums of outcome columns that pages publish beside the outcome breakdown (tolerated; determinations).
def outcome_groups(rows: pd.DataFrame, xs: pd.Series, k: int) -> list:
    """``OUTCOME_GROUPS`` for ``privacy.suppress``: tolerated and determinations known only where
    pages give them (``privacy.outcome_figures``)."""
    given = outcome_figures(rows, k)
    tol, det, *rest = OUTCOME_GROUPS
    return [(tol, xs[given["tolerated"].to_numpy()].tolist()), (det, xs[given["determinations"].to_numpy()].tolist()),
            *rest]


def _whole(t: pd.DataFrame, rows: pd.DataFrame, region: str | None, by: str) -> pd.Series | None:
    """For a breakdown by sub-region: the parent region's row in the same period (else None)."""
    if by != "region" or rows.empty:
        return None
    top = region or t.loc[t["level"] == t["level"].min(), "region"].iloc[0]
    p = rows["period"].iloc[0]
    parent = t[(t["region"] == top) & (t["period"] == p)]
    return parent.iloc[0] if len(parent) else None


def _names(rows: pd.DataFrame, names: dict[str, str] | None) -> pd.Series:
    return rows["region"].map(lambda r: (names or {}).get(r, r))


def protected_breakdown(wide: pd.DataFrame, k: int, whole: pd.Series | None = None,
                        groups: Sequence[Sequence[str]] = ()):
    """``privacy.suppress`` of a breakdown (x × measures) as every page draws and tabulates it: with
    ``whole`` (the parent region's counts, published elsewhere) the region's own cases — in none
    of the rows — are a hidden row, so that the parent minus the shown rows gives nothing back.
    Same numbers in, same cells hidden: a chart and a table of one breakdown agree."""
    hidden_rows: list = []
    if whole is not None:
        own = whole.reindex(wide.columns).fillna(0).astype(np.int64) - wide.sum(axis=0)
        if (own != 0).any():
            wide = pd.concat([wide, own.to_frame("__own__").T])
            hidden_rows = ["__own__"]
    # the totals (received, decided) are headline figures: never hidden to protect a bar
    return suppress(wide, k, total_label="__total__", hidden_rows=hidden_rows, groups=groups, keep=["__total__"],
                    total_row_shown=whole is not None)


def _counts_long(rows: pd.DataFrame, x: str, xs: pd.Series, cols: Sequence[str], lang: str, k: int | None,
                 value_name: str = "count", whole: pd.Series | None = None,
                 groups: Sequence[Sequence[str]] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long (x, measure, count) rows for a stacked count chart, small counts protected; and the totals.

    Built with numpy from the protected cells (pandas' where/melt/dropna on these small frames were
    half of a report's chart time); the rows, their order and their number types are those of
    ``wide.where(shown).melt().dropna()``: a measure's counts stay whole numbers unless one of them
    is hidden, and all are floats once any measure (or the hidden part) has a hidden value."""
    cols = list(cols)
    wide = rows[cols].astype(np.int64).set_axis(xs.to_numpy())
    if not wide.index.is_unique:
        wide = wide.groupby(level=0, sort=False).sum()
    w = wide.to_numpy(np.int64)
    n, m = w.shape
    labels = [L(f"column.{c}", lang) for c in cols]
    if k:
        s = protected_breakdown(wide, k, whole, groups)
        # the first rows of the protected table are ``wide``'s, its last column the total
        hid = s.hidden.to_numpy(bool)[:n]
        shown, tot_shown = ~hid[:, :m], ~hid[:, -1]
        tot = s.values.to_numpy(np.int64)[:n, -1]
        _hid(w.astype(float), np.where(shown, w, np.nan))
        float_cols = ~shown.all(axis=0)
        # the part of a published total that is hidden (total − visible cells: no news to a reader)
        gap = tot - (w * shown).sum(axis=1)
        gap_shown = tot_shown & (gap > 0)
        blocks, masks, floats = [w[:, j] for j in range(m)], [shown[:, j] for j in range(m)], bool(float_cols.any())
        if gap_shown.any():
            labels.append(L("column.hidden", lang))
            blocks.append(gap)
            masks.append(gap_shown)
            floats = floats or not tot_shown.all() or not gap_shown.all()
    else:
        tot, tot_shown = w.sum(axis=1), np.ones(n, bool)
        blocks, masks, floats = [w[:, j] for j in range(m)], [np.ones(n, bool)] * m, False
    keep = np.concatenate(masks) if masks else np.zeros(0, bool)
    values = np.concatenate(blocks) if blocks else np.zeros(0, np.int64)
    xv = np.asarray(wide.index, dtype=object)
    long = pd.DataFrame({x: np.tile(xv, len(blocks))[keep],
                         L("column.measure", lang): np.repeat(np.asarray(labels, dtype=object), n)[keep],
                         value_name: values.astype(float if floats else np.int64)[keep]})
    total = tot[tot_shown].astype(float if not tot_shown.all() else np.int64)
    return long, pd.DataFrame({x: xv[tot_shown], "total": total})


def _rate(rate: pd.Series, num: pd.Series | None, den: pd.Series | None, k: int | None,
          kind: str = "rate") -> pd.Series:
    """``rate`` as published (``privacy.publish``): NaN where it would reveal a small group."""
    out = publish(rate, kind, num=num, den=den, k=k)
    _hid(rate, out)
    return out


#: The stacked bars' colours when a grey "not published" part is added (Vega's default scheme first).
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac")


def _stacked(long: pd.DataFrame, tot: pd.DataFrame, x: str, lang: str, order: list[str], y_title: str):
    measure = L("column.measure", lang)
    xt = L(f"column.{x}", lang)
    # Periods in time order; regions in the order given (the region tree's order).
    sort = "ascending" if x == "period" else None
    hidden = L("column.hidden", lang)
    scale = None
    if (long[measure] == hidden).any():
        order = [*order, hidden]
        scale = {"domain": order, "range": [*PALETTE[:len(order) - 1], HIDDEN_GREY]}
    calc = f"indexof({order!r}, datum['{measure}'])"
    if _SPECS_ONLY.get():
        color = _enc(measure, "N", sort=order, title=measure, **({"scale": scale} if scale else {}))
        bars = _chart(long, {"type": "bar"}, {
            "x": _enc(x, "N", title=xt, sort=sort), "y": _enc("count", "Q", title=y_title, stack="zero"),
            "color": color, "order": _enc("order", "Q"),
            "tooltip": [_enc(x, "N", title=xt), _enc(measure, "N"), _enc("count", "Q", title=y_title)]},
            transform=[{"calculate": calc, "as": "order"}])
        text = _chart(tot, {"type": "text", "dy": -6, "fontSize": 11},
                      {"x": _enc(x, "N", sort=sort), "y": _enc("total", "Q"), "text": _enc("total", "Q")})
        return _layer(bars, text).properties(width=WIDTH, height=260)
    color = alt.Color(f"{measure}:N", sort=order, title=measure, **({"scale": alt.Scale(**scale)} if scale else {}))
    bars = alt.Chart(long).mark_bar().encode(
        x=alt.X(f"{x}:N", title=xt, sort=sort),
        y=alt.Y("count:Q", title=y_title, stack="zero"),
        color=color,
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip(f"{x}:N", title=xt), alt.Tooltip(f"{measure}:N"), alt.Tooltip("count:Q", title=y_title)],
    ).transform_calculate(order=calc)
    text = alt.Chart(tot).mark_text(dy=-6, fontSize=11).encode(x=alt.X(f"{x}:N", sort=sort), y="total:Q",
                                                                 text=alt.Text("total:Q"))
    return (bars + text).properties(width=WIDTH, height=260)


def _rates(rows: pd.DataFrame, x: str, xs: pd.Series, measures: dict[str, pd.Series], lang: str,
           y_title: str | None = None, domain: tuple[float, float] = (0, 1), label_group: str = "column"):
    measure = L("column.measure", lang)
    data = pd.DataFrame({x: np.tile(xs.to_numpy(), len(measures)),
                         measure: np.repeat([L(f"{label_group}.{m}", lang) for m in measures], len(rows)),
                         "value": np.concatenate([np.asarray(v, float) for v in measures.values()])}).dropna()
    return _bars(data, x, lang, y_title or L("column.share", lang), domain)


def _bars(data: pd.DataFrame, x: str, lang: str, y_title: str, domain: tuple[float, float], percent: bool = True):
    if data.empty:  # every value hidden or missing: say so rather than draw empty axes
        return _nothing_published(lang)
    measure, xt = L("column.measure", lang), L(f"column.{x}", lang)
    fmt = ".1%" if percent else ".1f"
    # measures keep the order they were given in, so colours do not swap with the language
    order = list(dict.fromkeys(data[measure]))
    if _SPECS_ONLY.get():
        return _chart(data, {"type": "bar"}, {
            "x": _enc(x, "N", title=xt, sort=None), "xOffset": _enc(measure, "N", sort=order),
            "y": _enc("value", "Q", title=y_title, axis={"format": "%" if percent else "d"},
                      scale={"domain": list(domain)}),
            "color": _enc(measure, "N", title=measure, sort=order),
            "tooltip": [_enc(x, "N", title=xt), _enc(measure, "N"), _enc("value", "Q", format=fmt, title=y_title)]},
            width=WIDTH, height=260)
    return alt.Chart(data).mark_bar().encode(
        x=alt.X(f"{x}:N", title=xt, sort=None),
        xOffset=alt.XOffset(f"{measure}:N", sort=order),
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format="%" if percent else "d"),
                scale=alt.Scale(domain=list(domain))),
        color=alt.Color(f"{measure}:N", title=measure, sort=order),
        tooltip=[alt.Tooltip(f"{x}:N", title=xt), alt.Tooltip(f"{measure}:N"),
                 alt.Tooltip("value:Q", format=fmt, title=y_title)],
    ).properties(width=WIDTH, height=260)


def _nothing_published(lang: str):
    if _SPECS_ONLY.get():
        return _chart(pd.DataFrame({"note": [L("text.nothing_published", lang)]}),
                      {"type": "text", "align": "left", "color": "#555", "fontSize": 13, "x": 0, "y": 20},
                      {"text": _enc("note", "N")}, width=WIDTH, height=40)
    return (alt.Chart(pd.DataFrame({"note": [L("text.nothing_published", lang)]}))
            .mark_text(align="left", fontSize=13, color="#555", x=0, y=20).encode(text="note:N")
            .properties(width=WIDTH, height=40))


def _days(rows, x, xs, measures, lang):
    top = max([float(np.nanmax(np.asarray(v, float))) for v in measures.values() if pd.notna(v).any()] + [1.0])
    measure = L("column.measure", lang)
    data = pd.DataFrame({x: np.tile(xs.to_numpy(), len(measures)),
                         measure: np.repeat([L(f"column.{m}", lang) for m in measures], len(rows)),
                         "value": np.concatenate([np.asarray(v, float) for v in measures.values()])}).dropna()
    return _bars(data, x, lang, L("column.working_days", lang), (0, top * 1.1), percent=False)


# -- one chart per metric group -------------------------------------------------------------------
@_says_what_it_hides
def intake_chart(t: pd.DataFrame, lang: str = "zh", *, by: str = "period", region: str | None = None,
                 period: str | None = None, names: dict[str, str] | None = None, k: int | None = DEFAULT_K):
    rows, x = _select(t, region, period, by)
    xs = rows[x] if x == "period" else _names(rows, names)
    long, tot = _counts_long(rows, x, xs, CHANNELS, lang, k, whole=_whole(t, rows, region, by))
    order = [L(f"column.{c}", lang) for c in CHANNELS]
    return _config(_stacked(long, tot, x, lang, order, L("column.received", lang)), L("group.intake", lang))


@_says_what_it_hides
def clearance_chart(t: pd.DataFrame, lang: str = "zh", *, by: str = "period", region: str | None = None,
                    period: str | None = None, names: dict[str, str] | None = None, k: int | None = DEFAULT_K):
    rows, x = _select(t, region, period, by)
    xs = rows[x] if x == "period" else _names(rows, names)
    rate = _rate(rows["clearance_rate"], rows["decided"], rows["received"], k, "ratio").clip(upper=2)
    bars = _rates(rows, x, xs, {"clearance_rate": rate}, lang, L("column.clearance_rate", lang), (0, 1.5))
    age = _rate(rows["pending_age_median"], None, rows["pending_end"], k, "stat")
    ages = _days(rows, x, xs, {"pending_age_median": age,
                               "pending_age_p90": _rate(rows["pending_age_p90"], None, rows["pending_end"], k, "stat")},
                 lang)
    one = pd.DataFrame({"y": [1.0]})
    if _SPECS_ONLY.get():
        rule = _chart(one, {"type": "rule", "color": "#555", "strokeDash": [4, 3]}, {"y": _enc("y", "Q")})
        return _config(_hconcat(_layer(bars, rule), ages), L("group.clearance", lang))
    rule = alt.Chart(one).mark_rule(strokeDash=[4, 3], color="#555").encode(y="y:Q")
    return _config(alt.hconcat(bars + rule, ages).resolve_scale(color="independent"), L("group.clearance", lang))


def outcome_bars(rows: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
    """The outcome chart's bars: each tolerated outcome split into its dispositions (不予问责, 免予问责,
    减轻, 从轻; issue 11), a "not recorded" part only where some decision has none; and the bars
    each outcome stands for. A table without the parts (older snapshots) keeps the outcomes."""
    parts: dict[str, list[str]] = {o: [o] for o in DISPOSITIONS}
    if all(f"disp_{p}" in rows for p in TOLERATED_PARTS):
        for p, (outcome, disposition) in TOLERATED_PARTS.items():
            if disposition is not None or rows[f"disp_{p}"].sum() > 0:
                parts.setdefault(f"~{outcome}", []).append(f"disp_{p}")
        for o in TOLERATED:
            parts[o] = parts.pop(f"~{o}", [o])
    return [b for o in DISPOSITIONS for b in parts[o]], parts


@_says_what_it_hides
def outcomes_chart(t: pd.DataFrame, lang: str = "zh", *, by: str = "period", region: str | None = None,
                   period: str | None = None, names: dict[str, str] | None = None, k: int | None = DEFAULT_K):
    rows, x = _select(t, region, period, by)
    xs = rows[x] if x == "period" else _names(rows, names)
    bars, parts = outcome_bars(rows)

    def over_bars(outcomes):   # a sum the page publishes (tolerated, …) over the bars it is made of
        return [b for o in outcomes for b in parts[o]]
    groups = [(over_bars(g[0]), g[1]) if len(g) == 2 and not isinstance(g[0], str) else over_bars(g)
              for g in (outcome_groups(rows, xs, k) if k else ())]
    long, tot = _counts_long(rows, x, xs, bars, lang, k, whole=_whole(t, rows, region, by), groups=groups)
    mix = _stacked(long, tot, x, lang, [L(f"column.{o}", lang) for o in bars], L("column.decided", lang))
    n = rows["determinations"]
    days = {"days_median": _rate(rows["days_median"], None, n, k, "stat"),
            "days_p90": _rate(rows["days_p90"], None, n, k, "stat")}
    dur = _days(rows, x, xs, days, lang)
    if _SPECS_ONLY.get():
        return _config(_hconcat(mix, dur), L("group.outcomes", lang))
    return _config(alt.hconcat(mix, dur).resolve_scale(color="independent"), L("group.outcomes", lang))


@_says_what_it_hides
def stages_chart(t: pd.DataFrame, lang: str = "zh", *, region: str | None = None, k: int | None = DEFAULT_K):
    top = region or t.loc[t["level"] == t["level"].min(), "region"].iloc[0]
    rows = t[t["region"] == top]
    share = _rate(rows["share_within_limit"], rows["within_limit"], rows["with_limit"], k)
    data = pd.DataFrame({"stage": rows["stage"].map(lambda s: L(f"value.{s}", lang)).to_numpy(),
                         "period": rows["period"].to_numpy(), "value": share.to_numpy(float)}).dropna()
    st, pt = L("column.stage", lang), L("column.period", lang)
    if _SPECS_ONLY.get():
        return _config(_chart(data, {"type": "bar"}, {
            "x": _enc("stage", "N", title=st, sort=None), "xOffset": _enc("period", "N"),
            "y": _enc("value", "Q", title=L("column.share_within_limit", lang), axis={"format": "%"},
                      scale={"domain": [0, 1]}),
            "color": _enc("period", "N", title=pt),
            "tooltip": [_enc("stage", "N", title=st), _enc("period", "N", title=pt), _enc("value", "Q", format=".1%")]},
            width=WIDTH, height=260), L("group.stages", lang))
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("stage:N", title=st, sort=None), xOffset="period:N",
        y=alt.Y("value:Q", title=L("column.share_within_limit", lang), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("period:N", title=pt),
        tooltip=[alt.Tooltip("stage:N", title=st), alt.Tooltip("period:N", title=pt),
                 alt.Tooltip("value:Q", format=".1%")],
    ).properties(width=WIDTH, height=260)
    return _config(chart, L("group.stages", lang))


def _two_rates(t, lang, group, specs, by, region, period, names, k):
    rows, x = _select(t, region, period, by)
    xs = rows[x] if x == "period" else _names(rows, names)
    measures = {m: _rate(rows[m], rows[num] if num else None, rows[den], k) for m, (num, den) in specs.items()}
    return _config(_rates(rows, x, xs, measures, lang), L(f"group.{group}", lang))


@_says_what_it_hides
def appeals_chart(t, lang="zh", *, by="period", region=None, period=None, names=None, k=DEFAULT_K):
    return _two_rates(t, lang, "appeals", {"appeal_rate": ("appealed", "determinations"),
                                           "overturn_rate": ("overturned", "appeals_decided")},
                      by, region, period, names, k)


@_says_what_it_hides
def agreement_chart(t, lang="zh", *, departures: pd.DataFrame | None = None, by="period", region=None, period=None,
                    names=None, k=DEFAULT_K):
    """Agreement rate; with ``departures`` (the departures table) also departures by decision body
    (counted here, reasons left out: they are free text)."""
    if departures is not None and _SPECS_ONLY.get():   # no plain-spec form of this one: Altair's
        with specs_only(False):
            return agreement_chart(t, lang, departures=departures, by=by, region=region, period=period,
                                   names=names, k=k)
    inner = _rates(*_agreement_args(t, lang, by, region, period, names, k))
    if departures is None:
        return _config(inner, L("group.agreement", lang))
    top = region or t.loc[t["level"] == t["level"].min(), "region"].iloc[0]
    d = departures[departures["region"] == top].groupby("decision_body", as_index=False)["cases"].sum()
    if k:
        shown = publish(d["cases"], "count", k=k)
        _hid(d["cases"], shown)
        d = d[shown.notna()]
    body, n = L("column.decision_body", lang), L("column.departures", lang)
    bars = alt.Chart(d.rename(columns={"decision_body": "body"})).mark_bar().encode(
        y=alt.Y("body:N", title=body, sort="-x"), x=alt.X("cases:Q", title=n),
        tooltip=[alt.Tooltip("body:N", title=body), alt.Tooltip("cases:Q", title=n)],
    ).properties(width=WIDTH // 2, height=260)
    return _config(alt.hconcat(inner, bars), L("group.agreement", lang))


def _agreement_args(t, lang, by, region, period, names, k):
    rows, x = _select(t, region, period, by)
    xs = rows[x] if x == "period" else _names(rows, names)
    return rows, x, xs, {"agreement_rate": _rate(rows["agreement_rate"], rows["agreed"], rows["compared"], k)}, lang


@_says_what_it_hides
def deadlines_chart(corrections: pd.DataFrame, followups: pd.DataFrame, lang="zh", *, by="period", region=None,
                    period=None, names=None, k=DEFAULT_K):
    """Corrections done on time and follow-up visits within the window (the two after-decision duties)."""
    c_rows, x = _select(corrections, region, period, by)
    f_rows, _ = _select(followups, region, period, by)
    xs = c_rows[x] if x == "period" else _names(c_rows, names)
    measures = {g: _rate(r["on_time_rate"], r["on_time"], r["due"], k).to_numpy(float)
                for g, r in (("corrections", c_rows), ("followups", f_rows))}
    title = f"{L('group.corrections', lang)} · {L('group.followups', lang)}"
    chart = _rates(c_rows, x, xs, measures, lang, L("column.on_time_rate", lang), label_group="group")
    return _config(chart, title)


@_says_what_it_hides
def clarifications_chart(t, lang="zh", *, by="period", region=None, period=None, names=None, k=DEFAULT_K):
    rows, x = _select(t, region, period, by)
    xs = rows[x] if x == "period" else _names(rows, names)
    methods = [c for c in t.columns if c.startswith("method_")]
    long, tot = _counts_long(rows, x, xs, methods, lang, k, whole=_whole(t, rows, region, by))
    order = [L(f"column.{m}", lang) for m in methods]
    return _config(_stacked(long, tot, x, lang, order, L("column.cleared", lang)), L("group.clarifications", lang))


@_says_what_it_hides
def exante_chart(t, lang="zh", *, by="period", region=None, period=None, names=None, k=DEFAULT_K):
    return _two_rates(t, lang, "exante", {"with_tolerance_rate": ("with_tolerated", "with_determinations"),
                                          "without_tolerance_rate": ("without_tolerated", "without_determinations")},
                      by, region, period, names, k)


@_says_what_it_hides
def fairness_chart(t: pd.DataFrame, lang: str = "zh", *, region: str | None = None, period: str | None = None,
                   k: int | None = DEFAULT_K):
    """Exemption rate among cases the engine recommends exempting, by rank and by top-leader status, with
    Fisher's p-value in the tooltip (one region, one period: default the top region and the last period)."""
    top = region or t.loc[t["level"] == t["level"].min(), "region"].iloc[0]
    period = period or t["period"].iloc[-1]
    rows = t[(t["region"] == top) & (t["period"] == period)]
    rate = _rate(rows["exemption_rate"], rows["exempted"], rows["recommended_exempt"], k)
    group = [L(f"value.{'top_leader_' + str(g).lower() if d == 'top_leader' else g}", lang)
             for d, g in zip(rows["dimension"], rows["group"])]
    dim = [L(f"value.{d}", lang) for d in rows["dimension"]]
    data = pd.DataFrame({"dimension": dim, "group": group, "value": rate.to_numpy(float),
                         "p": rows["p_value"].round(4).to_numpy(),
                         "p_adj": rows["p_adjusted"].round(4).to_numpy()}).dropna(subset=["value"])
    gt, dt_ = L("column.group", lang), L("column.dimension", lang)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("group:N", title=gt, sort=None), x=alt.X("value:Q", title=L("column.exemption_rate", lang),
                                                         axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("dimension:N", title=dt_),
        tooltip=[alt.Tooltip("group:N", title=gt), alt.Tooltip("value:Q", format=".1%"),
                 alt.Tooltip("p:Q", title=L("column.p_value", lang)),
                 alt.Tooltip("p_adj:Q", title=L("column.p_adjusted", lang))],
    ).properties(width=WIDTH, height=200)
    return _config(chart, f"{L('group.fairness', lang)} · {period}")


@_says_what_it_hides
def careers_chart(t, lang="zh", *, by="period", region=None, period=None, names=None, k=DEFAULT_K):
    return _two_rates(t, lang, "careers", {"evaluated_share": ("evaluated_normally", "evaluated_known"),
                                           "promoted_share": ("promoted", "promoted_known")},
                      by, region, period, names, k)


def all_charts(tables: dict[str, pd.DataFrame], lang: str = "zh", k: int | None = DEFAULT_K,
               names: dict[str, str] | None = None) -> dict[str, alt.TopLevelMixin]:
    """One chart per metric group from ``ftlib.metrics.compute`` output."""
    out = {
        "intake": intake_chart(tables["intake"], lang, k=k),
        "intake_by_region": intake_chart(tables["intake"], lang, by="region", names=names, k=k),
        "clearance": clearance_chart(tables["clearance"], lang, k=k),
        "outcomes": outcomes_chart(tables["outcomes"], lang, k=k),
        "stages": stages_chart(tables["stages"], lang, k=k),
        "appeals": appeals_chart(tables["appeals"], lang, k=k),
        "agreement": agreement_chart(tables["agreement"], lang, departures=tables.get("departures"), k=k),
        "deadlines": deadlines_chart(tables["corrections"], tables["followups"], lang, k=k),
        "clarifications": clarifications_chart(tables["clarifications"], lang, k=k),
        "exante": exante_chart(tables["exante"], lang, k=k),
        "fairness": fairness_chart(tables["fairness"], lang, k=k),
        "careers": careers_chart(tables["careers"], lang, k=k),
    }
    return out


__all__ = ["METHODS", "all_charts", "assert_aggregated", "enable_offline", "export", "register_fonts"]
