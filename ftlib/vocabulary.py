"""The closed vocabularies every layer speaks: outcomes, dispositions, tracks, handling.

Nothing here imports from ftlib, so facts, policy, engine, register and metrics can all read it.
Labels (zh/en) live in ``ftlib/data/labels/labels.yaml`` under the same keys
(``outcome.<o>``, ``disposition.<d>``, ``track.<t>``, ``handling.<h>``); the impact period
of each residual handling is data too (``ftlib/data/handling.yaml``).
"""

from __future__ import annotations

from typing import Literal

#: A determination whose unknown facts could still change it (decided by no grading row).
UNDETERMINED = "undetermined"

#: The coarse class of a determination a grading row can give (what the first version decided).
OUTCOMES: tuple[str, ...] = ("exempt", "mitigated", "not_tolerated", "out_of_scope")
Outcome = Literal["exempt", "mitigated", "not_tolerated", "out_of_scope"]

#: The disposition the texts name (问责条例 Art. 17/18, 纪律处分条例 从轻/减轻): 不予问责 (no
#: accountability pursued) is not 免予问责 (fault found, accountability waived); 从轻 (lighter
#: within the prescribed range) is not 减轻 (below it, e.g. one sanction grade lower).
#: The dispositions a grading row can give, in this order (the register and charts keep it).
DISPOSITIONS: tuple[str, ...] = ("not_accountable", "exempted", "lighter", "reduced",
                                 "not_tolerated", "out_of_scope")
Disposition = Literal["not_accountable", "exempted", "lighter", "reduced", "not_tolerated", "out_of_scope"]
#: Every disposition a determination can carry, ``undetermined`` included.
ALL_DISPOSITIONS: tuple[str, ...] = (*DISPOSITIONS, UNDETERMINED)

#: The outcome class each disposition belongs to.
OUTCOME_OF: dict[str, str] = {
    "not_accountable": "exempt", "exempted": "exempt",
    "lighter": "mitigated", "reduced": "mitigated",
    "not_tolerated": "not_tolerated", "out_of_scope": "out_of_scope", "undetermined": "undetermined",
}

#: The disposition a grading row (or a stored decision) that gives only an outcome stands for.
#: This is the documented mapping for policy files and register rows written before
#: dispositions existed (docs/register.md): 免予问责 and 从轻 are what ``exempt`` and
#: ``mitigated`` were labelled as.
DEFAULT_DISPOSITION: dict[str, str] = {
    "exempt": "exempted", "mitigated": "lighter",
    "not_tolerated": "not_tolerated", "out_of_scope": "out_of_scope", "undetermined": "undetermined",
}

#: How favourable an outcome is to the cadre (从旧兼从轻 compares these).
LENIENCY: dict[str, int] = {"exempt": 2, "mitigated": 1, "not_tolerated": 0, "out_of_scope": 0, "undetermined": 0}
#: The same, finer: no accountability beats a waived one; below the range beats within it.
DISPOSITION_LENIENCY: dict[str, int] = {
    "not_accountable": 5, "exempted": 4, "reduced": 3, "lighter": 2,
    "not_tolerated": 0, "out_of_scope": 0, "undetermined": 0,
}

#: The track a tolerance decision sits on (DOMAIN.md §8): 问责, 党纪处分, 政务处分, 组织处理.
TRACKS: tuple[str, ...] = ("accountability", "party_discipline", "government_sanction", "organisational")
Track = Literal["accountability", "party_discipline", "government_sanction", "organisational"]

#: Who the subject of a case is: a cadre, or a Party organisation / unit / department.
SUBJECT_KINDS: tuple[str, ...] = ("person", "organisation")
SubjectKind = Literal["person", "organisation"]

#: Status of a clause, a grading row or a policy: a real text's rule, our reading, or both.
STATUSES: tuple[str, ...] = ("official", "illustrative", "mixed")
