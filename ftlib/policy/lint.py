"""The policy linter.

Load-time checks (a policy that fails them cannot be used at all, so they are errors raised by
the loader and reported here): malformed YAML, unknown fields, unknown facts or enum values in
a condition, syntax errors, clauses cited but not defined, a missing default row.
Semantic checks done here: grading rows that can never be true (impossible) or never decide
(unreachable, shadowed by earlier rows), overlapping rows with different outcomes (info),
overlapping validity dates in one family, official clauses without a source, clauses never
cited, a policy status that does not match its clauses and rows (official / illustrative /
mixed), official grading rows resting on an illustrative clause, grading rows without words
in both languages (``label: {zh, en}``: a row's name lives in its policy, not the catalogue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ftlib.convert import frame_columns
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.loader import DATA_DIR, PolicyError, PolicySet, read_policy_file
from ftlib.policy.space import domains, enumerate_frame


@dataclass(frozen=True)
class Finding:
    level: str     # error | warning | info
    policy: str
    code: str
    message: str
    #: what the message names (rows, clauses, dates …), for saying it in another language
    #: (the ``lint.<code>`` labels); not part of the finding's identity
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        return f"{self.level}: {self.policy}: {self.code}: {self.message}"


def lint_policy(compiled: CompiledPolicy) -> list[Finding]:
    p = compiled.policy
    out: list[Finding] = []
    if p.effective_to is not None and p.effective_to < p.effective_from:
        out.append(Finding("error", p.id, "ends-before-start",
                           f"effective_to {p.effective_to} is before effective_from {p.effective_from}",
                           {"to": p.effective_to, "since": p.effective_from}))
    dom = domains(compiled)
    frame, exhaustive = enumerate_frame(dom)
    how = "every combination" if exhaustive else f"a sample of {len(frame):,} combinations"
    cols = frame_columns(frame, compiled.facts_read)
    _, row, env = compiled.run_frame(cols, len(frame))
    decided = np.bincount(row.astype(np.int64), minlength=len(compiled.grading))
    last = len(compiled.grading) - 1
    truth = [step.condition.evaluate_frame(env, len(frame)) for step in compiled.grading]
    for i, step in enumerate(compiled.grading):
        if not truth[i].any():
            out.append(Finding("error", p.id, "impossible-row",
                               f"grading row {step.rule_id!r} is never true ({how})",
                               {"row": step.rule_id, "exhaustive": exhaustive, "n": len(frame)}))
        elif decided[i] == 0:
            out.append(Finding("error", p.id, "unreachable-row",
                               f"grading row {step.rule_id!r} never decides: earlier rows always match first ({how})",
                               {"row": step.rule_id, "exhaustive": exhaustive, "n": len(frame)}))
    for i in range(last):
        for j in range(i + 1, last):
            a, b = compiled.grading[i], compiled.grading[j]
            if a.outcome != b.outcome:
                both = int((truth[i] & truth[j]).sum())
                if both:
                    out.append(Finding("info", p.id, "overlapping-rows",
                                       f"rows {a.rule_id!r} ({a.outcome}) and {b.rule_id!r} ({b.outcome}) both match "
                                       f"{both:,} combinations; {a.rule_id!r} wins by order",
                                       {"row": a.rule_id, "other": b.rule_id, "n": both}))
    cited = {s.clause for s in [*compiled.steps, *compiled.grading]} | {c.clause for c, _ in compiled.corrections}
    if p.procedure.clause:
        cited.add(p.procedure.clause)
    for cid, clause in p.clauses.items():
        if clause.status == "official" and clause.source is None:
            out.append(Finding("error", p.id, "official-without-source", f"clause {cid!r} is official but cites no source",
                               {"clause": cid}))
        if p.status == "illustrative" and clause.status == "official":
            out.append(Finding("warning", p.id, "official-in-illustrative",
                               f"clause {cid!r} is marked official in an illustrative policy", {"clause": cid}))
        if cid not in cited:
            out.append(Finding("info", p.id, "unused-clause", f"clause {cid!r} is defined but no rule cites it",
                               {"clause": cid}))
    if p.status in ("official", "mixed") and p.source is None:
        out.append(Finding("error", p.id, "policy-without-source", f"policy is {p.status} but cites no source",
                           {"status": p.status}))
    out += _status_findings(p)
    out += _label_findings(p)
    return out


def _label_findings(p) -> list[Finding]:
    """Every grading row is named in zh and en in its policy file (users read the row's name
    beside the outcome; an id is not a name)."""
    return [Finding("error", p.id, "row-without-label",
                    f"grading row {g.id!r} has no label in both languages (label: {{zh: …, en: …}})", {"row": g.id})
            for g in p.grading
            if g.label is None or not g.label.zh.strip() or not g.label.en.strip()]


def _status_findings(p) -> list[Finding]:
    """Honest status: a policy is ``official`` only if every clause and grading row is, ``mixed``
    where official clauses sit beside readings; an official row rests on an official clause."""
    out: list[Finding] = []
    kinds = {c.status for c in p.clauses.values()} | {g.status for g in p.grading}
    expected = "mixed" if len(kinds) > 1 else next(iter(kinds), "illustrative")
    if p.status != expected and not (p.status == "illustrative" and expected == "official"):
        out.append(Finding("error", p.id, "status-mismatch",
                           f"policy says status {p.status!r} but its clauses and grading rows make it {expected!r}",
                           {"status": p.status, "expected": expected}))
    for g in p.grading:
        if g.status == "official" and p.clauses[g.clause].status != "official":
            out.append(Finding("error", p.id, "official-row-on-reading",
                               f"grading row {g.id!r} is official but its clause {g.clause!r} is illustrative",
                               {"row": g.id, "clause": g.clause}))
    return out


def lint_families(policies: PolicySet) -> list[Finding]:
    out = []
    for family, versions in policies.families().items():
        for a, b in zip(versions, versions[1:]):
            if a.effective_to is None or a.effective_to >= b.effective_from:
                out.append(Finding("error", a.id, "overlapping-validity",
                                   f"family {family}: {a.id} (to {a.effective_to or 'open'}) overlaps {b.id} "
                                   f"(from {b.effective_from})", {"other": b.id, "since": b.effective_from}))
        juris = {v.jurisdiction for v in versions}
        if len(juris) > 1:
            out.append(Finding("error", family, "mixed-jurisdiction", f"family {family} spans {sorted(juris)}",
                               {"jurisdictions": "、".join(sorted(juris))}))
    by_jur: dict[str, set[str]] = {}
    for p in policies.policies.values():
        by_jur.setdefault(p.jurisdiction, set()).add(p.family)
    for jur, fams in by_jur.items():
        if len(fams) > 1:
            out.append(Finding("error", jur, "two-families", f"jurisdiction {jur} has families {sorted(fams)}",
                               {"families": "、".join(sorted(fams))}))
    return out


def lint(files: list[Path] | None = None, folder: Path = DATA_DIR) -> list[Finding]:
    """Lint the bundled policies, with ``files`` added (a file replaces the bundled one of the
    same id). Raises PolicyError if a file cannot be loaded at all."""
    bundled_files = {p.resolve(): p for p in Path(folder).glob("*.yaml")}
    extra = [Path(f) for f in files or []]
    for f in extra:
        if not f.exists():
            raise PolicyError(f"{f}: no such file")
    ids = {}
    for f in extra:
        ids[read_policy_file(f)["id"]] = f
    chosen = [f for f in bundled_files.values() if read_policy_file(f)["id"] not in ids] + extra
    policies = PolicySet(chosen)
    targets = {read_policy_file(f)["id"] for f in extra} if extra else set(policies.policies)
    findings = [f for pid in sorted(targets) for f in lint_policy(policies.compiled[pid])]
    # a family finding names the family or the jurisdiction: keep those that touch a file linted
    touched = targets | {policies.policies[t].family for t in targets} | \
        {policies.policies[t].jurisdiction for t in targets}
    findings += [f for f in lint_families(policies) if not extra or f.policy in touched]
    return findings
