"""03 登记簿浏览: filter the register, open one case's timeline (its events, and each stage's
deadline kept or missed in working days), and the consistency audit (committee departures from
the engine's recommendation, with their reasons, by decision body). Cadres appear only by
their pseudonymous ids."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ftlib.i18n import LANG_OPTIONS, label
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


def table_html(df: pd.DataFrame, lang: str, limit: int = 200) -> str:
    shown = df.head(limit).copy()
    for col in ("outcome", "engine_outcome"):
        if col in shown:
            shown[col] = [label(f"outcome.{o}", lang) if isinstance(o, str) else "" for o in shown[col]]
    more = f"<p>… {len(df) - limit:,}</p>" if len(df) > limit else ""
    return shown.to_html(index=False, border=0, classes="ftlib-table", na_rep="") + more


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
    from IPython.display import display

    view = view or RegisterView.load(url)
    state = {"lang": lang}
    regions = sorted(view.cases["region_code"].unique())
    lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
    lang_w.add_class("ftlib-lang")
    region = w.Dropdown(options=[("—", "")] + [(r, r) for r in regions])
    st = w.Dropdown(options=[("—", "")] + [(s, s) for s in sorted(view.cases["state"].dropna().astype(str).unique())])
    oc = w.Dropdown(options=[("—", "")] + [(o, o) for o in sorted(view.cases["outcome"].dropna().astype(str).unique())])
    text = w.Text(placeholder="case id")
    table, tl, aud = w.HTML(), w.HTML(), w.HTML()
    case = w.Combobox(placeholder="case id", ensure_option=False)
    tabs = w.Tab(children=[w.VBox([w.HBox([region, st, oc, text]), table]), w.VBox([case, tl]), aud])

    def refresh(*_: Any) -> None:
        lg = state["lang"]
        for i, key in enumerate(("cases", "timeline", "audit")):
            tabs.set_title(i, label(f"register.tab_{key}", lg))
        found = filter_cases(view, region.value, st.value, oc.value, text=text.value)
        table.value = f"<p>{len(found):,}</p>" + table_html(found, lg)
        case.options = list(found["id"].head(500))
        aud.value = (f"<h4>{label('register.agreement', lg)}</h4>" + agreement_by_body(view).to_html(index=False, border=0)
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

    for wdg in (region, st, oc, text):
        wdg.observe(refresh, names="value")
    case.observe(show_case, names="value")
    lang_w.observe(on_lang, names="value")
    refresh()
    box = w.VBox([lang_w, tabs])
    box.widgets = {"lang": lang_w, "region": region, "state": st, "outcome": oc, "text": text, "table": table,
                   "case": case, "timeline": tl, "audit": aud}
    display(box)
    return box
