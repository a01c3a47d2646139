"""The input of the metrics: the register as a bundle of pandas DataFrames (the column contract).

The register adapter produces these frames; nothing in ``ftlib.metrics`` reads the database.
Dates are ``datetime64`` columns (any unit) or ``datetime.date`` objects; a missing date is ``NaT``.
Booleans may be nullable (``pd.NA`` = not known).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from ftlib.errors import FtlibError
from ftlib.vocabulary import CASE_ENDINGS, CHANNELS, OUTCOME_OF, OUTCOMES

#: Determinations on the merits (the policy's outcomes).
DETERMINATIONS: tuple[str, ...] = OUTCOMES
#: Every way a case leaves the pending caseload: a determination, or closed without one.
DISPOSITIONS: tuple[str, ...] = CASE_ENDINGS

#: The finer counts of the tolerated (issue 11; 湖北 counts 免责 and 减责 apart): each outcome's
#: dispositions and a "not recorded" part for decisions without one (migration 0004), in the
#: order the reports stack them. (outcome, disposition or None) per measure ``disp_<name>``.
TOLERATED_PARTS: dict[str, tuple[str, str | None]] = {
    "not_accountable": ("exempt", "not_accountable"), "exempted": ("exempt", "exempted"),
    "exempt_unrecorded": ("exempt", None),
    "reduced": ("mitigated", "reduced"), "lighter": ("mitigated", "lighter"),
    "mitigated_unrecorded": ("mitigated", None),
}

#: Columns a frame may carry (absent: every value unknown). ``docs/metrics.md`` lists them too.
OPTIONAL: dict[str, dict[str, str]] = {
    "cases": {"disposition": "the decision's disposition (not_accountable | exempted | lighter | reduced | "
                             "not_tolerated | out_of_scope), one of its outcome's; NA = not recorded"},
}

#: frame name -> {column: meaning}. ``docs/metrics.md`` repeats this table.
CONTRACT: dict[str, dict[str, str]] = {
    "cases": {
        "case_id": "unique id of the case (int or str)",
        "region": "region code of the case (CN-DM-BR...); must be listed in `regions`",
        "cadre_id": "pseudonymous cadre id (never a name or ID-card number)",
        "channel": "cadre_application | unit_application | ex_officio",
        "received": "date the application was received or the ex officio case opened (start)",
        "decided": "date the case left the pending caseload (decision, non-acceptance, withdrawal); NaT = pending",
        "outcome": "exempt | mitigated | not_tolerated | out_of_scope | not_accepted | withdrawn; NA while pending",
        "recommended": "engine outcome at decision time (exempt | mitigated | not_tolerated | out_of_scope); NA = none",
        "decision_body": "id of the body that decided (e.g. standing_committee, joint_meeting)",
        "departure_reason": "reason recorded when outcome != recommended; NA otherwise",
        "rank": "village | township | county | prefecture | province",
        "top_leader": "bool, the cadre is the unit's top leader (一把手)",
        "exante_registered": "bool, the work was registered beforehand (容错报备)",
    },
    "stages": {
        "case_id": "case the stage belongs to",
        "stage": "stage id from the policy's procedure.time_limits_working_days (acceptance, investigation ...)",
        "started": "date the stage started",
        "finished": "date the stage finished; NaT = open",
        "limit_working_days": "the policy's time limit for this stage (int; NA = no limit)",
    },
    "appeals": {
        "case_id": "case appealed (申诉/复核)",
        "filed": "date filed",
        "decided": "date decided; NaT = pending",
        "overturned": "bool, the decision was changed on appeal; NA while pending",
    },
    "corrections": {
        "case_id": "case the correction (纠错措施) belongs to",
        "due": "deadline (start + the policy's time_limit_working_days, computed by the adapter)",
        "completed": "date completed; NaT = not completed",
    },
    "followups": {
        "case_id": "case whose cadre is visited (跟踪回访)",
        "due": "end of the policy's follow-up window (decision + follow_up_visit_within_working_days)",
        "visited": "date of the visit; NaT = not visited",
    },
    "clarifications": {
        "region": "region code",
        "accused_on": "date the (untrue) accusation was received",
        "cleared_on": "date the cadre was cleared (澄清正名); NaT = not yet",
        "method": "meeting | written_notice | circular | media | other",
        "accuser_referred": "bool, the false accuser was dealt with or referred",
    },
    "registrations": {
        "region": "region code",
        "registered_on": "date of the ex-ante registration (容错报备)",
    },
    "regions": {
        "code": "region code",
        "parent": "parent code; NA for the top",
        "name_zh": "name in Chinese",
        "name_en": "name in English",
    },
    "headcount": {
        "region": "region code",
        "year": "calendar year (int)",
        "cadres": "cadres managed at this region's own level, NOT including sub-regions (summed on roll-up)",
    },
    "careers": {
        "cadre_id": "pseudonymous cadre id",
        "case_id": "the case in which the cadre was tolerated (exempt or mitigated)",
        "impact_end": "end of the impact period (影响期)",
        "evaluated_normally": "bool: evaluated normally (考核) after the impact period; NA = not known",
        "promoted": "bool: promoted or used normally after the impact period; NA = not known",
    },
}

_DATES = {"received", "decided", "started", "finished", "filed", "due", "completed", "visited",
          "accused_on", "cleared_on", "registered_on", "impact_end"}


def empty(name: str) -> pd.DataFrame:
    """An empty frame with the contract's columns (dates typed as datetime64)."""
    return pd.DataFrame({c: pd.Series([], dtype="datetime64[ns]" if c in _DATES else "object")
                         for c in CONTRACT[name]})


class FramesError(FtlibError):
    """A register frame that does not follow the column contract."""


@dataclass(frozen=True)
class RegisterFrames:
    """The register as DataFrames. Required columns per frame (extra columns are ignored):

    - ``cases``: case_id, region, cadre_id, channel, received, decided, outcome, recommended,
      decision_body, departure_reason, rank, top_leader, exante_registered
    - ``stages``: case_id, stage, started, finished, limit_working_days
    - ``appeals``: case_id, filed, decided, overturned
    - ``corrections``: case_id, due, completed
    - ``followups``: case_id, due, visited
    - ``clarifications``: region, accused_on, cleared_on, method, accuser_referred
    - ``registrations``: region, registered_on
    - ``regions``: code, parent, name_zh, name_en
    - ``headcount``: region, year, cadres (own level, not including sub-regions)
    - ``careers``: cadre_id, case_id, impact_end, evaluated_normally, promoted

    Frames keyed by ``case_id`` may also carry a ``region`` column; it is then used as is
    (faster on large registers) instead of being looked up in ``cases``.
    See ``CONTRACT`` and ``docs/metrics.md`` for the meaning of every column.
    """

    cases: pd.DataFrame
    regions: pd.DataFrame
    stages: pd.DataFrame = field(default_factory=lambda: empty("stages"))
    appeals: pd.DataFrame = field(default_factory=lambda: empty("appeals"))
    corrections: pd.DataFrame = field(default_factory=lambda: empty("corrections"))
    followups: pd.DataFrame = field(default_factory=lambda: empty("followups"))
    clarifications: pd.DataFrame = field(default_factory=lambda: empty("clarifications"))
    registrations: pd.DataFrame = field(default_factory=lambda: empty("registrations"))
    headcount: pd.DataFrame = field(default_factory=lambda: empty("headcount"))
    careers: pd.DataFrame = field(default_factory=lambda: empty("careers"))
    #: About the data, not part of the contract: ``snapshot_at`` (ISO time the register was read)
    #: and ``synthetic`` (generated by ``ftlib synth``), shown on every page built from it.
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "meta":
                continue
            frame = getattr(self, f.name)
            if not isinstance(frame, pd.DataFrame):
                raise FramesError(f"{f.name}: expected a pandas DataFrame, got {type(frame).__name__}")
            missing = [c for c in CONTRACT[f.name] if c not in frame.columns]
            if missing:
                raise FramesError(f"{f.name}: missing column(s) {', '.join(missing)}")
        bad = set(self.cases["channel"].dropna().unique()) - set(CHANNELS)
        if bad:
            raise FramesError(f"cases.channel: unknown value(s) {sorted(map(str, bad))}; use {', '.join(CHANNELS)}")
        bad = set(self.cases["outcome"].dropna().unique()) - set(DISPOSITIONS)
        if bad:
            raise FramesError(f"cases.outcome: unknown value(s) {sorted(map(str, bad))}; use {', '.join(DISPOSITIONS)}")
        if "disposition" in self.cases.columns:
            _check_dispositions(self.cases)
        known = set(self.regions["code"])
        for name in ("cases", "clarifications", "registrations", "headcount"):
            unknown = set(getattr(self, name)["region"].dropna().unique()) - known
            if unknown:
                raise FramesError(f"{name}.region: not in regions: {', '.join(sorted(map(str, unknown))[:10])}")
        if self.cases["case_id"].duplicated().any():
            raise FramesError("cases.case_id: duplicated ids")


def _check_dispositions(cases: pd.DataFrame) -> None:
    """A disposition must be one of its outcome's (免予问责 only on an exempt case)."""
    disp = cases["disposition"].astype(object)
    given = disp.notna()
    if not given.any():
        return
    implied = disp[given].map(OUTCOME_OF)
    bad = implied.isna() | (implied == "undetermined") | (implied != cases.loc[given, "outcome"].astype(object))
    if bad.any():
        i = bad[bad].index[0]
        raise FramesError(f"cases.disposition: value {disp[i]!r} of case {cases.at[i, 'case_id']}: not a "
                          f"disposition of its outcome {cases.at[i, 'outcome']!r}")
