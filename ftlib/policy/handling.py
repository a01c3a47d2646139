"""The residual-handling catalogue (``ftlib/data/handling.yaml``): what remains after a tolerance
decision (批评教育, 诫勉, a sanction grade …) and the impact period each carries."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ftlib.resources import read_yaml


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    return read_yaml("handling.yaml")


def impact_period(codes: Iterable[str]) -> int | None:
    """The impact period (months) of a set of residual handlings: the longest of them; 0 with
    none; None when one of them has no period in the catalogue (the deciding body sets it)."""
    months = 0
    for code in codes:
        m = catalogue()[code].get("impact_period_months")
        if m is None:
            return None
        months = max(months, int(m))
    return months
