"""A policy with every condition parsed once, in evaluation order.

The same compiled steps serve one case (with a trace) and a DataFrame (vectorised), which is
what makes the two agree by construction; the property test checks they do.
"""

# Imports inside functions: numpy only where a table is evaluated; one case stays plain Python (light kernels).

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ftlib.facts import CONDITION_FACTS, FactSpec
from ftlib.policy.conditions import Condition, ConditionError, compile_condition
from ftlib.policy.schema import Policy
from ftlib.vocabulary import DISPOSITIONS, OUTCOMES

if TYPE_CHECKING:  # numpy only where tables are evaluated: one case (a quiz kernel) never loads it
    import numpy as np

#: group name in the policy file → (prefix of its single rules, aggregate name, aggregate kind)
GROUPS: tuple[tuple[str, str, str, str], ...] = (
    ("distinctions", "distinction", "violates_distinction", "any"),
    ("exclusions", "exclusion", "excluded", "any"),
    ("scope", "scope", "in_scope", "any"),
    ("conditions", "condition", "conditions_met", "all"),
    ("mitigations", "mitigation", "mitigating", "any"),
)
_BOOL = "bool"


@dataclass(frozen=True)
class Step:
    group: str          # distinctions, exclusions, scope, conditions, mitigations, grading
    rule_id: str
    clause: str
    condition: Condition
    derived_name: str   # name later conditions use for this rule's result
    outcome: str | None = None
    disposition: str | None = None


class CompiledPolicy:
    """Evaluation plan for one policy."""

    def __init__(self, policy: Policy, where: str = "") -> None:
        self.policy = policy
        self.steps: list[Step] = []
        self.aggregates: list[tuple[str, str, list[str]]] = []  # (name, any|all, members)
        self.grading: list[Step] = []
        self.corrections: list[tuple[Any, Condition]] = []
        derived: dict[str, FactSpec] = {}

        def comp(text: Any, field: str) -> Condition:
            try:
                return compile_condition(text, derived)
            except ConditionError as err:
                raise ConditionError(f"{where}{field}: {err}") from None

        self.by_group: list[list[Step]] = []  # the steps of each group, in GROUPS order
        for group, prefix, agg, mode in GROUPS:
            members: list[str] = []
            first = len(self.steps)
            if group == "scope":
                scen = ", ".join(f'"{s}"' for s in policy.scope.scenarios) or '"__none__"'
                text = f"scenario in [{scen}]" if policy.scope.scenarios else "false"
                step = Step("scope", "scope", policy.scope.clause, comp(text, "scope"), "scope.scenario")
                self.steps.append(step)
                members.append(step.derived_name)
                derived[step.derived_name] = FactSpec(step.derived_name, _BOOL)
            else:
                for i, rule in enumerate(getattr(policy, group)):
                    name = f"{prefix}.{rule.id}"
                    step = Step(group, rule.id, rule.clause, comp(rule.when, f"{group}[{i}] {rule.id}: when"), name)
                    self.steps.append(step)
                    members.append(name)
                    derived[name] = FactSpec(name, _BOOL)
            self.aggregates.append((agg, mode, members))
            self.by_group.append(self.steps[first:])
            derived[agg] = FactSpec(agg, _BOOL)
        for i, row in enumerate(policy.grading):
            self.grading.append(Step("grading", row.id, row.clause, comp(row.when, f"grading[{i}] {row.id}: when"),
                                     f"grading.{row.id}", row.outcome, row.disposition))
        for o in OUTCOMES:
            derived[f"outcome.{o}"] = FactSpec(f"outcome.{o}", _BOOL)
        for d in DISPOSITIONS:
            derived[f"disposition.{d}"] = FactSpec(f"disposition.{d}", _BOOL)
        for i, c in enumerate(policy.corrections):
            self.corrections.append((c, comp(c.when, f"corrections[{i}] {c.id}: when")))
        self.facts_read: set[str] = set()
        for s in [*self.steps, *self.grading]:
            self.facts_read |= {n for n in s.condition.facts if n in CONDITION_FACTS}

    # -- one case ---------------------------------------------------------------------------
    def run(self, facts: Mapping[str, Any]) -> tuple[str, Step, list[tuple[Step, bool, dict]], dict]:
        """Evaluate one case: (outcome, deciding row, trace entries, environment)."""
        env = dict(facts)
        trace: list[tuple[Step, bool, dict]] = []
        for group_steps, (agg, mode, members) in zip(self.by_group, self.aggregates):
            for step in group_steps:
                ok, reads = step.condition.evaluate(env)
                env[step.derived_name] = ok
                trace.append((step, ok, reads))
            # The aggregate right after its group, so later groups may read it.
            env[agg] = _kleene([env[m] for m in members], mode == "all")
        for step in self.grading:
            ok, reads = step.condition.evaluate(env)
            trace.append((step, ok, reads))
            if ok:
                # With unknown facts an earlier row may be open (None): the outcome is then the
                # enumeration's (engine), this run only writes the trace.
                for o in OUTCOMES:
                    env[f"outcome.{o}"] = o == step.outcome
                for d in DISPOSITIONS:
                    env[f"disposition.{d}"] = d == step.disposition
                return step.outcome or "", step, trace, env
        raise ConditionError(f"policy {self.policy.id}: no grading row matched (the last row must be 'true')")

    def __repr__(self) -> str:
        return f"CompiledPolicy({self.policy.id})"

    # -- a table -----------------------------------------------------------------------------
    @cached_property
    def disposition_of_row(self) -> np.ndarray:
        """Disposition index (into DISPOSITIONS) of each grading row, for the vectorised path."""
        import numpy as np

        return np.array([DISPOSITIONS.index(s.disposition) for s in self.grading], dtype=np.int8)

    def run_frame(self, cols: Mapping[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, dict]:
        """Evaluate n cases: (outcome index into OUTCOMES, grading row index, environment)."""
        import numpy as np

        env: dict[str, Any] = dict(cols)
        for group_steps, (agg, mode, members) in zip(self.by_group, self.aggregates):
            for step in group_steps:
                env[step.derived_name] = step.condition.evaluate_frame(env, n)
            if not members:
                env[agg] = np.full(n, mode == "all")
                continue
            stack = [env[m] for m in members]
            out = stack[0].copy()
            for m in stack[1:]:
                (np.logical_and if mode == "all" else np.logical_or)(out, m, out=out)
            env[agg] = out
        row = np.full(n, -1, dtype=np.int16)
        undecided = np.ones(n, dtype=bool)
        for i, step in enumerate(self.grading):
            hit = step.condition.evaluate_frame(env, n) & undecided
            row[hit] = i
            undecided &= ~hit
            if not undecided.any():
                break
        outcome_of_row = np.array([OUTCOMES.index(s.outcome) for s in self.grading], dtype=np.int8)
        outcome = outcome_of_row[row]
        for k, o in enumerate(OUTCOMES):
            env[f"outcome.{o}"] = outcome == k
        disposition = self.disposition_of_row[row]
        for k, d in enumerate(DISPOSITIONS):
            env[f"disposition.{d}"] = disposition == k
        return outcome, row, env


def _kleene(vals: list[bool | None], is_all: bool) -> bool | None:
    """all/any in three-valued logic (None = unknown)."""
    known = [bool(v) for v in vals if v is not None]
    if is_all:
        return False if not all(known) else (None if len(known) < len(vals) else True)
    return True if any(known) else (None if len(known) < len(vals) else False)
