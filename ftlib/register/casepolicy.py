"""The policy that governs a case in the register, and what the register reads from it: the
policy in force for the case's jurisdiction on its conduct date, the case's facts as the engine
reads them, a stage's time limit, the application window and an outcome's impact period.

Its own module, below the procedure steps, the payload checks, the decision rules and the
frames, so that each of those reads the policy without importing another (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ftlib.engine import NoPolicyError
from ftlib.facts import Case, case_from_dict
from ftlib.policy.handling import impact_period
from ftlib.policy.loader import bundled
from ftlib.policy.select import in_force
from ftlib.register.errors import ProcedureError
from ftlib.register.models import CaseRow
from ftlib.workdays import add_working_days


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


def imposed_codes(value: Any) -> list[str]:
    """The handling a decision imposed, as a list of codes (a list, or one string ``a;b``)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [c.strip() for c in value.split(";") if c.strip()]
    return [str(c) for c in value]


def impact_months(policy, outcome: str, rule: str | None = None, imposed: Any = None,
                  follows_engine: bool = True) -> int | None:
    """The impact period (影响期) in months after a decision, from the handling it carries — never
    a constant per outcome (DOMAIN.md §8: "影响期 … follows the sanction imposed"):

    - the handling the decision imposed (``imposed``: codes of ftlib/data/handling.yaml), the
      longest of their periods;
    - else, where the decision follows the engine (``follows_engine``), the residual handling of
      the deciding grading row ``rule``;
    - else 0 for an exempting decision (tolerated, no handling: 不影响考核评优和选拔任用), and
      None — not known, it depends on the handling imposed — for any other.

    A handling whose period the catalogue does not give (诫勉, 组织处理) makes it None too."""
    codes = imposed_codes(imposed)
    if not codes and follows_engine and rule:
        row = next((g for g in policy.grading if g.id == rule), None)
        codes = list(row.residual) if row is not None else []
    if codes:
        return impact_period(codes)
    return 0 if outcome == "exempt" else None


def application_window_breach(policy, channel: str, at: dt.date, notice_on: dt.date | None,
                              decided_on: dt.date | None = None) -> tuple[str, object, str] | None:
    """Why an application made on ``at`` falls outside the policy's application window, as
    (field, value, reason), or None when it is inside, the case is ex officio, or the policy sets
    no window. ``notice_on``: the day the accountability notice reached the applicant (the start
    of the proceedings); ``decided_on``: the day the accountability decision was made, where one
    was made before the application. A window that closes after working days counts them from
    the notice (its day not counted); one that closes at the decision admits the application
    from the notice's day until the day before the decision ("尚未作出决定前": an application on
    the decision's own day is read as late — our reading). Dates not given are not checked."""
    proc = policy.procedure
    closes = proc.window_closes()
    if channel == "ex_officio" or closes is None:
        return None
    if notice_on is not None and at < notice_on:
        return ("at", at, f"before the accountability notice ({notice_on}): the application window opens with it")
    if closes == "working_days" and notice_on is not None:
        window = proc.application_window_working_days
        ends = add_working_days(notice_on, window).due
        if at > ends:
            return ("at", at, f"the application window of {window} working days from the accountability "
                              f"notice ({notice_on}) ended on {ends} (policy {policy.id})")
    if closes == "decision" and decided_on is not None and at >= decided_on:
        return ("at", at, f"the application window closed with the accountability decision of {decided_on}: "
                          f"policy {policy.id} admits applications only after the proceedings start and "
                          "before the decision")
    return None
