"""Decisions are collective and explained (issue 3, point 3).

Recording a decision stores the engine's recommendation at that moment (``determine()`` on the
case's facts with the decision date, so 从旧兼从轻 applies). It is refused when

- it departs from the recommendation without a reason (``departure_reason``);
- the body deciding is not the one the policy gives the right to decide
  (``procedure.decision_body``), or a body the policy says must be consulted (会商,
  ``procedure.consult``) was not, or the policy requires a higher body's approval
  (``procedure.higher_approval``) and it is missing;
- the policy requires a collective decision (``procedure.collective``) and fewer than
  ``procedure.quorum`` of the members were present (a share; 0.5 means at least half, the
  usual 半数以上), or the decision did not carry a majority of the members present.

All of these are read from the policy; none is a constant here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from ftlib.engine import determine
from ftlib.register.casepolicy import case_facts
from ftlib.register.decision_rules import check_decision  # noqa: F401  (re-exported: the rules live below)
from ftlib.register.errors import ProcedureError
from ftlib.register.models import CaseRow, Event
from ftlib.register.procedure import case_row, progress_of, record_event
from ftlib.vocabulary import DEFAULT_DISPOSITION, OUTCOME_OF, UNDETERMINED
from ftlib.workdays import add_working_days


def recommendation(row: CaseRow, on: dt.date):
    """The engine's determination for the case as it stands on ``on`` (the decision date)."""
    return determine(case_facts(row, decision_date=on))


def correction_orders(det, on: dt.date) -> list[dict[str, Any]]:
    """The corrections the determination requires, each with its deadline in working days."""
    out = []
    for c in det.corrections:
        deadline = add_working_days(on, c.time_limit_working_days)
        out.append({"measure": c.id, "text_zh": c.zh, "working_days": c.time_limit_working_days,
                    "due_on": deadline.due.isoformat(), "calendar_warning": "; ".join(deadline.warnings) or None})
    return out


def record_decision(session: Session, case_id: str, *, on: dt.date, actor: str, body: str, outcome: str,
                    members_total: int, members_present: int, votes_for: int, votes_against: int = 0,
                    votes_abstain: int = 0, consulted: Iterable[str] = (), approved_by: str | None = None,
                    departure_reason: str | None = None, review: bool = False,
                    recorded_by: str | None = None, disposition: str | None = None,
                    handling_imposed: Iterable[str] | None = None) -> Event:
    """Record the (collective) decision on a case — or, with ``review=True``, the decision on
    an appeal — together with the engine's recommendation at this moment.

    ``disposition``: 不予问责 / 免予问责 / 从轻 / 减轻 … (``ftlib.vocabulary.DISPOSITIONS``), one of
    ``outcome``'s. Not given, it is the engine's where the body decides the engine's outcome (the
    body follows the recommendation), else the one ``outcome`` stands for by the documented
    mapping ``vocabulary.DEFAULT_DISPOSITION`` (exempt → 免予问责, mitigated → 从轻). A decision
    whose disposition differs from the engine's departs from it and must say why — so does every
    decision on a case the engine left ``undetermined``, whose event then records the
    dispositions still possible and the decisive unknowns (what was to be verified).

    ``handling_imposed``: the handling actually imposed (codes of ftlib/data/handling.yaml: 批评教育,
    诫勉, 记过 …); the career review's impact period (影响期) follows it."""
    row = case_row(session, case_id)
    if row is None:
        raise ProcedureError(f"case {case_id}: no such case in the register")
    det = recommendation(row, on)
    if disposition is None:
        disposition = det.disposition if OUTCOME_OF.get(det.disposition) == outcome else \
            DEFAULT_DISPOSITION.get(outcome)
    payload: dict[str, Any] = {
        "body": body, "consulted": list(consulted), "approved_by": approved_by,
        "members_total": members_total, "members_present": members_present, "votes_for": votes_for,
        "votes_against": votes_against, "votes_abstain": votes_abstain, "outcome": outcome,
        "disposition": disposition, "engine_outcome": det.outcome, "engine_disposition": det.disposition,
        "engine_rule": det.deciding_rule, "engine_policy_id": det.policy.id,
        "departure_reason": departure_reason, "corrections": correction_orders(det, on),
    }
    if handling_imposed:
        payload["handling_imposed"] = list(handling_imposed)
    if det.outcome == UNDETERMINED:   # no row decided: the case shows what to verify (issue 11)
        payload["engine_possible_dispositions"] = list(det.possible_dispositions)
        payload["engine_decisive_unknowns"] = list(det.decisive_unknowns)
    if review:
        previous = progress_of(session, case_id)
        same = outcome == previous.outcome and (previous.disposition is None or disposition == previous.disposition)
        payload["result"] = "upheld" if same else "changed"
        payload["corrections"] = []  # corrections were ordered with the first decision
    return record_event(session, case_id, "review_decided" if review else "decided", on, actor, payload,
                        recorded_by=recorded_by)
