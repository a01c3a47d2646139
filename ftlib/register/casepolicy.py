"""The policy that governs a case in the register, and what the register reads from it: the
policy in force for the case's jurisdiction on its conduct date, the case's facts as the engine
reads them, a stage's time limit and an outcome's impact period.

Its own module, below the procedure steps, the payload checks, the decision rules and the
frames, so that each of those reads the policy without importing another (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt

from ftlib.engine import NoPolicyError
from ftlib.facts import Case, case_from_dict
from ftlib.policy.loader import bundled
from ftlib.policy.select import in_force
from ftlib.register.errors import ProcedureError
from ftlib.register.models import CaseRow


def policy_for(jurisdiction: str, conduct_date: dt.date, policies=None):
    """The policy whose procedure governs a case (in force on the conduct date)."""
    policy = in_force(policies or bundled(), jurisdiction, conduct_date)
    if policy is None:
        raise NoPolicyError(f"field conduct_date: value {conduct_date}: no policy for {jurisdiction} in force on that date")
    return policy


def policy_of(case: CaseRow, policies=None):
    """The policy stored with the case when it was opened."""
    policies = policies or bundled()
    if case.policy_id not in policies.policies:
        raise ProcedureError(f"case {case.id}: field policy_id: value {case.policy_id!r}: not a known policy")
    return policies.policies[case.policy_id]


def case_facts(row: CaseRow, decision_date: dt.date | None = None) -> Case:
    """The case's facts as the engine reads them (with the decision date, for 从旧兼从轻)."""
    data = {"id": row.id, **row.facts}
    if decision_date is not None:
        data["decision_date"] = decision_date.isoformat()
    return case_from_dict(data, f"case {row.id}")


def stage_limit(policy, stage: str) -> int | None:
    """The time limit of a stage in working days, from the policy (None if it sets none)."""
    proc = policy.procedure
    if stage == "review":
        return proc.review_time_limit_working_days
    return proc.time_limits_working_days.get(stage)


def impact_months(policy, outcome: str) -> int:
    """The impact period (影响期) after ``outcome`` in months, from the policy's after-care (0 if none)."""
    care = policy.aftercare.get(outcome)
    return care.impact_period_months if care is not None else 0
