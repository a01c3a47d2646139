"""zh/en labels of the metrics and charts: the catalogue's ``metrics`` namespace
(``ftlib/data/labels/metrics_labels.yaml``), looked up by ``ftlib.i18n.label``."""

from __future__ import annotations

from ftlib.i18n import label


def metric_label(key: str, lang: str = "zh") -> str:
    """``metrics.<group>.<key>`` in ``lang`` (``column.clearance_rate``, ``value.county``); an
    unknown key shows its id (the catalogue's one fallback), so a stage id is shown as is."""
    return label(f"metrics.{key}", lang)
