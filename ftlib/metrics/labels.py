"""zh/en labels for the metrics and charts, read from ``ftlib/metrics_labels.yaml``."""

from __future__ import annotations

from functools import lru_cache

import yaml

from ftlib.resources import data_path

LANGS = ("zh", "en")
LABELS = data_path("labels", "metrics_labels.yaml")


@lru_cache(maxsize=1)
def metric_labels() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    return {f"{group}.{key}": value for group, entries in data.items() for key, value in entries.items()}


def metric_label(key: str, lang: str = "zh") -> str:
    """Label of ``group.key`` in ``lang`` (``column.clearance_rate``, ``value.county``); unknown keys
    fall back to the key's last part, so a stage id the labels do not know is shown as is."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: use one of {', '.join(LANGS)}")
    entry = metric_labels().get(key)
    return entry[lang] if entry else key.rsplit(".", 1)[-1]
