"""The case desk's one door into the register: which steps a case can take now, the fields of
each step's payload, and recording a step — always through the register's own functions
(``record_event`` when the register has it, else ``procedure.append``), so the desk's steps
get the same checks and land in the same append-only log as the API, the import and ``synth``.
Switching register API is an edit of :func:`_record` only.

A step is offered only when it is legal now: the state machine allows it
(``ftlib.register.events``) and what it needs exists (an open correction to complete, a
tolerated outcome for a career review, an appeal window not yet over)."""

# Imports inside functions: the desk's kernel loads the payload models when a step's form is built.

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ftlib.errors import FtlibError
from ftlib.facts import case_from_dict
from ftlib.register import events as ev
from ftlib.register import procedure as pr
from ftlib.register.db import session_scope
from ftlib.register.decisions import recommendation as rec
from ftlib.register.decisions import record_decision
from ftlib.register.models import CaseRow, Event
from ftlib.register.procedure import open_case, policy_for, policy_of, progress_of
from ftlib.workdays import add_working_days

#: The starts that are applications (the policy's application window applies to them).
APPLICATIONS = ("cadre_application", "unit_application")
#: Kinds recorded by the decision form (with the engine's recommendation), not the generic one.
DECISION_KINDS = ("decided", "review_decided")
#: Order in which the desk lists the steps open at a moment (procedure first, then the rest).
ORDER = ("accepted", "refused", "investigation_started", "investigated", "decided", "feedback_sent", "filed",
         "appealed", "review_decided", "refusal_appealed", "refusal_upheld", "refusal_overturned",
         "correction_completed", "follow_up", "result_shared", "clarified", "clue_received", "career_reviewed")


@dataclass(frozen=True)
class Field:
    """One input of a step's form: ``kind`` is text, longtext, choice, bool, tristate."""

    name: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    default: Any = None


#: What the case handler types in for each step (computed parts — an appeal's window end, a
#: shared result's outcome — are filled by the register). Field names are the payload's.
FIELDS: dict[str, tuple[Field, ...]] = {
    "accepted": (),
    "refused": (Field("reason", "longtext", required=True),),
    "refusal_appealed": (Field("grounds", "longtext"),),
    "appealed": (Field("grounds", "longtext"),),
    "refusal_upheld": (Field("reason", "longtext"),),
    "refusal_overturned": (Field("reason", "longtext"),),
    "investigation_started": (Field("team"),),
    "investigated": (Field("findings", "longtext"),),
    "feedback_sent": (),
    "filed": (Field("to"),),
    "clue_received": (Field("source", "choice", ("audit", "petition", "inspection"), required=True),
                      Field("reference")),
    "correction_completed": (Field("measure", "choice", required=True),),
    "follow_up": (Field("by"), Field("note", "longtext")),
    "result_shared": (Field("to_body", default="organisation_department"),),
    "clarified": (Field("method", "choice", ("meeting", "written_notice", "circular", "media"), required=True),
                  Field("accuser_referred", "bool", default=False),
                  Field("referred_to", "choice", ("", "police", "discipline_commission"))),
    "career_reviewed": (Field("evaluated_normally", "tristate"), Field("promoted", "tristate"),
                        Field("note", "longtext")),
}
FIXED: dict[str, dict[str, Any]] = {"feedback_sent": {"form": "written"}}


def payload_fields(kind: str) -> tuple[Field, ...]:
    """The form's fields for ``kind``: the payload model's field names (when the register has
    typed payload models) that a person types in, in the model's order."""
    fields = FIELDS.get(kind, ())
    try:
        from ftlib.register.payloads import PAYLOADS  # the register's typed payload models
    except ImportError:
        return fields
    model = PAYLOADS.get(kind)
    if model is None:
        return fields
    names = list(model.model_fields)
    return tuple(sorted(fields, key=lambda f: names.index(f.name) if f.name in names else len(names)))


def server_identity() -> str | None:
    """Who the server says the user is (JupyterHub passes it to the kernel); None under a plain
    Voilà or Jupyter server, which knows no users."""
    return (os.environ.get("JUPYTERHUB_USER") or "").strip() or None


@dataclass
class CaseState:
    case_id: str
    state: str | None
    outcome: str | None
    open_corrections: set[str]
    last_at: dt.date | None
    at: dict[str, dt.date]
    policy: Any
    row: Any


def case_state(case_id: str, url: str | None = None) -> CaseState:

    with session_scope(url) as s:
        row = s.get(CaseRow, case_id)
        if row is None:
            raise FtlibError(f"case {case_id!r}: no such case in the register")
        p = progress_of(s, case_id)
        s.expunge(row)
    return CaseState(case_id, p.state, p.outcome, set(p.open_corrections), p.last_at, dict(p.at),
                     policy_of(row), row)


def allowed_steps(cs: CaseState) -> list[str]:
    """The steps that are legal now, in the desk's order."""

    out = []
    for kind in ORDER:
        if cs.state not in ev.allowed_from(kind):
            continue
        if kind == "correction_completed" and not cs.open_corrections:
            continue
        if kind == "career_reviewed" and cs.outcome not in ("exempt", "mitigated"):
            continue
        if kind in ("appealed", "refusal_appealed"):
            since = cs.at.get("feedback_sent" if kind == "appealed" else "refused")
            days = cs.policy.procedure.appeal_window_working_days
            if since is None or (cs.last_at and cs.last_at > add_working_days(since, days).due):
                continue
        out.append(kind)
    return out


def clean_payload(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The payload of a step from its form values: blanks left out, fixed parts added."""
    payload: dict[str, Any] = dict(FIXED.get(kind, {}))
    for f in payload_fields(kind):
        v = values.get(f.name)
        if isinstance(v, str):
            v = v.strip()
        if v in ("", None) and f.kind != "tristate":
            if f.required:
                raise FtlibError(f"{kind}: field {f.name}: value {v!r}: required")
            continue
        payload[f.name] = v
    if kind == "clarified":
        payload.setdefault("referred_to", None)
        payload["accuser_referred"] = bool(payload.get("accuser_referred"))
    return payload


def _record(session, case_id: str, kind: str, at: dt.date, actor: str, payload: dict[str, Any],
            recorded_by: str | None):
    """The one call into the register for a generic step."""

    record_event = getattr(pr, "record_event", None)
    if record_event is not None:
        return record_event(session, case_id, kind, at, actor, payload, recorded_by=recorded_by)
    return pr.append(session, case_id, kind, at, actor, payload, recorded_by=recorded_by)


def _need_user(recorded_by: str | None) -> str:
    who = (recorded_by or "").strip() or server_identity()
    if not who:
        raise FtlibError("field recorded_by: value '': say who is recording (your name)")
    return who


def record_step(case_id: str, kind: str, at: dt.date, actor: str, values: dict[str, Any], recorded_by: str | None,
                url: str | None = None):
    """Record one step (not a decision) with the register's checks; returns the stored event."""

    who = _need_user(recorded_by)
    if kind in DECISION_KINDS:
        raise FtlibError(f"case {case_id}: {kind}: record decisions with record_decision_step")
    payload = clean_payload(kind, values)
    with session_scope(url) as s:
        if kind == "result_shared":  # the outcome shared is the decision's; a tolerated one never counts against
            p = progress_of(s, case_id)
            payload["outcome"] = p.outcome
            payload.setdefault("counts_against_cadre", p.outcome not in ("exempt", "mitigated"))
        event = _record(s, case_id, kind, at, actor, payload, who)
        s.expunge(event)
    return event


def recommendation(case_id: str, on: dt.date, url: str | None = None):
    """The engine's determination for the case on ``on`` (what the decision form shows)."""

    with session_scope(url) as s:
        row = s.get(CaseRow, case_id)
        if row is None:
            raise FtlibError(f"case {case_id!r}: no such case in the register")
        return rec(row, on)


def record_decision_step(case_id: str, *, on: dt.date, actor: str, recorded_by: str | None, review: bool = False,
                         url: str | None = None, **decision: Any):
    """Record a (collective) decision through the register's ``record_decision`` (quorum,
    body, consultation, approval and the reason for departing checked there)."""

    who = _need_user(recorded_by)
    with session_scope(url) as s:
        event = record_decision(s, case_id, on=on, actor=actor, review=review, recorded_by=who, **decision)
        s.expunge(event)
    return event


def open_new_case(facts: dict[str, Any], *, channel: str, received_on: dt.date, actor: str,
                  cadre_id: str | None, recorded_by: str | None, url: str | None = None,
                  notice_on: dt.date | None = None) -> str:
    """Register a case and its start (application by the cadre or the unit, or ex officio). An
    application under a policy with an application window needs the day the accountability
    notice was received (``notice_on``); the register checks the window."""

    who = _need_user(recorded_by)
    case = case_from_dict(facts, "case")
    if channel in APPLICATIONS and notice_on is None:
        window = policy_for(case.jurisdiction, case.conduct_date).procedure.application_window_working_days
        if window:
            raise FtlibError("field notice_on: value None: give the date of the accountability notice "
                             f"(the policy's application window of {window} working days runs from it)")
    with session_scope(url) as s:
        open_case(s, case, channel=channel, received_on=received_on, actor=actor, cadre_id=cadre_id or None,
                  recorded_by=who, notice_on=notice_on if channel in APPLICATIONS else None)
    return case.id


def events_of(case_id: str, url: str | None = None) -> list[Any]:

    with session_scope(url) as s:
        rows = list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))
        s.expunge_all()
    return rows


def recent_cases(url: str | None = None, limit: int = 300) -> list[str]:
    """Case ids, the most recently received first (the desk's pick list)."""

    with session_scope(url) as s:
        return list(s.scalars(select(CaseRow.id).order_by(CaseRow.received_on.desc(), CaseRow.id).limit(limit)))
