"""What differs between two policies: text (clauses, rules, scope, grading, time limits) and
meaning (on how much of the fact space the outcome differs, and between which outcomes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ftlib.convert import frame_columns
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.schema import Policy
from ftlib.policy.space import domains, enumerate_frame
from ftlib.vocabulary import OUTCOMES


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


def outcome_diff(a: CompiledPolicy, b: CompiledPolicy) -> pd.DataFrame:
    """Outcome under ``a`` (rows) × under ``b`` (columns), counted over the discrete fact space
    both read (exhaustive where small enough, else a seeded sample)."""
    dom = domains(a)
    dom.update(domains(b))
    frame, _ = enumerate_frame(dom)
    names = a.facts_read | b.facts_read
    out_a, _, _ = a.run_frame(frame_columns(frame, names), len(frame))
    out_b, _, _ = b.run_frame(frame_columns(frame, names), len(frame))
    table = pd.crosstab(pd.Categorical.from_codes(out_a, OUTCOMES), pd.Categorical.from_codes(out_b, OUTCOMES),
                        dropna=False)
    table.index.name, table.columns.name = a.policy.id, b.policy.id
    return table
