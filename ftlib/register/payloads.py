"""Event payloads as typed models, one per event kind, in one registry keyed by kind (``PAYLOADS``).

Each model checks what the payload alone can tell (a clue's source, a refusal's reason, a career
review's true/false/blank answers) when it is validated, and what needs the case, its history
and its policy (the start channel the policy allows, the appeal window, the decision body and
quorum, an open correction of that name) in ``check``. ``ftlib.register.procedure.record_event``
validates and checks every event through this registry — the Python API, the import and
``synth`` alike — and stores the payload as it was given (plus what ``enrich`` fills in), so the
append-only log and its export are unchanged by the models.

Fields default to ``None`` and are validated even then (``validate_default``), so a missing field
is refused with the same one-line message as a blank one: ``field F: value V: reason``. Keys a
model does not name are kept (``extra="allow"``): old exports carry free-text extras.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, model_validator

from ftlib.register import events as ev
from ftlib.register.casepolicy import application_window_breach
from ftlib.register.decision_rules import check_decision
from ftlib.register.errors import ProcedureError
from ftlib.register.models import CaseRow
from ftlib.safeinput import not_a_date
from ftlib.vocabulary import CLARIFY_METHODS, CLUE_SOURCES, REFERRALS, TOLERATED
from ftlib.workdays import add_working_days


class Refusal(Exception):
    """A payload check failed; ``str`` is ``field F: value V: reason`` (the caller adds case and kind)."""

    def __init__(self, name: str, value: Any, reason: str):
        super().__init__(f"field {name}: value {value!r}: {reason}")


# -- what the contextual checks see -------------------------------------------------------------

@dataclass
class Progress:
    """What the checks need to know about a case's history (derived from its events)."""

    state: str | None = None
    seq: int = 0
    last_at: dt.date | None = None
    at: dict[str, dt.date] = field(default_factory=dict)  # last date of each event kind
    outcome: str | None = None  # of the latest decision
    disposition: str | None = None  # of the latest decision (None: not recorded)
    open_corrections: set[str] = field(default_factory=set)

    def advance(self, kind: str, at: dt.date, payload: dict[str, Any]) -> None:
        self.state = ev.next_state(self.state, kind)
        self.seq += 1
        self.last_at = at
        self.at[kind] = at
        if kind in ("decided", "review_decided"):
            self.outcome = payload["outcome"]
            self.disposition = payload.get("disposition")
            self.open_corrections |= {c["measure"] for c in payload.get("corrections", [])}
        if kind == "correction_completed":
            self.open_corrections.discard(payload["measure"])


@dataclass(frozen=True)
class Context:
    """An event about to be appended: its case, the case's history, the governing policy."""

    case: CaseRow
    progress: Progress
    kind: str
    at: dt.date
    policy: Any  # ftlib.policy.schema.Policy
    raw: dict[str, Any]  # the payload as given (stored as is)
    where: str  # "case X: kind", the prefix of every refusal


# -- reusable field checks (run on the raw value: no coercion, so 'yes' is not a boolean) ---------

def _one_of(values: tuple[str, ...], optional: bool = False) -> BeforeValidator:
    def check(v: Any) -> Any:
        if (v is None and optional) or v in values:
            return v
        raise ValueError(f"not one of {', '.join(values)}")
    return BeforeValidator(check)


def _tri_state(v: Any) -> Any:
    if v not in (True, False, None):
        raise ValueError("true, false or blank (not known)")
    return v


def _nonblank(reason: str) -> BeforeValidator:
    def check(v: Any) -> Any:
        if not str(v or "").strip():
            raise ValueError(reason)
        return v
    return BeforeValidator(check)


TriState = Annotated[Any, BeforeValidator(_tri_state)]


class Payload(BaseModel):
    """An event kind's payload; subclasses name their fields and add ``check`` where the case matters."""

    model_config = ConfigDict(extra="allow", validate_default=True)
    kinds: ClassVar[tuple[str, ...]] = ()

    def enrich(self, ctx: Context) -> None:
        """Fill into ``ctx.raw`` what the event records but the caller need not give."""

    def check(self, ctx: Context) -> None:
        """Refuse (``Refusal`` or ``ProcedureError``) what the case, its history or its policy forbid."""


# -- the kinds ------------------------------------------------------------------------------------

def _iso_date(v: Any) -> Any:
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise ValueError(not_a_date()) from None


class Started(Payload):
    """A case's start. An application (by the cadre or the unit) may give ``notice_on``, the day
    the accountability notice (问责调查通知) reached the applicant, and ``accountability_decided_on``,
    the day an accountability decision was already made; the application must fall within the
    policy's application window (``ftlib.register.casepolicy.application_window_breach``: so many
    working days after the notice, or from the notice until the decision). Older registers and
    imports that do not know these days are not checked."""

    kinds = ("started",)
    channel: Any = None
    notice_on: Annotated[Any, BeforeValidator(_iso_date)] = None
    accountability_decided_on: Annotated[Any, BeforeValidator(_iso_date)] = None

    def check(self, ctx: Context) -> None:
        proc = ctx.policy.procedure
        if self.channel not in proc.starts:
            raise Refusal("channel", self.channel, f"policy {ctx.policy.id} allows only {', '.join(proc.starts)}")
        if self.channel != ctx.case.channel:
            raise Refusal("channel", self.channel, f"the case row says {ctx.case.channel!r}")
        breach = application_window_breach(ctx.policy, self.channel, ctx.at, self.notice_on,
                                           self.accountability_decided_on)
        if breach is not None:
            raise Refusal(*breach)


class Accepted(Payload):
    kinds = ("accepted",)


class Refused(Payload):
    kinds = ("refused",)
    reason: Annotated[Any, _nonblank("a refusal must give its reason")] = None


class RefusalDecided(Payload):
    kinds = ("refusal_upheld", "refusal_overturned")
    reason: Any = None


class InvestigationStarted(Payload):
    kinds = ("investigation_started",)
    team: Any = None


class Investigated(Payload):
    kinds = ("investigated",)
    findings: Any = None


class FeedbackSent(Payload):
    kinds = ("feedback_sent",)
    form: Any = None


class Filed(Payload):
    kinds = ("filed",)
    to: Any = None


class Appealed(Payload):
    """An appeal of the decision (from the written feedback) or of a refusal (from the refusal)."""

    kinds = ("appealed", "refusal_appealed")
    grounds: Any = None
    window_ends: Any = None

    @staticmethod
    def _since(ctx: Context) -> dt.date | None:
        return ctx.progress.at.get("feedback_sent" if ctx.kind == "appealed" else "refused")

    def enrich(self, ctx: Context) -> None:
        since = self._since(ctx)
        if "window_ends" not in ctx.raw and since is not None:
            days = ctx.policy.procedure.appeal_window_working_days
            ctx.raw["window_ends"] = add_working_days(since, days).due.isoformat()

    def check(self, ctx: Context) -> None:
        days = ctx.policy.procedure.appeal_window_working_days
        since = self._since(ctx)
        ends = add_working_days(since, days).due
        if ctx.at > ends:
            raise Refusal("at", ctx.at, f"the appeal window of {days} working days from {since} ended on {ends} "
                                        f"(policy {ctx.policy.id})")


class Decided(Payload):
    """A (collective) decision or the decision on an appeal, with the engine's recommendation.
    The rules (body, consultation, approval, quorum, majority, reasons for departing) are the
    policy's, checked by ``ftlib.register.decision_rules.check_decision``."""

    kinds = ("decided", "review_decided")
    body: Any = None
    outcome: Any = None
    disposition: Any = None
    engine_outcome: Any = None
    engine_disposition: Any = None
    engine_rule: Any = None
    engine_policy_id: Any = None
    members_total: Any = None
    members_present: Any = None
    votes_for: Any = None
    consulted: Any = None
    approved_by: Any = None
    departure_reason: Any = None
    corrections: Any = None
    handling_imposed: Any = None   # codes of ftlib/data/handling.yaml (the career review's 影响期)

    def check(self, ctx: Context) -> None:
        check_decision(ctx.case, ctx.policy, ctx.raw, ctx.where)


class ClueReceived(Payload):
    kinds = ("clue_received",)
    source: Annotated[Any, _one_of(CLUE_SOURCES)] = None
    reference: Any = None


class CorrectionCompleted(Payload):
    kinds = ("correction_completed",)
    measure: Any = None

    def check(self, ctx: Context) -> None:
        still = ctx.progress.open_corrections
        if self.measure not in still:
            raise Refusal("measure", self.measure, "no open correction of that name "
                                                   f"(open: {', '.join(sorted(still)) or 'none'})")


class FollowUp(Payload):
    kinds = ("follow_up",)
    by: Any = None
    note: Any = None


class ResultShared(Payload):
    kinds = ("result_shared",)
    to_body: Any = None
    outcome: Any = None
    counts_against_cadre: Any = None

    def check(self, ctx: Context) -> None:
        decided = ctx.progress.outcome
        if self.outcome != decided:
            raise Refusal("outcome", self.outcome, f"the decision was {decided!r}")
        if decided in TOLERATED and self.counts_against_cadre:
            raise Refusal("counts_against_cadre", True, f"a tolerated mistake ({decided}) must not count against "
                                                        "the cadre")
        if not self.to_body:
            raise Refusal("to_body", self.to_body, "say which department")


class Clarified(Payload):
    """Clearing a falsely accused cadre (澄清正名); also validated for a clarification without a case."""

    kinds = ("clarified",)
    method: Annotated[Any, _one_of(CLARIFY_METHODS)] = None
    referred_to: Annotated[Any, _one_of(REFERRALS, optional=True)] = None
    accuser_referred: Any = None

    @model_validator(mode="after")
    def _referral_needs_a_referred_accuser(self) -> Clarified:
        if self.referred_to is not None and not self.accuser_referred:
            raise ValueError(f"field referred_to: value {self.referred_to!r}: given but accuser_referred is false")
        return self


class CareerReviewed(Payload):
    kinds = ("career_reviewed",)
    evaluated_normally: TriState = None
    promoted: TriState = None
    note: Any = None

    @model_validator(mode="after")
    def _at_least_one_answer(self) -> CareerReviewed:
        if self.evaluated_normally is None and self.promoted is None:
            raise ValueError("fields evaluated_normally, promoted: both blank: a review records at least one")
        return self

    def check(self, ctx: Context) -> None:
        if ctx.progress.outcome not in TOLERATED:
            raise Refusal("outcome", ctx.progress.outcome, "careers are reviewed for tolerated cadres "
                                                           f"({', '.join(sorted(TOLERATED))})")


PAYLOADS: dict[str, type[Payload]] = {k: m for m in Payload.__subclasses__() for k in m.kinds}
assert set(PAYLOADS) == set(ev.KINDS), "every event kind has exactly one payload model"


def _one_line(err: ValidationError) -> str:
    """The first problem as ``field F: value V: reason`` (the form of every register refusal)."""
    e = err.errors(include_url=False)[0]
    reason = str(e["ctx"]["error"]) if e["type"] == "value_error" and "ctx" in e else e["msg"]
    if not e["loc"]:  # a model-level rule names its fields itself
        return reason
    return f"field {'.'.join(str(p) for p in e['loc'])}: value {e['input']!r}: {reason}"


def validate_payload(kind: str, payload: dict[str, Any], where: str) -> Payload:
    """The payload of ``kind`` as its model, or ``ProcedureError`` naming the field and value."""
    model = PAYLOADS.get(kind)
    if model is None:
        raise ProcedureError(f"{where}: field kind: value {kind!r}: unknown event kind (known: {', '.join(ev.KINDS)})")
    try:
        return model.model_validate(payload)
    except ValidationError as err:
        raise ProcedureError(f"{where}: {_one_line(err)}") from None


def check_payload(model: Payload, ctx: Context) -> None:
    """Run the model's contextual checks; a ``Refusal`` becomes the one-line ``ProcedureError``."""
    try:
        model.check(ctx)
    except Refusal as err:
        raise ProcedureError(f"{ctx.where}: {err}") from None

