"""03 登记簿浏览: filter the register, open one case's timeline (its events, and each stage's
deadline kept or missed in working days), and the consistency audit (committee departures from
the engine's recommendation, with their reasons, by decision body). Cadres appear only by
their pseudonymous ids."""

# Imports inside functions: a Voilà kernel's start-up time: widgets, the register and the policies load when the page is drawn.

from __future__ import annotations

import datetime as dt
import html
import io
import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ftlib.i18n import LANG_OPTIONS, has_label, label
from ftlib.register import frames as rf
from ftlib.register.metrics_frames import stage_spans
from ftlib.workdays import add_working_days


def _e(x: Any) -> str:
    return html.escape("" if x is None or (isinstance(x, float) and pd.isna(x)) else str(x))


@dataclass
class RegisterView:
    """The register's tables, read once."""

    cases: pd.DataFrame
    events: pd.DataFrame
    decisions: pd.DataFrame

    @classmethod
    def load(cls, url: str | None = None) -> RegisterView:
        return cls(rf.cases(url, facts=False), rf.events(url), rf.decisions(url))


def filter_cases(view: RegisterView, region: str = "", state: str = "", outcome: str = "",
                 received_from: dt.date | None = None, received_to: dt.date | None = None,
                 text: str = "") -> pd.DataFrame:
    """Cases matching every filter given (a region includes its sub-regions)."""
    c = view.cases
    keep = pd.Series(True, index=c.index)
    if region:
        keep &= (c["region_code"] == region) | c["region_code"].str.startswith(region + "-")
    if state:
        keep &= c["state"].astype(str) == state
    if outcome:
        keep &= c["outcome"].astype(str) == outcome
    received = pd.to_datetime(c["received_on"])
    if received_from:
        keep &= received >= pd.Timestamp(received_from)
    if received_to:
        keep &= received <= pd.Timestamp(received_to)
    if text:
        keep &= c["id"].str.contains(text, case=False, regex=False)
    cols = ["id", "region_code", "cadre_id", "channel", "received_on", "policy_id", "state", "outcome",
            "engine_outcome", "departed"]
    return c.loc[keep, cols].sort_values("received_on")


def timeline(view: RegisterView, case_id: str, today: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events of the case in order, stages with deadline and whether it was kept)."""
    ev = view.events[view.events["case_id"] == case_id].sort_values("seq")
    events = pd.DataFrame({"seq": ev["seq"], "at": ev["at"], "kind": ev["kind"], "actor": ev["actor"],
                           "detail": [_detail(p) for p in ev["payload"]]})
    policy_of = view.cases.set_index("id")["policy_id"]
    spans = stage_spans(ev, policy_of)
    today = today or dt.date.today()
    rows = []
    for s in spans.itertuples():
        start = pd.Timestamp(s.started).date()
        if pd.isna(s.limit_working_days):
            rows.append((s.stage, start, _date(s.finished), None, None, "no_limit", ""))
            continue
        dl = add_working_days(start, int(s.limit_working_days))
        finished = _date(s.finished)
        if finished is None:
            status = "open_overdue" if today > dl.due else "open"
        else:
            status = "kept" if finished <= dl.due else "missed"
        rows.append((s.stage, start, finished, int(s.limit_working_days), dl.due, status, "; ".join(dl.warnings)))
    stages = pd.DataFrame(rows, columns=["stage", "started", "finished", "limit_working_days", "due", "status",
                                         "warning"])
    return events, stages


def _date(v: Any) -> dt.date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def _detail(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    keys = ("outcome", "engine_outcome", "body", "departure_reason", "reason", "measure", "channel", "method", "to_body")
    return ", ".join(f"{k}={payload[k]}" for k in keys if payload.get(k) not in (None, "", []))


def audit(view: RegisterView) -> pd.DataFrame:
    """Decisions that depart from the engine's recommendation, by decision body, with reasons."""
    d = view.decisions
    dep = d[d["outcome"] != d["engine_outcome"]]
    if dep.empty:
        return pd.DataFrame(columns=["body", "engine_outcome", "outcome", "departure_reason", "cases"])
    return (dep.groupby(["body", "engine_outcome", "outcome", "departure_reason"], dropna=False).size()
            .rename("cases").reset_index().sort_values(["body", "cases"], ascending=[True, False]))


def agreement_by_body(view: RegisterView) -> pd.DataFrame:
    d = view.decisions
    g = d.assign(agree=d["outcome"] == d["engine_outcome"]).groupby("body")["agree"]
    return pd.DataFrame({"decisions": g.size(), "agreed": g.sum(), "agreement_rate": g.mean().round(3)}).reset_index()


#: How each code column is put in words: the label group its values are looked up in.
VALUE_GROUPS = {"outcome": "outcome", "engine_outcome": "outcome", "state": "desk.state", "channel": "desk.channel",
                "kind": "desk.event", "stage": "desk.stage"}
RATES = ("agreement_rate",)


def _words(group: str, value: Any, lang: str) -> str:
    if not isinstance(value, str) or not value:
        return ""
    words = label(f"{group}.{value}", lang)
    return words if words != f"{group}.{value}" else value


def body_names() -> dict[str, Any]:
    """Decision and consulted bodies by id, with their names in the policies (zh/en)."""
    from ftlib.policy.loader import bundled

    out: dict[str, Any] = {}
    for p in bundled().policies.values():
        proc = getattr(p, "procedure", None)
        for b in [getattr(proc, "decision_body", None), getattr(proc, "higher_approval", None),
                  *(getattr(proc, "consult", None) or [])]:
            if b is not None and getattr(b, "id", None):
                out.setdefault(b.id, b)
    return out


def shown_frame(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` as a reader sees it: codes, regions, decision bodies and yes/no in words, rates as
    percentages, column names from ``register.col_<name>`` (in Chinese in 中文 mode)."""
    from ftlib.regions import region_name

    shown = df.copy()
    for col in shown.columns:
        if col in VALUE_GROUPS:
            shown[col] = [_words(VALUE_GROUPS[col], v, lang) for v in shown[col]]
        elif col in ("region_code", "region"):
            shown[col] = [region_name(v, lang) if isinstance(v, str) else "" for v in shown[col]]
        elif col == "body":
            names = body_names()
            shown[col] = [getattr(names[v], lang) if v in names else _e(v) for v in shown[col]]
        elif col == "policy_id":
            from ftlib.policy.loader import bundled

            pols = bundled().policies
            shown[col] = [getattr(pols[v].name, lang) if v in pols else _e(v) for v in shown[col]]
        elif col == "departed":
            shown[col] = [label("register.yes" if bool(v) else "register.no", lang) for v in shown[col]]
        elif col in RATES:
            shown[col] = [f"{100 * float(v):.1f}%" if pd.notna(v) else "" for v in shown[col]]
    shown.columns = [_words("register.col", c, lang) or c for c in shown.columns]
    return shown


def sort_cases(df: pd.DataFrame, column: str | None, descending: bool = False) -> pd.DataFrame:
    """The selection sorted on the server by one column's values (numbers as numbers, dates as
    dates, blanks last); the page shows the first rows of the sorted whole, not a sorted page."""
    if not column or column not in df.columns:
        return df
    return df.sort_values(column, ascending=not descending, na_position="last", kind="stable")


#: Columns of words up to this many characters, and of dates and case numbers, never wrap (a layout choice).
SHORT_CELL = 8
#: Columns with values longer than this get room to wrap in (policy names).
LONG_CELL = 30


def table_html(df: pd.DataFrame, lang: str, limit: int = 200) -> str:
    shown = shown_frame(df.head(limit), lang)
    more = f"<p>… {len(df) - limit:,}</p>" if len(df) > limit else ""
    # short values (dates, case numbers, states) stay on one line; only long ones (policy names) wrap
    cells = {c: shown[c].astype(str) for c in shown.columns}
    short = [i for i, c in enumerate(shown.columns, 1)
             if cells[c].str.len().max() <= SHORT_CELL
             or cells[c].map(lambda v: v.isascii() and " " not in v).all()]  # dates, case numbers
    long = [i for i, c in enumerate(shown.columns, 1) if cells[c].str.len().max() > LONG_CELL]  # policy names
    style = ".ftlib-register-cases{word-break:keep-all}" + "".join(
        f".ftlib-register-cases td:nth-child({i}){{white-space:nowrap}}" if i in short else
        f".ftlib-register-cases td:nth-child({i}){{min-width:14em}}" if i in long else ""
        for i in range(1, len(shown.columns) + 1))
    table = shown.to_html(index=False, border=0, classes="ftlib-table ftlib-register-cases", na_rep="")
    return f"<style>{style}</style><div style='overflow-x:auto'>{table}</div>{more}"


#: Rows an Excel download of a selection carries at most (a page link holds the file itself).
XLSX_MAX_ROWS = 50_000


def xlsx_bytes(df: pd.DataFrame, lang: str) -> bytes:
    """The selection as an Excel sheet: headers and codes in words like on the page, dates as
    dates and numbers as numbers (rates as fractions formatted as percentages)."""

    shown = shown_frame(df.head(XLSX_MAX_ROWS).drop(columns=[c for c in RATES if c in df]), lang)
    for col in RATES:
        if col in df:
            shown[_words("register.col", col, lang) or col] = pd.to_numeric(df[col].head(XLSX_MAX_ROWS)).to_numpy()
    for col in shown.columns:
        if shown[col].map(lambda v: isinstance(v, dt.date)).any():
            shown[col] = pd.to_datetime(shown[col], errors="coerce")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        shown.to_excel(xl, index=False, sheet_name=label("register.sheet", lang)[:31])
        sheet = xl.sheets[label("register.sheet", lang)[:31]]
        for i, col in enumerate(shown.columns, start=1):
            letter = sheet.cell(row=1, column=i).column_letter
            sheet.column_dimensions[letter].width = max(10, min(40, len(str(col)) * 2 + 2))
            if pd.api.types.is_datetime64_any_dtype(shown[col]):
                for cell in sheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
            elif col in [_words("register.col", r, lang) for r in RATES]:
                for cell in sheet[letter][1:]:
                    cell.number_format = "0.0%"
    return buf.getvalue()


def resolve_url(url: str | None = None) -> tuple[str | None, bool]:
    """The register to open and whether it is the sample: ``url``, else FTLIB_DATABASE_URL, else
    the default register when it exists, else the sample register (``make run`` builds it)."""

    from ftlib import home

    if url or os.environ.get("FTLIB_DATABASE_URL"):
        return url or os.environ["FTLIB_DATABASE_URL"], False
    if home.register_path().is_file():
        return f"sqlite:///{home.register_path()}", False
    if home.sample_register_path().is_file():
        return f"sqlite:///{home.sample_register_path()}", True
    return None, False


def missing_html(reason: str) -> str:
    """What is missing and how to fix it, on the page, in both languages (never a traceback)."""
    return ("<div class='ftlib-error' style='color:#b3261e'>"
            + "".join(f"<p lang='{'zh-CN' if lg == 'zh' else lg}'><b>{_e(label('register.missing_title', lg))}</b>"
                      f"{_e(label('register.missing_fix', lg).format(reason=reason))}</p>" for lg in ("zh", "en"))
            + "</div>")


def stages_html(stages: pd.DataFrame, lang: str) -> str:
    colour = {"kept": "#1a7f37", "missed": "#b00", "open_overdue": "#b00", "open": "#555", "no_limit": "#555"}
    rows = "".join(
        f"<tr><td>{_e(s.stage)}</td><td>{_e(s.started)}</td><td>{_e(s.finished)}</td><td>{_e(s.limit_working_days)}</td>"
        f"<td>{_e(s.due)}</td><td class='ftlib-deadline' data-status='{s.status}' style='color:{colour[s.status]}'>"
        f"{label('register.' + s.status, lang)}</td><td><small>{_e(s.warning)}</small></td></tr>"
        for s in stages.itertuples())
    head = "".join(f"<th>{label('register.col_' + c, lang)}</th>"
                   for c in ("stage", "started", "finished", "limit", "due", "status", "warning"))
    return f"<table class='ftlib-table'><tr>{head}</tr>{rows}</table>"


def app(url: str | None = None, lang: str = "zh", view: RegisterView | None = None):
    import ipywidgets as w
    from IPython.display import HTML, display

    from ftlib.errors import FtlibError

    sample = False
    if view is None:
        url, sample = resolve_url(url)
        if url is None:
            from ftlib import home

            display(HTML(missing_html(str(home.register_path()))))
            return None
        try:
            view = RegisterView.load(url)
        except (FtlibError, OSError) as err:
            from ftlib.register import db

            display(HTML(missing_html(f"{db.shown(url)}: {err}")))
            return None
    state = {"lang": lang}
    regions = sorted(view.cases["region_code"].unique())
    lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
    lang_w.add_class("ftlib-lang")
    from ftlib.regions import region_name

    states = sorted(view.cases["state"].dropna().astype(str).unique())
    outcomes = sorted(view.cases["outcome"].dropna().astype(str).unique())
    style = {"description_width": "initial"}
    region, st, oc = (w.Dropdown(style=style) for _ in range(3))
    text = w.Text(style=style)
    sort_by = w.Dropdown(style=style)
    sort_by.add_class("ftlib-sort-by")
    order = w.ToggleButtons(style={"button_width": "7em"})
    order.add_class("ftlib-sort-order")
    banner = w.HTML()

    def relabel(lg: str) -> None:
        """Filters named and their choices in words, in the reader's language."""
        every = label("register.all", lg)
        for wdg, opts in ((region, [(region_name(r, lg), r) for r in regions]),
                          (st, [(_words("desk.state", x, lg), x) for x in states]),
                          (oc, [(_words("outcome", x, lg), x) for x in outcomes])):
            value = wdg.value
            wdg.options = [(every, "")] + opts
            wdg.value = value if value in [v for _, v in wdg.options] else ""
        region.description, st.description = label("register.col.region_code", lg), label("register.col.state", lg)
        oc.description, text.description = label("register.col.outcome", lg), label("register.col.id", lg)
        text.placeholder = case.placeholder = label("register.case_id_hint", lg)
        current = sort_by.value
        sort_by.options = [(label("register.sort_none", lg), "")] + [
            (_words("register.col", c, lg) or c, c) for c in view.cases.columns if has_label(f"register.col.{c}")]
        sort_by.value = current if current in [v for _, v in sort_by.options] else ""
        sort_by.description = label("register.sort_by", lg)
        descending = order.value
        order.options = [(label("register.ascending", lg), False), (label("register.descending", lg), True)]
        order.value = bool(descending)
        banner.value = (f"<div class='ftlib-banner' style='background:#fdecea;border:2px solid #b3261e;padding:4px 10px;"
                        f"font-weight:bold'>{_e(label('register.sample', lg))}</div>") if sample else ""
    table, tl, aud = w.HTML(), w.HTML(), w.HTML()
    case = w.Combobox(placeholder="case id", ensure_option=False)
    tabs = w.Tab(children=[w.VBox([w.HBox([region, st, oc, text]), w.HBox([sort_by, order]), table]),
                           w.VBox([case, tl]), aud])

    def refresh(*_: Any) -> None:
        if state.get("busy"):
            return   # relabelling the filters sets their values: one refresh, not one per filter
        lg = state["lang"]
        state["busy"] = True
        try:
            relabel(lg)
        finally:
            state["busy"] = False
        for i, key in enumerate(("cases", "timeline", "audit")):
            tabs.set_title(i, label(f"register.tab_{key}", lg))
        found = sort_cases(filter_cases(view, region.value, st.value, oc.value, text=text.value), sort_by.value,
                           bool(order.value))
        from ftlib.ui.files import download_html

        link = download_html(xlsx_bytes(found, lg), f"{label('register.sheet', lg)}.xlsx",
                             label("register.download", lg).format(n=min(len(found), XLSX_MAX_ROWS)))
        table.value = (f"<p>{_e(label('register.found', lg).format(n=len(found)))} {link}</p>"
                       + table_html(found, lg))
        case.options = list(found["id"].head(500))
        aud.value = (f"<h4>{label('register.agreement', lg)}</h4>" + table_html(agreement_by_body(view), lg)
                     + f"<h4>{label('register.departures', lg)}</h4>" + table_html(audit(view), lg))
        show_case()

    def show_case(*_: Any) -> None:
        lg = state["lang"]
        if case.value not in set(view.cases["id"]):
            tl.value = ""
            return
        events, stages = timeline(view, case.value)
        tl.value = table_html(events, lg) + stages_html(stages, lg)

    def on_lang(ch: dict) -> None:
        state["lang"] = ch["new"]
        refresh()

    for wdg in (region, st, oc, text, sort_by, order):
        wdg.observe(refresh, names="value")
    case.observe(show_case, names="value")
    lang_w.observe(on_lang, names="value")
    refresh()
    box = w.VBox([lang_w, banner, tabs])
    box.widgets = {"lang": lang_w, "region": region, "state": st, "outcome": oc, "text": text, "table": table,
                   "sort_by": sort_by, "order": order,
                   "case": case, "timeline": tl, "audit": aud}
    display(box)
    return box
