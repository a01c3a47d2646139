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
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ftlib.vocabulary import (
    DEFAULT_DISPOSITION,
    DISPOSITION_LENIENCY,
    DISPOSITIONS,
    LENIENCY,
    OUTCOME_OF,
    OUTCOMES,
    Disposition,
    Outcome,
)

# re-exported for callers of the schema
__all__ = ["DISPOSITIONS", "DISPOSITION_LENIENCY", "LENIENCY", "OUTCOMES", "Outcome", "Disposition"]

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
    """One row of the grading table. It gives a ``disposition`` (不予问责, 免予问责, 从轻, 减轻 …);
    its ``outcome`` is the class that disposition belongs to. A row written with only an
    ``outcome`` stands for that outcome's default disposition (``DEFAULT_DISPOSITION``); a
    row giving both must give a matching pair. ``residual`` names the handling that remains
    (codes of ``ftlib/data/handling.yaml``: 批评教育, 诫勉, a sanction grade …), ``handling``
    a free text for it; ``status`` says whether the row is a real text's rule or our reading."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    clause: str
    when: str | bool
    outcome: Outcome
    disposition: Disposition
    handling: Bilingual | None = None  # e.g. 批评教育、谈话提醒 with an exemption
    residual: list[str] = []
    status: Literal["official", "illustrative"] = "illustrative"
    label: Bilingual | None = None

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out, disp = data.get("outcome"), data.get("disposition")
        if disp is None and out in DEFAULT_DISPOSITION:
            data = {**data, "disposition": DEFAULT_DISPOSITION[out]}
        elif out is None and disp in OUTCOME_OF:
            data = {**data, "outcome": OUTCOME_OF[disp]}
        elif disp in OUTCOME_OF and out in OUTCOMES and OUTCOME_OF[disp] != out:
            raise ValueError(f"disposition {disp!r} belongs to outcome {OUTCOME_OF[disp]!r}, not {out!r}")
        return data


class Correction(BaseModel):
    model_config = _STRICT
    id: str
    clause: str
    when: str | bool
    text: Bilingual
    time_limit_working_days: int = Field(ge=1)
    drop: bool = False


class Aftercare(BaseModel):
    """After-care for one outcome. ``impact_period_months`` here is the policy's own figure,
    kept for files that give one; a determination's impact period comes from the residual
    handling it imposes (``ftlib/data/handling.yaml``), None where that is not known."""

    model_config = _STRICT
    impact_period_months: int | None = Field(default=0, ge=0)
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
    #: working days after the accountability notice within which the cadre or the unit may apply
    #: (None: the policy sets no window); checked by the register when the notice day is given
    application_window_working_days: int | None = Field(default=None, ge=1)
    #: how the application window closes: ``working_days`` (the figure above, counted from the
    #: notice), or ``decision`` — from the start of the accountability proceedings (the notice)
    #: until the accountability decision (Changning 2016: "在启动追责程序后尚未作出决定前");
    #: None: ``working_days`` where a figure is given, else no window
    application_window_closes: Literal["working_days", "decision"] | None = None
    review_time_limit_working_days: int = Field(ge=1)
    onsite_report_within_working_days: int | None = None
    clause: str | None = None

    @model_validator(mode="after")
    def _window(self) -> ProcedureRules:
        closes, days = self.application_window_closes, self.application_window_working_days
        if closes == "working_days" and days is None:
            raise ValueError("application_window_closes: working_days needs application_window_working_days")
        if closes == "decision" and days is not None:
            raise ValueError("application_window_closes: decision takes no application_window_working_days "
                             f"(given {days})")
        return self

    def window_closes(self) -> str | None:
        """How the application window closes (``working_days``, ``decision``), None if there is none."""
        if self.application_window_closes is not None:
            return self.application_window_closes
        return "working_days" if self.application_window_working_days is not None else None


#: a policy id or family: letters, digits, - _ . (a trailing * marks an edited copy, ftlib.impact)
POLICY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\*?")


class Policy(BaseModel):
    """One policy version after ``extends`` has been resolved."""

    model_config = _STRICT
    #: ids are printed and matched (``--policy CN-2019``): letters, digits, - _ . — no blank,
    #: control or bidi-override character that would hide or reorder it
    id: str
    family: str
    version: str
    name: Bilingual
    jurisdiction: str = Field(pattern=r"^CN(-[A-Z0-9]+)*$")
    issuer: Bilingual
    # "mixed": official clauses beside our readings (most national and real local files)
    status: Literal["official", "illustrative", "mixed"]
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
    #: after-care where the subject is an organisation (e.g. the unit's 考核免予扣分)
    aftercare_organisation: dict[Outcome, Aftercare] = {}
    procedure: ProcedureRules

    @field_validator("id", "family", "extends")
    @classmethod
    def _printable_id(cls, value: str | None) -> str | None:
        if value is not None and not POLICY_ID.fullmatch(value):
            raise ValueError("an id is 1–60 letters, digits, - _ or . (no blanks or control characters)")
        return value

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def clause_text(self, clause_id: str) -> Clause:
        return self.clauses[clause_id]

    def dispositions(self, outcome: str | None = None) -> list[str]:
        """The dispositions this policy's grading rows give (of one outcome), in vocabulary order."""
        given = {g.disposition for g in self.grading if outcome is None or g.outcome == outcome}
        return [d for d in DISPOSITIONS if d in given]

    def distinguishes(self, outcome: str) -> bool:
        """Whether the policy tells apart two dispositions of ``outcome`` (e.g. 从轻 vs 减轻),
        so that a quiz or a form should ask for the disposition, not only the outcome."""
        return len(self.dispositions(outcome)) > 1
