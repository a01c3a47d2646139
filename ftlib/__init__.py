"""ftlib: the cadre fault-tolerance and error-correction mechanism (容错纠错机制) as software."""

from ftlib.engine import Determination, compare, determine, determine_frame
from ftlib.facts import Case, FactError, case_from_dict, load_case
from ftlib.policy.loader import PolicyError, PolicySet, bundled

__all__ = [
    "Case", "Determination", "FactError", "PolicyError", "PolicySet", "bundled", "case_from_dict",
    "compare", "determine", "determine_frame", "load_case",
]
__version__ = "0.1.0"
