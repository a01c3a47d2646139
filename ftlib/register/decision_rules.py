"""The decision rules a recorded decision must obey (issue 3, point 3), read from the case's
policy: see ``ftlib.register.decisions``. Their own module, below the payload models that call
them, so that payloads, decisions and procedure import one another only downwards.
"""

from __future__ import annotations

from typing import Any

from ftlib.facts import Case
from ftlib.i18n import label
from ftlib.policy.handling import catalogue
from ftlib.register.casepolicy import imposed_codes
from ftlib.register.errors import ProcedureError
from ftlib.register.models import CaseRow
from ftlib.vocabulary import ALL_DISPOSITIONS, ALL_OUTCOMES, DISPOSITIONS, OUTCOME_OF, OUTCOMES, UNDETERMINED


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


def check_imposed(case: CaseRow, payload: dict[str, Any], where: str) -> None:
    """The handling the decision imposed (``handling_imposed``, codes of ftlib/data/handling.yaml):
    known codes; no sanction grade with an exempting decision (``with_exemption``); a sanction
    only on a track it belongs to (``tracks``) — all read from the catalogue."""
    codes = imposed_codes(payload.get("handling_imposed"))
    known = catalogue()
    track = (case.facts or {}).get("track") or Case.model_fields["track"].default
    for code in codes:
        entry = known.get(code)
        if entry is None:
            raise _err(f"{where}: field handling_imposed: value {code!r}: not a handling of ftlib/data/handling.yaml "
                       f"(known: {', '.join(known)})")
        name = label(f"handling.{code}", "en")
        if payload.get("outcome") == "exempt" and not entry.get("with_exemption", True):
            raise _err(f"{where}: field handling_imposed: value {code!r}: {name} is a sanction, "
                       "which an exempting decision (不予/免予) does not impose")
        if entry.get("tracks") and track not in entry["tracks"]:
            raise _err(f"{where}: field handling_imposed: value {code!r}: {name} is not imposed on the case's track "
                       f"{label(f'track.{track}', 'en')} (only on: "
                       + ", ".join(label(f"track.{t}", "en") for t in entry["tracks"]) + ")")


def check_decision(case: CaseRow, policy, payload: dict[str, Any], where: str) -> None:
    proc = policy.procedure
    # The body always decides a graded outcome; the engine may have left the case undetermined
    # (unknown facts that change the result): then no row recommends anything, and the decision
    # departs from "no recommendation" — it must give its reason (below).
    if payload.get("outcome") not in OUTCOMES:
        raise _err(f"{where}: field outcome: value {payload.get('outcome')!r}: not one of {', '.join(OUTCOMES)}")
    if payload.get("engine_outcome") not in ALL_OUTCOMES:
        raise _err(f"{where}: field engine_outcome: value {payload.get('engine_outcome')!r}: "
                   f"not one of {', '.join(ALL_OUTCOMES)}")
    undetermined = payload["engine_outcome"] == UNDETERMINED
    for name, allowed in (("disposition", DISPOSITIONS), ("engine_disposition", ALL_DISPOSITIONS)):
        value = payload.get(name)   # absent from events recorded before issue 11
        outcome = payload.get("engine_outcome" if name == "engine_disposition" else "outcome")
        if value is None:
            continue
        if value not in allowed:
            raise _err(f"{where}: field {name}: value {value!r}: not one of {', '.join(allowed)}")
        if OUTCOME_OF[value] != outcome:
            raise _err(f"{where}: field {name}: value {value!r}: a disposition of {OUTCOME_OF[value]}, "
                       f"not of the outcome {outcome}")
    check_imposed(case, payload, where)
    for name in ("engine_policy_id",) if undetermined else ("engine_rule", "engine_policy_id"):
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
    if not str(payload.get("departure_reason") or "").strip():
        if undetermined:
            unknowns = payload.get("engine_decisive_unknowns") or []
            raise _err(f"{where}: field departure_reason: value {payload.get('departure_reason')!r}: the engine "
                       f"could not decide (undetermined"
                       + (f"; facts to verify: {', '.join(unknowns)}" if unknowns else "")
                       + f"), so the decision ({payload.get('disposition') or payload['outcome']}) must say why")
        mine, engine = payload["outcome"], payload["engine_outcome"]
        if mine == engine and payload.get("disposition") and payload.get("engine_disposition"):
            mine, engine = payload["disposition"], payload["engine_disposition"]   # 免予问责 for 不予问责 departs too
        if mine != engine:
            raise _err(f"{where}: field departure_reason: value {payload.get('departure_reason')!r}: the decision "
                       f"({mine}) departs from the engine's recommendation ({engine}, "
                       f"rule {payload['engine_rule']}) and must say why")
