"""HTML views of a determination, a comparison and counterfactuals, in zh or en. Pure functions
of their inputs (no widgets), shared by the case builder, the quiz and the ex-ante check."""

# Imports inside functions: the quiz and case-builder kernels load no policy set until one is drawn (start-up time).

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from ftlib.engine import Determination, comparison_table
from ftlib.i18n import fact_label, label, outcome_label, value_label
from ftlib.ui.labels import text
from ftlib.vocabulary import OUTCOMES

if TYPE_CHECKING:  # explain builds frames (pandas); the quiz's views never need it at run time
    from ftlib.explain import Counterfactuals
from ftlib.facts import UNKNOWN

#: The decisive row: JupyterLab's theme variables (readable in its light and dark themes), with
#: light-theme fallbacks where no JupyterLab stylesheet is loaded (a static page).
NOWRAP = " style='white-space:nowrap'"
DECISIVE_STYLE = ("background:var(--jp-layout-color2,#fff3c4);color:var(--jp-content-font-color0,inherit);"
                  "box-shadow:inset 4px 0 var(--jp-warn-color1,#c9a000);font-weight:bold")
COLOURS = {"exempt": "#1b7a3a", "mitigated": "#8a6d00", "not_tolerated": "#b3261e", "out_of_scope": "#555"}


def e(x: Any) -> str:
    return html.escape(str(x))


def policy_names(sentence: str, lang: str) -> str:
    """``sentence`` with each bundled policy's id replaced by its name (for readers, not developers)."""

    from ftlib.policy.loader import bundled

    policies = bundled().policies

    def name(m: re.Match) -> str:
        p = policies.get(m.group(0))
        return f"《{getattr(p.name, lang)}》" if p is not None else m.group(0)
    return re.sub(r"CN(?:-[A-Z0-9]+)+", name, sentence)


def outcome_html(d: Determination, lang: str = "zh", ids: bool = False) -> str:
    """The outcome and the row that decided it, in words (a user never meets an id); ``ids=True``
    adds the row and policy ids for a developer's view."""
    name = d.policy.name_zh if lang == "zh" else d.policy.name_en
    policy = f"{e(d.policy.id)}（{e(name)}）" if ids else e(name)
    selection = getattr(d.selection, lang) if ids else policy_names(getattr(d.selection, lang), lang)
    out = (f"<div class='ftlib-outcome' data-outcome='{d.outcome}'>"
           f"<span>{e(text('outcome', lang))}：</span>"
           f"<b style='font-size:1.4em;color:{COLOURS[d.outcome]}'>{e(outcome_label(d.outcome, lang))}</b>"
           f" <span class='ftlib-rule'>{e(d.deciding_words(lang))}</span>"
           + (f" <code>{e(d.deciding_rule)}</code>" if ids else "") + "</div>"
           f"<div>{e(text('policy_used', lang))}：{policy} — {e(selection)}</div>")
    out += (f"<div class='ftlib-disposition' data-disposition='{e(d.disposition)}'>"
            f"{e(label('text.disposition', lang))}：<b>{e(d.disposition_label(lang))}</b>"
            f"（{e(label('text.track', lang))}：{e(label('track.' + d.track, lang))}；"
            f"{e(label('text.subject', lang))}：{e(label('subject_kind.' + d.subject_kind, lang))}）"
            f" <small>{e(label('text.row_status', lang))}：{e(label('status.' + d.deciding_status, lang))}</small></div>")
    if d.handling:
        out += f"<div>{e(text('handling', lang))}：{e(getattr(d.handling, lang))}</div>"
    for w in d.warnings:
        out += f"<div style='color:#b3261e'>⚠ {e(getattr(w, lang))}</div>"
    return out


def _facts(reads: dict[str, Any], lang: str) -> str:
    return "; ".join(f"{fact_label(k, lang)}={value_label(k, v, lang)}" for k, v in reads.items())


def _rule_words(d: Determination, group: str, rule: str, lang: str) -> str:
    """A rule in the policy's own words (its ``label``; the deciding row's is on the determination)."""
    if group == "grading" and rule == d.deciding_rule and d.deciding_label is not None:
        return d.deciding_words(lang)
    return _policy_rule_words(d.policy.id, group, rule, lang)


def _policy_rule_words(policy_id: str, group: str, rule: str, lang: str) -> str:
    try:
        from ftlib.policy.loader import bundled

        policy = bundled().policies.get(policy_id)
    except Exception:  # noqa: BLE001 — an edited policy not in the bundle: the catalogue's words
        policy = None
    rules = getattr(policy, group, None)
    for r in rules if isinstance(rules, list) else []:
        if getattr(r, "id", None) == rule and getattr(r, "label", None) is not None:
            return getattr(r.label, lang)
    return label(f"rule.{rule}", lang)  # the catalogue's words, else (fallback rule) the id


def plain_sentence(d: Determination, t: Any, lang: str = "zh") -> str | None:
    """One step in words (``reason.<group>.<true|false>`` labels); None for a grading row that did
    not apply (the technical trace lists those)."""
    if t.group == "grading" and not t.decisive:
        return None
    group = t.group if t.group in ("distinctions", "exclusions", "scope", "conditions", "mitigations",
                                   "grading") else "other"
    key = f"reason.{group}.{'true' if t.result else 'false'}"
    value = "、".join(value_label(k, v, lang) for k, v in t.facts.items()) if lang == "zh" else \
        ", ".join(value_label(k, v, lang) for k, v in t.facts.items())
    return label(key, lang).format(rule=_rule_words(d, t.group, t.rule, lang), value=value,
                                   outcome=outcome_label(d.outcome, lang))


def plain_reasons_html(d: Determination, lang: str = "zh") -> str:
    """The reasons a class can follow: one sentence per step, with the clause it rests on."""
    items = []
    for t in d.trace:
        sentence = plain_sentence(d, t, lang)
        if sentence is None:
            continue
        cls = " class='ftlib-decisive'" if t.decisive else ""
        style = f" style='{DECISIVE_STYLE}'" if t.decisive else ""
        items.append(f"<li{cls}{style} data-step='{t.step}'><span class='ftlib-reason'>{e(sentence)}</span>"
                     f" <small class='ftlib-clause'>{e(_clause_ref(t, lang))}</small></li>")
    return (f"<h4>{e(label('plain.title', lang))}</h4>"
            f"<ol class='ftlib-plain-reasons' style='line-height:1.6;word-break:keep-all;overflow-wrap:anywhere'>"
            + "".join(items) + "</ol>")


def _clause_ref(t: Any, lang: str) -> str:
    """The clause a step rests on, short: its source title and article when the policy cites one,
    else the clause text cut to a line."""
    body = t.clause_zh if lang == "zh" else t.clause_en
    body = body if len(body) <= 60 else body[:58] + "…"
    cited = ", ".join(b.strip() for b in (t.source or "").split(",") if b.strip() and "://" not in b)
    return f"（{label('plain.rests_on', lang)}：{cited or body}）" if lang == "zh" else \
        f"({label('plain.rests_on', lang)}: {cited or body})"


def reasons_html(d: Determination, lang: str = "zh") -> str:
    """The plain reasons and the five assessments, with the technical trace (every rule checked,
    its condition, the facts read and the text of its clause) one click away."""
    return plain_reasons_html(d, lang) + assessments_html(d, lang) + (
        f"<details class='ftlib-technical'><summary>{e(label('plain.technical', lang))}"
        f"</summary>{technical_reasons_html(d, lang)}</details>")


WEIGHT_COLOURS = {"for": "#1b7a3a", "against": "#b3261e", "mixed": "#8a6d00", "open": "#555"}


def assessments_html(d: Determination, lang: str = "zh") -> str:
    """The five assessments as a table a trainer can project: each one's weight and the facts it
    read, by how they weighed (an illustrative reading, said in the heading)."""
    if not d.assessments:
        return ""
    sep, colon = ("，", "：") if lang == "zh" else (", ", ": ")
    rows = []
    for a in d.assessments:
        cells = []
        for way in ("for", "against", "open", "neutral"):
            names = [k for k in a.facts if a.directions[k] == way]
            if names:
                cells.append(f"<span data-way='{way}'>{e(label('weight.' + way, lang))}{colon}"
                             + e(sep.join(f"{fact_label(k, lang)}={value_label(k, a.facts[k], lang)}"
                                          if a.facts[k] != UNKNOWN else f"{fact_label(k, lang)}={label('text.unknown', lang)}"
                                          for k in names)) + "</span>")
        colour = WEIGHT_COLOURS.get(a.weight, "inherit")
        rows.append(f"<tr data-assessment='{e(a.id)}' data-weight='{e(a.weight)}'>"
                    f"<td title='{e(getattr(a.question, lang))}'><b>{e(getattr(a.label, lang))}</b></td>"
                    f"<td style='color:{colour};white-space:nowrap'>{e(label('weight.' + a.weight, lang))}</td>"
                    f"<td><small>{'<br>'.join(cells)}</small></td></tr>")
    status = label("status." + d.assessments[0].status, lang)
    shown = f"（{e(status)}）" if lang == "zh" else f"({e(status)})"
    return (f"<h4>{e(label('text.assessments', lang))} <small>{shown}</small></h4>"
            f"<table class='ftlib-assessments' style='word-break:keep-all'>" + "".join(rows) + "</table>")


def technical_reasons_html(d: Determination, lang: str = "zh") -> str:
    """Every rule checked, with the text of its clause (each clause's text where first cited)."""

    head = "".join(f"<th style='white-space:nowrap'>{e(text(k, lang))}</th>" for k in ("step", "group", "rule", "condition", "facts_read",
                                                             "result", "clause"))
    rows, shown = [], set()
    for t in d.trace:
        clause_text = "" if t.clause in shown else (t.clause_zh if lang == "zh" else t.clause_en)
        shown.add(t.clause)
        style = f" class='ftlib-decisive' style='{DECISIVE_STYLE}'" if t.decisive else ""
        mark = f" ◀ {e(text('decisive', lang))}" if t.decisive else ""
        rows.append(f"<tr{style}><td>{t.step}</td><td>{e(label('group.' + t.group, lang))}</td>"
                    f"<td><code>{e(t.rule)}</code>{mark}</td><td><code>{e(t.condition)}</code></td>"
                    f"<td><small>{e(_facts(t.facts, lang))}</small></td><td>{e(value_label('', t.result, lang))}</td>"
                    f"<td><small>〔{e(t.clause)}〕{e(clause_text)}</small></td></tr>")
    return (f"<h4>{e(text('reasons', lang))}</h4><table class='ftlib-reasons' style='word-break:keep-all'><tr>{head}</tr>"
            + "".join(rows) + "</table>")


def corrections_html(d: Determination, lang: str = "zh", ids: bool = False) -> str:
    items = "".join(f"<li>{e(getattr(c, lang))}（{e(text('within_days', lang, n=c.time_limit_working_days))}）"
                    + (f" <small>〔{e(c.clause)}〕</small>" if ids else "") + "</li>" for c in d.corrections)
    months = d.aftercare.impact_period_months
    # no period at all (0) is said by the note ("no effect on appraisal …"), not as "0 months"
    care = [] if months == 0 else [text("impact_period", lang, n=months) if months is not None
                                   else label("text.impact_unknown", lang)]
    if d.aftercare.follow_up_visit_within_working_days:
        care.append(text("follow_up", lang, n=d.aftercare.follow_up_visit_within_working_days))
    if d.aftercare.note:
        care.append(getattr(d.aftercare.note, lang))
    return (f"<h4>{e(text('corrections', lang))}</h4><ul class='ftlib-corrections'>"
            f"{items or '<li>' + e(text('nothing', lang)) + '</li>'}</ul>"
            f"<h4>{e(text('aftercare', lang))}</h4><p class='ftlib-aftercare'>{e('；'.join(care))}</p>")


def comparison_html(dets: list[Determination], current: str | None, lang: str = "zh") -> str:
    table = comparison_table(dets, lang)
    wraps = [c in (label("column.policy", lang), label("column.rule", lang), label("column.warnings", lang))
             for c in table.columns]
    rows = []
    for (_, r), d in zip(table.iterrows(), dets):
        style = " style='font-weight:bold'" if d.policy.id == current else ""
        # short words (结果, 处理结论, 性质) never break; names, rules and warnings wrap between words
        cells = "".join(f"<td{'' if long else NOWRAP}>{e(v)}</td>" for v, long in zip(r.values, wraps))
        rows.append(f"<tr{style} data-policy='{e(d.policy.id)}' data-outcome='{d.outcome}'>{cells}</tr>")
    head = "".join(f"<th{NOWRAP}>{e(c)}</th>" for c in table.columns)
    return (f"<h4>{e(text('comparison', lang))}</h4><table class='ftlib-comparison' style='word-break:keep-all'><tr>{head}</tr>"
            + "".join(rows) + "</table>")


def change_text(c: Any, lang: str) -> str:
    return f"{fact_label(c.fact, lang)}：{value_label(c.fact, c.before, lang)} → {value_label(c.fact, c.after, lang)}"


def counterfactuals_html(cf: Counterfactuals, lang: str = "zh") -> str:
    parts = [f"<h4>{e(text('counterfactuals', lang))}</h4>",
             f"<p><small>{e(policy_names(text('cf_policy', lang, id=cf.policy_id), lang))}</small></p>"]
    if not cf.by_outcome:
        parts.append(f"<p class='ftlib-cf-none'>{e(text('cf_none', lang, k=cf.max_changes))}</p>")
    for o in OUTCOMES:
        sets = cf.by_outcome.get(o)
        if not sets:
            continue
        items = "".join(
            f"<li>{' ＋ '.join(e(change_text(c, lang)) for c in s.changes)} <small>({e(text('cf_rule', lang))}: "
            f"{e(_policy_rule_words(cf.policy_id, 'grading', s.rule, lang))})</small></li>" for s in sets)
        parts.append(f"<div class='ftlib-cf' data-outcome='{o}'><b style='color:{COLOURS[o]}'>"
                     f"{e(text('cf_to', lang, outcome=outcome_label(o, lang)))}</b><ul>{items}</ul></div>")
    missing = cf.unreachable()
    if cf.by_outcome and missing:
        names = "、".join(outcome_label(o, lang) for o in missing) if lang == "zh" else \
            ", ".join(outcome_label(o, lang) for o in missing)
        parts.append(f"<p><small>{e(text('cf_unreachable', lang, k=cf.max_changes, outcomes=names))}</small></p>")
    return "".join(parts)


def error_html(err: Exception, lang: str = "zh") -> str:
    return (f"<div class='ftlib-outcome ftlib-error' data-outcome='error' style='color:#b3261e'>"
            f"<b>{e(text('error', lang))}</b>：{e(err)}</div>")
