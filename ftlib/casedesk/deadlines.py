"""Every deadline of one case in working days: each procedure stage from the day it began
(the policy's ``time_limits_working_days``, review ``review_time_limit_working_days``), the
appeal window after the written feedback or a refusal, and each ordered correction — with the
day it was met, or how many working days are left (negative: overdue). Counted on the official
calendar (``ftlib.workdays``), the day of the triggering act not counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ftlib.register import events as ev
from ftlib.register.db import session_scope
from ftlib.register.models import CaseRow, Correction, Event
from ftlib.register.procedure import policy_of, stage_limit
from ftlib.workdays import add_working_days, working_days_between


@dataclass(frozen=True)
class Deadline:
    what: str  # a stage (acceptance, …), "appeal_window" or "correction"
    detail: str  # the correction's text, else ""
    since: dt.date
    working_days: int
    due: dt.date
    done: dt.date | None
    left: int | None  # working days from today to the due day (None once done, or the case closed)
    warning: str = ""

    @property
    def status(self) -> str:
        if self.what == "application_window":
            return "kept" if self.done is not None and self.done <= self.due else "missed"
        if self.what == "appeal_window":
            return "appealed" if self.done is not None else "lapsed" if self.left is None or self.left < 0 else "open"
        if self.done is not None:
            return "kept" if self.done <= self.due else "missed"
        return "open_overdue" if (self.left or 0) < 0 else "open"

    @property
    def late_by(self) -> int:
        """Working days a step done after its due day came late (0 when kept)."""
        if self.done is None or self.done <= self.due:
            return 0
        return working_days_between(self.due, self.done)

    def words_key(self) -> tuple[str, dict[str, int]]:
        """The label (``desk.deadline.<key>``) and figures that say this deadline in words: a step
        done on its own dates, an open one relative to today."""
        status = self.status
        if status == "missed":
            return "missed", {"n": self.late_by}
        if status == "open":
            return "open_left", {"n": self.left or 0}
        if status == "open_overdue":
            return "open_overdue", {"n": -(self.left or 0)}
        return status, {}


def _deadline(what: str, detail: str, since: dt.date, days: int, done: dt.date | None, today: dt.date | None,
              due: dt.date | None = None, warning: str = "") -> Deadline:
    """``today`` None: the case is closed, so an open item is not counted to today."""
    d = add_working_days(since, days)
    due = due or d.due
    left = None if done is not None or today is None else working_days_between(today, due)
    return Deadline(what, detail, since, days, due, done, left, warning or "; ".join(d.warnings))


def case_deadlines(events: list[Any], policy, corrections: list[Any] = (), today: dt.date | None = None) -> list[Deadline]:
    """The deadlines of a case from its events (in order) and its correction rows."""

    today = today or dt.date.today()
    out: list[Deadline] = []
    state: str | None = None
    open_stage: tuple[str, dt.date] | None = None
    seen: dict[str, dt.date] = {}
    window = policy.procedure.application_window_working_days
    for e in events:
        seen[e.kind] = e.at
        notice = (e.payload or {}).get("notice_on") if e.kind == "started" else None
        if notice and window:
            out.append(_deadline("application_window", "", dt.date.fromisoformat(str(notice)), window, e.at, None))
        if e.kind not in ev.STATE_EVENTS:
            continue
        state = ev.STATE_EVENTS[e.kind][1]
        stage = ev.STAGE.get(state, "")
        if open_stage is not None and open_stage[0] != stage:
            name, since = open_stage
            limit = stage_limit(policy, name)
            if limit:
                out.append(_deadline(name, "", since, limit, e.at, today))
            open_stage = None
        if stage and open_stage is None:
            open_stage = (stage, e.at)
    if open_stage is not None:
        name, since = open_stage
        limit = stage_limit(policy, name)
        if limit:
            out.append(_deadline(name, "", since, limit, None, today))
    days = policy.procedure.appeal_window_working_days
    for since_kind, appeal_kind, states in (("feedback_sent", "appealed", ("notified", "filed", "under_review",
                                                                              "reviewed")),
                                            ("refused", "refusal_appealed", ("refused", "refusal_under_review",
                                                                            "refusal_upheld", "accepted",
                                                                            "investigating", "investigated",
                                                                            "decided", "notified", "filed"))):
        if since_kind in seen and state in states:
            out.append(_deadline("appeal_window", "", seen[since_kind], days, seen.get(appeal_kind), today))
    for c in corrections:  # an ordered correction stays open until it is done, whatever the case's state
        out.append(_deadline("correction", c.text_zh or c.measure, c.ordered_on, c.working_days, c.completed_on,
                             today, due=c.due_on, warning=c.calendar_warning or ""))
    return out


def deadlines_of(case_id: str, url: str | None = None, today: dt.date | None = None) -> list[Deadline]:

    with session_scope(url) as s:
        row = s.get(CaseRow, case_id)
        events = list(s.scalars(select(Event).where(Event.case_id == case_id).order_by(Event.seq)))
        corrections = list(s.scalars(select(Correction).where(Correction.case_id == case_id).order_by(Correction.id)))
        policy = policy_of(row)
    return case_deadlines(events, policy, corrections, today)
