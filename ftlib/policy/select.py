"""Which policy applies: most specific jurisdiction first, the version in force on the date."""

from __future__ import annotations

import datetime as dt

from ftlib.policy.loader import PolicyError, PolicySet
from ftlib.policy.schema import Policy


def jurisdiction_chain(code: str) -> list[str]:
    """``CN-HN-CS`` → ``["CN-HN-CS", "CN-HN", "CN"]``."""
    parts = code.split("-")
    return ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]


def in_force(policies: PolicySet, jurisdiction: str, day: dt.date) -> Policy | None:
    """The version in force on ``day`` for the most specific jurisdiction that has one."""
    by_jur: dict[str, list[Policy]] = {}
    for p in policies.policies.values():
        by_jur.setdefault(p.jurisdiction, []).append(p)
    for code in jurisdiction_chain(jurisdiction):
        hits = [p for p in by_jur.get(code, []) if p.in_force(day)]
        if hits:
            # Overlapping versions are a lint error; if present, the latest issued wins.
            return max(hits, key=lambda p: p.effective_from)
    return None


def version_in_force(policies: PolicySet, family: str, day: dt.date) -> Policy:
    """The version of ``family`` in force on ``day`` (for ``--policy FAMILY``)."""
    hits = [p for p in policies.families().get(family, []) if p.in_force(day)]
    if not hits:
        raise PolicyError(f"policy family {family!r}: no version in force on {day.isoformat()}")
    return max(hits, key=lambda p: p.effective_from)
