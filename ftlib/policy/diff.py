"""What differs between two policies: text (clauses, rules, scope, grading, time limits) and
meaning (on how much of the fact space the outcome differs, and between which outcomes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ftlib.convert import frame_columns
from ftlib.i18n import has_label, label, value_label
from ftlib.policy.cite import article_mark
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.schema import Policy
from ftlib.policy.space import domains, enumerate_frame
from ftlib.regions import region_name
from ftlib.vocabulary import DISPOSITIONS, OUTCOMES


@dataclass(frozen=True)
class Change:
    section: str     # clauses, distinctions, exclusions, scope, conditions, mitigations, grading, procedure, identity
    item: str
    kind: str        # added | removed | changed
    before: Any = None
    after: Any = None


def _rules(p: Policy, group: str) -> dict[str, dict]:
    return {r.id: r.model_dump(exclude={"label", "drop"}) for r in getattr(p, group)}


def text_diff(a: Policy, b: Policy) -> list[Change]:
    out: list[Change] = []

    def mapping(section: str, x: dict, y: dict) -> None:
        for k in sorted(set(x) | set(y), key=str):
            if k not in y:
                out.append(Change(section, str(k), "removed", x[k], None))
            elif k not in x:
                out.append(Change(section, str(k), "added", None, y[k]))
            elif x[k] != y[k]:
                out.append(Change(section, str(k), "changed", x[k], y[k]))

    for field in ("effective_from", "effective_to", "jurisdiction", "status", "exante_registration"):
        if getattr(a, field) != getattr(b, field):
            out.append(Change("identity", field, "changed", getattr(a, field), getattr(b, field)))
    mapping("clauses", {k: v.zh for k, v in a.clauses.items()}, {k: v.zh for k, v in b.clauses.items()})
    for group in ("distinctions", "exclusions", "conditions", "mitigations"):
        mapping(group, _rules(a, group), _rules(b, group))
    sa, sb = set(a.scope.scenarios), set(b.scope.scenarios)
    out += [Change("scope", s, "removed") for s in sorted(sa - sb)]
    out += [Change("scope", s, "added") for s in sorted(sb - sa)]
    ga = [(g.id, str(g.when), g.outcome) for g in a.grading]
    gb = [(g.id, str(g.when), g.outcome) for g in b.grading]
    if ga != gb:
        mapping("grading", {g[0]: g[1:] for g in ga}, {g[0]: g[1:] for g in gb})
        if [g[0] for g in ga] != [g[0] for g in gb] and {g[0] for g in ga} == {g[0] for g in gb}:
            out.append(Change("grading", "order", "changed", [g[0] for g in ga], [g[0] for g in gb]))
    mapping("procedure", a.procedure.model_dump(), b.procedure.model_dump())
    return out


def _run_both(a: CompiledPolicy, b: CompiledPolicy, exhaustive: list | None = None) -> tuple[pd.DataFrame, tuple, tuple]:
    """Both policies over the discrete fact space both read (exhaustive where small enough,
    else a seeded sample): the frame and each policy's (outcome codes, deciding row index)."""
    dom = domains(a)
    dom.update(domains(b))
    frame, whole = enumerate_frame(dom)
    if exhaustive is not None:
        exhaustive.append(whole)
    names = a.facts_read | b.facts_read
    out_a, row_a, _ = a.run_frame(frame_columns(frame, names), len(frame))
    out_b, row_b, _ = b.run_frame(frame_columns(frame, names), len(frame))
    return frame, (out_a, row_a), (out_b, row_b)


def _crosstab(codes_a, codes_b, names: tuple[str, ...], a: CompiledPolicy, b: CompiledPolicy) -> pd.DataFrame:
    table = pd.crosstab(pd.Categorical.from_codes(codes_a, names), pd.Categorical.from_codes(codes_b, names),
                        dropna=False)
    table.index.name, table.columns.name = a.policy.id, b.policy.id
    return table


def outcome_diff(a: CompiledPolicy, b: CompiledPolicy) -> pd.DataFrame:
    """Outcome under ``a`` (rows) × under ``b`` (columns), counted over the discrete fact space
    both read (exhaustive where small enough, else a seeded sample)."""
    _, (out_a, _), (out_b, _) = _run_both(a, b)
    return _crosstab(out_a, out_b, OUTCOMES, a, b)


def disposition_diff(a: CompiledPolicy, b: CompiledPolicy) -> pd.DataFrame:
    """Like :func:`outcome_diff`, by disposition (不予问责, 免予问责, 从轻, 减轻 …): two policies can
    agree on the outcome class and still differ here (免予问责 under one, 不予问责 under the other)."""
    _, (_, row_a), (_, row_b) = _run_both(a, b)
    return _crosstab(a.disposition_of_row[row_a], b.disposition_of_row[row_b], DISPOSITIONS, a, b)


def differing_cases(a: CompiledPolicy, b: CompiledPolicy, exhaustive: list | None = None) -> pd.DataFrame:
    """The fact combinations on which ``a`` and ``b`` give different dispositions, with both
    dispositions and deciding rows (columns ``disposition_a``, ``rule_a``, ``disposition_b``,
    ``rule_b``): what a reader checks to see *where* two localities part. ``len(frame)`` of the
    space is in ``out.attrs["total"]``."""
    frame, (_, row_a), (_, row_b) = _run_both(a, b, exhaustive)
    disp_a, disp_b = a.disposition_of_row[row_a], b.disposition_of_row[row_b]
    differ = disp_a != disp_b
    out = frame.loc[differ].reset_index(drop=True)
    out["disposition_a"] = [DISPOSITIONS[i] for i in disp_a[differ]]
    out["rule_a"] = [a.grading[i].rule_id for i in row_a[differ]]
    out["disposition_b"] = [DISPOSITIONS[i] for i in disp_b[differ]]
    out["rule_b"] = [b.grading[i].rule_id for i in row_b[differ]]
    out.attrs["total"] = len(frame)
    out.attrs["exhaustive"] = bool(exhaustive[-1]) if exhaustive else None
    out.attrs["dispositions"] = pd.crosstab(pd.Categorical.from_codes(disp_a, DISPOSITIONS),
                                            pd.Categorical.from_codes(disp_b, DISPOSITIONS), dropna=False)
    return out


def _row_name(p: Policy, rule_id: str, lang: str) -> str:
    row = next((g for g in p.grading if g.id == rule_id), None)
    return getattr(row.label, lang) if row is not None and row.label is not None else rule_id


def _value_words(value: Any, lang: str) -> str:
    """A field's value as a reader sees it: a body by its name, a list joined, a region named."""
    if isinstance(value, dict) and "zh" in value:
        return str(value[lang])
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(_value_words(v, lang) for v in value) if value else "—"
    if isinstance(value, str) and has_label(f"desk.channel.{value}"):
        return label(f"desk.channel.{value}", lang)
    if isinstance(value, str) and has_label(f"compare.window_closes.{value}"):
        return label(f"compare.window_closes.{value}", lang)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if value is None:
        return "—"
    if isinstance(value, bool):
        return value_label("", value, lang)
    return region_name(value, lang) if isinstance(value, str) and value.startswith("CN") else str(value)


def _field_words(p: Policy, field: str, value: Any, lang: str) -> str:
    """A changed identity or procedure value in words: a clause by its text, a choice by its label."""
    if field == "clause" and isinstance(value, str) and value in p.clauses:
        text = getattr(p.clauses[value], lang)
        return text[:20] + ("…" if len(text) > 20 else "")
    if field == "status" and isinstance(value, str) and has_label(f"status.{value}"):
        return label(f"status.{value}", lang)
    return _value_words(value, lang)


def item_name(p_a: Policy, p_b: Policy, c: Change, lang: str) -> str:
    """A changed item in words where the policies have them (a row's label, a clause's text)."""
    for p in (p_b, p_a):
        if c.section == "grading" and any(g.id == c.item for g in p.grading):
            return _row_name(p, c.item, lang)
        if c.section == "clauses" and c.item in p.clauses:
            text = getattr(p.clauses[c.item], lang)
            cut = 40 if lang == "zh" else 90
            return f"{article_mark(p, c.item)}{text[:cut]}{'…' if len(text) > cut else ''}"  # the article, not our id
        for group in ("distinctions", "exclusions", "conditions", "mitigations"):
            rule = next((r for r in getattr(p, group) if r.id == c.item), None) if c.section == group else None
            if rule is not None and rule.label is not None:
                return getattr(rule.label, lang)
    if c.section == "scope":
        return value_label("scenario", c.item, lang)
    if c.section in ("identity", "procedure"):
        return (f"{label(f'compare.field.{c.item}', lang)}: {_field_words(p_a, c.item, c.before, lang)} → "
                f"{_field_words(p_b, c.item, c.after, lang)}")
    return c.item


def diff_report(a: CompiledPolicy, b: CompiledPolicy, lang: str = "zh",
                cases: pd.DataFrame | None = None) -> dict[str, Any]:
    """Everything ``ftlib diff`` shows, in words of ``lang``: the textual changes, the two
    policies' dispositions side by side over the fact space, and where they differ, grouped by
    the deciding row on each side (most combinations first). ``cases``: the result of
    :func:`differing_cases` for the same pair, when already computed."""
    whole: list = []
    diff = differing_cases(a, b, whole) if cases is None else cases
    if cases is not None:
        whole.append(cases.attrs.get("exhaustive", False))
    groups = (diff.groupby(["rule_a", "disposition_a", "rule_b", "disposition_b"]).size()
              .sort_values(ascending=False).reset_index(name="count")) if len(diff) else pd.DataFrame()
    return {
        "a": a.policy.id, "b": b.policy.id,
        "name_a": getattr(a.policy.name, lang), "name_b": getattr(b.policy.name, lang),
        "space": "all" if whole and whole[0] else "sample",
        "total": int(diff.attrs["total"]), "differ": int(len(diff)),
        "text_changes": [{"section": c.section, "section_name": label(f"compare.section.{c.section}", lang),
                          "item": c.item, "name": item_name(a.policy, b.policy, c, lang), "kind": c.kind,
                          "kind_name": label(f"diff.{c.kind}", lang)} for c in text_diff(a.policy, b.policy)],
        "dispositions": {da: {db: int(n) for db, n in row.items()}
                         for da, row in diff.attrs["dispositions"].iterrows()},
        "where": [{"rule_a": g.rule_a, "row_a": _row_name(a.policy, g.rule_a, lang),
                   "disposition_a": g.disposition_a, "disposition_a_name": label(f"disposition.{g.disposition_a}", lang),
                   "rule_b": g.rule_b, "row_b": _row_name(b.policy, g.rule_b, lang),
                   "disposition_b": g.disposition_b, "disposition_b_name": label(f"disposition.{g.disposition_b}", lang),
                   "count": int(g.count)} for g in groups.itertuples()],
    }


def diff_text(report: dict[str, Any], lang: str = "zh") -> str:
    """The report of :func:`diff_report` as the lines ``ftlib diff`` prints."""
    a, b = label("compare.heading.first", lang), label("compare.heading.second", lang)  # names once, at the top
    lines = [*label("compare.heading.pair", lang).format(a=report["name_a"], b=report["name_b"]).splitlines(), "",
             f"{label('compare.heading.text', lang)} ({len(report['text_changes'])})"]
    lines += [f"  [{c['section_name']}] {c['kind_name']}: {c['name']}" for c in report["text_changes"]]
    space = label(f"compare.heading.space_{report['space']}", lang)
    lines += ["", f"{label('compare.heading.dispositions', lang)} — {space}"]
    table = pd.DataFrame(report["dispositions"]).T
    keep = [d for d in DISPOSITIONS if table.loc[d].sum() or table[d].sum()]
    table = table.loc[keep, keep]
    table.index = [label(f"disposition.{d}", lang) for d in keep]
    table.columns = [label(f"disposition.{d}", lang) for d in keep]
    lines += ["  " + line for line in table.to_string().splitlines()]
    lines += ["", label("compare.heading.where", lang)]
    if not report["where"]:
        return "\n".join([*lines, "  " + label("compare.heading.none_differ", lang)])
    share = f"{100 * report['differ'] / report['total']:.3g}%"
    lines.append("  " + label("compare.heading.differ_count", lang).format(n=f"{report['differ']:,}",
                                                                         total=f"{report['total']:,}", share=share))
    colon = "：" if lang == "zh" else ": "
    lines += [f"  {g['count']:>9,}  {a}{colon}{g['row_a']} {g['disposition_a_name']} → {b}{colon}{g['row_b']} "
              f"{g['disposition_b_name']}" for g in report["where"]]
    return "\n".join(lines)
