"""Policy impact: edit a copy of a policy and see which cases would get another outcome.

Edits are made on the policy's data (a dict), never on code: drop a rule, change a condition,
change a time limit. The edited copy is validated and compiled like any policy file.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ftlib.engine import determine_frame
from ftlib.errors import FtlibError
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.conditions import ConditionError
from ftlib.policy.loader import PolicySet, bundled
from ftlib.policy.schema import Policy

RULE_GROUPS = ("distinctions", "exclusions", "conditions", "mitigations", "grading", "corrections")


class EditError(FtlibError):
    """An edit that names no such rule or produces an invalid policy."""


def policy_data(policy: Policy) -> dict[str, Any]:
    return policy.model_dump(mode="python")


def drop_rule(data: dict, group: str, rule_id: str) -> dict:
    out = copy.deepcopy(data)
    before = len(out[group])
    out[group] = [r for r in out[group] if r["id"] != rule_id]
    if len(out[group]) == before:
        raise EditError(f"{group}: no rule {rule_id!r}")
    return out


def set_condition(data: dict, group: str, rule_id: str, when: str) -> dict:
    out = copy.deepcopy(data)
    for r in out[group]:
        if r["id"] == rule_id:
            r["when"] = when
            return out
    raise EditError(f"{group}: no rule {rule_id!r}")


def set_time_limit(data: dict, stage: str, days: int) -> dict:
    out = copy.deepcopy(data)
    limits = out["procedure"]["time_limits_working_days"]
    if stage not in limits:
        raise EditError(f"procedure.time_limits_working_days: no stage {stage!r} (stages: {', '.join(limits)})")
    limits[stage] = int(days)
    return out


def edited_policy_set(data: dict, base: PolicySet | None = None, new_id: str | None = None) -> tuple[PolicySet, str]:
    """A policy set holding the bundled policies plus the edited copy (id ``<id>*``)."""
    base = base or bundled()
    data = {**copy.deepcopy(data), "id": new_id or f"{data['id']}*"}
    try:
        policy = Policy.model_validate(data)
        compiled = CompiledPolicy(policy, f"{policy.id}: ")
    except ValidationError as err:
        raise EditError(f"edited policy: {err.errors()[0]['msg']}") from None
    except ConditionError as err:
        raise EditError(str(err)) from None
    ps = copy.copy(base)
    ps.policies = {**base.policies, policy.id: policy}
    ps.compiled = {**base.compiled, policy.id: compiled}
    return ps, policy.id


@dataclass(frozen=True)
class Impact:
    changed: pd.DataFrame       # rows whose outcome differs: index, region, before, after
    pairs: pd.DataFrame         # before × after counts of changed rows
    by_region: pd.DataFrame     # region × (before → after) counts
    total: int


def policy_impact(cases: pd.DataFrame, policy_id: str, edited: dict, region_column: str = "region",
                  base: PolicySet | None = None) -> Impact:
    """Outcomes of ``cases`` (fact columns) under the policy and under the edited copy."""
    ps, new_id = edited_policy_set(edited, base)
    before = determine_frame(cases, policy_id, ps)["outcome"].astype(str)
    after = determine_frame(cases, new_id, ps)["outcome"].astype(str)
    diff = before != after
    region = cases[region_column] if region_column in cases.columns else pd.Series("", index=cases.index)
    changed = pd.DataFrame({"region": region[diff], "before": before[diff], "after": after[diff]})
    pairs = changed.groupby(["before", "after"]).size().rename("cases").reset_index()
    by_region = changed.assign(change=changed["before"] + " → " + changed["after"]) \
        .groupby(["region", "change"]).size().unstack(fill_value=0)
    return Impact(changed, pairs, by_region, len(cases))
