"""Read policy files, resolve ``extends``, validate and compile them.

A child file names its parent's id in ``extends``; it inherits every section and overrides
what it gives: mappings (clauses, aftercare, procedure) are merged key by key, rule lists are
merged by rule id (a child rule replaces the parent's rule of the same id, ``drop: true``
removes it, new rules are appended), and ``grading`` and ``scope`` are replaced whole.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ftlib.errors import FtlibError
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.conditions import ConditionError
from ftlib.policy.handling import catalogue
from ftlib.policy.schema import Policy
from ftlib.resources import data_path
from ftlib.safeinput import load_file

DATA_DIR = data_path("policies")
_RULE_LISTS = ("distinctions", "exclusions", "conditions", "mitigations", "corrections")
_REPLACED = ("grading", "scope")
_OWN = ("id", "version", "effective_from", "effective_to", "status", "source", "extends", "name", "summary")


class PolicyError(FtlibError):
    """A policy file that cannot be used; one line naming the file, field and value."""


def read_policy_file(path: Path) -> dict[str, Any]:

    try:
        data = load_file(path)   # size, encoding, duplicate keys, inf/NaN, impossible dates, depth
    except PolicyError:
        raise
    except FtlibError as err:
        raise PolicyError(str(err)) from None
    if not isinstance(data, dict) or "id" not in data:
        raise PolicyError(f"{path}: a policy file must be a mapping with an 'id'")
    data["_file"] = str(path)
    return data


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """The child's sections over the parent's, by the rules in the module docstring."""
    out = {k: copy.deepcopy(v) for k, v in parent.items() if k not in _OWN}
    for key, value in child.items():
        if key in _RULE_LISTS and key in out:
            by_id = {r["id"]: r for r in out[key]}
            for rule in value:
                if rule.get("drop"):
                    by_id.pop(rule["id"], None)
                else:
                    by_id[rule["id"]] = rule
            out[key] = list(by_id.values())
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and key not in _REPLACED:
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _describe(err: ValidationError) -> str:
    e = err.errors()[0]
    field = ".".join(str(p) for p in e["loc"])
    why = "unknown field" if e["type"] == "extra_forbidden" else e["msg"].lower()
    value = e.get("input")
    shown = "" if isinstance(value, dict) else f": value {value!r}"
    return f"field {field}{shown}: {why}"


class PolicySet:
    """All policies of a folder (the bundled ones by default), resolved and compiled."""

    def __init__(self, files: list[Path]) -> None:
        raw: dict[str, dict[str, Any]] = {}
        for f in sorted(files):
            data = read_policy_file(f)
            if data["id"] in raw:
                raise PolicyError(f"{f}: field id: value {data['id']!r}: also defined in {raw[data['id']]['_file']}")
            raw[data["id"]] = data
        self.files = {pid: d["_file"] for pid, d in raw.items()}
        self.policies: dict[str, Policy] = {}
        self.compiled: dict[str, CompiledPolicy] = {}
        resolved: dict[str, dict[str, Any]] = {}

        def resolve(pid: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
            if pid in resolved:
                return resolved[pid]
            data = raw[pid]
            parent_id = data.get("extends")
            if parent_id:
                if parent_id not in raw:
                    raise PolicyError(f"{data['_file']}: field extends: value {parent_id!r}: no such policy")
                if parent_id in seen:
                    raise PolicyError(f"{data['_file']}: field extends: value {parent_id!r}: circular")
                data = merge(resolve(parent_id, (*seen, pid)), data)
            resolved[pid] = data
            return data

        for pid in raw:
            data = {k: v for k, v in resolve(pid).items() if k != "_file"}
            where = f"{raw[pid]['_file']}: "
            try:
                policy = Policy.model_validate(data)
            except ValidationError as err:
                raise PolicyError(where + _describe(err)) from None
            try:
                self.compiled[pid] = CompiledPolicy(policy, where)
            except ConditionError as err:
                raise PolicyError(str(err)) from None
            _check_references(policy, where)
            self.policies[pid] = policy

    @classmethod
    def from_dir(cls, folder: Path = DATA_DIR) -> PolicySet:
        """Every ``*.yaml`` in ``folder``; a missing or empty folder is an error, never an empty set
        (an installation without its policies would otherwise refuse every case as "no policy in force")."""
        folder = Path(folder)
        if not folder.is_dir():
            raise PolicyError(f"{folder}: policy folder not found")
        files = sorted(folder.glob("*.yaml"))
        if not files:
            raise PolicyError(f"{folder}: no policy files (*.yaml) in the policy folder")
        return cls(files)

    def get(self, pid: str) -> Policy:
        if pid not in self.policies:
            raise PolicyError(f"unknown policy {pid!r} (known: {', '.join(sorted(self.policies))})")
        return self.policies[pid]

    def families(self) -> dict[str, list[Policy]]:
        fam: dict[str, list[Policy]] = {}
        for p in self.policies.values():
            fam.setdefault(p.family, []).append(p)
        for versions in fam.values():
            versions.sort(key=lambda p: p.effective_from)
        return fam


def _check_references(policy: Policy, where: str) -> None:
    """Every clause a rule cites must be defined; the last grading row must be the default."""
    cited = [("scope", policy.scope.clause)]
    for group in ("distinctions", "exclusions", "conditions", "mitigations", "grading", "corrections"):
        cited += [(f"{group} {r.id}", r.clause) for r in getattr(policy, group)]
    if policy.procedure.clause:
        cited.append(("procedure", policy.procedure.clause))
    for what, clause in cited:
        if clause not in policy.clauses:
            raise PolicyError(f"{where}field {what}.clause: value {clause!r}: clause not defined")
    for g in policy.grading:
        for code in g.residual:
            if code not in catalogue():
                raise PolicyError(f"{where}field grading {g.id}.residual: value {code!r}: not in ftlib/data/handling.yaml "
                                  f"(known: {', '.join(catalogue())})")
    last = policy.grading[-1] if policy.grading else None
    if last is None or str(last.when).strip().lower() != "true":
        raise PolicyError(f"{where}field grading: the last row must be the default row (when: true)")


@lru_cache(maxsize=1)
def bundled() -> PolicySet:
    """The policies shipped in ``ftlib/data/policies`` (loaded once per process)."""
    return PolicySet.from_dir(DATA_DIR)
