"""The words every layer of ftlib shares: outcomes, dispositions, tracks, channels, ranks,
clarification methods, what "tolerated" means, and the yes/no spellings accepted on input.

This is the lowest layer (see ``docs/architecture.md``): it imports nothing from ftlib, and every
other module takes these names from here instead of declaring its own tuple. Their zh/en labels
live in the one label catalogue (``ftlib/data/labels/labels.yaml``, read by ``ftlib.i18n``):
``outcome.<id>``, ``disposition.<id>``, ``track.<id>``, ``value.<id>``.

The yes/no spellings are one table, used for YAML and JSON case files, CSV and xlsx imports and
DataFrame columns alike: ``parse_yes_no`` reads one value; column-wise converters build on
``YES_NO`` so that they accept exactly the same spellings.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal

# -- outcomes and dispositions ------------------------------------------------------------------

#: A determination whose unknown facts could still change it (decided by no grading row).
UNDETERMINED = "undetermined"

#: The coarse class of a determination a grading row can give, in this (index) order everywhere.
OUTCOMES: tuple[str, ...] = ("exempt", "mitigated", "not_tolerated", "out_of_scope")
Outcome = Literal["exempt", "mitigated", "not_tolerated", "out_of_scope"]
#: Every outcome a determination can report: the graded ones, then ``undetermined``.
ALL_OUTCOMES: tuple[str, ...] = (*OUTCOMES, UNDETERMINED)
#: The outcomes in which the cadre is tolerated (容错): exempted from or lighter in accountability.
TOLERATED: tuple[str, ...] = ("exempt", "mitigated")

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

#: The disposition a grading row (or a stored decision) that gives only an outcome stands for:
#: the documented mapping for policy files and register rows written before dispositions existed.
#: ``exempt`` and ``mitigated`` never named one disposition (their labels were 免责 and 减责, each
#: covering two); the mapping takes the less lenient of each pair (``DISPOSITION_LENIENCY``:
#: 免予问责 below 不予问责, 从轻 below 减轻), so that an old row is never read as more favourable to
#: the cadre than it said — 不予问责 and 减轻 must be stated.
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

#: The track a tolerance decision sits on: 问责, 党纪处分, 政务处分, 组织处理.
TRACKS: tuple[str, ...] = ("accountability", "party_discipline", "government_sanction", "organisational")
Track = Literal["accountability", "party_discipline", "government_sanction", "organisational"]

#: Who the subject of a case is: a cadre, or a Party organisation / unit / department.
SUBJECT_KINDS: tuple[str, ...] = ("person", "organisation")
SubjectKind = Literal["person", "organisation"]

#: Status of a clause, a grading row or a policy: a real text's rule, our reading, or both.
STATUSES: tuple[str, ...] = ("official", "illustrative", "mixed")

#: How a case leaves a register's pending caseload: a determination, or closed without one.
CASE_ENDINGS: tuple[str, ...] = (*OUTCOMES, "not_accepted", "withdrawn")


# -- the register's words ------------------------------------------------------------------------

#: How a case reaches the commission: the cadre applies, the unit applies, or ex officio.
CHANNELS: tuple[str, ...] = ("cadre_application", "unit_application", "ex_officio")
#: Where a clue about a cadre comes from.
CLUE_SOURCES: tuple[str, ...] = ("audit", "petition", "inspection")
#: How a wrongly accused cadre's name is cleared (澄清正名).
CLARIFY_METHODS: tuple[str, ...] = ("meeting", "written_notice", "circular", "media")
#: The methods metrics report on: the register's, and ``other`` for imported data that names another.
REPORTED_METHODS: tuple[str, ...] = (*CLARIFY_METHODS, "other")
#: Where a false accuser is referred.
REFERRALS: tuple[str, ...] = ("police", "discipline_commission")
#: A cadre's rank, lowest first (the order facts, metrics and charts use).
RANKS: tuple[str, ...] = ("village", "township", "county", "prefecture", "province")

# -- yes / no ------------------------------------------------------------------------------------

#: Spellings of yes and of no, compared after ``strip().lower()`` (so ``YES``, ``True``, ``TRUE`` too).
YES: tuple[str, ...] = ("是", "yes", "y", "true", "t", "1", "✓", "✔")
NO: tuple[str, ...] = ("否", "no", "n", "false", "f", "0", "✗", "✘")
#: Lower-cased spelling → value; the table every yes/no converter uses.
YES_NO: dict[str, bool] = {**dict.fromkeys(YES, True), **dict.fromkeys(NO, False)}
#: How error messages name the accepted spellings.
YES_NO_HINT = "是/否, yes/no, true/false, 1/0, ✓/✗"


def parse_yes_no(value: Any) -> bool | None:
    """``value`` as a bool when it is a yes/no spelling (a bool, the number 1 or 0, or one of
    ``YES``/``NO`` in any case, surrounding blanks ignored); ``None`` when it is not one, so the
    caller names the file, row and field in its own error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        try:
            return {1: True, 0: False}.get(value)  # 1.0 == 1 hashes alike; numpy numbers too
        except TypeError:  # unhashable number-like
            return None
    if isinstance(value, str):
        return YES_NO.get(value.strip().lower())
    text = str(value)  # e.g. numpy.bool_, which is no bool subclass: "True" / "False"
    return YES_NO.get(text.strip().lower()) if text in ("True", "False") else None
