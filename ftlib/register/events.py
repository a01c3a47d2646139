"""The procedure as a state machine over the append-only event log, and the current state of
cases derived from their events — one case at a time (used when an event is recorded) or
vectorised over a whole events table (metrics, ``ftlib due``, the 1,000,000-case benchmark).

States and the events that move between them (docs/register.md, “Procedure and state”)::

    (none) ─started→ submitted ─accepted→ accepted ─investigation_started→ investigating
    submitted ─refused→ refused ─refusal_appealed→ refusal_under_review
    refusal_under_review ─refusal_upheld→ refusal_upheld | ─refusal_overturned→ accepted
    investigating ─investigated→ investigated ─decided→ decided ─feedback_sent→ notified
    notified ─filed→ filed;  notified|filed ─appealed→ under_review ─review_decided→ reviewed

Other events (clue_received, correction_completed, follow_up, result_shared, clarified,
career_reviewed) record
what happened without changing the state; each is allowed only in the states listed in
``INFO_EVENTS``. Each state belongs to a stage whose time limit the policy gives
(``procedure.time_limits_working_days``): acceptance, investigation, decision, feedback, filing,
or review (``review_time_limit_working_days``); the limit runs from the day the stage began.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STATE_EVENTS: dict[str, tuple[tuple[str | None, ...], str]] = {
    "started": ((None,), "submitted"),
    "accepted": (("submitted",), "accepted"),
    "refused": (("submitted",), "refused"),
    "refusal_appealed": (("refused",), "refusal_under_review"),
    "refusal_upheld": (("refusal_under_review",), "refusal_upheld"),
    "refusal_overturned": (("refusal_under_review",), "accepted"),
    "investigation_started": (("accepted",), "investigating"),
    "investigated": (("investigating",), "investigated"),
    "decided": (("investigated",), "decided"),
    "feedback_sent": (("decided",), "notified"),
    "filed": (("notified",), "filed"),
    "appealed": (("notified", "filed"), "under_review"),
    "review_decided": (("under_review",), "reviewed"),
}
STATES: tuple[str, ...] = (
    "submitted", "accepted", "refused", "refusal_under_review", "refusal_upheld", "investigating",
    "investigated", "decided", "notified", "filed", "under_review", "reviewed",
)
_AFTER_DECISION = ("decided", "notified", "filed", "under_review", "reviewed")
INFO_EVENTS: dict[str, tuple[str, ...]] = {
    "clue_received": STATES,
    "clarified": ("investigating", "investigated", *_AFTER_DECISION, "refused", "refusal_upheld"),
    "correction_completed": _AFTER_DECISION,
    "follow_up": _AFTER_DECISION,
    "result_shared": _AFTER_DECISION,
    "career_reviewed": _AFTER_DECISION,
}
KINDS: tuple[str, ...] = (*STATE_EVENTS, *INFO_EVENTS)

#: The stage (and so the time limit) each state is in; states without one owe nothing.
STAGE: dict[str, str] = {
    "submitted": "acceptance",
    "accepted": "investigation",
    "investigating": "investigation",
    "investigated": "decision",
    "decided": "feedback",
    "notified": "filing",
    "under_review": "review",
    "refusal_under_review": "review",
}
FINAL: frozenset[str] = frozenset({"refusal_upheld", "reviewed"})


def allowed_from(kind: str) -> tuple[str | None, ...]:
    if kind in STATE_EVENTS:
        return STATE_EVENTS[kind][0]
    return INFO_EVENTS[kind]


def next_state(state: str | None, kind: str) -> str | None:
    """The state after ``kind`` in ``state``; raises ValueError if the event is not allowed."""
    if kind not in STATE_EVENTS and kind not in INFO_EVENTS:
        raise ValueError(f"unknown event kind {kind!r} (known: {', '.join(KINDS)})")
    if state not in allowed_from(kind):
        shown = ", ".join(s or "(not started)" for s in allowed_from(kind))
        raise ValueError(f"{kind} is not allowed when the case is {state or '(not started)'} (allowed in: {shown})")
    return STATE_EVENTS[kind][1] if kind in STATE_EVENTS else state


def derive_state(kinds: list[str]) -> str | None:
    """The state after a case's events in order (raises ValueError on an illegal sequence)."""
    state: str | None = None
    for kind in kinds:
        state = next_state(state, kind)
    return state


# -- vectorised ----------------------------------------------------------------------------------

_STATE_KINDS = list(STATE_EVENTS)
_STATE_CODE = {s: i for i, s in enumerate(STATES)}
_NONE = len(STATES)  # "not started"
_TARGET = np.array([_STATE_CODE[STATE_EVENTS[k][1]] for k in _STATE_KINDS], dtype=np.int16)
_STAGES = ("", *sorted(set(STAGE.values())))
_STAGE_OF = np.array([_STAGES.index(STAGE.get(s, "")) for s in STATES] + [0], dtype=np.int8)
#: _LEGAL[previous state code (or _NONE), kind code]: may this event follow that state?
_LEGAL = np.zeros((len(STATES) + 1, len(_STATE_KINDS)), dtype=bool)
for _k, (_froms, _) in STATE_EVENTS.items():
    for _f in _froms:
        _LEGAL[_NONE if _f is None else _STATE_CODE[_f], _STATE_KINDS.index(_k)] = True


def current_state(events: pd.DataFrame) -> pd.DataFrame:
    """The current state of every case from its events, vectorised.

    ``events`` needs the columns ``case_id``, ``seq``, ``kind`` and ``at`` (dates). Returns one
    row per case (index ``case_id``): ``state``, ``since`` (day the state was entered),
    ``stage`` (whose time limit runs, "" if none), ``stage_start`` (day that stage began),
    ``events`` (number of events) and ``valid`` (every state change was legal in its order —
    always true for a register written through ftlib, which refuses illegal events).
    """
    case_codes, case_ids = pd.factorize(events["case_id"], sort=False)
    counts = np.bincount(case_codes, minlength=len(case_ids))
    kind = pd.Categorical(events["kind"], categories=_STATE_KINDS).codes
    keep = kind >= 0
    case = case_codes[keep]
    kind = kind[keep]
    seq = events["seq"].to_numpy()[keep]
    at = _as_days(events["at"])[keep]
    # already in (case, seq) order — events read case by case — needs no sort (lexsort is stable,
    # so skipping it gives the same order)
    step = np.diff(case)
    if not (step >= 0).all() or not ((step > 0) | (np.diff(seq) >= 0)).all():
        order = np.lexsort((seq, case))
        case, kind, at = case[order], kind[order], at[order]
    target = _TARGET[kind]
    n = len(case)
    first = np.ones(n, dtype=bool)
    first[1:] = case[1:] != case[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = case[:-1] != case[1:]
    prev = np.empty(n, dtype=np.int16)
    if n:
        prev[1:] = target[:-1]
    prev[first] = _NONE
    legal = _LEGAL[prev, kind]
    stage = _STAGE_OF[target]
    changed = first.copy()
    changed[1:] |= stage[1:] != stage[:-1]
    idx = np.maximum.accumulate(np.where(changed, np.arange(n), 0)) if n else np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(first)
    valid = np.minimum.reduceat(legal, starts) if n else legal
    cases_seen = case[last]
    out = pd.DataFrame({
        "state": pd.Categorical.from_codes(target[last], categories=list(STATES)),
        "since": at[last],
        "stage": np.array(_STAGES, dtype=object)[stage[last]],
        "stage_start": at[idx[last]],
        "valid": valid.astype(bool),
        "events": counts[cases_seen],
    }, index=pd.Index(np.asarray(case_ids)[cases_seen], name="case_id"))
    seen = np.zeros(len(case_ids), dtype=bool)
    seen[cases_seen] = True
    missing = np.flatnonzero(~seen)  # cases with only events that change no state
    if len(missing):
        extra = pd.DataFrame({"state": pd.Categorical([None] * len(missing), categories=list(STATES)),
                              "since": np.full(len(missing), np.datetime64("NaT"), dtype="datetime64[D]"),
                              "stage": "", "stage_start": np.full(len(missing), np.datetime64("NaT"), dtype="datetime64[D]"),
                              "valid": False, "events": counts[missing]},
                             index=pd.Index(np.asarray(case_ids)[missing], name="case_id"))
        out = pd.concat([out, extra])
    out["since"] = out["since"].astype("datetime64[ns]")
    out["stage_start"] = out["stage_start"].astype("datetime64[ns]")
    return out


def _as_days(col: pd.Series) -> np.ndarray:
    """Dates (ISO strings, date objects or datetimes) as ``datetime64[D]``."""
    if np.issubdtype(col.dtype, np.datetime64):
        return col.to_numpy(dtype="datetime64[D]")
    try:
        return np.asarray(col.to_numpy(dtype=object), dtype="datetime64[D]")
    except (ValueError, TypeError):
        return pd.to_datetime(col).to_numpy(dtype="datetime64[D]")
