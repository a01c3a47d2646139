"""The shape of a policy file (``ftlib/data/policies/*.yaml``), as pydantic models.

One file is one version of a policy family. See ``docs/policies.md`` for a worked example.
Rule groups are evaluated in this order, each rule's ``when`` being a condition over the facts:

- ``distinctions`` — the three distinctions; ``when`` true means the conduct falls on the
  *non-tolerable* side (e.g. ``knowingly_violated``); aggregate ``violates_distinction``;
- ``exclusions`` — the negative list (不予容错情形); aggregate ``excluded``;
- ``scope`` — tolerable situations (容错情形); aggregate ``in_scope``;
- ``conditions`` — conditions that must all hold (容错条件); aggregate ``conditions_met``;
- ``mitigations`` — grounds for lighter treatment (从轻减轻情形); aggregate ``mitigating``;
- ``grading`` — ordered rows, first match wins, the last row's ``when`` is ``true``.

Grading rows and later groups may read the aggregates and single rules by
``<group>.<id>`` (``exclusion.concealed``, ``condition.public_motive``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ftlib.vocabulary import LENIENCY, OUTCOMES, Outcome

__all__ = ["LENIENCY", "OUTCOMES", "Outcome"]  # re-exported for callers of the schema

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Bilingual(BaseModel):
    model_config = _STRICT
    zh: str
    en: str


class Source(BaseModel):
    model_config = _STRICT
    title: str
    url: str | None = None
    article: str | None = None
    date: dt.date | None = None
    note: str | None = None


class Clause(BaseModel):
    model_config = _STRICT
    zh: str
    en: str
    status: Literal["official", "illustrative"] = "illustrative"
    # "quotation": the zh text is the document's own words; "paraphrase": our summary of it.
    wording: Literal["quotation", "paraphrase"] = "paraphrase"
    source: Source | None = None


class Rule(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    when: str | bool
    label: Bilingual | None = None
    drop: bool = False  # in a child policy: remove the parent's rule with this id


class Scope(BaseModel):
    model_config = _STRICT
    clause: str
    scenarios: list[str]


class GradingRow(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    when: str | bool
    outcome: Outcome
    handling: Bilingual | None = None  # e.g. 批评教育、谈话提醒 with an exemption


class Correction(BaseModel):
    model_config = _STRICT
    id: str
    clause: str
    when: str | bool
    text: Bilingual
    time_limit_working_days: int = Field(ge=1)
    drop: bool = False


class Aftercare(BaseModel):
    model_config = _STRICT
    impact_period_months: int = Field(default=0, ge=0)
    follow_up_visit_within_working_days: int | None = Field(default=None, ge=1)
    note: Bilingual | None = None


class Body(BaseModel):
    model_config = _STRICT
    id: str
    zh: str
    en: str


class ProcedureRules(BaseModel):
    """Who decides and how fast; the register (register/procedure.py) reads these, never constants."""

    model_config = _STRICT
    starts: list[Literal["cadre_application", "unit_application", "ex_officio"]]
    decision_body: Body
    consult: list[Body] = []
    collective: bool = True
    quorum: float = Field(default=0.5, gt=0, le=1)  # share of members present
    higher_approval: Body | None = None
    time_limits_working_days: dict[str, int]
    appeal_window_working_days: int = Field(ge=1)
    review_time_limit_working_days: int = Field(ge=1)
    onsite_report_within_working_days: int | None = None
    clause: str | None = None


class Policy(BaseModel):
    """One policy version after ``extends`` has been resolved."""

    model_config = _STRICT
    id: str
    family: str
    version: str
    name: Bilingual
    jurisdiction: str = Field(pattern=r"^CN(-[A-Z0-9]+)*$")
    issuer: Bilingual
    status: Literal["official", "illustrative"]
    source: Source | None = None
    effective_from: dt.date
    effective_to: dt.date | None = None
    extends: str | None = None
    summary: Bilingual | None = None
    exante_registration: bool = False
    clauses: dict[str, Clause]
    distinctions: list[Rule] = []
    exclusions: list[Rule] = []
    scope: Scope
    conditions: list[Rule] = []
    mitigations: list[Rule] = []
    grading: list[GradingRow]
    corrections: list[Correction] = []
    aftercare: dict[Outcome, Aftercare] = {}
    procedure: ProcedureRules

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def clause_text(self, clause_id: str) -> Clause:
        return self.clauses[clause_id]
