"""Metrics of how the mechanism is used (issue 4): intake, clearance, outcomes, time limits, appeals,
agreement with the engine, corrections, follow-ups, clarifications, ex-ante registration, fairness and
careers, per region (with sub-regions) × period. Modelled on the courts' CourTools measures.

    from ftlib.metrics import RegisterFrames, compute
    tables = compute(RegisterFrames(cases=..., regions=...), "CN-DM", ["2025Q1", "2025Q2"])

Definitions: ``docs/metrics.md``. Labels: ``metric_label``.
"""

from ftlib.metrics.catalogue import GROUPS, METHODS, Metrics, as_periods, compute, quarter_range
from ftlib.metrics.frames import (
    CONTRACT,
    DETERMINATIONS,
    DISPOSITIONS,
    OPTIONAL,
    TOLERATED_PARTS,
    FramesError,
    RegisterFrames,
    empty,
)
from ftlib.metrics.labels import metric_label
from ftlib.vocabulary import CHANNELS, RANKS

__all__ = ["CHANNELS", "CONTRACT", "DETERMINATIONS", "DISPOSITIONS", "GROUPS", "METHODS", "OPTIONAL", "RANKS",
           "TOLERATED_PARTS",
           "FramesError", "Metrics", "RegisterFrames", "as_periods", "compute", "empty", "metric_label",
           "quarter_range"]
