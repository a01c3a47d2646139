"""ftlib: the cadre fault-tolerance and error-correction mechanism (容错纠错机制) as software."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ftlib.engine import Determination, compare, determine, determine_frame
    from ftlib.facts import Case, FactError, case_from_dict, load_case
    from ftlib.policy.loader import PolicyError, PolicySet, bundled

# Public names resolve on first use (PEP 562): a dashboard kernel that only shows a stored page
# imports ``ftlib.reports.pagecache`` without paying for pandas and the engine.
_PUBLIC = {
    "Determination": "ftlib.engine", "compare": "ftlib.engine", "determine": "ftlib.engine",
    "determine_frame": "ftlib.engine", "Case": "ftlib.facts", "FactError": "ftlib.facts",
    "case_from_dict": "ftlib.facts", "load_case": "ftlib.facts", "PolicyError": "ftlib.policy.loader",
    "PolicySet": "ftlib.policy.loader", "bundled": "ftlib.policy.loader",
}
__all__ = [
    "Case", "Determination", "FactError", "PolicyError", "PolicySet", "bundled", "case_from_dict",
    "compare", "determine", "determine_frame", "load_case",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ftlib' has no attribute {name!r}")
