"""Which policy applies: most specific jurisdiction first, the version in force on the date."""

# Imports inside functions: numpy only where a table is evaluated; one case stays plain Python (light kernels).

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ftlib.policy.loader import PolicyError, PolicySet
from ftlib.policy.schema import Policy

if TYPE_CHECKING:  # numpy only for the day table of many cases
    import numpy as np


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


def day_table(policies: PolicySet, jurisdictions: list[str], first: dt.date, last: dt.date
              ) -> tuple[np.ndarray, list[Policy]]:
    """For many cases at once: ``table[j, d]`` is the index (into the returned list) of the
    policy :func:`in_force` gives for ``jurisdictions[j]`` on day ``first + d``, -1 for none.
    Filled per stretch between effective dates, so the work is per jurisdiction, not per day."""
    import numpy as np

    found: list[Policy] = []
    index: dict[str, int] = {}
    span = (last - first).days + 1
    table = np.full((len(jurisdictions), max(span, 0)), -1, dtype=np.int16)
    for j, code in enumerate(jurisdictions):
        chain = set(jurisdiction_chain(code))
        cuts = {first, last + dt.timedelta(days=1)}
        for p in policies.policies.values():
            if p.jurisdiction in chain:
                cuts.add(p.effective_from)
                if p.effective_to is not None:
                    cuts.add(p.effective_to + dt.timedelta(days=1))
        starts = sorted(c for c in cuts if first <= c <= last + dt.timedelta(days=1))
        for a, b in zip(starts, starts[1:]):
            p = in_force(policies, code, a)
            if p is not None:
                k = index.setdefault(p.id, len(found))
                if k == len(found):
                    found.append(p)
                table[j, (a - first).days:(b - first).days] = k
    return table, found
