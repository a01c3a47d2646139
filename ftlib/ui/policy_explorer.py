"""02 政策浏览器: a policy clause by clause with the rules that cite each clause, the difference
between two policies, lint results, and the impact of an edited copy on a set of cases."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ftlib.i18n import LANG_OPTIONS, label
from ftlib.impact import EditError, drop_rule, policy_data, policy_impact, set_condition, set_time_limit
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.diff import outcome_diff, text_diff
from ftlib.policy.lint import lint_families, lint_policy
from ftlib.policy.loader import PolicySet, bundled
from ftlib.ui.case_source import default_cases


def _e(x: Any) -> str:
    return html.escape(str(x))


def clause_table(compiled: CompiledPolicy, lang: str = "zh") -> pd.DataFrame:
    """One row per clause: its text and source beside every rule that cites it."""
    p = compiled.policy
    citing: dict[str, list[str]] = {cid: [] for cid in p.clauses}
    for s in [*compiled.steps, *compiled.grading]:
        extra = f" ⇒ {label('outcome.' + s.outcome, lang)}" if s.outcome else ""
        citing.setdefault(s.clause, []).append(f"[{label('group.' + s.group, lang)}] {s.rule_id}: {s.condition.text}{extra}")
    for c, _ in compiled.corrections:
        citing.setdefault(c.clause, []).append(f"[{label('text.corrections', lang)}] {c.id}")
    rows = []
    for cid, cl in p.clauses.items():
        src = cl.source.title + (f" {cl.source.article}" if cl.source and cl.source.article else "") if cl.source else ""
        rows.append({
            "clause": cid,
            "text": cl.zh if lang == "zh" else cl.en,
            "status": label(f"status.{cl.status}", lang),
            "source": src,
            "rules": citing.get(cid, []),
        })
    return pd.DataFrame(rows)


def clause_html(compiled: CompiledPolicy, lang: str = "zh") -> str:
    t = clause_table(compiled, lang)
    head = "".join(f"<th>{label('explorer.' + c, lang)}</th>" for c in ("clause", "text", "source", "rules"))
    body = "".join(
        f"<tr><td><code>{_e(r.clause)}</code><br><small>{_e(r.status)}</small></td><td>{_e(r.text)}</td>"
        f"<td><small>{_e(r.source)}</small></td><td>{'<br>'.join(_e(x) for x in r.rules) or '—'}</td></tr>"
        for r in t.itertuples())
    return f"<table class='ftlib-clauses'><tr>{head}</tr>{body}</table>"


def diff_html(ps: PolicySet, a: str, b: str, lang: str = "zh") -> str:
    changes = text_diff(ps.get(a), ps.get(b))
    rows = "".join(f"<tr><td>{_e(c.section)}</td><td><code>{_e(c.item)}</code></td><td>{label('diff.' + c.kind, lang)}</td>"
                   f"<td><small>{_e(c.before) if c.before is not None else ''}</small></td>"
                   f"<td><small>{_e(c.after) if c.after is not None else ''}</small></td></tr>" for c in changes)
    table = outcome_diff(ps.compiled[a], ps.compiled[b])
    table.index = [label(f"outcome.{o}", lang) for o in table.index]
    table.columns = [label(f"outcome.{o}", lang) for o in table.columns]
    return (f"<h4>{label('explorer.text_changes', lang)} ({len(changes)})</h4><table>{rows}</table>"
            f"<h4>{label('explorer.outcome_changes', lang)}: {_e(a)} → {_e(b)}</h4>{table.to_html()}")


def lint_html(ps: PolicySet, pid: str, lang: str = "zh") -> str:
    findings = lint_policy(ps.compiled[pid]) + [f for f in lint_families(ps) if f.policy == pid]
    if not [f for f in findings if f.level != "info"]:
        head = f"<p>✓ {label('explorer.lint_clean', lang)}</p>"
    else:
        head = ""
    items = "".join(f"<li><b>{_e(f.level)}</b> {_e(f.code)}: {_e(f.message)}</li>" for f in findings)
    return f"{head}<ul>{items}</ul>"


def apply_edit(pid: str, edit: str, target: str, value: str, ps: PolicySet | None = None) -> dict:
    """``edit`` is one of drop / condition / time_limit; ``target`` is ``group:rule_id`` or a stage."""
    data = policy_data((ps or bundled()).get(pid))
    if edit == "drop":
        group, rule = target.split(":", 1)
        return drop_rule(data, group, rule)
    if edit == "condition":
        group, rule = target.split(":", 1)
        return set_condition(data, group, rule, value)
    if edit == "time_limit":
        try:
            days = int(value)
        except ValueError:
            raise EditError(f"time limit {value!r}: a whole number of working days") from None
        return set_time_limit(data, target, days)
    raise EditError(f"edit {edit!r}: use drop, condition or time_limit")


def impact_html(cases: pd.DataFrame, pid: str, edited: dict, lang: str = "zh") -> str:
    """Impact on the cases governed by ``pid`` (all cases when none records its policy)."""
    if "policy_id" in cases.columns and (cases["policy_id"] == pid).any():
        cases = cases[cases["policy_id"] == pid]
    imp = policy_impact(cases, pid, edited)
    changed = len(imp.changed)
    pairs = imp.pairs.copy()
    if not pairs.empty:
        pairs["before"] = [label(f"outcome.{o}", lang) for o in pairs["before"]]
        pairs["after"] = [label(f"outcome.{o}", lang) for o in pairs["after"]]
    return (f"<p>{label('explorer.impact_summary', lang).format(changed=changed, total=imp.total)}</p>"
            f"{pairs.to_html(index=False) if not pairs.empty else ''}"
            f"{imp.by_region.to_html() if not imp.by_region.empty else ''}")


def edit_targets(pid: str, ps: PolicySet | None = None) -> list[str]:
    p = (ps or bundled()).get(pid)
    out = [f"{g}:{r.id}" for g in ("distinctions", "exclusions", "conditions", "mitigations") for r in getattr(p, g)]
    out += [f"grading:{g.id}" for g in p.grading[:-1]]
    return out


def app(cases: pd.DataFrame | None = None, lang: str = "zh"):
    """The explorer as widgets. ``cases``: fact columns (+ ``region``) to measure impact on;
    default: the register's cases if a register exists, else the typical-case library."""
    import ipywidgets as w
    from IPython.display import display


    ps = bundled()
    ids = sorted(ps.policies)
    state = {"lang": lang}
    cases = cases if cases is not None else default_cases()
    lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
    lang_w.add_class("ftlib-lang")
    pol = w.Dropdown(options=ids, value=ids[-1])
    other = w.Dropdown(options=ids, value=ids[0])
    clauses, diff, lints, impact = (w.HTML() for _ in range(4))
    edit = w.Dropdown(options=[("drop", "drop"), ("condition", "condition"), ("time_limit", "time_limit")])
    target = w.Combobox(options=edit_targets(pol.value), placeholder="exclusions:concealed")
    value = w.Text(placeholder='procedure.collective_decision / 10')
    run = w.Button(description=label("explorer.run", lang))
    tabs = w.Tab(children=[clauses, w.VBox([other, diff]), lints, w.VBox([w.HBox([edit, target, value, run]), impact])])

    def titles() -> None:
        for i, key in enumerate(("clauses", "diff", "lint", "impact")):
            tabs.set_title(i, label(f"explorer.tab_{key}", state["lang"]))

    def refresh(*_: Any) -> None:
        lg = state["lang"]
        titles()
        clauses.value = clause_html(ps.compiled[pol.value], lg)
        diff.value = diff_html(ps, other.value, pol.value, lg)
        lints.value = lint_html(ps, pol.value, lg)
        target.options = edit_targets(pol.value)

    def on_run(_: Any) -> None:
        try:
            edited = apply_edit(pol.value, edit.value, target.value, value.value, ps)
            impact.value = impact_html(cases, pol.value, edited, state["lang"])
        except (EditError, ValueError) as err:
            impact.value = f"<p style='color:#b00'>{_e(err)}</p>"

    def on_lang(change: dict) -> None:
        state["lang"] = change["new"]
        run.description = label("explorer.run", change["new"])
        refresh()

    pol.observe(refresh, names="value")
    other.observe(refresh, names="value")
    lang_w.observe(on_lang, names="value")
    run.on_click(on_run)
    refresh()
    box = w.VBox([lang_w, pol, tabs])
    box.widgets = {"lang": lang_w, "policy": pol, "other": other, "edit": edit, "target": target,
                   "value": value, "run": run, "clauses": clauses, "diff": diff, "lint": lints, "impact": impact}
    display(box)
    return box
