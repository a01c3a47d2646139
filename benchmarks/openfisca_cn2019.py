"""CN-2019 (ftlib/data/policies/cn-2019.yaml, with the rules it extends from cn-2018.yaml)
encoded by hand as an OpenFisca tax-benefit system, for the side-by-side benchmark
(``openfisca_bench.py``). One entity, the case; every fact an input variable; every rule,
aggregate and grading row a formula variable, written as an OpenFisca modeller would (numpy
operators, ``select`` for the first-match grading). Same facts in, same outcome and deciding
row out — checked row by row against ftlib.

Needs the ``bench`` extra: ``.venv/bin/pip install -e '.[bench]'`` (openfisca-core).
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.model_api import ETERNITY, Variable, select
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

Case = build_entity(key="case", plural="cases", label="A case of a cadre's mistake", is_person=True)


class Scenario(Enum):
    reform_pilot = "reform pilot"
    exploration = "exploration"
    historical_legacy = "historical legacy"
    emergency = "emergency"
    key_project = "key project"
    livelihood = "livelihood"
    policy_change = "policy change"
    force_majeure = "force majeure"
    routine = "routine"


class Followed(Enum):
    none = "none"
    partial = "partial"
    full = "full"


class Severity(Enum):
    none = "none"
    minor = "minor"
    serious = "serious"
    major = "major"


class Remedy(Enum):
    none = "none"
    partial = "partial"
    full = "full"


#: The grading rows of CN-2019 in order, and the outcome each gives (ftlib's OUTCOMES order).
ROWS = ["red_line", "objected", "force_majeure", "not_in_scope", "exempt", "tolerable_lighter", "lighter_art18",
        "default"]
OUTCOMES = ["exempt", "mitigated", "not_tolerated", "out_of_scope"]
ROW_OUTCOME = [2, 0, 0, 3, 0, 1, 1, 2]

BOOL_FACTS = {
    "knowingly_violated": "knowingly_violated", "defied_prohibition": "defied_prohibition",
    "personal_gain": "personal_gain", "public_motive": "public_motive",
    "political_discipline": "political_discipline", "benefit_transfer": "benefit_transfer",
    "objected_to_decision": "objected_to_decision",
    "procedure.emergency_onsite": "procedure_emergency_onsite", "procedure.reported_after": "procedure_reported_after",
    "consequence.safety_incident": "consequence_safety_incident",
    "consequence.environmental_incident": "consequence_environmental_incident",
    "consequence.food_safety_incident": "consequence_food_safety_incident",
    "consequence.mass_incident": "consequence_mass_incident",
    "after.self_reported": "after_self_reported", "after.cooperated": "after_cooperated",
    "after.concealed": "after_concealed", "after.refused_correction": "after_refused_correction",
    "history.repeated_after_warning": "history_repeated_after_warning",
}
ENUM_FACTS = {"scenario": ("scenario", Scenario), "procedure.followed": ("procedure_followed", Followed),
              "consequence.severity": ("consequence_severity", Severity), "after.remedy": ("after_remedy", Remedy)}


def _input(name: str, value_type, **kw) -> type:
    return type(name, (Variable,), {"value_type": value_type, "entity": Case, "definition_period": ETERNITY,
                                    "label": name, **kw})


def _formula(name: str, value_type, fn) -> type:
    def formula(case, period):
        return fn(case, period)
    return type(name, (Variable,), {"value_type": value_type, "entity": Case, "definition_period": ETERNITY,
                                    "label": name, "formula": formula})


def _v(case, period, name):
    return case(name, period)


def build() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Case])
    for var in BOOL_FACTS.values():
        tbs.add_variable(_input(var, bool))
    for var, enum in ENUM_FACTS.values():
        tbs.add_variable(_input(var, Enum, possible_values=enum, default_value=list(enum)[0]))

    def violates_distinction(c, p):
        return _v(c, p, "knowingly_violated") + _v(c, p, "defied_prohibition") + _v(c, p, "personal_gain")

    def excluded(c, p):
        # CN-2018's major_harm: a major loss, or a serious (severity >= serious) incident of four kinds
        severity = _v(c, p, "consequence_severity").view(np.ndarray)
        incident = (_v(c, p, "consequence_safety_incident") + _v(c, p, "consequence_environmental_incident")
                    + _v(c, p, "consequence_food_safety_incident") + _v(c, p, "consequence_mass_incident"))
        major_harm = (severity == Severity.major.index) + (severity >= Severity.serious.index) * incident
        return (_v(c, p, "political_discipline") + _v(c, p, "benefit_transfer") + _v(c, p, "after_concealed")
                + _v(c, p, "after_refused_correction") + _v(c, p, "history_repeated_after_warning") + major_harm)

    def in_scope(c, p):
        return _v(c, p, "scenario") != Scenario.routine

    def conditions_met(c, p):
        # no after-report: no national text asks one for an on-the-spot emergency decision
        procedure = (_v(c, p, "procedure_followed") != Followed.none) + _v(c, p, "procedure_emergency_onsite")
        return _v(c, p, "public_motive") * procedure

    def mitigating(c, p):
        return ((_v(c, p, "after_remedy") != Remedy.none) + _v(c, p, "after_cooperated")
                + _v(c, p, "after_self_reported"))

    def deciding_row(c, p):
        followed = _v(c, p, "procedure_followed")
        met = _v(c, p, "conditions_met")
        severity = _v(c, p, "consequence_severity")
        # Severity codes are in declared order (none < minor < serious < major)
        not_worse_than_serious = severity.view(np.ndarray) <= Severity.serious.index
        return select(
            [_v(c, p, "violates_distinction") + _v(c, p, "excluded"),
             _v(c, p, "objected_to_decision"),
             (_v(c, p, "scenario") == Scenario.force_majeure) * _v(c, p, "public_motive") * (followed != Followed.none),
             np.logical_not(_v(c, p, "in_scope")),
             met * not_worse_than_serious * ((followed == Followed.full) + (_v(c, p, "after_remedy") == Remedy.full)),
             met,
             _v(c, p, "mitigating")],
            list(range(7)), default=7)

    def outcome(c, p):
        return np.asarray(ROW_OUTCOME, dtype=np.int8)[_v(c, p, "deciding_row")]

    for name, fn in [("violates_distinction", violates_distinction), ("excluded", excluded), ("in_scope", in_scope),
                     ("conditions_met", conditions_met), ("mitigating", mitigating)]:
        tbs.add_variable(_formula(name, bool, fn))
    tbs.add_variable(_formula("deciding_row", int, deciding_row))
    tbs.add_variable(_formula("outcome", int, outcome))
    return tbs
