"""What would change the outcome: counterfactuals found by exhaustive search.

For one case and the policy that decides it, :func:`counterfactuals` finds, for every other
outcome the policy can give, the smallest sets of fact changes that move the case there. It
does not know any rule by hand: it walks the discrete fact space the policy reads
(:func:`ftlib.policy.space.domains`), trying every set of 1, 2, 3 … changed facts up to a bound,
and evaluates all candidates of one size at once with the compiled policy
(:meth:`CompiledPolicy.run_frame` on columns from :func:`ftlib.convert.frame_columns`).

A set is kept only if it is minimal: no proper subset of its changes reaches the same outcome.
By default the search stops, for each outcome, at the smallest size that reaches it (those
sets are minimal by construction); with ``smallest_only=False`` it goes on to ``max_changes``
and drops every set that contains a smaller one.

``mode="what_can_still_be_done"`` holds the conduct, the person and the past fixed and varies
only the facts that can still change after the act (the ``after`` group of the facts,
``ftlib.facts.after_the_act``).

:func:`tolerance_requirements` serves the ex-ante self-check (容错报备): given the planned facts
of a piece of work, it enumerates every way the facts not yet known could turn out and reports,
for each fact, which values still leave a mistake tolerable (or exempt) under the policy.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ftlib.convert import frame_columns
from ftlib.engine import NoPolicyError, candidates, determine
from ftlib.facts import CONDITION_FACTS, Case, after_the_act
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.loader import PolicySet, bundled
from ftlib.policy.schema import Policy
from ftlib.policy.select import in_force
from ftlib.policy.space import domains, enumerate_frame
from ftlib.vocabulary import LENIENCY, OUTCOMES, TOLERATED

Mode = Literal["all", "what_can_still_be_done"]
MODES: tuple[str, ...] = ("all", "what_can_still_be_done")
#: Candidates evaluated in one vectorised batch at most; beyond it the search stops early.
MAX_CANDIDATES = 3_000_000


@dataclass(frozen=True, order=True)
class Change:
    fact: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Counterfactual:
    outcome: str
    rule: str                       # the grading row that decides the changed case
    changes: tuple[Change, ...]     # sorted by fact name

    @property
    def facts(self) -> frozenset[str]:
        return frozenset(c.fact for c in self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {c.fact: c.after for c in self.changes}


@dataclass
class Counterfactuals:
    case_id: str
    policy_id: str
    mode: str
    outcome: str                    # the case's outcome as it stands
    max_changes: int
    varied: tuple[str, ...]         # facts the search could change
    by_outcome: dict[str, list[Counterfactual]] = field(default_factory=dict)
    searched_to: int = 0            # largest set size fully searched
    candidates: int = 0             # candidates evaluated

    def reachable(self) -> list[str]:
        return [o for o in OUTCOMES if self.by_outcome.get(o)]

    def unreachable(self) -> list[str]:
        return [o for o in OUTCOMES if o != self.outcome and not self.by_outcome.get(o)]

    def sets(self, outcome: str) -> list[dict[str, Any]]:
        """The change sets to ``outcome`` as ``{fact: new value}`` dicts (for tests and tables)."""
        return [cf.as_dict() for cf in self.by_outcome.get(outcome, [])]


class _Evaluator:
    """Outcome and deciding row for a table of coded fact columns, as ``determine`` would
    decide them: one policy, or the policy at the conduct date with the one at the decision
    date taking over wherever it is more lenient (从旧兼从轻)."""

    def __init__(self, primary: CompiledPolicy, lenient_later: CompiledPolicy | None = None) -> None:
        self.primary = primary
        self.later = lenient_later
        self.facts_read = set(primary.facts_read) | (set(lenient_later.facts_read) if lenient_later else set())
        self.rules = {id(c): [s.rule_id for s in c.grading] for c in (primary, lenient_later) if c is not None}

    def run(self, cols: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, list[str]]:
        out, row, _ = self.primary.run_frame(cols, n)
        rules = np.asarray([s.rule_id for s in self.primary.grading], dtype=object)[row]
        if self.later is not None:
            out2, row2, _ = self.later.run_frame(cols, n)
            lenient = np.asarray([LENIENCY[o] for o in OUTCOMES])
            take = lenient[out2] > lenient[out]
            out = np.where(take, out2, out)
            rules2 = np.asarray([f"{self.later.policy.id}:{s.rule_id}" for s in self.later.grading], dtype=object)[row2]
            rules = np.where(take, rules2, rules)
        return out, list(rules)


def _evaluator(case: Case, policy: str | Policy | None, policies: PolicySet) -> tuple[_Evaluator, str]:
    det = determine(case, policy, policies)
    if policy is not None:
        return _Evaluator(policies.compiled[det.policy.id]), det.policy.id
    # candidates are weighed under the same policies as the case itself (从旧兼从轻)
    at_conduct, at_decision = candidates(case, policies)
    later = policies.compiled[at_decision.id] if at_decision is not None else None
    return _Evaluator(policies.compiled[at_conduct.id], later), det.policy.id


def _coded_domain(name: str, values: list[Any]) -> list[Any]:
    spec = CONDITION_FACTS[name]
    if spec.kind == "enum":
        return [spec.values.index(v) for v in values]
    return list(values)


def _decode(name: str, code: Any) -> Any:
    spec = CONDITION_FACTS[name]
    if spec.kind == "enum":
        return spec.values[int(code)]
    if spec.kind == "bool":
        return bool(code)
    return float(code)


def counterfactuals(case: Case, policy: str | Policy | None = None, policies: PolicySet | None = None, *,
                    mode: Mode = "all", max_changes: int = 3, smallest_only: bool = True,
                    facts: Iterable[str] | None = None) -> Counterfactuals:
    """The minimal sets of fact changes that move ``case`` to each other reachable outcome.

    ``policy``: as for :func:`ftlib.engine.determine` (default: the policy that applies to the
    case, including 从旧兼从轻). ``mode``: ``"all"`` varies every fact the policy reads;
    ``"what_can_still_be_done"`` only the facts listed in ``after_the_act``. ``facts``
    restricts the varied facts further. ``max_changes`` bounds the size of a set.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: use one of {', '.join(MODES)}")
    policies = policies or bundled()
    ev, pid = _evaluator(case, policy, policies)
    dom: dict[str, list[Any]] = {}
    for c in (ev.primary, ev.later):
        if c is not None:
            for k, v in domains(c).items():
                dom[k] = sorted(set(dom.get(k, [])) | set(v), key=lambda x: (str(type(x)), x))
    names = sorted(ev.facts_read)
    if mode == "what_can_still_be_done":
        names = [n for n in names if n in after_the_act()]
    if facts is not None:
        wanted = set(facts)
        names = [n for n in names if n in wanted]

    base_df = pd.DataFrame([case.flat()])
    base = {k: v[0] for k, v in frame_columns(base_df, ev.facts_read).items()}
    base_cols = {k: np.asarray([v]) for k, v in base.items()}
    out0, rules0 = ev.run(base_cols, 1)
    current = OUTCOMES[int(out0[0])]
    result = Counterfactuals(case.id, pid, mode, current, max_changes, tuple(names))

    # alternatives per varied fact, in code space (enum index, bool, float)
    alts: dict[str, list[Any]] = {}
    for n in names:
        coded = _coded_domain(n, dom[n])
        alts[n] = [v for v in coded if v != base[n]]
    names = [n for n in names if alts[n]]

    found: dict[str, list[Counterfactual]] = {o: [] for o in OUTCOMES if o != current}
    done: set[str] = set()
    for k in range(1, max_changes + 1):
        if smallest_only and len(done) == len(found):
            break
        combos = list(itertools.combinations(names, k))
        size = sum(int(np.prod([len(alts[f]) for f in combo])) for combo in combos)
        if size == 0:
            break
        if size > MAX_CANDIDATES:
            break
        cols = {f: np.repeat(np.asarray([v], dtype=object), size) for f, v in base.items()}
        combo_of_row = np.empty(size, dtype=np.int32)
        start = 0
        for ci, combo in enumerate(combos):
            grids = np.meshgrid(*[np.asarray(alts[f], dtype=object) for f in combo], indexing="ij")
            m = grids[0].size
            for f, g in zip(combo, grids):
                cols[f][start:start + m] = g.ravel()
            combo_of_row[start:start + m] = ci
            start += m
        typed = {f: _retype(f, a) for f, a in cols.items()}
        outcome, rules = ev.run(typed, size)
        result.candidates += size
        skip = [OUTCOMES.index(current)] + ([OUTCOMES.index(o) for o in done] if smallest_only else [])
        for i in np.nonzero(~np.isin(outcome, skip))[0]:
            o = OUTCOMES[int(outcome[i])]
            combo = combos[combo_of_row[i]]
            changes = tuple(Change(f, _decode(f, base[f]), _decode(f, typed[f][i])) for f in combo)
            cf = Counterfactual(o, rules[i], changes)
            if not smallest_only and _contains_smaller(cf, found[o]):
                continue
            found[o].append(cf)
        result.searched_to = k
        done |= {o for o, v in found.items() if v}
    result.by_outcome = {o: _collapse_numbers(v) for o, v in found.items() if v}
    return result


def _retype(name: str, arr: np.ndarray) -> np.ndarray:
    kind = CONDITION_FACTS[name].kind
    if kind == "enum":
        return arr.astype(np.int16)
    if kind == "bool":
        return arr.astype(bool)
    return arr.astype(float)


def _contains_smaller(cf: Counterfactual, smaller: list[Counterfactual]) -> bool:
    mine = {(c.fact, c.after) for c in cf.changes}
    return any(len(s.changes) < len(cf.changes) and {(c.fact, c.after) for c in s.changes} <= mine for s in smaller)


def _collapse_numbers(sets: list[Counterfactual]) -> list[Counterfactual]:
    """Sets that differ only in the new value of a number fact (e.g. a loss of 5,000,000 or
    5,000,001 yuan) are one change; keep the value closest to the case's own."""
    best: dict[tuple, Counterfactual] = {}
    for cf in sets:
        key = tuple((c.fact, c.after if CONDITION_FACTS[c.fact].kind != "number" else "#") for c in cf.changes)
        dist = sum(abs(c.after - c.before) for c in cf.changes if CONDITION_FACTS[c.fact].kind == "number")
        old = best.get(key)
        if old is None or dist < sum(abs(c.after - c.before) for c in old.changes
                                     if CONDITION_FACTS[c.fact].kind == "number"):
            best[key] = cf
    return sorted(best.values(), key=lambda cf: (len(cf.changes), [c.fact for c in cf.changes], str(cf.as_dict())))


# -- ex-ante: which conditions must hold for a mistake to stay tolerable --------------------

#: Outcomes a cadre hopes for when registering risky work beforehand.
TOLERABLE: tuple[str, ...] = TOLERATED


@dataclass(frozen=True)
class Requirement:
    fact: str
    allowed: tuple[Any, ...]        # the values that still leave the outcome reachable
    forbidden: tuple[Any, ...]
    clauses: tuple[str, ...]        # clauses of the rules that read the fact


@dataclass
class Requirements:
    policy_id: str
    planned: dict[str, Any]
    open_facts: tuple[str, ...]
    combinations: int
    in_scope: bool
    tolerable_possible: bool
    exempt_possible: bool
    for_tolerance: list[Requirement]
    for_exemption: list[Requirement]   # beyond those for tolerance
    #: pairs of values each allowed alone but never together, e.g. (severity major, safety incident)
    pairs_tolerance: list[tuple[tuple[str, Any], tuple[str, Any]]] = field(default_factory=list)
    pairs_exemption: list[tuple[tuple[str, Any], tuple[str, Any]]] = field(default_factory=list)


def tolerance_requirements(planned: Mapping[str, Any], jurisdiction: str, day: dt.date,
                           policies: PolicySet | None = None, policy: str | None = None) -> Requirements:
    """For planned work (dotted facts fixed in advance: scenario, procedure.*, subject.* …),
    enumerate every combination of the facts the policy reads that are not planned (how the
    conduct, its consequences and the aftermath could turn out) and derive, fact by fact,
    which values must hold for a mistake to stay tolerable (exempt or mitigated), and which
    further ones for an exemption. Nothing is written per policy: the values come from the
    policy's own distinctions, exclusions, conditions and grading rows."""

    policies = policies or bundled()
    if policy is not None:
        chosen = policies.get(policy)
    else:
        chosen = in_force(policies, jurisdiction, day)
        if chosen is None:
            raise NoPolicyError(f"jurisdiction {jurisdiction}: no policy in force on {day.isoformat()}")
    compiled = policies.compiled[chosen.id]
    dom = domains(compiled)
    fixed = {k: v for k, v in planned.items() if k in dom}
    open_dom = {k: v for k, v in dom.items() if k not in fixed}
    frame, _ = enumerate_frame(open_dom)
    for k, v in fixed.items():
        frame[k] = v
    cols = frame_columns(frame, compiled.facts_read)
    outcome, _, env = compiled.run_frame(cols, len(frame))
    names = [OUTCOMES[i] for i in range(len(OUTCOMES))]
    tol = np.isin(outcome, [names.index(o) for o in TOLERABLE])
    exe = outcome == names.index("exempt")
    in_scope = bool(np.asarray(env["in_scope"]).any())

    def needs(mask: np.ndarray, within: np.ndarray | None = None) -> list[Requirement]:
        out = []
        for f, values in open_dom.items():
            col = frame[f]
            allowed = tuple(v for v in values if mask[(col == v).to_numpy()].any())
            if len(allowed) == len(values) or not allowed:
                continue
            if within is not None:
                before = tuple(v for v in values if within[(col == v).to_numpy()].any())
                if before == allowed:
                    continue
            forbidden = tuple(v for v in values if v not in allowed)
            out.append(Requirement(f, allowed, forbidden, _clauses_reading(compiled, f)))
        return out

    eq = {(f, v): (frame[f] == v).to_numpy() for f, values in open_dom.items() for v in values}

    def pairs(mask: np.ndarray, singles: list[Requirement], known: set | None = None) -> list:
        banned = {(r.fact, v) for r in singles for v in r.forbidden}
        out = []
        for f, g in itertools.combinations(open_dom, 2):
            for v in open_dom[f]:
                for w in open_dom[g]:
                    if (f, v) in banned or (g, w) in banned or not mask[eq[(f, v)]].any() or not mask[eq[(g, w)]].any():
                        continue
                    pair = ((f, v), (g, w))
                    if not mask[eq[(f, v)] & eq[(g, w)]].any() and pair not in (known or set()):
                        out.append(pair)
        return out

    for_tol = needs(tol) if tol.any() else []
    for_exe = needs(exe, tol) if exe.any() else []
    pairs_tol = pairs(tol, for_tol) if tol.any() else []
    pairs_exe = pairs(exe, for_tol + for_exe, set(pairs_tol)) if exe.any() else []
    return Requirements(chosen.id, dict(planned), tuple(open_dom), len(frame), in_scope, bool(tol.any()),
                        bool(exe.any()), for_tol, for_exe, pairs_tol, pairs_exe)


def _clauses_reading(compiled: CompiledPolicy, fact: str) -> tuple[str, ...]:
    out: list[str] = []
    for s in [*compiled.steps, *compiled.grading]:
        if fact in s.condition.facts and s.clause not in out:
            out.append(s.clause)
    return tuple(out)
