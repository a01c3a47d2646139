"""One case as its documents need it: the case row, its events in order, its decisions and
corrections, the policy whose procedure governs it, and the engine's determination at the
decision date (re-run from the stored facts, so the reasons and clauses are the ones the
decision was recommended on)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ftlib.engine import determine
from ftlib.errors import FtlibError
from ftlib.policy.loader import bundled
from ftlib.register.db import session_scope
from ftlib.register.models import CaseRow, Correction, Decision, Event
from ftlib.register.procedure import case_facts, policy_of


@dataclass
class CaseFile:
    row: Any  # ftlib.register.models.CaseRow
    events: list[Any]
    decision: Any | None  # the first-stage Decision row
    corrections: list[Any]
    policy: Any  # the policy whose procedure governs the case
    determination: Any | None = None  # ftlib.engine.Determination at the decision date
    decision_policy: Any | None = None  # the policy the determination applied
    extra: dict[str, Any] = field(default_factory=dict)

    def last(self, kind: str) -> Any | None:
        """The latest event of ``kind``, or None."""
        found = [e for e in self.events if e.kind == kind]
        return found[-1] if found else None

    def on(self, kind: str) -> dt.date | None:
        e = self.last(kind)
        return e.at if e is not None else None


def load_case_file(case_id: str, url: str | None = None, policies=None) -> CaseFile:
    """Read one case from the register (one line naming the case if it is not there)."""

    policies = policies or bundled()
    with session_scope(url) as s:
        row = s.get(CaseRow, case_id)
        if row is None:
            raise FtlibError(f"case {case_id!r}: no such case in the register")
        events = list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))
        decision = s.scalars(select(Decision).where(Decision.case_id == case_id, Decision.stage == "first")
                             .order_by(Decision.event_seq.desc())).first()
        corrections = list(s.scalars(select(Correction).where(Correction.case_id == case_id)
                                     .order_by(Correction.id)))
        s.expunge_all()
    cf = CaseFile(row=row, events=events, decision=decision, corrections=corrections,
                  policy=policy_of(row, policies))
    if decision is not None:
        cf.determination = determine(case_facts(row, decision_date=decision.decided_on), policies=policies)
        cf.decision_policy = policies.get(cf.determination.policy.id)
    return cf
