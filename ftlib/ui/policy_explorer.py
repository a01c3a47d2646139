"""02 政策浏览器: a policy clause by clause with the rules that cite each clause, the difference
between two policies, lint results, and the impact of an edited copy on a set of cases."""

# Imports inside functions: a Voilà kernel's start-up time: widgets and the case sources load when the page is drawn.

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ftlib.errors import FtlibError
from ftlib.i18n import LANG_OPTIONS, has_label, label
from ftlib.impact import EditError, drop_rule, policy_data, policy_impact, set_condition, set_time_limit
from ftlib.policy.cite import article_of
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.diff import item_name, outcome_diff, text_diff
from ftlib.policy.lint import lint_families, lint_policy
from ftlib.policy.loader import PolicySet, bundled


def _e(x: Any) -> str:
    return html.escape(str(x))


def clause_table(compiled: CompiledPolicy, lang: str = "zh") -> pd.DataFrame:
    """One row per clause: its article, text and source beside every rule that cites it — the
    rule in words (``rules``) and, for whoever checks the encoding, its condition (``conditions``)."""
    p = compiled.policy
    citing: dict[str, list[str]] = {cid: [] for cid in p.clauses}
    technical: dict[str, list[str]] = {cid: [] for cid in p.clauses}
    for s in [*compiled.steps, *compiled.grading]:
        result = s.disposition or s.outcome
        extra = f" ⇒ {label(('disposition.' if s.disposition else 'outcome.') + result, lang)}" if result else ""
        citing.setdefault(s.clause, []).append(f"[{label('group.' + s.group, lang)}] {_row_words(p, s.rule_id, lang)}{extra}")
        technical.setdefault(s.clause, []).append(f"{s.rule_id}: {s.condition.text}")
    for c, _ in compiled.corrections:
        citing.setdefault(c.clause, []).append(f"[{label('text.corrections', lang)}] {getattr(c.text, lang)}")
        technical.setdefault(c.clause, []).append(c.id)
    rows = []
    for cid, cl in p.clauses.items():
        src = cl.source.title + (f" {cl.source.article}" if cl.source and cl.source.article else "") if cl.source else ""
        rows.append({
            "clause": cid,
            "article": article_of(p, cid),
            "text": cl.zh if lang == "zh" else cl.en,
            "status": label(f"status.{cl.status}", lang),
            "source": src,
            "rules": citing.get(cid, []),
            "conditions": technical.get(cid, []),
        })
    return pd.DataFrame(rows)


def clause_html(compiled: CompiledPolicy, lang: str = "zh") -> str:
    t = clause_table(compiled, lang)
    head = "".join(f"<th>{label('explorer.' + c, lang)}</th>" for c in ("clause", "text", "source", "rules"))

    def rules(r) -> str:
        words = "<br>".join(_e(x) for x in r.rules) or "—"
        if not r.conditions:
            return words
        return words + _folded(r.conditions, lang)

    body = "".join(
        f"<tr><td style='white-space:nowrap'>{_e(r.article or '—')}<br><small>{_e(r.status)}</small></td>"
        f"<td>{_e(r.text)}</td><td><small>{_e(r.source)}</small></td><td>{rules(r)}</td></tr>"
        for r in t.itertuples())
    return f"<table class='ftlib-clauses' style='word-break:keep-all'><tr>{head}</tr>{body}</table>"


def diff_html(ps: PolicySet, a: str, b: str, lang: str = "zh") -> str:
    changes = text_diff(ps.get(a), ps.get(b))
    rows = "".join(f"<tr><td>{label(f'compare.section.{c.section}', lang)}</td>"
                   f"<td>{_e(item_name(ps.get(a), ps.get(b), c, lang))}</td>"
                   f"<td>{label('diff.' + c.kind, lang)}</td>"
                   f"<td>{_condition_change(c, lang)}</td></tr>" for c in changes)
    table = outcome_diff(ps.compiled[a], ps.compiled[b])
    table.index = [label(f"outcome.{o}", lang) for o in table.index]
    table.columns = [label(f"outcome.{o}", lang) for o in table.columns]
    keep = "<style>.ftlib-diff-text td:nth-child(1),.ftlib-diff-text td:nth-child(3){white-space:nowrap}</style>"
    return (f"{keep}<h4>{label('explorer.text_changes', lang)} ({len(changes)})</h4>"
            f"<table class='ftlib-diff-text'>{rows}</table>"
            f"<h4>{label('explorer.outcome_changes', lang)}: {_e(getattr(ps.get(a).name, lang))} → "
            f"{_e(getattr(ps.get(b).name, lang))}</h4>{table.to_html(classes='ftlib-table')}")


def _condition_change(c: Any, lang: str) -> str:
    """A rule's condition before and after, folded away: the encoding, for whoever checks it."""
    when = [x.get("when") if isinstance(x, dict) else None for x in (c.before, c.after)]
    if when == [None, None] or when[0] == when[1]:
        return ""
    return _folded([" → ".join("—" if w is None else str(w) for w in when)], lang)


def _folded(lines: list[str], lang: str) -> str:
    """The encoding (rule ids, conditions) folded under 技术细节, one click away."""
    return (f"<details><summary><small>{_e(label('explorer.technical', lang))}</small></summary>"
            f"<small style='font-family:monospace'>{'<br>'.join(_e(x) for x in lines)}</small></details>")


def _row_words(policy, rule_id: str, lang: str) -> str:
    for g in [*policy.grading, *policy.distinctions, *policy.exclusions, *policy.conditions, *policy.mitigations]:
        if g.id == rule_id and getattr(g, "label", None) is not None:
            return getattr(g.label, lang)
    return label(f"grading_row.{rule_id}", lang) if has_label(f"grading_row.{rule_id}") else rule_id


def _clause_words(policy, clause_id: str, lang: str, n: int = 24) -> str:
    clause = policy.clauses.get(clause_id)
    if clause is None:
        return clause_id
    text = clause.zh if lang == "zh" else clause.en
    return text if len(text) <= n else text[:n] + "…"


def finding_text(f, ps: PolicySet, lang: str) -> str:
    """A lint finding in ``lang`` (``lint.<code>`` labels): rows and clauses by their words."""
    key = f"lint.{f.code}"
    if not has_label(key):
        return f.message
    policy = ps.policies.get(f.policy)
    p = {k: v for k, v in f.params.items()}
    for k in ("row", "other"):
        if k in p and policy is not None:
            other = ps.policies.get(str(p[k])) if f.code == "overlapping-validity" else None
            p[k] = getattr(other.name, lang) if other is not None else _row_words(policy, str(p[k]), lang)
    if "clause" in p and policy is not None:
        p["clause"] = _clause_words(policy, str(p["clause"]), lang)
    for k in ("status", "expected"):
        if k in p:
            p[k] = label(f"status.{p[k]}", lang)
    if "n" in p and isinstance(p["n"], int):
        p["n"] = f"{p['n']:,}"
    text = label(key, lang, **p) if p else label(key, lang)
    if p.get("exhaustive") is False:
        text += label("lint.sample", lang, n=p["n"])
    return text


def lint_html(ps: PolicySet, pid: str, lang: str = "zh") -> str:
    findings = lint_policy(ps.compiled[pid]) + [f for f in lint_families(ps) if f.policy == pid]
    head = f"<p>✓ {label('explorer.lint_clean', lang)}</p>" if not [f for f in findings if f.level != "info"] else ""
    items = "".join(f"<li class='ftlib-finding' data-code='{_e(f.code)}' data-level='{_e(f.level)}'>"
                    f"<b>{_e(label('lint.level.' + f.level, lang))}</b>：{_e(finding_text(f, ps, lang))}</li>"
                    for f in findings)
    return f"{head}<ul>{items}</ul>"


def apply_edit(pid: str, edit: str, target: str, value: str, ps: PolicySet | None = None) -> dict:
    """``edit`` is one of drop / condition / time_limit; ``target`` is ``group:rule_id`` or a stage."""
    data = policy_data((ps or bundled()).get(pid))
    if edit in ("drop", "condition") and ":" not in (target or ""):
        raise EditError(f"target {target!r}: choose a rule (group:rule_id)")
    if edit == "drop":
        group, rule = target.split(":", 1)
        return drop_rule(data, group, rule)
    if edit == "condition":
        group, rule = target.split(":", 1)
        if not (value or "").strip():
            raise EditError("value '': give the new condition")
        return set_condition(data, group, rule, value)
    if edit == "time_limit":
        try:
            days = int(value)
        except (TypeError, ValueError):
            raise EditError(f"time limit {value!r}: a whole number of working days") from None
        return set_time_limit(data, target, days)
    raise EditError(f"edit {edit!r}: use drop, condition or time_limit")


def measured_cases(cases: pd.DataFrame, pid: str) -> tuple[pd.DataFrame, str]:
    """The cases an edit of ``pid`` is measured on, and which label says so."""
    if "policy_id" not in cases.columns:
        return cases, "cases_library"
    own = cases[cases["policy_id"] == pid]
    return (own, "cases_register") if len(own) else (cases, "cases_register_all")


def _outcome_words(series: pd.Series, lang: str) -> list[str]:
    return [label(f"outcome.{o}", lang) for o in series]


def impact_html(cases: pd.DataFrame, pid: str, edited: dict, lang: str = "zh", sample: bool = False) -> str:
    """Impact on the register's cases governed by ``pid`` (all its cases when none is), or on the
    library's; every heading, outcome and region in words."""
    from ftlib.regions import region_name

    cases, source = measured_cases(cases, pid)
    imp = policy_impact(cases, pid, edited)
    where = label(f"explorer.{source}", lang, n=len(cases)) + (label("explorer.cases_sample", lang) if sample else "")
    out = (f"<p class='ftlib-impact-source' data-source='{source}'>{_e(where)}</p>"
           f"<p class='ftlib-impact-summary'>{_e(label('explorer.impact_summary', lang).format(changed=len(imp.changed), total=imp.total))}</p>")
    if imp.pairs.empty:
        return out
    col = {k: label(f"explorer.col_{k}", lang) for k in ("before", "after", "cases", "region")}
    pairs = pd.DataFrame({col["before"]: _outcome_words(imp.pairs["before"], lang),
                          col["after"]: _outcome_words(imp.pairs["after"], lang), col["cases"]: imp.pairs["cases"]})
    changed = imp.changed.assign(change=[f"{b} → {a}" for b, a in zip(_outcome_words(imp.changed["before"], lang),
                                                                     _outcome_words(imp.changed["after"], lang))])
    changed["region"] = [region_name(r, lang) if r else "—" for r in changed["region"]]
    by_region = changed.groupby(["region", "change"]).size().unstack(fill_value=0)
    by_region.index.name, by_region.columns.name = col["region"], None
    return (out + pairs.to_html(index=False, classes="ftlib-table")
            + by_region.reset_index().to_html(index=False, classes="ftlib-table"))


def edit_targets(pid: str, ps: PolicySet | None = None, edit: str = "drop", lang: str = "zh") -> list[tuple[str, str]]:
    """(words, value) choices: the rules that may be dropped or rewritten, or the stages."""
    p = (ps or bundled()).get(pid)
    if edit == "time_limit":
        return [(label(f"desk.stage.{s}", lang), s) for s in p.procedure.time_limits_working_days]
    out = [(f"{label('group.' + g, lang)}：{_row_words(p, r.id, lang)}", f"{g}:{r.id}")
           for g in ("distinctions", "exclusions", "conditions", "mitigations") for r in getattr(p, g)]
    out += [(f"{label('group.grading', lang)}：{_row_words(p, g.id, lang)}", f"grading:{g.id}") for g in p.grading[:-1]]
    return out


def _policy_options(ps: PolicySet, ids: list[str], lang: str) -> list[tuple[str, str]]:
    return [(getattr(ps.policies[i].name, lang), i) for i in ids]


def app(cases: pd.DataFrame | None = None, lang: str = "zh", url: str | None = None):
    """The explorer as widgets. ``cases``: fact columns (+ ``region``, ``policy_id``) to measure
    impact on; default: the register's cases (the sample register when no other is configured),
    else the typical-case library — the page says which."""
    import ipywidgets as w
    from IPython.display import display

    from ftlib.ui.case_source import library_cases, register_cases
    from ftlib.ui.register_explorer import resolve_url

    ps = bundled()
    ids = sorted(ps.policies)
    state = {"lang": lang, "sample": False}
    if cases is None:
        found, state["sample"] = resolve_url(url)
        try:
            cases = register_cases(found) if found else library_cases()
        except FtlibError:
            cases = library_cases()
        if not len(cases):
            cases = library_cases()
    style = {"description_width": "initial"}
    lang_w = w.ToggleButtons(options=LANG_OPTIONS, value=lang)
    lang_w.add_class("ftlib-lang")
    wide = w.Layout(width="44em")   # policy names are long; a cut name reads as another policy
    pol = w.Dropdown(options=_policy_options(ps, ids, lang), value=ids[-1], style=style, layout=wide)
    other = w.Dropdown(options=_policy_options(ps, ids, lang), value=ids[0], style=style, layout=wide)
    pol.add_class("ftlib-policy")
    other.add_class("ftlib-other-policy")
    clauses, diff, lints, impact = (w.HTML() for _ in range(4))
    lints.add_class("ftlib-lint")
    diff.add_class("ftlib-diff")
    impact.add_class("ftlib-impact")
    edit = w.Dropdown(style=style)
    target = w.Dropdown(style=style, layout=w.Layout(width="420px"))
    value = w.Text(style=style)
    run = w.Button()
    run.add_class("ftlib-run")
    tabs = w.Tab(children=[clauses, w.VBox([other, diff]), lints,
                           w.VBox([w.HBox([edit, target]), w.HBox([value, run]), impact])])

    def relabel() -> None:
        lg = state["lang"]
        for i, key in enumerate(("clauses", "diff", "lint", "impact")):
            tabs.set_title(i, label(f"explorer.tab_{key}", lg))
        current = edit.value or "drop"
        edit.options = [(label(f"explorer.edit_{k}", lg), k) for k in ("drop", "condition", "time_limit")]
        edit.value = current
        state["relabelling"] = True   # new option words, same policies: nothing to recompute
        for chooser in (pol, other):
            current = chooser.value
            chooser.options = _policy_options(ps, ids, lg)
            chooser.value = current
        state["relabelling"] = False
        pol.description, other.description = label("explorer.policy", lg), label("explorer.other", lg)
        edit.description, target.description = label("explorer.edit", lg), label("explorer.target", lg)
        value.description, value.placeholder = label("explorer.value", lg), label("explorer.value_hint", lg)
        run.description = label("explorer.run", lg)
        targets()

    def targets(*_: Any) -> None:
        current = target.value
        target.options = edit_targets(pol.value, ps, edit.value or "drop", state["lang"])
        values = [v for _, v in target.options]
        target.value = current if current in values else (values[0] if values else None)

    def refresh(*_: Any) -> None:
        if state.get("relabelling"):
            return
        lg = state["lang"]
        clauses.value = clause_html(ps.compiled[pol.value], lg)
        diff.value = diff_html(ps, other.value, pol.value, lg)
        lints.value = lint_html(ps, pol.value, lg)
        targets()

    def on_run(_: Any) -> None:
        lg = state["lang"]
        try:
            edited = apply_edit(pol.value, edit.value, target.value, value.value, ps)
            impact.value = impact_html(cases, pol.value, edited, lg, state["sample"])
        except (FtlibError, ValueError) as err:
            impact.value = (f"<div class='ftlib-error' style='color:#b00'>{_e(label('explorer.edit_error', lg))}"
                            f"<details><summary><small>{_e(label('explorer.technical', lg))}</small></summary>"
                            f"<small lang='en'>{_e(err)}</small></details></div>")

    def on_lang(change: dict) -> None:
        state["lang"] = change["new"]
        relabel()
        refresh()

    pol.observe(refresh, names="value")
    other.observe(refresh, names="value")
    edit.observe(targets, names="value")
    lang_w.observe(on_lang, names="value")
    run.on_click(on_run)
    relabel()
    refresh()
    box = w.VBox([lang_w, pol, tabs])
    box.widgets = {"lang": lang_w, "policy": pol, "other": other, "edit": edit, "target": target,
                   "value": value, "run": run, "clauses": clauses, "diff": diff, "lint": lints, "impact": impact}
    display(box)
    return box
