"""The five assessments (五个评估: motive, basis of the work, decision process, social impact,
attitude after the fact) a determination is weighed by, from ``ftlib/data/assessments.yaml``.

For each assessment :func:`weigh` lists the facts of that assessment the determination read (its
trace) with their values, and says for each value, and for the assessment as a whole, whether it
weighed for or against the cadre. The table of which fact belongs where and which way each value
weighs is data (an illustrative reading of seed 004), never code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ftlib.policy.schema import Bilingual, Source
from ftlib.resources import read_yaml

Direction = Literal["for", "against", "neutral"]
#: The weight of one assessment: its facts weighed for / against the cadre / both (mixed) / no
#: way (neutral); "open" while a fact of it is unknown; "not_weighed" when the policy read none.
WEIGHTS: tuple[str, ...] = ("for", "against", "mixed", "neutral", "open", "not_weighed")

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Factor(BaseModel):
    model_config = _STRICT
    id: str
    label: Bilingual
    question: Bilingual
    #: fact → value key ("true"/"false", an enum value, "zero"/"positive") → direction
    facts: dict[str, dict[str, Direction]]


class Table(BaseModel):
    model_config = _STRICT
    status: Literal["official", "illustrative"]
    source: Source
    factors: list[Factor]


class Assessment(BaseModel):
    """One assessment as weighed in one determination (carried on it, shown with its trace)."""

    id: str
    label: Bilingual
    question: Bilingual
    status: str
    #: the facts of this assessment the determination read, with their values
    facts: dict[str, Any]
    #: how each of those values weighed: for | against | neutral | open (unknown)
    directions: dict[str, str]
    weight: str


@lru_cache(maxsize=1)
def table() -> Table:
    raw = read_yaml("assessments.yaml")
    return Table.model_validate(raw)


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "positive" if value > 0 else "zero"
    return str(value)


def _weight(directions: Iterable[str], any_read: bool) -> str:
    seen = set(directions)
    if {"for", "against"} <= seen:
        return "mixed"
    if "open" in seen:
        return "open"
    for w in ("against", "for"):
        if w in seen:
            return w
    return "neutral" if any_read else "not_weighed"


def weigh(read: Mapping[str, Any], unknown: str = "unknown") -> list[Assessment]:
    """The five assessments over the facts a determination read (``read``: fact → value;
    ``unknown`` is the value of a fact not established)."""
    t = table()
    out = []
    for f in t.factors:
        facts = {name: read[name] for name in f.facts if name in read}
        directions = {name: "open" if v == unknown else f.facts[name].get(_key(v), "neutral")
                      for name, v in facts.items()}
        # built without re-validation: every field comes from the validated table or the trace
        out.append(Assessment.model_construct(
            id=f.id, label=f.label, question=f.question, status=t.status, facts=facts,
            directions=directions, weight=_weight(directions.values(), bool(facts))))
    return out
