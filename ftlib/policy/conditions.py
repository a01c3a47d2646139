"""The condition language: small boolean expressions over the fact vocabulary.

Examples: ``personal_gain or benefit_transfer``, ``consequence.severity <= "minor"``,
``scenario in ["emergency", "force_majeure"]``, ``not procedure.collective_decision``,
``consequence.loss_cny < 1000000``. Ordered enums compare by their declared order.
Names may also refer to derived predicates the engine supplies (``excluded``,
``condition.public_motive`` …).

Python's own parser reads the text (``ast.parse`` in eval mode); only the node types listed
here are accepted. A condition is compiled once into a tree that evaluates either one case
(returning the facts it read, for the trace) or a whole table of cases with numpy.

One case may hold unknown facts (``ftlib.facts.UNKNOWN``): it is then evaluated in three-valued
(Kleene) logic, ``None`` standing for "unknown" — ``false and unknown`` is false, ``true or
unknown`` is true, anything else touching an unknown is unknown. The engine decides such cases
by enumerating the unknown facts' values; this logic only writes the trace.
"""

# Imports inside functions: numpy only where a table is evaluated; one case stays plain Python (light kernels).

from __future__ import annotations

import ast
import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ftlib.errors import FtlibError
from ftlib.facts import CONDITION_FACTS, UNKNOWN, FactSpec
from ftlib.safeinput import excerpt, limits

if TYPE_CHECKING:  # numpy only where tables are evaluated: one case (a quiz kernel) never loads it
    import numpy as np


class ConditionError(FtlibError):
    """A condition that does not parse or does not type-check; one line for the user."""


_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_CMP_TEXT = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


class Node(ABC):
    kind: str  # "bool" | "enum" | "number" | "text"

    @abstractmethod
    def eval(self, facts: Mapping[str, Any], reads: dict[str, Any]) -> Any:
        """Value for one case; records every fact read into ``reads``."""

    @abstractmethod
    def vec(self, cols: Mapping[str, np.ndarray]) -> np.ndarray:
        """Values for a table of cases (columns as numpy arrays, enums as codes)."""

    def names(self) -> set[str]:
        return set()


@dataclass
class Const(Node):
    value: Any
    kind: str

    def eval(self, facts, reads):
        return self.value

    def vec(self, cols):
        return self.value


@dataclass
class Ref(Node):
    """A fact or a derived predicate. Enums evaluate to their index in the declared order."""

    name: str
    kind: str
    values: tuple[str, ...] = ()

    def eval(self, facts, reads):
        v = facts[self.name]
        if v is None or (isinstance(v, str) and v == UNKNOWN):
            reads[self.name] = UNKNOWN
            return None
        reads[self.name] = v
        if self.kind == "enum":
            return self.values.index(v)
        return v

    def vec(self, cols):
        return cols[self.name]

    def names(self):
        return {self.name}


@dataclass
class Not(Node):
    arg: Node
    kind: str = "bool"

    def eval(self, facts, reads):
        v = self.arg.eval(facts, reads)
        return None if v is None else not v

    def vec(self, cols):
        import numpy as np

        return ~np.asarray(self.arg.vec(cols), dtype=bool)

    def names(self):
        return self.arg.names()


@dataclass
class BoolOp(Node):
    is_and: bool
    args: list[Node]
    kind: str = "bool"

    def eval(self, facts, reads):
        # Evaluate every operand (no short-circuit) so the trace shows all facts a rule reads.
        results = [a.eval(facts, reads) for a in self.args]
        known = [bool(r) for r in results if r is not None]
        if self.is_and:
            return False if not all(known) else (None if len(known) < len(results) else True)
        return True if any(known) else (None if len(known) < len(results) else False)

    def vec(self, cols):
        import numpy as np

        op = np.logical_and if self.is_and else np.logical_or
        out = np.asarray(self.args[0].vec(cols), dtype=bool)
        for a in self.args[1:]:
            out = op(out, a.vec(cols))
        return out

    def names(self):
        return set().union(*(a.names() for a in self.args))


@dataclass
class Compare(Node):
    left: Node
    op: Callable[[Any, Any], Any]
    right: Node
    kind: str = "bool"

    def eval(self, facts, reads):
        a, b = self.left.eval(facts, reads), self.right.eval(facts, reads)
        return None if a is None or b is None else bool(self.op(a, b))

    def vec(self, cols):
        return self.op(self.left.vec(cols), self.right.vec(cols))

    def names(self):
        return self.left.names() | self.right.names()


@dataclass
class In(Node):
    left: Node
    options: tuple[Any, ...]
    negate: bool = False
    kind: str = "bool"

    def eval(self, facts, reads):
        v = self.left.eval(facts, reads)
        return None if v is None else (v in self.options) != self.negate

    def vec(self, cols):
        import numpy as np

        out = np.isin(self.left.vec(cols), np.array(self.options))
        return ~out if self.negate else out

    def names(self):
        return self.left.names()


@dataclass
class Condition:
    """A compiled condition with its source text."""

    text: str
    root: Node
    facts: set[str] = field(default_factory=set)

    def evaluate(self, facts: Mapping[str, Any]) -> tuple[bool | None, dict[str, Any]]:
        """(result, facts read); the result is None when unknown facts leave it open."""
        reads: dict[str, Any] = {}
        v = self.root.eval(facts, reads)
        return (None if v is None else bool(v)), reads

    def evaluate_frame(self, cols: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        import numpy as np

        out = self.root.vec(cols)
        if np.ndim(out) == 0:  # a constant condition such as ``true``
            return np.full(n, bool(out))
        return np.asarray(out, dtype=bool)


def compile_condition(
    text: str | bool, derived: Mapping[str, FactSpec] | None = None
) -> Condition:
    """Parse and type-check ``text``. ``derived`` names extra boolean predicates allowed."""
    if isinstance(text, bool):
        text = "true" if text else "false"
    if not isinstance(text, str) or not text.strip():
        raise ConditionError(f"condition {excerpt(text)}: empty")
    top = limits()["condition_chars"]
    if len(text) > top:   # before parsing: a 100,000-deep condition must not reach the parser
        raise ConditionError(f"condition {excerpt(text)}: longer than {top} characters; split it into named rules")
    known = dict(CONDITION_FACTS)
    known.update(derived or {})
    try:
        tree = ast.parse(text.strip(), mode="eval")
        root = _build(tree.body, text, known)
    except SyntaxError as err:
        raise ConditionError(f"condition {excerpt(text)}: syntax error at column {err.offset}") from None
    except (RecursionError, MemoryError):
        raise ConditionError(f"condition {excerpt(text)}: nested too deeply") from None
    if root.kind != "bool":
        raise ConditionError(f"condition {excerpt(text)}: is a {root.kind}, not a yes/no test")
    return Condition(text, root, root.names())


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _build(node: ast.AST, text: str, known: Mapping[str, FactSpec]) -> Node:
    def fail(why: str) -> ConditionError:
        return ConditionError(f"condition {excerpt(text)}: {why}")

    if isinstance(node, ast.BoolOp):
        args = [_build(v, text, known) for v in node.values]
        for a in args:
            if a.kind != "bool":
                raise fail(f"'{'and' if isinstance(node.op, ast.And) else 'or'}' needs yes/no operands")
        return BoolOp(isinstance(node.op, ast.And), args)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        arg = _build(node.operand, text, known)
        if arg.kind != "bool":
            raise fail("'not' needs a yes/no operand")
        return Not(arg)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _build(node.operand, text, known)
        if isinstance(inner, Const) and inner.kind == "number":
            return Const(-inner.value, "number")
        raise fail("'-' only before a number")
    if isinstance(node, ast.Compare):
        return _compare(node, text, known, fail)
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool):
            return Const(v, "bool")
        if isinstance(v, (int, float)):
            return Const(v, "number")
        if isinstance(v, str):
            return Const(v, "text")
        raise fail(f"unsupported constant {v!r}")
    name = _dotted(node)
    if name is not None:
        if name in ("true", "True"):
            return Const(True, "bool")
        if name in ("false", "False"):
            return Const(False, "bool")
        spec = known.get(name)
        if spec is None:
            raise fail(f"unknown fact {name!r}")
        return Ref(name, spec.kind, spec.values)
    raise fail(f"unsupported expression {ast.unparse(node)!r}")


def _literal_for(ref: Node, lit: Node, fail) -> Node:
    """Type-check a literal against the fact it is compared with; enums become indices."""
    if isinstance(ref, Ref) and ref.kind == "enum":
        if lit.kind != "text" or lit.value not in ref.values:
            raise fail(f"{ref.name} has no value {getattr(lit, 'value', lit)!r} (values: {', '.join(ref.values)})")
        return Const(ref.values.index(lit.value), "enum")
    if ref.kind != lit.kind and not (ref.kind == "number" and lit.kind == "number"):
        raise fail(f"cannot compare {ref.kind} {getattr(ref, 'name', '')!s} with {lit.kind} {getattr(lit, 'value', '')!r}")
    return lit


def _compare(node: ast.Compare, text: str, known, fail) -> Node:
    parts: list[Node] = []
    left = _build(node.left, text, known)
    for op, comp in zip(node.ops, node.comparators):
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(comp, (ast.List, ast.Tuple, ast.Set)):
                raise fail("'in' needs a list such as [\"a\", \"b\"]")
            opts = [_literal_for(left, _build(e, text, known), fail) for e in comp.elts]
            parts.append(In(left, tuple(o.value for o in opts), isinstance(op, ast.NotIn)))
        elif type(op) in _CMP:
            right = _build(comp, text, known)
            if isinstance(right, Const) and not isinstance(left, Const):
                right = _literal_for(left, right, fail)
            elif isinstance(left, Const) and not isinstance(right, Const):
                left = _literal_for(right, left, fail)
            elif left.kind != right.kind or getattr(left, "values", ()) != getattr(right, "values", ()):
                raise fail(f"cannot compare {getattr(left, 'name', left.kind)} with {getattr(right, 'name', right.kind)}")
            if left.kind == "bool" and type(op) not in (ast.Eq, ast.NotEq):
                raise fail(f"'{_CMP_TEXT[type(op)]}' does not order yes/no facts")
            parts.append(Compare(left, _CMP[type(op)], right))
            left = right
        else:
            raise fail(f"unsupported operator {type(op).__name__}")
    return parts[0] if len(parts) == 1 else BoolOp(True, parts)
