"""The tolerance procedure (容错程序, docs/register.md, “Procedure and state”) on the register.

Each step appends one event to the append-only log, after checking that it is legal in the
case's current state (``ftlib.register.events``) and that it obeys the case's policy: who may
start a case (``procedure.starts``), appeals only within ``appeal_window_working_days`` of the
written feedback or of the refusal. Time limits come from the policy's ``procedure`` section,
counted in working days on the official calendar (``ftlib.workdays``); nothing here is a
constant of a locality. An illegal step raises :class:`ProcedureError` naming the case, the
step, the field and the value.

The policy whose procedure governs a case is the one in force for its jurisdiction on the
conduct date (the one ``determine()`` picks without a decision date), stored with the case as
``policy_id`` when it is opened.

Typical use::

    with session_scope(url) as s:
        open_case(s, case, channel="cadre_application", received_on=day, actor="unit-office")
        accept(s, case.id, on=day2, actor="discipline commission")
        ...
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ftlib.errors import FtlibError
from ftlib.facts import Case, flatten
from ftlib.regions import regions
from ftlib.register import events as ev
from ftlib.register.casepolicy import (  # case_facts, impact_months, stage_limit: re-exported
    case_facts,  # noqa: F401
    impact_months,  # noqa: F401
    policy_for,
    policy_of,
    stage_limit,  # noqa: F401
)
from ftlib.register.errors import ProcedureError
from ftlib.register.models import (
    Appeal,
    Base,
    Cadre,
    CareerReview,
    CaseRow,
    Clarification,
    ClueIn,
    Correction,
    Decision,
    Event,
    FollowUp,
    Region,
    Registration,
    ResultShared,
)
from ftlib.register.payloads import (
    Context,
    Payload,
    Progress,
    check_payload,
    validate_payload,
)
from ftlib.safeinput import not_a_date
from ftlib.vocabulary import CHANNELS, TOLERATED

#: Outcomes with one disposition only (the disposition of an old decision event is its outcome).
SINGLE_DISPOSITION = ("not_tolerated", "out_of_scope")

PSEUDONYM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


# -- many steps in one session (synth): cases held in memory, one write at the end ----------------

_BULK = "ftlib.procedure.bulk"


@dataclass
class _Held:
    """What a bulk session knows without asking the database."""

    ids: dict[type, set[str]]                                        # ids present (read once, then added)
    added: dict[tuple[type, str], Any] = field(default_factory=dict)  # rows added here, not yet written
    cases: dict[str, tuple[CaseRow, Progress, list[Any]]] = field(default_factory=dict)  # + appeals, corrections


@contextmanager
def bulk(session: Session) -> Iterator[Session]:
    """Many steps in one session without a database round trip each (``synth`` writes a national
    register this way): the ids of regions, cadres, cases and registrations are read once; a case
    opened inside is held in memory with its progress and the appeals and corrections an answer
    updates, so each step is checked exactly as outside (``record_event``) but nothing is read
    back or flushed per step. ``bulk_flush`` writes what is pending (then held cases are let go:
    their later steps take the ordinary path); leaving the block writes the rest."""
    ids = {m: set(session.scalars(select(col))) for m, col in
           ((Region, Region.code), (Cadre, Cadre.id), (CaseRow, CaseRow.id), (Registration, Registration.id))}
    session.info[_BULK] = _Held(ids)
    try:
        with session.no_autoflush:
            yield session
        bulk_flush(session)
    finally:
        session.info.pop(_BULK, None)


def bulk_flush(session: Session, at_least: int = 0) -> None:
    """Write what a ``bulk`` session holds when it holds at least ``at_least`` cases; they are then
    no longer held (memory stays bounded). Table by table in foreign-key order — the models
    declare no relationships from which the unit of work could order them — each table's rows in
    the order they were added."""
    held = session.info.get(_BULK)
    if held is not None and len(held.cases) < at_least:
        return
    pending = list(session.new)
    for row in pending:
        session.expunge(row)
    for table in Base.metadata.sorted_tables:
        rows = [r for r in pending if r.__table__ is table]
        if rows:
            session.add_all(rows)
            session.flush()
    if held is not None:
        held.added.clear()
        held.cases.clear()


def _held(session: Session) -> _Held | None:
    return session.info.get(_BULK)


def _exists(session: Session, model: type, key: str) -> Any:
    """The row ``key`` of ``model`` (a bulk session: without a query for an id it knows is new), else None."""
    held = _held(session)
    if held is None:
        return session.get(model, key)
    if key not in held.ids[model]:
        return None
    return held.added.get((model, key)) or session.get(model, key)


def _add(session: Session, row: Any, key: str) -> None:
    """Add a row of Region, Cadre, CaseRow or Registration (flushed at once outside a bulk session)."""
    session.add(row)
    held = _held(session)
    if held is None:
        session.flush()
    else:
        held.ids[type(row)].add(key)
        held.added[(type(row), key)] = row


def case_row(session: Session, case_id: str) -> CaseRow | None:
    """The case's row (a case held by a bulk session: without a query)."""
    held = _held(session)
    if held is not None and case_id in held.cases:
        return held.cases[case_id][0]
    return session.get(CaseRow, case_id)


# -- progress of one case (the fold over its events) ---------------------------------------------

def progress_of(session: Session, case_id: str) -> Progress:
    held = _held(session)
    if held is not None and case_id in held.cases:
        return held.cases[case_id][1]   # advanced by record_event (read it, do not change it)
    rows = session.execute(select(Event.kind, Event.at, Event.payload).where(Event.case_id == case_id)
                           .order_by(Event.seq)).all()
    p = Progress()
    for kind, at, payload in rows:
        p.advance(kind, at, payload or {})
    return p


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ProcedureError(f"{where}: value {value!r}: {not_a_date()}") from None


def check_event(case: CaseRow, p: Progress, kind: str, at: dt.date, payload: dict[str, Any],
                policies=None) -> Payload:
    """Refuse an event that is illegal now, or whose payload breaks its model or the policy's
    procedure; fill in what the payload records but the caller need not give (an appeal's
    window end). Returns the validated payload model."""
    where = f"case {case.id}: {kind}"
    try:
        ev.next_state(p.state, kind)
    except ValueError as err:
        raise ProcedureError(f"case {case.id}: {err}") from None
    if p.last_at is not None and at < p.last_at:
        raise ProcedureError(f"{where}: field at: value {at}: before the previous event ({p.last_at})")
    if at < case.received_on:
        raise ProcedureError(f"{where}: field at: value {at}: before the case was received ({case.received_on})")
    ctx = Context(case, p, kind, at, policy_of(case, policies), payload, where)
    model = validate_payload(kind, payload, where)
    model.enrich(ctx)
    check_payload(model, ctx)
    return model


def projection(case: CaseRow, seq: int, kind: str, at: dt.date, payload: dict[str, Any], policies=None) -> list[Any]:
    """The rows an event writes besides itself (decisions, appeals, corrections, …)."""
    if kind in ("decided", "review_decided"):
        rows: list[Any] = [Decision(
            case_id=case.id, event_seq=seq, stage="first" if kind == "decided" else "review", decided_on=at,
            body=payload["body"], consulted=list(payload.get("consulted", [])), approved_by=payload.get("approved_by"),
            members_total=payload["members_total"], members_present=payload["members_present"],
            votes_for=payload["votes_for"], votes_against=payload.get("votes_against", 0),
            votes_abstain=payload.get("votes_abstain", 0), outcome=payload["outcome"],
            disposition=disposition_of(payload), engine_outcome=payload["engine_outcome"], engine_rule=payload["engine_rule"] or "",
            engine_policy_id=payload["engine_policy_id"], departure_reason=payload.get("departure_reason"))]
        for c in payload.get("corrections", []):
            rows.append(Correction(case_id=case.id, measure=c["measure"], text_zh=c.get("text_zh", ""), ordered_on=at,
                                   working_days=c["working_days"], due_on=_date(c["due_on"], "due_on"),
                                   calendar_warning=c.get("calendar_warning")))
        return rows
    if kind in ("appealed", "refusal_appealed"):
        return [Appeal(case_id=case.id, event_seq=seq, against="decision" if kind == "appealed" else "refusal",
                       lodged_on=at, window_ends=_date(payload["window_ends"], f"case {case.id}: {kind}: window_ends"),
                       grounds=payload.get("grounds", ""))]
    if kind == "clue_received":
        return [ClueIn(case_id=case.id, source=payload["source"], received_on=at, reference=payload.get("reference", ""))]
    if kind == "follow_up":
        return [FollowUp(case_id=case.id, visited_on=at, by=payload.get("by", ""), note=payload.get("note", ""))]
    if kind == "career_reviewed":
        return [CareerReview(case_id=case.id, reviewed_on=at, evaluated_normally=payload.get("evaluated_normally"),
                             promoted=payload.get("promoted"), note=payload.get("note", ""))]
    if kind == "result_shared":
        return [ResultShared(case_id=case.id, to_body=payload["to_body"], shared_on=at, outcome=payload["outcome"],
                             counts_against_cadre=bool(payload.get("counts_against_cadre", False)))]
    if kind == "clarified":
        return [Clarification(region_code=case.region_code, cadre_id=case.cadre_id, case_id=case.id, clarified_on=at,
                              method=payload["method"], accuser_referred=bool(payload.get("accuser_referred")),
                              referred_to=payload.get("referred_to"))]
    return []


def disposition_of(payload: dict[str, Any]) -> str | None:
    """The disposition a decision event records; for an event recorded before dispositions
    existed, the one its outcome implies where it implies one (not_tolerated, out_of_scope),
    else None ("not recorded") — the same rule as migration 0004."""
    given = payload.get("disposition")
    if given:
        return given
    return payload["outcome"] if payload["outcome"] in SINGLE_DISPOSITION else None


def apply_updates(session: Session, case_id: str, kind: str, at: dt.date, payload: dict[str, Any],
                  rows: list[Any] | None = None) -> None:
    """Projection rows that change (an appeal answered, a correction completed). ``rows``: the
    case's appeals and corrections held in memory (a bulk session), searched as the query would."""
    if kind in ("review_decided", "refusal_upheld", "refusal_overturned"):
        if rows is None:
            appeal = session.scalars(select(Appeal).where(Appeal.case_id == case_id, Appeal.result.is_(None))
                                     .order_by(Appeal.event_seq.desc())).first()
        else:
            appeal = max((r for r in rows if isinstance(r, Appeal) and r.result is None),
                         key=lambda r: r.event_seq, default=None)
        if appeal is not None:
            appeal.result = {"refusal_upheld": "upheld", "refusal_overturned": "overturned"}.get(kind) \
                or payload.get("result", "upheld")
            appeal.decided_on = at
    elif kind == "correction_completed":
        if rows is None:
            corr = session.scalars(select(Correction).where(Correction.case_id == case_id,
                                                            Correction.measure == payload["measure"],
                                                            Correction.completed_on.is_(None))).first()
        else:
            corr = next((r for r in rows if isinstance(r, Correction) and r.measure == payload["measure"]
                         and r.completed_on is None), None)
        if corr is not None:
            corr.completed_on = at


_UPDATES = frozenset({"review_decided", "refusal_upheld", "refusal_overturned", "correction_completed"})


def record_event(session: Session, case_id: str, kind: str, at: dt.date | str, actor: str,
                 payload: dict[str, Any] | None = None, *, recorded_by: str | None = None,
                 recorded_at: dt.datetime | None = None, case: CaseRow | None = None,
                 progress: Progress | None = None) -> Event:
    """Validate, check and append one event — the one way every event enters the register (the
    steps below, ``record_decision``, the import and ``synth``).

    The payload is validated by its kind's model (``ftlib.register.payloads``), checked against
    the case's state, history and policy, and stored as given (plus what the model fills in);
    the rows the event projects (decisions, appeals, corrections, …) are written with it. A
    refusal raises :class:`ProcedureError` naming case, kind, field and value, before anything
    is written. ``recorded_by``: who typed it in, if known.

    A caller appending many events of one case (the import) passes the locked ``case`` row and
    its ``progress``, which is then advanced here; without them the case row is locked and its
    history read (``SELECT … FOR UPDATE`` until the transaction ends), and the session flushed.
    A case held by a ``bulk`` session is taken from memory the same way (and nothing flushed).
    """
    payload = dict(payload or {}) if progress is None else (payload if payload is not None else {})
    at = _date(at, f"case {case_id}: {kind}: field at")
    if not str(actor or "").strip():
        raise ProcedureError(f"case {case_id}: {kind}: field actor: value {actor!r}: say who acted")
    held = _held(session)
    kept = held.cases.get(case_id) if held is not None and case is None else None
    if kept is not None:
        case, progress = kept[0], kept[1]
    bulk = progress is not None
    if case is None:
        case = session.get(CaseRow, case_id, with_for_update=True)
        if case is None:
            raise ProcedureError(f"case {case_id}: no such case in the register")
    p = progress if bulk else progress_of(session, case_id)
    check_event(case, p, kind, at, payload)
    event = Event(case_id=case_id, seq=p.seq + 1, kind=kind, at=at, actor=actor, payload=payload,
                  recorded_at=recorded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None),
                  recorded_by=(recorded_by or "").strip()[:120] or None)
    session.add(event)
    rows = projection(case, event.seq, kind, at, payload)
    session.add_all(rows)
    if kept is not None:
        kept[2].extend(r for r in rows if isinstance(r, Appeal | Correction))
        if kind in _UPDATES:
            apply_updates(session, case_id, kind, at, payload, kept[2])
    elif kind in _UPDATES:
        session.flush()  # the appeal or correction it answers must be visible to the update
        apply_updates(session, case_id, kind, at, payload)
    if bulk:
        p.advance(kind, at, payload)
    else:
        session.flush()
    return event


#: The name the steps used before ``record_event``; kept for callers outside the package.
append = record_event


# -- the steps ---------------------------------------------------------------------------------------

def ensure_region(session: Session, code: str, names: tuple[str, str, str | None] | None = None) -> None:
    """Add the region (names from the jurisdictions file, or ``names`` = zh, en, parent) if new."""
    if _exists(session, Region, code) is None:
        info = regions().get(code, {}) if names is None else dict(zip(("zh", "en", "parent"), names, strict=True))
        _add(session, Region(code=code, name_zh=info.get("zh", code), name_en=info.get("en", code),
                             parent=info.get("parent"), illustrative=bool(info.get("illustrative", True))), code)


def check_pseudonym(cadre_id: str, where: str) -> None:
    if not PSEUDONYM.match(cadre_id):
        raise ProcedureError(f"{where}: field cadre_id: value {cadre_id!r}: only pseudonymous ids "
                             "(letters, digits, - _ .; at most 40) are stored, never names")


def ensure_cadre(session: Session, cadre_id: str, region: str, case: Case | None = None) -> None:
    check_pseudonym(cadre_id, f"cadre {cadre_id}")
    if _exists(session, Cadre, cadre_id) is None:
        _add(session, Cadre(id=cadre_id, region_code=region, rank=case.subject.rank if case else None,
                            unit_type=case.subject.unit_type if case else None), cadre_id)


def open_case(session: Session, case: Case, *, channel: str, received_on: dt.date, actor: str,
              cadre_id: str | None = None, region: str | None = None, registration_id: str | None = None,
              clue: dict[str, Any] | None = None, recorded_by: str | None = None,
              notice_on: dt.date | None = None, accountability_decided_on: dt.date | None = None) -> CaseRow:
    """Register a case and its start: an application by the cadre or the unit, or ex officio.
    ``notice_on``: the day the accountability notice reached an applicant; ``accountability_decided_on``:
    the day an accountability decision was already made (both checked against the policy's
    application window)."""
    where = f"case {case.id}"
    if _exists(session, CaseRow, case.id) is not None:
        raise ProcedureError(f"{where}: field id: value {case.id!r}: already in the register")
    if channel not in CHANNELS:
        raise ProcedureError(f"{where}: field channel: value {channel!r}: not one of {', '.join(CHANNELS)}")
    if received_on < case.conduct_date:
        raise ProcedureError(f"{where}: field received_on: value {received_on}: before the conduct date {case.conduct_date}")
    try:
        policy = policy_for(case.jurisdiction, case.conduct_date)
    except FtlibError as err:
        raise ProcedureError(f"{where}: {err}") from None
    region = region or case.jurisdiction
    ensure_region(session, region)
    if cadre_id:
        ensure_cadre(session, cadre_id, region, case)
    if registration_id:
        reg = _exists(session, Registration, registration_id)
        if reg is None:
            raise ProcedureError(f"{where}: field registration_id: value {registration_id!r}: no such registration")
        if reg.registered_on > case.conduct_date:
            raise ProcedureError(f"{where}: field registration_id: value {registration_id!r}: registered on "
                                 f"{reg.registered_on}, after the conduct ({case.conduct_date}); not ex ante")
        if not case.procedure.exante_registered:
            raise ProcedureError(f"{where}: field procedure.exante_registered: value False: the case cites "
                                 f"registration {registration_id}")
    facts = case.model_dump(mode="json", exclude={"id"})
    row = CaseRow(id=case.id, region_code=region, jurisdiction=case.jurisdiction, cadre_id=cadre_id,
                  channel=channel, received_on=received_on, conduct_date=case.conduct_date, policy_id=policy.id,
                  registration_id=registration_id, facts=_compact(flatten(facts)))
    _add(session, row, case.id)
    held = _held(session)
    if held is not None:
        held.cases[case.id] = (row, Progress(), [])
    start = {"channel": channel, **({"notice_on": notice_on.isoformat()} if notice_on else {}),
             **({"accountability_decided_on": accountability_decided_on.isoformat()} if accountability_decided_on else {})}
    record_event(session, case.id, "started", received_on, actor, start, recorded_by=recorded_by)
    if clue:
        record_event(session, case.id, "clue_received", clue.get("received_on", received_on), actor,
               {k: v for k, v in clue.items() if k != "received_on"}, recorded_by=recorded_by)
    return row


def _compact(flat: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values so the stored facts are the ones that were given."""
    return {k: v for k, v in flat.items() if v is not None and not (k.startswith("title.") and v == "")}


def accept(session: Session, case_id: str, on: dt.date, actor: str) -> Event:
    return record_event(session, case_id, "accepted", on, actor)


def refuse(session: Session, case_id: str, on: dt.date, actor: str, reason: str) -> Event:
    """Refuse an improper application; the reason is required and the refusal can be appealed."""
    return record_event(session, case_id, "refused", on, actor, {"reason": reason})


def start_investigation(session: Session, case_id: str, on: dt.date, actor: str, team: str = "") -> Event:
    return record_event(session, case_id, "investigation_started", on, actor, {"team": team} if team else {})


def finish_investigation(session: Session, case_id: str, on: dt.date, actor: str, findings: str = "") -> Event:
    return record_event(session, case_id, "investigated", on, actor, {"findings": findings} if findings else {})


def send_feedback(session: Session, case_id: str, on: dt.date, actor: str) -> Event:
    """Written feedback of the decision to the cadre (the appeal window runs from this day)."""
    return record_event(session, case_id, "feedback_sent", on, actor, {"form": "written"})


def file_with_higher(session: Session, case_id: str, on: dt.date, actor: str, to: str = "") -> Event:
    return record_event(session, case_id, "filed", on, actor, {"to": to} if to else {})


def appeal(session: Session, case_id: str, on: dt.date, actor: str, grounds: str = "") -> Event:
    """Appeal (申诉) a decision, or a refusal of an application, within the policy's window."""
    case = case_row(session, case_id)
    state = progress_of(session, case_id).state if case else None
    kind = "refusal_appealed" if state == "refused" else "appealed"
    return record_event(session, case_id, kind, on, actor, {"grounds": grounds})


def decide_refusal_appeal(session: Session, case_id: str, on: dt.date, actor: str, overturn: bool, reason: str) -> Event:
    return record_event(session, case_id, "refusal_overturned" if overturn else "refusal_upheld", on, actor, {"reason": reason})


def complete_correction(session: Session, case_id: str, measure: str, on: dt.date, actor: str) -> Event:
    return record_event(session, case_id, "correction_completed", on, actor, {"measure": measure})


def follow_up(session: Session, case_id: str, on: dt.date, by: str, note: str = "") -> Event:
    return record_event(session, case_id, "follow_up", on, by, {"by": by, "note": note})


def review_career(session: Session, case_id: str, on: dt.date, actor: str, *, evaluated_normally: bool | None = None,
                  promoted: bool | None = None, note: str = "") -> Event:
    """After the impact period: was the tolerated cadre evaluated and promoted or used normally?"""
    return record_event(session, case_id, "career_reviewed", on, actor,
                  {"evaluated_normally": evaluated_normally, "promoted": promoted, "note": note})


def receive_clue(session: Session, case_id: str, source: str, on: dt.date, actor: str, reference: str = "") -> Event:
    """A clue transferred in from audit, petitions or inspection (线索移送)."""
    return record_event(session, case_id, "clue_received", on, actor, {"source": source, "reference": reference})


def share_result(session: Session, case_id: str, on: dt.date, actor: str, to_body: str = "organisation_department",
                 counts_against_cadre: bool | None = None) -> Event:
    """Share the result (结果共享), by default with the organisation department. A tolerated
    mistake (exempt or mitigated) never counts against the cadre; asking so is refused."""
    p = progress_of(session, case_id)
    if counts_against_cadre is None:
        counts_against_cadre = p.outcome not in TOLERATED
    return record_event(session, case_id, "result_shared", on, actor,
                  {"to_body": to_body, "outcome": p.outcome, "counts_against_cadre": counts_against_cadre})


def register_exante(session: Session, registration_id: str, region: str, on: dt.date, category: str,
                    description: str = "", cadre_id: str | None = None) -> Registration:
    """Ex-ante registration (容错报备) of risky work, before acting."""
    if _exists(session, Registration, registration_id) is not None:
        raise ProcedureError(f"registration {registration_id}: field id: value {registration_id!r}: already registered")
    ensure_region(session, region)
    if cadre_id:
        ensure_cadre(session, cadre_id, region)
    reg = Registration(id=registration_id, region_code=region, cadre_id=cadre_id, registered_on=on,
                       category=category, description=description)
    _add(session, reg, registration_id)
    return reg


def clarify(session: Session, *, region: str, on: dt.date, method: str, actor: str, cadre_id: str | None = None,
            case_id: str | None = None, accuser_referred: bool = False, referred_to: str | None = None) -> Clarification | Event:
    """Clear a falsely accused cadre (澄清正名) by meeting, written notice, circular or media, and
    record whether the accuser was referred (e.g. to the police)."""
    payload = {"method": method, "accuser_referred": accuser_referred, "referred_to": referred_to}
    if case_id is not None:
        return record_event(session, case_id, "clarified", on, actor, payload)
    validate_payload("clarified", payload, f"clarification of {cadre_id or 'a cadre'}")
    ensure_region(session, region)
    if cadre_id:
        ensure_cadre(session, cadre_id, region)
    row = Clarification(region_code=region, cadre_id=cadre_id, case_id=None, clarified_on=on, method=method,
                        accuser_referred=accuser_referred, referred_to=referred_to)
    session.add(row)
    if _held(session) is None:
        session.flush()
    return row
