"""The register's tables (SQLAlchemy 2). The Alembic migrations in ``migrations/versions``
create exactly these; ``tests/register/test_schema.py`` checks that they agree.

Only pseudonymous ids are stored for cadres (``cadres.id`` such as ``C-0001``): no names, no
identity-card numbers. ``events`` is append-only (database triggers refuse UPDATE and DELETE);
decisions, appeals, corrections, follow-ups, transferred clues and shared results are
projections written from the event that records them, so an events file rebuilds them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Marks a database as ftlib's (checked before anything is written to a database).
APPLICATION = "ftlib-register"

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER PRIMARY KEY only


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Meta(Base):
    __tablename__ = "ftlib_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class Region(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    parent: Mapped[str | None] = mapped_column(String(40))
    illustrative: Mapped[bool] = mapped_column(Boolean, default=True)


class Headcount(Base):
    """Cadres on the payroll of a region in a year (the denominator of usage rates)."""

    __tablename__ = "region_headcounts"
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    cadres: Mapped[int] = mapped_column(Integer)


class Cadre(Base):
    __tablename__ = "cadres"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # pseudonymous, e.g. C-000123
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    rank: Mapped[str | None] = mapped_column(String(20))
    unit_type: Mapped[str | None] = mapped_column(String(20))


class Registration(Base):
    """Ex-ante registration (容错报备) of risky work before acting; a later case may cite it."""

    __tablename__ = "registrations"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    cadre_id: Mapped[str | None] = mapped_column(ForeignKey("cadres.id"))
    registered_on: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")


class CaseRow(Base):
    """A case with its facts (the flat fact vocabulary of ftlib.facts, as JSON)."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(40), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    cadre_id: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(30))
    received_on: Mapped[dt.date] = mapped_column(Date)
    conduct_date: Mapped[dt.date] = mapped_column(Date)
    policy_id: Mapped[str] = mapped_column(String(40))  # policy whose procedure governs the case
    registration_id: Mapped[str | None] = mapped_column(String(40))
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)


class Event(Base):
    """Append-only procedure history: who did what, when, with which payload."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_events_case_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(120))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    recorded_by: Mapped[str | None] = mapped_column(String(120))  # who typed it in (desk user or server identity)


class Decision(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))  # "first" or "review"
    decided_on: Mapped[dt.date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(String(80))
    consulted: Mapped[list[Any]] = mapped_column(JSON, default=list)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    members_total: Mapped[int] = mapped_column(Integer)
    members_present: Mapped[int] = mapped_column(Integer)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    votes_abstain: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    #: 不予问责 / 免予问责 / 从轻 / 减轻 / … (ftlib.vocabulary.DISPOSITIONS); NULL: not recorded
    #: (an exempt or mitigated decision recorded before dispositions existed, migration 0004).
    disposition: Mapped[str | None] = mapped_column(String(20))
    engine_outcome: Mapped[str] = mapped_column(String(20))
    engine_rule: Mapped[str] = mapped_column(String(80))  # "" when the engine left the case undetermined
    engine_policy_id: Mapped[str] = mapped_column(String(40))
    departure_reason: Mapped[str | None] = mapped_column(Text)


class Appeal(Base):
    """An appeal (申诉) against a decision or a refusal, and the review (复核) that answers it."""

    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    against: Mapped[str] = mapped_column(String(20))  # "decision" or "refusal"
    lodged_on: Mapped[dt.date] = mapped_column(Date)
    window_ends: Mapped[dt.date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(String(20))  # upheld / changed / overturned
    decided_on: Mapped[dt.date | None] = mapped_column(Date)


class Correction(Base):
    """A correction measure (纠错) with its deadline in working days and its completion."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    measure: Mapped[str] = mapped_column(String(80))
    text_zh: Mapped[str] = mapped_column(Text, default="")
    ordered_on: Mapped[dt.date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    calendar_warning: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)


class FollowUp(Base):
    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")


class Clarification(Base):
    """Clearing a falsely accused cadre (澄清正名) and what happened to the accuser."""

    __tablename__ = "clarifications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(40), index=True)
    cadre_id: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(60))
    clarified_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))  # meeting, written_notice, circular, media
    accuser_referred: Mapped[bool] = mapped_column(Boolean, default=False)
    referred_to: Mapped[str | None] = mapped_column(String(40))  # police, discipline_commission


class ClueIn(Base):
    """A clue transferred in from another department (audit, petitions, inspection)."""

    __tablename__ = "clues_in"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[str] = mapped_column(String(30))
    received_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(120), default="")


class CareerReview(Base):
    """How a tolerated cadre fared once the impact period (影响期) was over: evaluated normally
    (考核), promoted or used normally. ``None``: not known at the review."""

    __tablename__ = "career_reviews"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    evaluated_normally: Mapped[bool | None] = mapped_column(Boolean)
    promoted: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")


class ResultShared(Base):
    """A result shared out, e.g. with the organisation department for appraisal and promotion."""

    __tablename__ = "results_shared"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    to_body: Mapped[str] = mapped_column(String(60))
    shared_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    counts_against_cadre: Mapped[bool] = mapped_column(Boolean)


Index("ix_events_kind", Event.kind)
