"""The fact vocabulary every policy speaks (docs/facts.md), as validated pydantic models.

A case comes from a YAML/JSON file, a dict, or a DataFrame row whose column names are the
dotted fact names (``procedure.followed``). Unknown facts, wrong types and out-of-range values
raise :class:`FactError`, which names the source (file or row), the field and the value.

Defaults for optional facts (documented here and in ``docs/facts.md``): every yes/no fact
that is not given is ``false`` (a fact nobody established is not held against or for the
cadre), ``subject.top_leader`` false, ``subject.unit_type`` ``party_gov``,
``consequence.loss_cny`` 0, ``after.remedy`` ``none``. The facts every determination turns on (``jurisdiction``,
``conduct_date``, ``scenario``, ``public_motive``, ``subject.rank``,
``procedure.collective_decision``, ``procedure.followed``, ``consequence.severity``) are
required.

**Unknown facts.** Any fact a policy may read can be given as ``unknown`` (an analyst working
from a news report, an investigator at intake). A required fact that is left out is unknown,
not an error — except ``jurisdiction`` and ``conduct_date``, which choose the policy; optional
facts left out keep their defaults. The engine decides when every value of the unknown facts
gives the same result, else the outcome is ``undetermined`` (``ftlib.engine``).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ftlib.errors import FtlibError
from ftlib.safeinput import excerpt, load_file
from ftlib.vocabulary import RANKS, SUBJECT_KINDS, TRACKS, parse_yes_no

#: The value of a fact nobody has established yet (any fact a policy condition may read).
UNKNOWN = "unknown"
Unknown = Literal["unknown"]

Rank = Literal[RANKS]
SubjectKind = Literal[SUBJECT_KINDS]
Track = Literal[TRACKS]
UnitType = Literal["party_gov", "soe", "institution", "village"]
Scenario = Literal[
    "reform_pilot", "exploration", "historical_legacy", "emergency", "key_project",
    "livelihood", "policy_change", "force_majeure", "routine",
]
Followed = Literal["none", "partial", "full"]
Severity = Literal["none", "minor", "serious", "major"]
Remedy = Literal["none", "partial", "full"]

_STRICT = ConfigDict(extra="forbid", strict=False, frozen=True, allow_inf_nan=False)
#: What an id may not hold: terminal control and bidi-override characters.
_ID_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Facts that only make sense for a person (an individual's position or vote): an organisation
#: as subject need not give them (they are optional, and forms hide them for organisations).
PERSON_ONLY: tuple[str, ...] = ("subject.top_leader", "objected_to_decision")


def _required() -> Any:
    """A fact every determination turns on: left out, it is unknown (not an error)."""
    return Field(default=UNKNOWN, json_schema_extra={"required_fact": True})


#: A yes/no fact, or unknown; an amount (≥ 0), or unknown.
Flag = bool | Unknown
Amount = Annotated[float, Field(ge=0)] | Unknown


class FactError(FtlibError):
    """A case that does not fit the vocabulary; the message is one line for the user."""


class Text(BaseModel):
    model_config = _STRICT
    zh: str = ""
    en: str = ""


class Subject(BaseModel):
    model_config = _STRICT
    # person: a cadre; organisation: a Party organisation, unit or department (Art. 17 names
    # 党组织; Changning 2016 "单位或个人"). rank is then the organisation's level.
    kind: SubjectKind | Unknown = "person"
    rank: Rank | Unknown = _required()
    top_leader: Flag = False
    unit_type: UnitType | Unknown = "party_gov"


class Procedure(BaseModel):
    model_config = _STRICT
    collective_decision: Flag = _required()
    followed: Followed | Unknown = _required()
    emergency_onsite: Flag = False
    reported_after: Flag = False
    exante_registered: Flag = False


class Consequence(BaseModel):
    model_config = _STRICT
    severity: Severity | Unknown = _required()
    loss_cny: Amount = 0.0
    safety_incident: Flag = False
    environmental_incident: Flag = False   # 环境污染 (Changning 2016's list)
    food_safety_incident: Flag = False     # 食品安全
    mass_incident: Flag = False            # 群体性事件


class After(BaseModel):
    model_config = _STRICT
    remedy: Remedy | Unknown = "none"
    self_reported: Flag = False
    cooperated: Flag = False
    concealed: Flag = False
    refused_correction: Flag = False


class History(BaseModel):
    model_config = _STRICT
    repeated_after_warning: Flag = False


class Case(BaseModel):
    """One case: the facts of a cadre's mistake, in the vocabulary of docs/facts.md."""

    model_config = _STRICT
    id: str = Field(max_length=200)
    title: Text = Text()
    jurisdiction: str = Field(pattern=r"^CN(-[A-Z0-9]+)*$")
    conduct_date: dt.date
    decision_date: dt.date | None = None
    subject: Subject = Subject()
    scenario: Scenario | Unknown = _required()
    knowingly_violated: Flag = False
    defied_prohibition: Flag = False
    personal_gain: Flag = False
    public_motive: Flag = _required()
    procedure: Procedure = Procedure()
    objected_to_decision: Flag = False
    # 问责条例 Art. 17 para. 2: proposed correcting or revoking a superior's wrong decision, not
    # adopted; and whether that superior decision was obviously unlawful (liability stays).
    objected_to_superior: Flag = False
    superior_decision_unlawful: Flag = False
    # the track the decision sits on: 问责, 党纪处分, 政务处分, 组织处理
    track: Track | Unknown = "accountability"
    consequence: Consequence = Consequence()
    after: After = After()
    history: History = History()
    political_discipline: Flag = False
    benefit_transfer: Flag = False

    @field_validator("id")
    @classmethod
    def _visible_id(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the id is empty")
        bad = _ID_BAD.search(v)
        if bad:
            raise ValueError(f"the id holds a control character (U+{ord(bad.group()):04X})")
        return v

    @field_validator("conduct_date", "decision_date")
    @classmethod
    def _not_in_future(cls, v: dt.date | None) -> dt.date | None:
        # a date still to come is a typing slip (2052 for 2025) that would choose another policy
        if v is not None and v > dt.date.today():
            raise ValueError(f"date {v.isoformat()} is in the future")
        return v

    def flat(self) -> dict[str, Any]:
        """The facts as one dict keyed by dotted names (the form conditions read)."""
        return flatten(self.model_dump())

    def unknown_facts(self) -> list[str]:
        """The facts given (or left) as unknown, in vocabulary order."""
        flat = self.flat()
        return [n for n in CONDITION_FACTS if flat.get(n) == UNKNOWN]


# ---------------------------------------------------------------------------
# The vocabulary, derived from the models so there is one source of truth.

class FactSpec(typing.NamedTuple):
    name: str
    kind: Literal["bool", "enum", "number", "date", "text"]
    values: tuple[str, ...] = ()  # enum values in declared (ascending) order
    required: bool = False
    default: Any = None


def _walk(model: type[BaseModel], prefix: str = "") -> list[FactSpec]:
    specs: list[FactSpec] = []
    for name, field in model.model_fields.items():
        full = prefix + name
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            specs.extend(_walk(ann, full + "."))
            continue
        args = [a for a in get_args(ann) if a is not type(None) and a != Unknown]
        base = args[0] if get_origin(ann) in (typing.Union, types.UnionType) and args else ann
        if get_origin(base) is typing.Annotated:
            base = get_args(base)[0]
        if get_origin(base) is Literal:
            spec = FactSpec(full, "enum", tuple(get_args(base)))
        elif base is bool:
            spec = FactSpec(full, "bool")
        elif base in (int, float):
            spec = FactSpec(full, "number")
        elif base is dt.date:
            spec = FactSpec(full, "date")
        else:
            spec = FactSpec(full, "text")
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        required = field.is_required() or bool(extra.get("required_fact"))
        specs.append(spec._replace(required=required, default=None if required else field.default))
    return specs


VOCABULARY: dict[str, FactSpec] = {s.name: s for s in _walk(Case)}
#: Facts a policy condition may read (identity and dates are not facts about the conduct).
CONDITION_FACTS: dict[str, FactSpec] = {
    k: v for k, v in VOCABULARY.items() if v.kind in ("bool", "enum", "number")
}


def after_the_act() -> tuple[str, ...]:
    """The facts that can still change after the act: the ``after`` group (挽回损失、主动说明、配合调查,
    stop concealing, stop refusing to correct). Everything else describes the conduct itself, the
    person or the past, and counterfactuals in ``what_can_still_be_done`` mode hold it fixed."""
    return tuple(name for name in VOCABULARY if name.startswith("after."))


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


def unflatten(flat: dict[str, Any], source: str = "<dict>") -> dict[str, Any]:
    """Dotted keys to nested groups, merged with any nested groups given as well."""
    out: dict[str, Any] = {}

    def put(node: dict, path: list[str], value: Any, key: str) -> None:
        head, rest = path[0], path[1:]
        if not rest:
            if isinstance(value, dict):
                if head in node and not isinstance(node[head], dict):
                    raise FactError(f"{source}: field {key}: {head} is both a value and a group")
                for k, v in value.items():
                    put(node.setdefault(head, {}), [str(k)], v, f"{key}.{k}")
            elif isinstance(node.get(head), dict):
                inner = ", ".join(f"{head}.{k}" for k in node[head])
                raise FactError(f"{source}: field {key}: value {value!r}: {head} is a group of facts ({inner})")
            else:
                node[head] = value
            return
        child = node.setdefault(head, {})
        if not isinstance(child, dict):
            raise FactError(f"{source}: field {key}: {head} is both a value and a group")
        put(child, rest, value, key)

    for key, value in flat.items():
        put(out, str(key).split("."), value, str(key))
    return out


def _describe(err: ValidationError, source: str) -> str:
    errors = err.errors()
    # A fact that may be unknown is a union (value | "unknown"): report the value's own error,
    # not the "unknown" alternative's, and name the fact without pydantic's union member.
    e = next((x for x in errors if not (x["type"] == "literal_error" and x.get("ctx", {}).get("expected") == "'unknown'")),
             errors[0])
    parts: list[str] = []
    for p in e["loc"]:
        parts.append(str(p))
        if ".".join(parts) in VOCABULARY:
            break
    field = ".".join(parts) or "(case)"
    kind = e["type"]
    if kind == "value_error" and not e["loc"]:  # a check across facts names its own field
        return f"{source}: field {e['msg'].removeprefix('Value error, ')}"
    if kind == "extra_forbidden":
        why = "unknown fact"
    elif kind == "missing":
        return f"{source}: field {field}: required fact is missing"
    elif kind == "literal_error":
        allowed = e.get("ctx", {}).get("expected", "")
        why = f"not one of {allowed}"
    else:
        why = e["msg"].lower()
    if field in CONDITION_FACTS and kind != "extra_forbidden":
        why += f" (or {UNKNOWN})"
    return f"{source}: field {field}: value {_shown(e.get('input'))}: {why}"


def _shown(value: Any) -> str:
    """A bad value as an error line shows it: a date as its day, anything else a short excerpt."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return excerpt(value)


def case_from_dict(data: Any, source: str = "<dict>") -> Case:
    """Validate a (possibly dotted-key) mapping as a Case; errors name source, field, value."""
    if not isinstance(data, dict):
        raise FactError(f"{source}: a case must be a mapping of facts, got {type(data).__name__}")
    if any("." in str(k) for k in data):
        data = unflatten(data, source)
    try:
        return Case.model_validate(data)
    except ValidationError as err:
        respelled = _respell_yes_no(data, err)
        if respelled is None:
            raise FactError(_describe(err, source)) from None
    try:
        return Case.model_validate(respelled)
    except ValidationError as err:
        raise FactError(_describe(err, source)) from None


def _respell_yes_no(data: dict[str, Any], err: ValidationError) -> dict[str, Any] | None:
    """``data`` with the yes/no facts pydantic refused read by ``ftlib.vocabulary`` (是/否, ✓/✗, …,
    the spellings CSV, xlsx and frames accept), or None when none of them is such a spelling.
    Done only after a failed validation, so that a valid case pays nothing for it."""
    fixes = []
    for e in err.errors():
        if e["type"] in ("bool_parsing", "bool_type"):
            value = parse_yes_no(e.get("input"))
            if value is None:
                return None
            fixes.append((e["loc"], value))
    if not fixes:
        return None
    out = _copy(data)
    for loc, value in fixes:
        node, key = None, None
        here: Any = out
        for part in loc:  # the field's path; a union's member tag (``bool``) ends it
            if not (isinstance(here, dict) and part in here):
                break
            node, key, here = here, part, here[part]
        if node is None:
            return None
        node[key] = value
    return out


def _copy(d: Any) -> Any:
    return {k: _copy(v) for k, v in d.items()} if isinstance(d, dict) else d


def load_case(path: str | Path) -> Case:
    """Read one case from a YAML or JSON file."""

    path = Path(path)
    try:
        data = load_file(path)   # size, encoding, duplicate keys, inf/NaN, impossible dates, depth
    except FactError:
        raise
    except FtlibError as err:
        raise FactError(str(err)) from None
    if isinstance(data, dict) and "case" in data and isinstance(data["case"], dict):
        data = data["case"]  # typical-case files wrap the facts beside their source
    return case_from_dict(data, str(path))


def cases_from_frame(df: Any, source: str = "<frame>") -> list[Case]:
    """One Case per DataFrame row; errors name the row (1-based, header excluded)."""
    cases = []
    for i, row in enumerate(df.to_dict(orient="records"), start=1):
        clean = {k: v for k, v in row.items() if not _is_missing(v)}
        cases.append(case_from_dict(clean, f"{source}: row {i}"))
    return cases


def _is_missing(v: Any) -> bool:
    try:
        return v is None or v != v  # NaN
    except (TypeError, ValueError):
        return False
