"""The determination engine: one case with its reasons, or a whole table vectorised."""

# Imports inside functions: deciding one case is plain Python, so the quiz, case-builder and desk kernels load no numpy or pandas (tests/test_light_kernels.py); they come in only where a table is decided.

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, computed_field

from ftlib.facts import CONDITION_FACTS, UNKNOWN, Case, FactError
from ftlib.i18n import LANGS, has_label, label
from ftlib.policy.assessments import Assessment, weigh
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.handling import impact_period
from ftlib.policy.loader import PolicyError, PolicySet, bundled
from ftlib.policy.schema import Aftercare, Bilingual, GradingRow, Policy
from ftlib.policy.select import in_force, jurisdiction_chain, version_in_force
from ftlib.regions import region_name
from ftlib.vocabulary import (
    ALL_DISPOSITIONS,
    ALL_OUTCOMES,
    DISPOSITION_LENIENCY,
    DISPOSITIONS,
    OUTCOME_OF,
    OUTCOMES,
    UNDETERMINED,
)

if TYPE_CHECKING:  # numpy, pandas and the packed evaluator only where tables are decided (and for
    # unknown facts): a quiz or case kernel deciding one case at a time never loads them
    import numpy as np
    import pandas as pd

    from ftlib.policy.completions import Resolved
    from ftlib.policy.packed import PackedPolicy


class NoPolicyError(PolicyError):
    """No policy of the case's jurisdiction chain was in force on the conduct date."""


#: Every result a determination can have: a policy's outcomes, then ``undetermined`` (the
#: unknown facts of a case leave it open: some completion differs).
#: Completions of unknown facts must agree on the disposition (不予问责 vs 免予问责, 从轻 vs 减轻),
#: not only the outcome, for a case to be decided; results are coded over ALL_DISPOSITIONS.
RESULTS: tuple[str, ...] = ALL_DISPOSITIONS
#: outcome code (index into ALL_OUTCOMES) of each result code
_OPEN = ALL_DISPOSITIONS.index(UNDETERMINED)
_JURISDICTION = re.compile(r"CN(-[A-Z0-9]+)*")


class TraceEntry(BaseModel):
    step: int
    group: str
    rule: str
    clause: str
    clause_zh: str
    clause_en: str
    clause_status: str
    source: str | None
    condition: str
    facts: dict[str, Any]
    result: bool | None  # None: left open by unknown facts
    decisive: bool = False
    # a grading row's own status: an official text's rule, or our illustrative reading
    row_status: str | None = None


class CorrectionDue(BaseModel):
    id: str
    clause: str
    zh: str
    en: str
    time_limit_working_days: int


class Message(BaseModel):
    code: str
    zh: str
    en: str


class PolicyRef(BaseModel):
    id: str
    family: str
    version: str
    name_zh: str
    name_en: str
    status: str
    effective_from: dt.date
    effective_to: dt.date | None


class Determination(BaseModel):
    case_id: str
    outcome: str
    #: the finer result the deciding grading row gives (不予问责, 免予问责, 从轻, 减轻 …)
    disposition: str
    #: the case's track (问责, 党纪处分, 政务处分, 组织处理), a fact of the case
    track: str
    subject_kind: str
    deciding_rule: str
    #: the deciding grading row's name in the policy's own words (its ``label``); None when
    #: undetermined or when a policy outside the bundle gives the row no words
    deciding_label: Bilingual | None = None
    #: whether the deciding row is an official text's rule or an illustrative reading ("" if none)
    deciding_status: str
    handling: Bilingual | None
    #: codes of the residual handling the deciding row leaves (ftlib/data/handling.yaml)
    residual: list[str] = []
    policy: PolicyRef
    selection: Message
    trace: list[TraceEntry]
    corrections: list[CorrectionDue]
    aftercare: Aftercare
    warnings: list[Message]
    #: The case's facts given (or left) as unknown.
    unknown_facts: list[str] = []
    #: When the outcome is ``undetermined``: each outcome some completion of the unknown facts reaches.
    possible_outcomes: list[str] = []
    #: … and each disposition some completion reaches.
    possible_dispositions: list[str] = []
    #: The unknown facts whose value changes the result, the one splitting most completions first
    #: (what to verify first). Empty when the case is decided.
    decisive_unknowns: list[str] = []

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def assessments(self) -> list[Assessment]:
        """The five assessments (motive, basis, process, impact, attitude): the facts of each that
        the trace read and whether they weighed for or against the cadre (ftlib/data/assessments.yaml).
        Worked out when first asked for (and in JSON), so a determination nobody reads pays nothing."""
        return weigh(_facts_read(self.trace), UNKNOWN)

    def outcome_label(self, lang: str = "zh") -> str:
        return label(f"outcome.{self.outcome}", lang)

    def disposition_label(self, lang: str = "zh") -> str:
        return disposition_label(self.disposition, self.track, lang)

    def deciding_words(self, lang: str = "zh") -> str:
        """The deciding row in words (the policy's label of the row; its id if it has none)."""
        return getattr(self.deciding_label, lang) if self.deciding_label is not None else self.deciding_rule


def disposition_label(disposition: str, track: str = "accountability", lang: str = "zh") -> str:
    """The disposition in words on its track (免予问责 on 问责, 免予党纪处分 on 党纪处分)."""
    key = f"disposition_on_track.{track}.{disposition}"
    return label(key if has_label(key) else f"disposition.{disposition}", lang)


def _policy_ref(p: Policy) -> PolicyRef:
    return PolicyRef(id=p.id, family=p.family, version=p.version, name_zh=p.name.zh, name_en=p.name.en,
                     status=p.status, effective_from=p.effective_from, effective_to=p.effective_to)


def _evaluate(case: Case, compiled: CompiledPolicy, decided: tuple[str, str] | None = None
              ) -> tuple[str, list[TraceEntry], list[CorrectionDue], str, GradingRow | None]:
    """Run one case with its trace. ``decided``: (outcome, rule) found by enumerating the
    unknown facts — the trace is then three-valued and the decision is the enumeration's
    (``("undetermined", "")`` when completions differ). Returns the deciding grading row
    (None when undetermined) last."""
    policy = compiled.policy
    outcome, row, steps, env = compiled.run(case.flat())
    rows = {g.id: g for g in policy.grading}
    rule = row.rule_id
    if decided is not None:
        outcome, rule = decided
        for o in OUTCOMES:
            env[f"outcome.{o}"] = o == outcome if outcome != UNDETERMINED else None
        for d in DISPOSITIONS:
            env[f"disposition.{d}"] = (rows[rule].disposition == d) if rule else None
    trace = []
    for i, (step, ok, reads) in enumerate(steps, start=1):
        cl = policy.clauses[step.clause]
        trace.append(TraceEntry(
            step=i, group=step.group, rule=step.rule_id, clause=step.clause, clause_zh=cl.zh, clause_en=cl.en,
            clause_status=cl.status, source=_source_text(cl.source), condition=step.condition.text,
            facts=reads, result=ok, decisive=step.group == "grading" and step.rule_id == rule,
            row_status=rows[step.rule_id].status if step.group == "grading" else None))
    corrections = []
    for c, cond in compiled.corrections:
        ok, _ = cond.evaluate(env)
        if ok:
            corrections.append(CorrectionDue(id=c.id, clause=c.clause, zh=c.text.zh, en=c.text.en,
                                             time_limit_working_days=c.time_limit_working_days))
    return outcome, trace, corrections, rule, rows.get(rule)


def _handling_text(row: GradingRow | None) -> Bilingual | None:
    if row is None or row.handling is not None:
        return row.handling if row is not None else None
    if not row.residual:
        return None
    return Bilingual(zh="、".join(label(f"handling.{c}", "zh") for c in row.residual),
                     en=", ".join(label(f"handling.{c}", "en") for c in row.residual))


def _aftercare(policy: Policy, outcome: str, row: GradingRow | None, kind: str) -> Aftercare:
    """After-care of the deciding row: the policy's entry for the outcome (the organisation's
    where the subject is one), with the impact period of the residual handling actually left
    (ftlib/data/handling.yaml), and "no effect on appraisal and promotion" for the tolerated."""
    table = policy.aftercare_organisation if kind == "organisation" and policy.aftercare_organisation \
        else policy.aftercare
    care = table.get(outcome, Aftercare())
    if row is None:
        return care
    update: dict[str, Any] = {}
    if row.residual:
        update["impact_period_months"] = impact_period(row.residual)
    elif row.outcome == "exempt":
        update["impact_period_months"] = 0
    if row.outcome in ("exempt", "mitigated") and care.note is None:
        update["note"] = Bilingual(zh=label("text.tolerated_care", "zh"), en=label("text.tolerated_care", "en"))
    return care.model_copy(update=update)


def _source_text(src: Any) -> str | None:
    if src is None:
        return None
    bits = [src.title, src.article, src.url]
    return ", ".join(b for b in bits if b)


def _resolve_forced(policies: PolicySet, policy: str | Policy, day: dt.date) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if policy in policies.policies:
        return policies.policies[policy]
    if policy in policies.families():
        return version_in_force(policies, policy, day)
    raise PolicyError(f"unknown policy {policy!r} (known: {', '.join(sorted(policies.policies))})")


def determine(case: Case, policy: str | Policy | None = None, policies: PolicySet | None = None) -> Determination:
    """Decide one case. Without ``policy``, the one in force on the conduct date for the
    case's jurisdiction applies, or a later one in force on ``decision_date`` when it is
    more lenient for the cadre (从旧兼从轻). A forced policy is used as given, with warnings."""
    policies = policies or bundled()
    warnings: list[Message] = []
    if case.decision_date and case.decision_date < case.conduct_date:
        raise FactError(f"case {case.id}: field decision_date: value {case.decision_date}: before conduct_date")
    if policy is not None:
        chosen = _resolve_forced(policies, policy, case.conduct_date)
        if not chosen.in_force(case.conduct_date):
            warnings.append(_msg("not_in_force", id=_named(chosen), date=case.conduct_date))
        if chosen.jurisdiction not in jurisdiction_chain(case.jurisdiction):
            warnings.append(_msg("other_jurisdiction", id=_named(chosen), jur=_region(case.jurisdiction)))
        if case.unknown_facts():
            return _determine_unknown(case, policies, chosen, None, warnings, _msg("forced", id=_named(chosen)))
        result = _evaluate(case, policies.compiled[chosen.id])
        return _build(case, chosen, result, _msg("forced", id=_named(chosen)), warnings)

    at_conduct, at_decision = candidates(case, policies)
    if case.unknown_facts():
        return _determine_unknown(case, policies, at_conduct, at_decision, warnings)
    result = _evaluate(case, policies.compiled[at_conduct.id])
    selection = _msg("at_conduct", id=_named(at_conduct), date=case.conduct_date)
    if at_decision is not None:
        later = _evaluate(case, policies.compiled[at_decision.id])
        if DISPOSITION_LENIENCY[later[4].disposition] > DISPOSITION_LENIENCY[result[4].disposition]:
            selection = _msg("lenient_later", id=_named(at_decision), old=_named(at_conduct), date=case.decision_date,
                             new_outcome=_both(f"disposition.{later[4].disposition}"),
                             old_outcome=_both(f"disposition.{result[4].disposition}"))
            return _build(case, at_decision, later, selection, warnings)
        selection = _msg("kept_conduct", id=_named(at_conduct), date=case.conduct_date, later=_named(at_decision))
    return _build(case, at_conduct, result, selection, warnings)


def _determine_unknown(case: Case, policies: PolicySet, at_conduct: Policy, at_decision: Policy | None,
                       warnings: list[Message], forced: Message | None = None) -> Determination:
    """A case with unknown facts: every completion is evaluated (``resolve``, the same code as
    ``determine_frame``); the trace is the three-valued run of the policy that applies."""
    pair = (policies.compiled[at_conduct.id], policies.compiled[at_decision.id] if at_decision else None)
    flat = case.flat()
    import numpy as np

    from ftlib.policy.completions import MAX_COMPLETIONS

    cols, unknown = {}, {}
    for name in sorted(pair[0].facts_read | (pair[1].facts_read if pair[1] else set())):
        v = flat[name]
        spec = CONDITION_FACTS[name]
        unknown[name] = np.array([v == UNKNOWN]) if isinstance(v, str) else np.zeros(1, dtype=bool)
        if unknown[name][0]:
            v = spec.values[0] if spec.kind == "enum" else (False if spec.kind == "bool" else 0.0)
        cols[name] = np.array([spec.values.index(v) if spec.kind == "enum" else v],
                              dtype=np.int8 if spec.kind == "enum" else (bool if spec.kind == "bool" else float))
    res = _resolve_pairs(pair, cols, unknown, 1, limit=MAX_COMPLETIONS)
    outcome = OUTCOME_OF[RESULTS[int(res.result[0])]]
    later = bool(res.choice[0]) and pair[1] is not None
    applied = at_decision if later else at_conduct
    compiled = policies.compiled[applied.id]
    rule = "" if outcome == UNDETERMINED else _rule_names(pair)[int(res.rule[0])]
    result = _evaluate(case, compiled, (outcome, rule))
    unknown_facts = case.unknown_facts()
    base = dict(unknown_facts=unknown_facts, possible_outcomes=[], decisive_unknowns=[])
    if outcome == UNDETERMINED:
        reached = [d for k, d in enumerate(RESULTS) if (int(res.possible[0]) >> k) & 1]
        base["possible_dispositions"] = reached
        base["possible_outcomes"] = [o for o in OUTCOMES if any(OUTCOME_OF[d] == o for d in reached)]
        base["decisive_unknowns"] = [res.names[i] for i in res.decisive[0]]
    if forced is not None:
        selection = forced
    elif later:
        selection = _msg("lenient_later_open", id=_named(applied), old=_named(at_conduct), date=case.decision_date)
    elif at_decision is not None:
        selection = _msg("kept_conduct", id=_named(at_conduct), date=case.conduct_date, later=_named(at_decision))
    else:
        selection = _msg("at_conduct", id=_named(at_conduct), date=case.conduct_date)
    return _build(case, applied, result, selection, warnings).model_copy(update=base)


def _rule_names(pair: tuple[CompiledPolicy, CompiledPolicy | None]) -> list[str]:
    return [s.rule_id for c in pair if c is not None for s in c.grading]


def _packed(c: CompiledPolicy) -> PackedPolicy:
    # one packed plan per compiled policy, built on first use
    from ftlib.policy.packed import PackedPolicy

    plan = c.__dict__.get("_packed")
    if plan is None:
        plan = c.__dict__["_packed"] = PackedPolicy(c)
    return plan


_DECIDERS: dict[tuple[int, int], tuple[tuple, Any]] = {}
#: Rows evaluated in one packed pass (a multiple of 64): a pass's words fit the processor's cache.
#: 2^20 rather than 2^18: each pass costs ~130 numpy calls whatever its length, and on this
#: 2-core host (slow per call) fewer, longer passes won at 3M and 10M rows (benchmarks/engine.md).
ROWS_PER_PASS = 1 << 20


def _decider(pair: tuple[CompiledPolicy, CompiledPolicy | None]):
    """The decider of a pair, built once per pair (its imports and set-up are a small call's cost)."""
    key = (id(pair[0]), id(pair[1]))
    found = _DECIDERS.get(key)
    if found is None or found[0][0] is not pair[0] or found[0][1] is not pair[1]:
        if len(_DECIDERS) > 4096:
            _DECIDERS.clear()
        found = _DECIDERS[key] = (pair, _make_decider(pair))  # holding the pair keeps the ids from being reused
    return found[1]


def _make_decider(pair: tuple[CompiledPolicy, CompiledPolicy | None]):
    """Rows fully known → (outcome code, rule code over both policies' rows, 1 where the later
    policy applies): 从旧兼从轻 per row, as ``determine`` does it, on packed bits."""
    import numpy as np

    from ftlib.policy.packed import Inputs, _not, leniency_planes, more_lenient, select
    from ftlib.policy.packed import codes as packed_codes

    first, later = pair
    pf = _packed(first)
    pl = _packed(later) if later is not None else None
    rows = list(range(len(first.grading) + (len(later.grading) if later is not None else 0)))
    # rule codes in bytes where the rows allow it: the output's categorical takes them as they
    # are (pandas narrows wider codes with a copy)
    narrow = len(rows) <= 127
    rule_type = np.int8 if narrow else np.int16
    scalar = _scalar_decider(pair)

    def decide(cols: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        result = np.empty(n, dtype=np.int8)
        rule = np.empty(n, dtype=rule_type)
        choice = np.zeros(n, dtype=np.int8)
        if n <= SCALAR_ROWS:
            scalar(cols, n, result, rule, choice)
            return result, rule, choice
        if n <= ROWS_PER_PASS:
            decide_rows(cols, n, result, rule, choice)
            return result, rule, choice
        # A long table in stretches: each stretch's packed inputs and intermediate words stay in
        # the processor's cache, so the columns are read from memory once (issue 14.3); the
        # codes are written where they belong, not copied there.
        scratch = np.empty(ROWS_PER_PASS, dtype=bool)  # the comparisons' buffer, one per call
        for a in range(0, n, ROWS_PER_PASS):
            b = min(n, a + ROWS_PER_PASS)
            decide_rows({k: v[a:b] for k, v in cols.items()}, b - a, result[a:b], rule[a:b], choice[a:b],
                        scratch[:b - a])
        return result, rule, choice

    def decide_rows(cols: dict[str, np.ndarray], n: int, result: np.ndarray, rule: np.ndarray,
                    choice: np.ndarray, scratch: np.ndarray | None = None) -> None:
        # results are disposition codes: completions must agree on the disposition, and
        # 从旧兼从轻 weighs dispositions (不予问责 > 免予问责 > 减轻 > 从轻)
        inp = Inputs(cols, n, scratch)
        hits = pf.hits(inp)
        outcomes = pf.disposition_codes
        if pl is not None:
            h2 = pl.hits(inp)
            better = more_lenient(leniency_planes(h2, pl.disposition_codes), leniency_planes(hits, outcomes))
            hits = select(_not(better), hits) + select(better, h2)
            outcomes = outcomes + pl.disposition_codes
            choice[:] = inp.unpack(better).view(np.int8)
        if inp.plain:  # small tables: each case's deciding row once (exactly one hit per case), both codes from it
            at = np.zeros((len(hits), n), dtype=bool)
            for i, h in enumerate(hits):
                if h is not False:
                    at[i] = h
            first = at.argmax(axis=0)
            result[:] = np.asarray(outcomes, dtype=np.int8)[first]
            rule[:] = np.asarray(rows, dtype=rule_type)[first]
            return
        packed_codes(hits, outcomes, inp, result)
        packed_codes(hits, rows, inp, rule)
    return decide


#: Up to this many rows a call is decided case by case by the policy's own one-case evaluation
#: (``CompiledPolicy.run``, ~20 µs a case): a packed pass costs ~100 µs of numpy calls whatever
#: its length, most of a small call (a widget's one case, ``determine``, a two-way completion).
SCALAR_ROWS = 4


def _scalar_decider(pair: tuple[CompiledPolicy, CompiledPolicy | None]):
    """``decide`` for a few rows: each row's facts as ``determine`` reads them (enum codes back
    to their values), each policy run on them, 从旧兼从轻 as :func:`packed.more_lenient` weighs
    it (the later policy where its disposition is at a more lenient level than the first's)."""
    from ftlib.policy.packed import _LENIENT

    first, later = pair
    names = sorted(first.facts_read | (later.facts_read if later is not None else set()))
    values = [CONDITION_FACTS[k].values if CONDITION_FACTS[k].kind == "enum" else None for k in names]
    # per grading row: (disposition code, rule code over both policies' rows, leniency level —
    # the non-lenient dispositions share the last one)
    steps = [*first.grading, *(later.grading if later is not None else [])]
    decided = {id(s): (ALL_DISPOSITIONS.index(s.disposition), i,
                       _LENIENT.index(s.disposition) if s.disposition in _LENIENT else len(_LENIENT))
               for i, s in enumerate(steps)}

    def scalar(cols: dict[str, np.ndarray], n: int, result: np.ndarray, rule: np.ndarray, choice: np.ndarray) -> None:
        lists = [cols[k].tolist() for k in names]   # Python scalars: numpy's cost a value
        for i in range(n):
            facts = {k: (col[i] if vs is None else vs[col[i]]) for k, col, vs in zip(names, lists, values)}
            got = decided[id(first.run(facts)[1])]
            if later is not None:
                other = decided[id(later.run(facts)[1])]
                if other[2] < got[2]:
                    got = other
                    choice[i] = 1
            result[i], rule[i] = got[0], got[1]
    return scalar


def _cuts(pair: tuple[CompiledPolicy, CompiledPolicy | None]) -> dict[str, np.ndarray]:
    from ftlib.policy.completions import thresholds

    key = "_cuts" if pair[1] is None else f"_cuts:{pair[1].policy.id}"
    found = pair[0].__dict__.get(key)
    if found is None:
        found = pair[0].__dict__[key] = thresholds(c for c in pair if c is not None)
    return found


def _categories(names: tuple[str, ...]) -> pd.CategoricalDtype:
    """The output's categorical dtypes, built once (pandas validates categories each time)."""
    import pandas as pd

    found = _DTYPES.get(names)
    if found is None:
        found = _DTYPES[names] = pd.CategoricalDtype(list(names))
    return found


_DTYPES: dict[tuple[str, ...], pd.CategoricalDtype] = {}


def _resolve_pairs(pair: tuple[CompiledPolicy, CompiledPolicy | None], cols: dict[str, np.ndarray],
                   unknown: dict[str, np.ndarray], n: int, limit: int | None = None) -> Resolved:
    from ftlib.policy.completions import resolve

    cuts = _cuts(pair) if unknown else {}
    return resolve(_decider(pair), cols, unknown, n, open_code=RESULTS.index(UNDETERMINED),
                   n_rules=len(_rule_names(pair)), cuts=cuts, limit=limit)


def candidates(case: Case, policies: PolicySet) -> tuple[Policy, Policy | None]:
    """The policies 从旧兼从轻 weighs for a case: the one in force on the conduct date, and the
    one in force on the decision date when that is another (else None). The later one applies
    only where its disposition is more lenient (``DISPOSITION_LENIENCY``)."""
    at_conduct = in_force(policies, case.jurisdiction, case.conduct_date)
    if at_conduct is None:
        raise NoPolicyError(f"case {case.id}: field conduct_date: value {case.conduct_date}: "
                            f"no policy for {case.jurisdiction} in force on that date")
    at_decision = in_force(policies, case.jurisdiction, case.decision_date) if case.decision_date else None
    return at_conduct, at_decision if at_decision is not None and at_decision.id != at_conduct.id else None


def _build(case: Case, policy: Policy, result: tuple, selection: Message, warnings: list[Message]) -> Determination:
    outcome, trace, corrections, rule, row = result
    kind = str(case.subject.kind)
    return Determination(case_id=case.id, outcome=outcome,
                         disposition=row.disposition if row is not None else UNDETERMINED,
                         track=str(case.track), subject_kind=kind, deciding_rule=rule,
                         deciding_label=row.label if row is not None else None,
                         deciding_status=row.status if row is not None else "",
                         handling=_handling_text(row), residual=list(row.residual) if row is not None else [],
                         policy=_policy_ref(policy), selection=selection, trace=trace, corrections=corrections,
                         aftercare=_aftercare(policy, outcome, row, kind), warnings=warnings)


def _facts_read(trace: list[TraceEntry]) -> dict[str, Any]:
    """The case's facts the trace read (aggregates such as ``conditions_met`` left out)."""
    return {k: v for t in trace for k, v in t.facts.items() if k in CONDITION_FACTS}


def _both(key: str) -> dict[str, str]:
    return {"zh": label(key, "zh"), "en": label(key, "en")}


def _named(policy: Policy) -> dict[str, str]:
    """A policy as its reader knows it: its name, never its id."""
    return {"zh": policy.name.zh, "en": policy.name.en}


def _region(code: str) -> dict[str, str]:
    return {lang: region_name(code, lang) for lang in LANGS}


def _msg(code: str, **kw: Any) -> Message:
    """A selection message in both languages; a keyword given as {zh, en} is put in each language."""
    def fill(lang: str) -> str:
        values = {k: v[lang] if isinstance(v, dict) else v for k, v in kw.items()}
        return label(f"selection.{code}", lang).format(**values)
    return Message(code=code, zh=fill("zh"), en=fill("en"))


def compare(case: Case, policies: Iterable[str | Policy] | None = None,
            policy_set: PolicySet | None = None) -> list[Determination]:
    """One case under several policies (default: every family's version in force on the
    conduct date, or its earliest version if none was), side by side."""
    policy_set = policy_set or bundled()
    if policies is None:
        chosen: list[Policy] = []
        for versions in policy_set.families().values():
            live = [p for p in versions if p.in_force(case.conduct_date)]
            chosen.append(live[-1] if live else versions[0])
        policies = sorted(chosen, key=lambda p: (len(p.jurisdiction), p.id))
    return [determine(case, p, policy_set) for p in policies]


def comparison_table(dets: list[Determination], lang: str = "zh") -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{
        label("column.policy", lang): d.policy.name_zh if lang == "zh" else d.policy.name_en,
        label("column.outcome", lang): d.outcome_label(lang),
        label("column.disposition", lang): d.disposition_label(lang),
        label("column.rule", lang): d.deciding_words(lang),
        label("column.status", lang): label(f"status.{d.deciding_status}", lang) if d.deciding_status else "—",
        label("column.warnings", lang): "; ".join(getattr(w, lang) for w in d.warnings),
    } for d in dets])


# -- vectorised --------------------------------------------------------------------------------

def determine_frame(df: pd.DataFrame, policy: str | Policy | None = None, policies: PolicySet | None = None,
                    source: str = "<frame>") -> pd.DataFrame:
    """Every row of ``df`` (dotted fact columns, typed or strings as read from CSV/Excel):
    ``outcome`` and ``rule`` (the id of the deciding grading row), index aligned with ``df``.

    Without ``policy``, each row gets the policy ``determine`` would choose — the one of its
    jurisdiction chain in force on ``conduct_date``, or a more lenient one in force on
    ``decision_date`` (从旧兼从轻) — and the output has a ``policy`` column. Cells may be
    ``unknown`` (and a required fact left blank or out is): such rows are decided when every
    completion agrees, else their outcome is ``undetermined``; when any row has unknown cells
    the output also has ``possible_outcomes`` and ``decisive_unknowns`` (comma-separated,
    most completions split first; empty for decided rows)."""
    import numpy as np
    import pandas as pd

    from ftlib.convert import fact_columns
    from ftlib.policy.completions import MAX_COMPLETIONS

    policies = policies or bundled()
    n = len(df)
    if policy is not None:
        pid = policy.id if isinstance(policy, Policy) else policy
        if pid not in policies.compiled:
            raise PolicyError(f"unknown policy {pid!r} (known: {', '.join(sorted(policies.policies))})")
        pairs = [(policies.compiled[pid], None)]
        pair_of_row = None
    else:
        pairs, pair_of_row = _select_frame(df, policies, source)
    read: set[str] = set()
    for pair in pairs:
        for c in pair:
            if c is not None:
                read |= c.facts_read
    # Every fact column present is checked, not only those the policies read, so that a table
    # accepted here is one that ``determine`` would accept row by row.
    present = [c for c in df.columns.tolist() if c in CONDITION_FACTS]
    converted = fact_columns(df, [*present, *sorted(read - set(present))], source, check_only=set(present) - read)
    cols = {k: converted[k].values for k in read}
    unknown = {k: converted[k].unknown for k in read if converted[k].unknown is not None}
    any_unknown = bool(unknown)

    if len(pairs) == 1:
        # one pair of policies for every row: its codes are the output's codes as they are
        pair = pairs[0]
        res = _resolve_pairs(pair, cols, unknown, n, limit=MAX_COMPLETIONS)
        result, rule_names = res.result, _rule_names(pair)
        policy_ids = [c.policy.id for c in pair if c is not None]
        rule, applied = res.rule, res.choice
        if len(set(rule_names)) < len(rule_names):  # both policies name a row alike: one category
            distinct = list(dict.fromkeys(rule_names))
            rule = np.array([distinct.index(r) for r in rule_names], dtype=np.int16)[rule]
            rule_names = distinct
        if any_unknown:
            open_ = result == _OPEN
            rule = np.where(open_, np.int16(-1), rule)
            possible = np.where(open_, res.possible, 0)
            decisive_texts: dict[str, int] = {"": 0}
            decisive = np.zeros(n, dtype=np.int32)
            _put_decisive(res, open_, None, decisive, decisive_texts)
    else:
        result, rule, applied, rule_names, policy_ids = _mixed_packed(pairs, pair_of_row, cols, n)
        if any_unknown:
            # rows with an unknown cell the policies read: enumerated group by group
            some = np.zeros(n, dtype=bool)
            for m in unknown.values():
                some |= m
            rows = np.flatnonzero(some)
            sub = {k: v[rows] for k, v in cols.items()}
            sub_unknown = {k: m[rows] for k, m in unknown.items()}
            u_result, u_rule, u_applied, u_rules, u_ids, u_possible, u_decisive, decisive_texts = \
                _by_groups(pairs, pair_of_row[rows], sub, sub_unknown, len(rows))
            rule_index = {r: i for i, r in enumerate(rule_names)}
            r_lut = np.array([rule_index.setdefault(r, len(rule_index)) for r in u_rules] or [0], dtype=np.int16)
            p_lut = np.array([_index(policy_ids, i) for i in u_ids] or [0], dtype=np.int16)
            rule_names = list(rule_index)
            result[rows] = u_result
            rule[rows] = np.where(u_rule < 0, np.int16(-1), r_lut[np.maximum(u_rule, 0)])
            applied[rows] = p_lut[u_applied]
            possible = np.zeros(n, dtype=np.int64)
            possible[rows] = u_possible
            decisive = np.zeros(n, dtype=np.int32)
            decisive[rows] = u_decisive
    outcome_of_result = _outcome_of_result()
    # codes made here from the tables' own indices: pandas' range check is per call overhead
    out = {
        "outcome": pd.Categorical.from_codes(_outcome_codes(result, outcome_of_result), dtype=_categories(ALL_OUTCOMES),
                                             validate=False),
        "disposition": pd.Categorical.from_codes(result, dtype=_categories(RESULTS), validate=False),
        "rule": pd.Categorical.from_codes(rule, dtype=_categories(tuple(rule_names)), validate=False),
    }
    if policy is None:
        out["policy"] = pd.Categorical.from_codes(applied, dtype=_categories(tuple(policy_ids)), validate=False)
    if any_unknown:
        masks = np.unique(possible)
        reached = [[d for b, d in enumerate(RESULTS) if (int(m) >> b) & 1] for m in masks]
        labels = [",".join(o for o in OUTCOMES if any(OUTCOME_OF[d] == o for d in r)) for r in reached]
        at = np.searchsorted(masks, possible)
        # two masks can name the same outcomes (e.g. lighter,reduced and lighter): one category each
        uniq = list(dict.fromkeys(labels))
        out["possible_outcomes"] = pd.Categorical.from_codes(np.array([uniq.index(t) for t in labels])[at],
                                                             categories=uniq)
        out["possible_dispositions"] = pd.Categorical.from_codes(at, categories=[",".join(r) for r in reached])
        out["decisive_unknowns"] = pd.Categorical.from_codes(decisive, categories=list(decisive_texts))
    return _frame(out, df.index)


@lru_cache(maxsize=1)
def _outcome_of_result() -> np.ndarray:
    import numpy as np

    return np.array([ALL_OUTCOMES.index(OUTCOME_OF[d]) for d in ALL_DISPOSITIONS], dtype=np.int8)


def _outcome_codes(result: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """``lut[result]`` for result codes: the dispositions are listed outcome by outcome, so the
    outcome code is a count of thresholds passed — a few byte-wide comparisons instead of a
    gather through 8-byte indices (numpy widens the index array first)."""
    import numpy as np

    if len(result) < 4096:  # a gather: the comparisons' set-up costs more on a small table
        return lut[result]
    steps = np.diff(lut.astype(np.int16))
    if result.dtype != np.int8 or lut[0] != 0 or ((steps != 0) & (steps != 1)).any():
        return lut[result]
    thresholds = [np.int8(k) for k in (np.flatnonzero(steps) + 1).tolist()]
    if not thresholds:
        return np.zeros(len(result), dtype=np.int8)
    out = np.empty(len(result), dtype=np.int8)
    mask = np.empty(min(len(result), ROWS_PER_PASS), dtype=bool)  # one buffer, reused
    for a in range(0, len(result), ROWS_PER_PASS):  # stretch by stretch: the masks stay in cache
        r, o = result[a:a + ROWS_PER_PASS], out[a:a + ROWS_PER_PASS]
        m = mask[:len(r)]
        np.greater_equal(r, thresholds[0], out=o.view(bool))  # the first count written, not added
        for k in thresholds[1:]:
            np.greater_equal(r, k, out=m)
            np.add(o, m.view(np.int8), out=o)  # int8 + int8: no cast of the booleans
    return out


_COLUMNS: dict[tuple[str, ...], pd.Index] = {}


def _frame(out: dict[str, Any], index: pd.Index) -> pd.DataFrame:
    """The output frame from its columns (equal-length arrays built here). The public
    constructor re-validates and re-infers every column, which is most of a small call's cost;
    the arrays are already what the frame holds, so they are placed as they are."""
    import pandas as pd

    names = tuple(out)
    columns = _COLUMNS.get(names)
    if columns is None:
        columns = _COLUMNS[names] = pd.DataFrame(columns=list(names)).columns  # as the public constructor names them
    try:
        return pd.DataFrame._from_arrays(list(out.values()), columns=columns, index=index, verify_integrity=False)
    except (AttributeError, TypeError):  # another pandas' internals: the public way
        return pd.DataFrame(out, index=index, copy=False)


def _mixed_packed(pairs: list, pair_of_row: np.ndarray, cols: dict[str, np.ndarray], n: int) -> tuple:
    """Every row under its own pair of policies in one packed pass: each policy evaluated on
    all rows (the packed inputs shared), each row's result taken from its pair through packed
    masks — no gathering of columns per group."""
    import numpy as np

    from ftlib.policy.packed import Inputs, _not, leniency_planes, more_lenient
    from ftlib.policy.packed import _and as _and_bits
    from ftlib.policy.packed import _or as _or_bits
    from ftlib.policy.packed import codes as packed_codes

    inp = Inputs(cols, n)
    rule_index: dict[str, int] = {}
    policy_ids: list[str] = []
    hits_of: dict[str, list] = {}
    rule_planes: dict[int, Any] = {}
    outcome_planes: dict[int, Any] = {}  # by disposition code (the result code)
    policy_planes: dict[int, Any] = {}

    def add(planes: dict[int, Any], code: int, x: Any) -> None:
        if x is False:
            return
        planes[code] = x if code not in planes else _or_bits([planes[code], x])

    def hits(c: CompiledPolicy) -> list:
        if c.policy.id not in hits_of:
            hits_of[c.policy.id] = _packed(c).hits(inp)
        return hits_of[c.policy.id]

    for g, (first, later) in enumerate(pairs):
        group = inp.pack(pair_of_row == g) if len(pairs) > 1 else inp.valid
        h1 = hits(first)
        chosen = [(first, h1, group)]
        if later is not None:
            h2 = hits(later)
            better = _and_bits([more_lenient(leniency_planes(h2, _packed(later).disposition_codes),
                                             leniency_planes(h1, _packed(first).disposition_codes)), group])
            chosen = [(first, h1, _and_bits([group, _not(better)])), (later, h2, better)]
        for c, hs, mask in chosen:
            pcode = _index(policy_ids, c.policy.id)
            for step, h, o in zip(c.grading, hs, _packed(c).disposition_codes):
                x = _and_bits([h, mask])
                add(rule_planes, rule_index.setdefault(step.rule_id, len(rule_index)), x)
                add(outcome_planes, o, x)
                add(policy_planes, pcode, x)

    def unpack(planes: dict[int, Any]) -> np.ndarray:
        items = sorted(planes.items())
        return packed_codes([x for _, x in items], [k for k, _ in items], inp)

    return (unpack(outcome_planes).view(np.int8), unpack(rule_planes).astype(np.int16),
            unpack(policy_planes).astype(np.int16), list(rule_index), policy_ids)


def _put_decisive(res: Resolved, open_: np.ndarray, rows: np.ndarray | None, decisive: np.ndarray,
                  texts: dict[str, int]) -> None:
    """The decisive unknowns of the open rows, as codes into ``texts`` (comma-joined names)."""
    import numpy as np

    if not len(res.decisive_rows):
        return
    joined = [",".join(res.names[i] for i in t) for t in res.decisive]
    codes = np.array([texts.setdefault(t, len(texts)) if t else 0 for t in joined], dtype=np.int32)
    target = res.decisive_rows if rows is None else rows[res.decisive_rows]
    decisive[target] = np.where(open_[res.decisive_rows], codes, 0)


def _by_groups(pairs: list, pair_of_row: np.ndarray, cols: dict[str, np.ndarray], unknown: dict[str, np.ndarray],
               n: int) -> tuple:
    """A register under several pairs of policies: each group of rows under its own pair."""
    import numpy as np

    from ftlib.policy.completions import MAX_COMPLETIONS

    any_unknown = bool(unknown)
    rule_index: dict[str, int] = {}
    policy_ids: list[str] = []
    result = np.empty(n, dtype=np.int8)
    rule = np.empty(n, dtype=np.int16)
    applied = np.zeros(n, dtype=np.int16)
    possible = np.zeros(n, dtype=np.int64) if any_unknown else None
    decisive = np.zeros(n, dtype=np.int32) if any_unknown else None
    texts: dict[str, int] = {"": 0}
    for g, pair in enumerate(pairs):
        lut = np.array([rule_index.setdefault(r, len(rule_index)) for r in _rule_names(pair)], dtype=np.int16)
        rows = np.flatnonzero(pair_of_row == g)
        sub_cols = {k: v[rows] for k, v in cols.items()}
        reads = pair[0].facts_read | (pair[1].facts_read if pair[1] is not None else set())
        sub_unknown = {k: m[rows] for k, m in unknown.items() if k in reads}
        res = _resolve_pairs(pair, sub_cols, sub_unknown, len(rows), limit=MAX_COMPLETIONS)
        result[rows] = res.result
        open_ = res.result == _OPEN
        rule[rows] = np.where(open_, np.int16(-1), lut[res.rule])
        pol_codes = np.array([_index(policy_ids, c.policy.id) for c in pair if c is not None], dtype=np.int16)
        applied[rows] = pol_codes[res.choice]
        if any_unknown and res.possible is not None:
            possible[rows] = np.where(open_, res.possible, 0)
            _put_decisive(res, open_, rows, decisive, texts)
    return result, rule, applied, list(rule_index), policy_ids, possible, decisive, texts


def _index(items: list[str], item: str) -> int:
    if item not in items:
        items.append(item)
    return items.index(item)


def _select_frame(df: pd.DataFrame, policies: PolicySet, source: str
                  ) -> tuple[list[tuple[CompiledPolicy, CompiledPolicy | None]], np.ndarray]:
    """Per row, the pair of policies ``determine`` weighs (``candidates``), vectorised: the
    policy in force per jurisdiction and day is looked up in a table, not searched per row."""
    import numpy as np

    from ftlib.convert import date_column, text_column
    from ftlib.policy.select import day_table

    jur, codes = text_column(df, "jurisdiction", source)
    for j, code in enumerate(codes):
        if not _JURISDICTION.fullmatch(code):
            bad = jur == j
            raise FactError(f"{source}: row {int(np.argmax(bad)) + 1}: field jurisdiction: value {code!r}: "
                            "not a region code like CN-HB")
    conduct, _ = date_column(df, "conduct_date", source)
    decision, no_decision = date_column(df, "decision_date", source, required=False)
    n = len(df)
    if n == 0:
        return [], np.empty(0, dtype=np.int32)
    today = np.datetime64(dt.date.today(), "D")
    for name, days, blank in (("conduct_date", conduct, None), ("decision_date", decision, no_decision)):
        future = days > today if blank is None else ~blank & (days > today)
        if future.any():  # as ``Case`` refuses it: a typing slip that would choose another policy
            i = int(np.argmax(future))
            raise FactError(f"{source}: row {i + 1}: field {name}: value {days[i]}: date is in the future")
    early = ~no_decision & (decision < conduct)
    if early.any():
        i = int(np.argmax(early))
        raise FactError(f"{source}: row {i + 1}: field decision_date: value {decision[i]}: before conduct_date")
    first = conduct.min()
    last = np.where(no_decision, conduct, decision).max()
    table, found = day_table(policies, codes, first.astype(dt.date), last.astype(dt.date))
    d0 = first.astype(np.int64)
    span = table.shape[1]
    flat = table.ravel()
    base = jur.astype(np.int64) * span - d0
    at_conduct = flat.take(base + conduct.astype(np.int64))
    if (at_conduct < 0).any():
        i = int(np.argmax(at_conduct < 0))
        raise NoPolicyError(f"{source}: row {i + 1}: field conduct_date: value {conduct[i]}: "
                            f"no policy for {codes[jur[i]]} in force on that date")
    p = len(found)
    later = flat.take(base + np.where(no_decision, conduct, decision).astype(np.int64))
    later = np.where((later < 0) | (later == at_conduct), np.int16(p), later)
    key = at_conduct.astype(np.int32) * (p + 1) + later
    seen = np.bincount(key, minlength=p * (p + 1))
    present = np.flatnonzero(seen)
    pairs = []
    for k in present:
        a, b = divmod(int(k), p + 1)
        pairs.append((policies.compiled[found[a].id], policies.compiled[found[b].id] if b < p else None))
    lut = np.zeros(len(seen), dtype=np.int32)
    lut[present] = np.arange(len(present), dtype=np.int32)
    return pairs, lut.take(key)
