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

from ftlib.register.errors import ProcedureError
from ftlib.register.models import CaseRow, Event
from ftlib.vocabulary import OUTCOMES


def _err(msg: str) -> ProcedureError:
    return ProcedureError(msg)


def _int(payload: dict[str, Any], name: str, where: str, default: int | None = None) -> int:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
        except ValueError:
            pass
        raise _err(f"{where}: field {name}: value {value!r}: not a whole number")
    if value < 0:
        raise _err(f"{where}: field {name}: value {value!r}: negative")
    return value


def check_decision(case: CaseRow, policy, payload: dict[str, Any], where: str) -> None:
    proc = policy.procedure
    for name in ("outcome", "engine_outcome"):
        if payload.get(name) not in OUTCOMES:
            raise _err(f"{where}: field {name}: value {payload.get(name)!r}: not one of {', '.join(OUTCOMES)}")
    for name in ("engine_rule", "engine_policy_id"):
        if not payload.get(name):
            raise _err(f"{where}: field {name}: value {payload.get(name)!r}: the engine's recommendation is missing")
    body = payload.get("body")
    if body != proc.decision_body.id:
        raise _err(f"{where}: field body: value {body!r}: policy {policy.id} gives the decision to "
                   f"{proc.decision_body.id} ({proc.decision_body.zh})")
    consulted = payload.get("consulted") or []
    if isinstance(consulted, str):
        consulted = [c for c in consulted.split(";") if c]
    missing = [b for b in proc.consult if b.id not in consulted]
    if missing:
        raise _err(f"{where}: field consulted: value {consulted!r}: policy {policy.id} requires consulting (会商) "
                   + ", ".join(f"{b.id} ({b.zh})" for b in missing))
    if proc.higher_approval is not None and payload.get("approved_by") != proc.higher_approval.id:
        raise _err(f"{where}: field approved_by: value {payload.get('approved_by')!r}: policy {policy.id} requires "
                   f"approval by {proc.higher_approval.id} ({proc.higher_approval.zh})")
    total = _int(payload, "members_total", where)
    present = _int(payload, "members_present", where)
    votes_for = _int(payload, "votes_for", where)
    against = _int(payload, "votes_against", where, 0)
    abstain = _int(payload, "votes_abstain", where, 0)
    if total < 1 or present > total:
        raise _err(f"{where}: field members_present: value {present}: must be between 0 and members_total ({total})")
    if votes_for + against + abstain > present:
        raise _err(f"{where}: field votes_for: value {votes_for}: {votes_for}+{against}+{abstain} votes from "
                   f"{present} members present")
    if proc.collective:
        if present < proc.quorum * total:
            raise _err(f"{where}: field members_present: value {present}: quorum not reached ({present} of {total} "
                       f"present; policy {policy.id} requires {proc.quorum:.0%} for a collective decision)")
        if 2 * votes_for <= present:
            raise _err(f"{where}: field votes_for: value {votes_for}: no majority of the {present} members present")
    if payload["outcome"] != payload["engine_outcome"] and not str(payload.get("departure_reason") or "").strip():
        raise _err(f"{where}: field departure_reason: value {payload.get('departure_reason')!r}: the decision "
                   f"({payload['outcome']}) departs from the engine's recommendation ({payload['engine_outcome']}, "
                   f"rule {payload['engine_rule']}) and must say why")


def recommendation(row: CaseRow, on: dt.date):
    """The engine's determination for the case as it stands on ``on`` (the decision date)."""
    from ftlib.engine import determine
    from ftlib.register.procedure import case_facts

    return determine(case_facts(row, decision_date=on))


def correction_orders(det, on: dt.date) -> list[dict[str, Any]]:
    """The corrections the determination requires, each with its deadline in working days."""
    from ftlib.workdays import add_working_days

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
                    recorded_by: str | None = None) -> Event:
    """Record the (collective) decision on a case — or, with ``review=True``, the decision on
    an appeal — together with the engine's recommendation at this moment."""
    from ftlib.register.procedure import progress_of, record_event

    row = session.get(CaseRow, case_id)
    if row is None:
        raise ProcedureError(f"case {case_id}: no such case in the register")
    det = recommendation(row, on)
    payload: dict[str, Any] = {
        "body": body, "consulted": list(consulted), "approved_by": approved_by,
        "members_total": members_total, "members_present": members_present, "votes_for": votes_for,
        "votes_against": votes_against, "votes_abstain": votes_abstain, "outcome": outcome,
        "engine_outcome": det.outcome, "engine_rule": det.deciding_rule, "engine_policy_id": det.policy.id,
        "departure_reason": departure_reason, "corrections": correction_orders(det, on),
    }
    if review:
        previous = progress_of(session, case_id).outcome
        payload["result"] = "upheld" if outcome == previous else "changed"
        payload["corrections"] = []  # corrections were ordered with the first decision
    return record_event(session, case_id, "review_decided" if review else "decided", on, actor, payload,
                        recorded_by=recorded_by)
