"""A policy evaluated on bit-packed columns: 64 cases per machine word (issue 14.3).

Each yes/no input (a fact, or a comparison such as ``consequence.severity <= "serious"``) is
computed once per call on the fact's own column and packed to one bit per case
(``np.packbits``); every rule, aggregate and grading row is then a handful of bitwise
operations on words, an eighth of the bytes of a boolean array. Only the inputs are read
case by case, once, and only the result (deciding row and outcome) is unpacked — so the cost
approaches one streaming read of the columns the policy reads.

The packed inputs are shared across the policies evaluated in one call (``Inputs``), so a
register under several policies packs each column once. The result agrees with
:meth:`CompiledPolicy.run` by construction of the same condition trees; the property test
checks it.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import numpy as np

from ftlib.facts import CONDITION_FACTS
from ftlib.policy.compiled import CompiledPolicy
from ftlib.policy.conditions import BoolOp, Compare, ConditionError, Const, In, Node, Not, Ref
from ftlib.vocabulary import ALL_DISPOSITIONS, DISPOSITION_LENIENCY, OUTCOMES

Bits = Any  # a packed uint64 array (a bool array for small tables), or a Python bool for a constant
#: Below this many cases, bits stay one per byte (boolean arrays).
PLAIN_BELOW = 2048


class Inputs:
    """The packed inputs of one call: fact columns and comparisons, each packed once."""

    def __init__(self, cols: Mapping[str, np.ndarray], n: int, scratch: np.ndarray | None = None) -> None:
        self.cols = cols
        if scratch is not None:  # the caller's buffer of n booleans, shared by its stretches
            self._scratch = scratch
        self.n = n
        self.nbytes = (n + 7) // 8
        self.words = (self.nbytes + 7) // 8
        self.memo: dict[Any, np.ndarray] = {}
        # Small tables: the same algebra on boolean arrays (``~`` is logical not there), which
        # saves packing and unpacking where the per-call cost, not the bytes, dominates.
        self.plain = n < PLAIN_BELOW
        if self.plain:
            self.valid = np.ones(n, dtype=bool)
            return
        # Bits in numpy's default (big) order within each byte: packbits and unpackbits run ~15 %
        # faster so than in little order. Case i is bit 7 - i % 8 of byte i // 8.
        valid = np.zeros(self.words * 8, dtype=np.uint8)
        valid[:n // 8] = 0xFF
        if n % 8:
            valid[n // 8] = (0xFF << (8 - n % 8)) & 0xFF
        self.valid = valid.view(np.uint64)

    def pack(self, mask: np.ndarray) -> np.ndarray:
        if self.plain:
            return mask
        p = np.packbits(mask)  # any nonzero byte is a 1: int8 codes pack as "code != 0"
        if len(p) != self.words * 8:  # pad to whole words (the padding bits are 0)
            p = np.concatenate([p, np.zeros(self.words * 8 - len(p), dtype=np.uint8)])
        return p.view(np.uint64)

    def fact(self, name: str) -> np.ndarray:
        key = ("fact", name)
        if key not in self.memo:
            self.memo[key] = self.pack(np.asarray(self.cols[name], dtype=bool))
        return self.memo[key]

    def fold(self, is_and: bool, names: tuple[str, ...]) -> np.ndarray:
        """The and (or the or) of several yes/no fact columns, packed: folded byte by byte into
        the scratch buffer as the columns are read, then packed once — a packbits per fact
        costs more than a byte-wide and/or, and the packed operations between them go too."""
        key = ("fold", is_and, names)
        if key not in self.memo:
            ufunc = np.bitwise_and if is_and else np.bitwise_or
            cols = [np.asarray(self.cols[name], dtype=bool) for name in names]
            buf = self.scratch()
            ufunc(cols[0], cols[1], out=buf)
            for col in cols[2:]:
                ufunc(buf, col, out=buf)
            self.memo[key] = self.pack(buf)
        return self.memo[key]

    def test(self, key: Any, compute) -> np.ndarray:
        if key not in self.memo:
            self.memo[key] = self.pack(compute())
        return self.memo[key]

    def scratch(self) -> np.ndarray:
        """A boolean array of n cases for a comparison's result, packed at once: one buffer for
        the whole call instead of a fresh allocation per input (which costs as much as the
        comparison)."""
        buf = self.__dict__.get("_scratch")
        if buf is None:
            buf = self._scratch = np.empty(self.n, dtype=bool)
        return buf

    def unpack(self, bits: Bits) -> np.ndarray:
        if isinstance(bits, bool):
            return np.full(self.n, bits)
        if self.plain:
            return bits.copy()
        return np.unpackbits(bits.view(np.uint8), count=self.n).view(bool)


def _not(x: Bits) -> Bits:
    return (not x) if isinstance(x, bool) else ~x


def _fold(xs: list[Bits], ufunc, absorbing: bool) -> Bits:
    """``ufunc`` (bitwise and/or) over ``xs``; a plain ``absorbing`` bool decides at once.
    One loop, no intermediate lists: on small tables these calls are most of the cost. The
    result may be one of ``xs`` itself (a single array operand is not copied): bits are never
    modified in place once made, except by the function that allocated them."""
    first = out = None
    for x in xs:
        if isinstance(x, bool):
            if x is absorbing:
                return absorbing
        elif first is None:
            first = x
        elif out is None:
            out = ufunc(first, x)
        else:
            ufunc(out, x, out=out)
    if out is not None:
        return out
    return (not absorbing) if first is None else first


def _and(xs: list[Bits]) -> Bits:
    return _fold(xs, np.bitwise_and, False)


def _or(xs: list[Bits]) -> Bits:
    return _fold(xs, np.bitwise_or, True)


_UFUNCS = {operator.eq: np.equal, operator.ne: np.not_equal, operator.lt: np.less, operator.le: np.less_equal,
           operator.gt: np.greater, operator.ge: np.greater_equal}
_OPS = {operator.eq: "==", operator.ne: "!=", operator.lt: "<", operator.le: "<=", operator.gt: ">", operator.ge: ">="}


def _in_mask(col: np.ndarray, options: tuple[Any, ...]) -> np.ndarray:
    """``col in options`` without np.isin (which sorts): a range test when the options are
    consecutive codes, else one equality per option."""
    opts = sorted(set(options))
    if all(isinstance(o, (int, np.integer)) for o in opts) and opts and opts[-1] - opts[0] == len(opts) - 1:
        if len(opts) == 1:
            return col == opts[0]
        return (col >= opts[0]) & (col <= opts[-1])
    out = col == opts[0] if opts else np.zeros(len(col), dtype=bool)
    for o in opts[1:]:
        out |= col == o
    return out


Evaluator = Any  # (env, inputs) -> Bits


def compile_bits(node: Node) -> Evaluator:
    """A boolean node as a closure ``(env, inputs) -> packed bits (or a constant)``, the tree
    walked once: a small call is dominated by the walk (type tests per node), not by the arrays."""
    if isinstance(node, Const):
        v = bool(node.value)
        return lambda env, inp: v
    if isinstance(node, Ref):
        name = node.name
        return lambda env, inp: env[name] if name in env else inp.fact(name)
    if isinstance(node, Not):
        f = compile_bits(node.arg)
        return lambda env, inp: _not(f(env, inp))
    if isinstance(node, BoolOp):
        fs = [compile_bits(a) for a in node.args]
        combine = _and if node.is_and else _or
        facts = tuple(sorted({a.name for a in node.args if _is_fact(a)}))
        if len(facts) < 2:
            return lambda env, inp: combine([f(env, inp) for f in fs])
        rest = [compile_bits(a) for a in node.args if not _is_fact(a)]
        is_and = node.is_and

        def fused(env: Mapping[str, Bits], inp: Inputs) -> Bits:
            if inp.plain or any(name in env for name in facts):
                return combine([f(env, inp) for f in fs])
            return combine([inp.fold(is_and, facts), *(f(env, inp) for f in rest)])
        return fused
    found = _enum_set(node)
    if found is not None:
        return _enum_test(*found)
    if isinstance(node, Compare):
        if node.left.kind == "bool" and node.right.kind == "bool":
            fa, fb = compile_bits(node.left), compile_bits(node.right)
            eq = node.op is operator.eq

            def same_bits(env: Mapping[str, Bits], inp: Inputs) -> Bits:
                a, b = fa(env, inp), fb(env, inp)
                if isinstance(a, bool) and isinstance(b, bool):
                    same: Bits = a == b
                elif isinstance(a, bool) or isinstance(b, bool):
                    const, other = (a, b) if isinstance(a, bool) else (b, a)
                    same = other if const else _not(other)
                else:
                    same = ~(a ^ b)
                return same if eq else _not(same)
            return same_bits
        left, right = _compile_raw(node.left), _compile_raw(node.right)
        key = ("cmp", _name(node.left), _OPS[node.op], _name(node.right))
        op = node.op
        ufunc = _UFUNCS[op]

        def compute(a: Any, b: Any, inp: Inputs) -> np.ndarray:
            if isinstance(a, np.ndarray) and len(a) == inp.n and not inp.plain:
                return ufunc(a, b, out=inp.scratch())   # packed at once: the buffer is free again
            return np.asarray(op(a, b), dtype=bool)

        def compare(env: Mapping[str, Bits], inp: Inputs) -> Bits:
            a, b = left(inp), right(inp)
            return inp.test(key, lambda: compute(a, b, inp))
        return compare
    if isinstance(node, In):
        col_of = _compile_raw(node.left)
        key = ("in", _name(node.left), node.options)
        options, negate = node.options, node.negate

        def member(env: Mapping[str, Bits], inp: Inputs) -> Bits:
            col = col_of(inp)
            got = inp.test(key, lambda: _in_mask(np.asarray(col), options))
            return _not(got) if negate else got
        return member
    raise ConditionError(f"cannot evaluate {type(node).__name__} on packed columns")


def _is_fact(node: Node) -> bool:
    """A yes/no fact of the case itself (not a rule's derived result)."""
    return isinstance(node, Ref) and node.kind == "bool" and node.name in CONDITION_FACTS


def _enum_set(node: Node) -> tuple[str, int, frozenset[int]] | None:
    """An enum fact compared with a value, or tested for membership, as (fact, number of
    values, the codes the test accepts); None for any other node."""
    if isinstance(node, Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(left, Ref) and left.kind == "enum" and isinstance(right, Const):
            k = len(left.values)
            return left.name, k, frozenset(c for c in range(k) if op(c, right.value))
        if isinstance(right, Ref) and right.kind == "enum" and isinstance(left, Const):
            k = len(right.values)
            return right.name, k, frozenset(c for c in range(k) if op(left.value, c))
    if isinstance(node, In) and isinstance(node.left, Ref) and node.left.kind == "enum":
        k = len(node.left.values)
        return node.left.name, k, frozenset(c for c in range(k) if (c in node.options) != node.negate)
    return None


def _enum_test(name: str, k: int, accepted: frozenset[int]) -> Evaluator:
    """An enum test in its cheapest form. The codes of a converted column are the values'
    indices, 0 ≤ code < k, so a test is a set of codes, and bounds every code meets are not
    tested: ``scenario in [8 of 9 values]`` is ``scenario != "routine"``. The forms, by cost:
    the codes packed as they are (``code != 0``: packbits takes any nonzero byte as 1), one
    equality, one ``>=`` (numpy's ``<=`` against a scalar runs ~2× slower than its ``>=``), one
    bitwise and with a power of two, else one equality per code. A set and its complement share
    one packed input (the other is its negation), so ``severity <= "serious"`` reuses
    ``severity == "major"``."""
    everything = frozenset(range(k))
    if not accepted or accepted == everything:
        v = bool(accepted)
        return lambda env, inp: v
    rejected = everything - accepted

    def form(s: frozenset[int]) -> tuple[Any, Any] | None:
        if s == everything - {0}:
            return ("nonzero", name), lambda col, buf: col
        if len(s) == 1:
            (v,) = s
            return ("eq", name, v), lambda col, buf: np.equal(col, col.dtype.type(v), out=buf)
        lo = min(s)
        if s == frozenset(range(lo, k)):
            return ("ge", name, lo), lambda col, buf: np.greater_equal(col, col.dtype.type(lo), out=buf)
        for b in range(max(k - 1, 1).bit_length()):
            if s == frozenset(c for c in everything if c >> b & 1):
                m = 1 << b
                return ("bit", name, b), lambda col, buf, m=m: np.bitwise_and(
                    col, col.dtype.type(m), out=None if buf is None else buf.view(col.dtype))
        return None

    # try the accepted set, then its complement (negated), in order of cost
    negate, chosen = False, None
    for kind in ("nonzero", "eq", "ge", "bit"):
        for neg, s in ((False, accepted), (True, rejected)):
            f = form(s)
            if f is not None and f[0][0] == kind:
                negate, chosen = neg, f
                break
        if chosen is not None:
            break
    if chosen is None:  # one equality per code of the smaller side
        negate = len(rejected) < len(accepted)
        side = tuple(sorted(rejected if negate else accepted))
        chosen = ("in", name, side), lambda col, buf: _in_mask(col, side)
    key, compute = chosen

    def bits(inp: Inputs) -> np.ndarray:
        col = np.asarray(inp.cols[name])
        if inp.plain:  # kept as they are: booleans, in an array of their own
            got = compute(col, None)
            return got if got.dtype == bool else got != 0
        return compute(col, inp.scratch())  # packed at once: the buffer is free again

    def test(env: Mapping[str, Bits], inp: Inputs) -> Bits:
        got = inp.test(key, lambda: bits(inp))
        return _not(got) if negate else got
    return test


def _compile_raw(node: Node) -> Any:
    if isinstance(node, Const):
        v = node.value
        return lambda inp: v
    if isinstance(node, Ref):
        name = node.name
        return lambda inp: inp.cols[name]
    raise ConditionError(f"cannot evaluate {node!r} on packed columns")


def _name(node: Node) -> Any:
    return node.name if isinstance(node, Ref) else ("const", node.value)


class PackedPolicy:
    """One compiled policy's evaluation on packed bits."""

    def __init__(self, compiled: CompiledPolicy) -> None:
        self.compiled = compiled
        self.outcome_codes = [OUTCOMES.index(s.outcome) for s in compiled.grading]
        self.disposition_codes = [ALL_DISPOSITIONS.index(s.disposition) for s in compiled.grading]

    def _plan(self) -> tuple[list[tuple[list[tuple[str, Evaluator]], list[str], tuple[str, ...]]], list[Evaluator]]:
        """The conditions compiled to closures, on first use (a condition the packed form
        cannot evaluate raises here, at the first call, as :func:`bits` would). Per group: the
        steps to evaluate, the members they give, and the members that are a yes/no fact as it
        is and that no condition names — their facts are folded byte by byte (``Inputs.fold``)."""
        plan = self.__dict__.get("_plan_cache")
        if plan is None:
            c = self.compiled
            named: set[str] = set()
            for step in [*c.steps, *c.grading]:
                named |= step.condition.root.names()
            groups = []
            for group_steps, (_, _, members) in zip(c.by_group, c.aggregates):
                fold = {s.derived_name: s.condition.root.name for s in group_steps
                        if _is_fact(s.condition.root) and s.derived_name not in named
                        and members.count(s.derived_name) == 1}
                if len(fold) < 2:
                    fold = {}
                steps = [(s.derived_name, compile_bits(s.condition.root)) for s in group_steps
                         if s.derived_name not in fold]
                groups.append((steps, [m for m in members if m not in fold], tuple(sorted(set(fold.values())))))
            plan = self.__dict__["_plan_cache"] = (groups, [compile_bits(step.condition.root) for step in c.grading])
        return plan

    def hits(self, inp: Inputs) -> list[Bits]:
        """Per grading row, the cases it decides (first match wins)."""
        c = self.compiled
        groups, grading = self._plan()
        env: dict[str, Bits] = {}
        for (group_steps, members, folded), (agg, mode, _) in zip(groups, c.aggregates):
            for derived, f in group_steps:
                env[derived] = f(env, inp)
            vals = [env[m] for m in members]
            if folded:
                vals.append(inp.fold(mode == "all", folded) if not inp.plain
                            else (_and if mode == "all" else _or)([inp.fact(name) for name in folded]))
            env[agg] = (_and(vals) if mode == "all" else _or(vals)) if vals else (mode == "all")
        # first match wins: a row decides the undecided cases its condition holds for, which
        # then leave ``undecided`` (an xor in place: those cases are set in it)
        undecided: Bits = inp.valid.copy()
        out: list[Bits] = []
        for f in grading:
            cond = f(env, inp)
            if cond is False or undecided is False:
                out.append(False)
            elif cond is True:
                out.append(undecided)
                undecided = False
            else:
                hit = cond & undecided
                out.append(hit)
                np.bitwise_xor(undecided, hit, out=undecided)
        if not isinstance(undecided, bool) and undecided.any() or undecided is True and inp.n:
            raise ConditionError(f"policy {c.policy.id}: no grading row matched (the last row must be 'true')")
        return out


def codes(hits: list[Bits], code_of_row: list[int], inp: Inputs, out: np.ndarray | None = None) -> np.ndarray:
    """Unpack the per-case code (``code_of_row[i]`` where row i decides): bit by bit of the
    code, so the cost is one unpack per bit, not per row. The planes are combined highest bit
    first, ``out = 2·out | plane`` — numpy's shifts of bytes are not vectorised (~30× slower than
    an addition), its additions and ors are. ``out``: an integer array of n codes to write
    (a stretch of the caller's result), else a new one."""
    width = max(1, int(max(code_of_row, default=0)).bit_length())
    if out is None:
        out = np.empty(inp.n, dtype=np.uint8 if width <= 8 else np.uint16)
    # bytes as unsigned bytes: numpy's int8 | uint8 would go through int16
    work = out.view(np.uint8) if out.dtype.itemsize == 1 else out
    for b in reversed(range(width)):
        plane = _or([h for h, k in zip(hits, code_of_row) if (k >> b) & 1])
        if b != width - 1:
            np.add(work, work, out=work)
            if plane is not False:
                np.bitwise_or(work, inp.unpack(plane).view(np.uint8), out=work, casting="unsafe")
        elif plane is False:  # the highest bit: the first plane is written, not combined
            work[...] = 0
        else:
            np.copyto(work, inp.unpack(plane).view(np.uint8), casting="unsafe")
    return out


#: The dispositions 从旧兼从轻 tells apart, most lenient first (the rest are equally severe).
_LENIENT = sorted((d for d in ALL_DISPOSITIONS if DISPOSITION_LENIENCY[d] > 0), key=lambda d: -DISPOSITION_LENIENCY[d])


def leniency_planes(hits: list[Bits], disposition_codes: list[int]) -> tuple[Bits, ...]:
    """Per lenient disposition (most lenient first: 不予问责, 免予问责, 减轻, 从轻), the cases
    given it, as packed bits — what 从旧兼从轻 compares."""
    return tuple(_or([h for h, k in zip(hits, disposition_codes) if ALL_DISPOSITIONS[k] == d]) for d in _LENIENT)


def more_lenient(later: tuple[Bits, ...], first: tuple[Bits, ...]) -> Bits:
    """Cases where the later policy's disposition is more lenient: it is at some level k while
    the first policy's is at none of the levels 0..k."""
    out: list[Bits] = []
    first_so_far: list[Bits] = []
    for lk, fk in zip(later, first):
        first_so_far.append(fk)
        out.append(_and([lk, _not(_or(first_so_far))]))
    return _or(out)


def select(mask: Bits, hits: list[Bits]) -> list[Bits]:
    return [_and([h, mask]) for h in hits]
