"""Fact columns as they arrive — strings from ``read_csv``/Excel, or typed columns — converted
to the engine's arrays in one column-wise pass (issue 14.1).

Shared by ``determine_frame``, the import and the notebooks. A fact column becomes:

- yes/no facts: ``bool``; the spellings of ``ftlib.vocabulary.YES_NO`` (case and surrounding
  blanks ignored), real booleans, and the numbers 1/0;
- enums: ``int8`` codes in declared order; the value itself, or its zh or en label;
- amounts: ``float64`` ≥ 0;
- dates (``conduct_date``, ``decision_date``): ``datetime64[D]`` (ISO ``YYYY-MM-DD``);

and every cell may say :data:`UNKNOWN_SPELLINGS` (a mask beside the values). A blank cell is an
optional fact not given (its documented default) or, for a required fact, unknown.

Why it is fast on strings: a column of strings is an array of references to string objects,
and readers share one object per distinct text (pandas' CSV parser does, so do categoricals
and ``astype(str)`` of booleans). The references are handled as integers and only the few
distinct objects are read as text: a long column through a table slot → (reference, code)
indexed by bits of the address (a gather and an xor a cell, verified exactly — see
``_ByTable``), a short one by one vectorised equality per distinct object. Where the objects
are not shared (each cell its own string), the column is factorised by value instead (pandas'
hash table); all give the same result. Bad cells raise :class:`FactError` naming the row
(1-based), the column and an excerpt of the value.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import math
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ftlib.facts import CONDITION_FACTS, UNKNOWN, VOCABULARY, Case, FactError, FactSpec
from ftlib.resources import read_yaml
from ftlib.safeinput import not_a_date
from ftlib.vocabulary import YES_NO, YES_NO_HINT

# Unknown, as a cell may say it (case-insensitive, blanks stripped); yes/no: ftlib.vocabulary.
UNKNOWN_SPELLINGS = (UNKNOWN, "未知", "待核实")
#: Reference comparisons tried before falling back to factorising by value.
MAX_DISTINCT_OBJECTS = 48
#: Rows per block of the reference comparison.
BLOCK = 1 << 14
_MISSING, _UNKNOWN, _BAD = -1, -2, -3
_SHIFT = 4  # codes + _SHIFT > 0 for every code and sentinel (and < 16 for yes/no and enums)


@dataclass
class FactColumn:
    """One converted fact column: values (defaults filled; unknown cells hold a placeholder)
    and the mask of unknown cells (None when there is none)."""

    values: np.ndarray
    unknown: np.ndarray | None = None


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, dict[str, str]]]:
    data = read_yaml("labels", "ui_labels.yaml")
    return data.get("values", {})


@cache
def _enum_words(name: str) -> dict[str, int]:
    """Every accepted text of one enum fact → its code (value, zh label, en label)."""
    spec = CONDITION_FACTS[name]
    words: dict[str, int] = {}
    for code, v in enumerate(spec.values):
        words[v.lower()] = code
        for text in _labels().get(name, {}).get(v, {}).values():
            words.setdefault(str(text).strip().lower(), code)
    return words


_BOOL_WORDS = {w: int(v) for w, v in YES_NO.items()}
_UNKNOWN_WORDS = set(UNKNOWN_SPELLINGS)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT


def _number_cls(v: Any) -> tuple[int, Any]:
    if _blank(v):
        return _MISSING, None
    if isinstance(v, str):
        w = v.strip()
        if w == "":
            return _MISSING, None
        if w.lower() in _UNKNOWN_WORDS:
            return _UNKNOWN, None
        try:
            x = float(w)
        except ValueError:
            return _BAD, None
    else:
        try:
            x = float(v)
        except (TypeError, ValueError):
            return _BAD, None
    return (0, x) if 0 <= x < np.inf else (_BAD, None)   # NaN and ±inf are no amount


def _classifier(spec: FactSpec) -> Callable[[Any], tuple[int, Any]]:
    """One cell's object → (code, value): code ≥ 0 for a value, or _MISSING/_UNKNOWN/_BAD."""
    if spec.kind == "bool":
        def cls(v: Any) -> tuple[int, Any]:
            if _blank(v):
                return _MISSING, None
            if isinstance(v, (bool, np.bool_)):
                return int(v), None
            if isinstance(v, (int, float, np.integer, np.floating)):
                return (int(v), None) if v in (0, 1) else (_BAD, None)
            w = str(v).strip().lower()
            if w == "":
                return _MISSING, None
            if w in _UNKNOWN_WORDS:
                return _UNKNOWN, None
            return _BOOL_WORDS.get(w, _BAD), None
    elif spec.kind == "enum":
        words = _enum_words(spec.name)

        def cls(v: Any) -> tuple[int, Any]:
            if _blank(v):
                return _MISSING, None
            w = str(v).strip().lower()
            if w == "":
                return _MISSING, None
            if w in _UNKNOWN_WORDS:
                return _UNKNOWN, None
            return words.get(w, _BAD), None
    else:
        cls = _number_cls
    return cls


def _references(arr: np.ndarray) -> np.ndarray:
    """The object references of a contiguous object array, as integers (no copy)."""
    return np.ctypeslib.as_array((ctypes.c_uint64 * len(arr)).from_address(arr.ctypes.data))


def _codes_of_objects(arr: np.ndarray, cls: Callable[[Any], tuple[int, Any]]) -> tuple[np.ndarray, dict[int, float]]:
    """Classify every cell of an object array: int8/int32 codes (≥ 0 values, < 0 sentinels). For
    amounts the code is an index into the returned table of values."""
    codes, table, _ = _classified(arr, cls)
    return codes, table


def _classified(arr: np.ndarray, cls: Callable[[Any], tuple[int, Any]],
                keep: bool = True) -> tuple[np.ndarray | None, dict[int, float], int]:
    """:func:`_codes_of_objects`, and the least code met (≥ 0: no blank, unknown or bad cell —
    known from the distinct objects, without a pass over the codes). ``keep=False``: only the
    least code is wanted (a column checked, not read) — the codes are None when it could be
    told from the table of references alone."""
    n = len(arr)
    # yes/no and enum codes (and the sentinels) fit a byte: 4× less to write and compare
    small = cls is not _number_cls and cls is not _text_cls
    ctype = np.int8 if small else np.int32
    if n == 0:
        return np.empty(0, dtype=ctype), {}, 0
    numbers: dict[float, int] = {}
    table: dict[int, float] = {}

    by_text: dict[str, int] = {}  # a reader makes new objects of the same texts (per chunk): classify each text once

    def code_of(obj: Any) -> int:
        if type(obj) is str:
            c = by_text.get(obj)
            if c is not None:
                return c
        c, x = cls(obj)
        if x is not None:  # an amount: its index in the table
            c = numbers.setdefault(x, len(numbers))
            table[c] = x
        if type(obj) is str:
            by_text[obj] = c
        return c

    if not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    refs = _references(arr)
    # Per cell code + _SHIFT; 0 = no object met yet. ``known``: reference → code + _SHIFT (valid
    # while ``arr`` holds the objects, so only within this call).
    acc = np.zeros(n, dtype=ctype)
    known: dict[int, Any] = {}
    walk = _ByTable(refs, arr, code_of, known, ctype) if n >= TABLE_FROM else None
    budget = [MAX_DISTINCT_OBJECTS + 24 * (n // BLOCK + 1)]
    filled = 0
    try:  # the table is emptied whatever happens: a slot left filled could match a later object
        if walk is not None and not walk.prefill(budget):
            walk, budget = None, [0]   # objects not shared: factorise by value, below
        for start in range(0, n, BLOCK):
            stop = min(n, start + BLOCK)
            # a block by the table of references; where two of its references share a slot, or
            # for a small column, by one equality per distinct reference
            done = walk is not None and walk.block(start, stop, acc[start:stop] if keep else None, budget)
            if done is None or not (done or _by_equality(refs, arr, start, stop, acc[start:stop], code_of, known,
                                                          ctype, budget)):
                break  # objects not shared: factorise the rest by value, below
            filled = stop
    finally:
        _close_tables(ctype)
    lowest = int(min(known.values(), default=_SHIFT)) - _SHIFT
    if not keep:
        # the blocks read by the table wrote no codes: the least code is all there is to give,
        # unless some cells were left to factorising by value
        return (None, table, lowest) if filled == n else _classified(arr, cls)
    codes = np.subtract(acc, ctype(_SHIFT), out=acc)
    if filled < n:  # objects not shared: factorise the rest by value
        idx = np.flatnonzero(acc == -_SHIFT)
        labels, uniques = pd.factorize(arr[idx], use_na_sentinel=False)
        mapped = np.empty(len(uniques), dtype=codes.dtype)
        parsed = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(dtype=float) \
            if cls is _number_cls and len(uniques) > MAX_DISTINCT_OBJECTS else None
        for k, u in enumerate(uniques):
            if parsed is not None and parsed[k] == parsed[k] and parsed[k] >= 0:
                mapped[k] = numbers.setdefault(float(parsed[k]), len(numbers))
                table[mapped[k]] = float(parsed[k])
            else:
                mapped[k] = code_of(u)
        codes[idx] = mapped[labels]
        lowest = min(lowest, int(mapped.min(initial=0)))
    return codes, table, lowest


#: From this many rows a column is read through a table of references (below, the table's set-up
#: costs more than the equalities).
TABLE_FROM = 1 << 14
# A reference's slot in the table: bits 4–19 of the address (objects are 16-byte aligned, so
# bits 0–3 are 0), taken by one mask and used as they are as an index into 2^20 entries, of
# which every 16th is used (the pages never touched cost nothing: the table is calloc'ed).
_SLOT_MASK = np.uint64(0xFFFF0)
_SLOT_MASK_INT = int(_SLOT_MASK)
_PACKED = 16
_SLOTS = 1 << 20
#: Rounds of look-up per block, and cells probed for new objects after the first cell missed.
_ROUNDS, _PROBE = 8, 16
#: Cells after which a reader may start anew with its objects (pandas' CSV parser: 2^14 rows).
_STRETCH = 1 << 14


class _ByTable:
    """One column's references looked up block by block in a table slot → (reference, code):
    per block one mask, one gather, one xor and one or-reduce (which verify that every cell's
    reference is the one its slot holds), then the codes — from the xor itself for yes/no and
    enums, by a second gather for wider codes: a constant few operations per cell, however many
    distinct objects the block meets. The table is this thread's, emptied after each column."""

    def __init__(self, refs: np.ndarray, arr: np.ndarray, code_of: Callable[[Any], int], known: dict[int, Any],
                 ctype: Any) -> None:
        self.refs, self.arr, self.code_of, self.known, self.ctype = refs, arr, code_of, known, ctype
        tables = _TABLES.__dict__.setdefault("by_type", {})
        if ctype not in tables:  # per thread and code type, reused: allocating them costs more than a column
            tables[ctype] = (np.zeros(_SLOTS, dtype=np.uint64), np.zeros(_SLOTS, dtype=ctype))
        self.slot_ref, self.slot_code = tables[ctype]
        self.used: set[int] = _TABLES.__dict__.setdefault("used", {}).setdefault(ctype, set())  # emptied by _close_tables
        self.packed = ctype is np.int8  # codes + _SHIFT < 16: kept in the slot with the reference
        size = min(BLOCK, len(refs))
        self.slot = np.empty(size, dtype=np.uint64)
        self.got = np.empty(size, dtype=np.uint64)

    def prefill(self, budget: list[int]) -> bool:
        """Put the objects of the first cells of every 16,384-row stretch in the table at once — a
        reader makes its objects as the texts first occur (pandas' CSV parser: anew for every
        16,384 rows), so they name nearly all the objects; a block then only verifies. False if
        they are more than the budget (objects not shared)."""
        n = len(self.refs)
        cells = (np.arange(0, n, _STRETCH)[:, None] + np.arange(_PROBE)).ravel()
        cells = cells[cells < n]
        distinct, first = np.unique(self.refs[cells], return_index=True)
        budget[0] -= len(distinct)
        if budget[0] < 0:
            return False
        known, arr, code_of, ctype = self.known, self.arr, self.code_of, self.ctype
        codes = []
        for ref, i in zip(distinct.tolist(), cells[first].tolist()):
            code = known.get(ref)
            if code is None:
                code = known[ref] = ctype(code_of(arr[i]) + _SHIFT)
            codes.append(int(code))
        c = np.array(codes, dtype=np.int64)
        # into their slots at once (two in one slot: the first, a block's miss mends the other); a
        # code that does not fit beside the reference is left to the block's comparisons one by one
        fits = (c > 0) & (c < _PACKED) if self.packed else np.ones(len(c), dtype=bool)
        refs, c = distinct[fits], c[fits]
        slots, one = np.unique((refs & _SLOT_MASK).view(np.int64), return_index=True)  # one reference a slot
        refs, c = refs[one], c[one]
        self.used.update(slots.tolist())
        if self.packed:
            self.slot_ref[slots] = refs ^ c.astype(np.uint64)
        else:
            self.slot_ref[slots] = refs
            self.slot_code[slots] = c
        return True

    def _add(self, start: int, lo: int, hi: int, mine: set[int], budget: list[int]) -> bool | None:
        """Put the references of cells ``start + lo … start + hi`` in their slots: False if one
        of them needs a slot another reference of the block holds, None if the budget is spent."""
        probed = self.refs[start + lo:start + hi].tolist()
        slot_ref, packed, known = self.slot_ref, self.packed, self.known
        for ref in dict.fromkeys(probed):  # the distinct ones (a few), in order
            s = ref & _SLOT_MASK_INT
            held = slot_ref.item(s)
            if (held ^ ref < _PACKED) if packed else held == ref:
                continue
            if s in mine:
                return False
            budget[0] -= 1
            if budget[0] < 0:
                return None
            code = known.get(ref)
            if code is None:
                obj = self.arr[start + lo + probed.index(ref)]
                code = known[ref] = self.ctype(self.code_of(obj) + _SHIFT)
            mine.add(s)
            self.used.add(s)
            if packed:
                if not 0 < code < _PACKED:
                    return False
                slot_ref[s] = ref ^ int(code)
            else:
                slot_ref[s] = ref
                self.slot_code[s] = code
        return True

    def block(self, start: int, stop: int, out: np.ndarray | None, budget: list[int]) -> bool | None:
        """Codes + _SHIFT of the block into ``out`` (None: only verified, every object then being
        in ``known``); False if two of its references share a slot (the caller compares them one
        by one), None if the objects are not shared."""
        r = self.refs[start:stop]
        k = stop - start
        slot, got = self.slot[:k], self.got[:k]
        mine: set[int] = set()  # slots given a reference in this block
        np.bitwise_and(r, _SLOT_MASK, out=slot)
        at = slot.view(np.int64)
        for _ in range(_ROUNDS):
            np.take(self.slot_ref, at, out=got, mode="clip")
            # (xor and or-reduce: ~4× cheaper than an equality to booleans)
            np.bitwise_xor(got, r, out=got)
            if self.packed:
                # a slot holds reference ^ (code + _SHIFT): the xor leaves, in a cell whose object
                # is the slot's, its code (< 16), and in any other cell a number ≥ 16 — two live
                # objects are ≥ 16 bytes apart, so their addresses differ above bit 3
                if np.bitwise_or.reduce(got) < _PACKED:
                    if out is not None:
                        np.copyto(out, got, casting="unsafe")
                    return True
                i = int(np.argmax(got >= _PACKED))
            else:
                # the slot holds the reference, its code beside it
                if not np.bitwise_or.reduce(got):
                    if out is not None:
                        np.take(self.slot_code, at, out=out, mode="clip")
                    return True
                i = int(np.argmax(got != 0))
            # new objects are met within a few cells of the first missed
            added = self._add(start, i, min(k, i + _PROBE), mine, budget)
            if not added:
                return added
        return False


_TABLES = threading.local()


def _close_tables(ctype: Any) -> None:
    """Empty the slots the last column used (this thread's table of ``ctype``)."""
    tables = _TABLES.__dict__.get("by_type", {})
    used = _TABLES.__dict__.get("used", {}).get(ctype)
    if ctype in tables and used:
        at = np.fromiter(used, dtype=np.int64, count=len(used))
        tables[ctype][0][at] = 0
        used.clear()


def _by_equality(refs: np.ndarray, arr: np.ndarray, start: int, stop: int, a: np.ndarray,
                 code_of: Callable[[Any], int], known: dict[int, Any], ctype: Any, budget: list[int]) -> bool:
    """Codes + _SHIFT of one block into ``a`` (zeros on entry), one vectorised equality per
    distinct reference; False when the budget of distinct objects is spent."""
    r = refs[start:stop]
    # Arithmetic rather than masked assignment: a masked copy branches per cell and is ~30× slower.
    a[:] = 0
    m = np.empty(len(r), dtype=bool)
    at = range(min(len(r), 16))
    while budget[0] > 0:
        # each distinct reference among the probed cells, with a cell that holds it
        for ref, i in dict(zip(r[list(at)].tolist(), at)).items():
            if ref not in known:
                known[ref] = ctype(code_of(arr[start + int(i)]) + _SHIFT)
            budget[0] -= 1
            np.equal(r, ref, out=m)
            a += m.view(np.int8) * known[ref]
        left = np.flatnonzero(a == 0)
        if not len(left):
            return True
        at = left[:16]
    a[:] = 0
    return False


def _excerpt(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "…"


def _raise_bad(values: Any, bad: np.ndarray, name: str, source: str, why: str, rows: np.ndarray | None = None) -> None:
    i = int(np.argmax(bad))
    row = int(rows[i]) if rows is not None else i
    v = values.iloc[i] if hasattr(values, "iloc") else values[i]
    raise FactError(f"{source}: row {row + 1}: field {name}: value {_excerpt(v)}: {why}")


def _why(spec: FactSpec) -> str:
    if spec.kind == "bool":
        return f"not yes/no ({YES_NO_HINT}) nor {UNKNOWN}"
    if spec.kind == "enum":
        return f"not one of {', '.join(spec.values)} (or their zh/en labels) nor {UNKNOWN}"
    return f"not a number ≥ 0 nor {UNKNOWN}"


def _column(df: pd.DataFrame, name: str) -> Any:
    """The values of one column (numpy array or pandas extension array) without building a
    Series — pandas' per-column Series costs more than converting a small frame."""
    try:
        loc = df.columns.get_loc(name)
        if isinstance(loc, int):
            return df._mgr.iget_values(loc)
    except (AttributeError, TypeError):  # another pandas' internals: the public way
        pass
    return df[name].array


def _objects(a: Any) -> np.ndarray:
    if isinstance(a, np.ndarray):
        return a if a.dtype.kind == "O" else a.astype(object)
    return a.to_numpy(dtype=object)


def fact_column(df: pd.DataFrame, name: str, source: str = "<frame>") -> FactColumn:
    """One fact column of ``df`` converted (see the module docstring). A missing column is the
    documented default, or unknown for a required fact."""
    if name not in df.columns:
        return _absent(CONDITION_FACTS[name], len(df))
    return _convert(_column(df, name), name, source)


def _check(a: Any, name: str, source: str) -> None:
    """Raise where :func:`_convert` would, without keeping the values where the distinct objects
    of a column of strings show it clean."""
    typed = isinstance(a, pd.Categorical) or (isinstance(a, np.ndarray) and a.dtype.kind in "biuf")
    if not typed and len(a) >= TABLE_FROM:   # the objects path of _convert, codes not kept
        _, _, lowest = _classified(_objects(a), _classifier(CONDITION_FACTS[name]), keep=False)
        if lowest >= 0:
            return
    _convert(a, name, source)


#: Up to this many cells a column's minimum is taken in Python: a numpy reduction costs ~2 µs
#: whatever its length, which on a one-case call is most of a column's conversion.
_FEW = 16


def _convert(a: Any, name: str, source: str) -> FactColumn:
    """One present fact column's values (numpy array or pandas extension array) converted."""
    spec = CONDITION_FACTS[name]
    n = len(a)
    dtype = a.dtype
    # typed columns first: nothing to look up
    if isinstance(a, np.ndarray) and dtype.kind in "biuf":
        if spec.kind == "bool" and dtype.kind == "b":
            return FactColumn(a)
        if spec.kind == "number":
            x = a.astype(float, copy=False)
            # the common case in two reductions (NaN makes both comparisons false): no blank,
            # negative or infinite amount — instead of four passes and three temporary masks
            if _amounts_clean(x):
                return FactColumn(x)
            return _finish_numbers(x, np.isnan(x), spec, name, source, a)
        if spec.kind == "bool":
            x = a.astype(float, copy=False)
            missing = np.isnan(x)
            bad = ~missing & (x != 0) & (x != 1)
            if bad.any():
                _raise_bad(a, bad, name, source, _why(spec))
            return _fill(spec, (x == 1), missing, None, n)
    if isinstance(a, pd.Categorical):
        if spec.kind == "enum" and _vocabulary_categories(a.dtype, spec):
            codes = a.codes
            if n == 0 or (codes.min() if n > _FEW else min(codes.tolist())) >= 0:
                return FactColumn(codes)
        return _from_categorical(a, spec, source)
    arr = _objects(a)
    codes, table, lowest = _classified(arr, _classifier(spec))
    return _from_codes(codes, table, spec, name, source, arr, lowest)


_CATEGORIES_SEEN: dict[tuple[str, int], tuple[Any, bool]] = {}


def _vocabulary_categories(dtype: Any, spec: FactSpec) -> bool:
    """Whether a categorical's categories are the vocabulary's, in order — remembered per dtype
    object (a frame's columns share theirs), since reading the categories costs more than
    converting a small column."""
    key = (spec.name, id(dtype))
    seen = _CATEGORIES_SEEN.get(key)
    if seen is not None and seen[0] is dtype:
        return seen[1]
    same = tuple(dtype.categories.tolist()) == spec.values
    if len(_CATEGORIES_SEEN) > 1024:
        _CATEGORIES_SEEN.clear()
    _CATEGORIES_SEEN[key] = (dtype, same)  # holding the dtype keeps its id from being reused
    return same


def _from_categorical(a: pd.Categorical, spec: FactSpec, source: str) -> FactColumn:
    """A categorical whose categories are not the vocabulary's: classify the categories."""
    cls = _classifier(spec)
    table: dict[int, float] = {}
    mapped = []
    for c in a.categories:
        code, x = cls(c)
        if x is not None:
            table[len(table)] = x
            code = len(table) - 1
        mapped.append(code)
    lut = np.array([*mapped, _MISSING], dtype=np.int32)
    codes = lut[a.codes.astype(np.int64)]  # code -1 (NaN) → the last entry
    return _from_codes(codes, table, spec, spec.name, source, np.asarray(a, dtype=object))


def _from_codes(codes: np.ndarray, table: dict[int, float], spec: FactSpec, name: str, source: str,
                raw: np.ndarray, lowest: int | None = None) -> FactColumn:
    n = len(codes)
    if lowest is None:
        lowest = int(codes.min()) if n else 0
    if lowest >= 0:  # the common case: no blank, unknown or bad cell
        if spec.kind == "bool":  # codes 0/1 in bytes are a boolean array as they are
            return FactColumn(codes.view(bool) if codes.dtype.itemsize == 1 else codes == 1)
        if spec.kind == "enum":
            return FactColumn(codes.astype(np.int8, copy=False))
        missing = unknown = np.zeros(n, dtype=bool)
    else:
        bad = codes == _BAD
        if bad.any():
            _raise_bad(raw, bad, name, source, _why(spec))
        missing = codes == _MISSING
        unknown = codes == _UNKNOWN
    if spec.kind == "bool":
        values = codes == 1
    elif spec.kind == "enum":
        values = codes.astype(np.int8, copy=False)
    else:
        lut = np.array([table[i] for i in range(len(table))] or [0.0], dtype=float)
        values = lut[np.maximum(codes, 0)]
    return _fill(spec, values, missing, unknown, n)


def _amounts_clean(x: np.ndarray) -> bool:
    """No blank (NaN), negative or infinite amount: min and max, stretch by stretch so that the
    second reads the stretch from cache (a long column is read from memory once, not twice)."""
    if len(x) <= _FEW:   # NaN fails both comparisons
        return all(0 <= v < math.inf for v in x.tolist())
    step = 1 << 16
    for a in range(0, len(x), step):
        part = x[a:a + step]
        if not (part.min() >= 0 and part.max() < np.inf):   # NaN fails both
            return False
    return True


def _finish_numbers(x: np.ndarray, missing: np.ndarray, spec: FactSpec, name: str, source: str, raw: Any) -> FactColumn:
    bad = ~missing & ((x < 0) | np.isinf(x))
    if bad.any():
        _raise_bad(raw, bad, name, source, _why(spec))
    return _fill(spec, x, missing, None, len(x))


def _fill(spec: FactSpec, values: np.ndarray, missing: np.ndarray, unknown: np.ndarray | None, n: int) -> FactColumn:
    """Blank cells: the default of an optional fact, unknown for a required one."""
    if missing.any():
        if spec.required:
            unknown = missing if unknown is None else (unknown | missing)
        else:
            values = values.copy()
            values[missing] = spec.values.index(spec.default) if spec.kind == "enum" else spec.default
    if unknown is not None and not unknown.any():
        unknown = None
    if unknown is not None:
        values = np.where(unknown, values.dtype.type(0), values)
    return FactColumn(values, unknown)


def _absent(spec: FactSpec, n: int) -> FactColumn:
    dtype = np.int8 if spec.kind == "enum" else (bool if spec.kind == "bool" else float)
    if spec.required:
        return FactColumn(np.zeros(n, dtype=dtype), np.ones(n, dtype=bool))
    default = spec.values.index(spec.default) if spec.kind == "enum" else spec.default
    return FactColumn(np.full(n, default, dtype=dtype))


#: A cell's class in :func:`cell_codes` besides a value's code (≥ 0).
MISSING, UNKNOWN_CELL, BAD = _MISSING, _UNKNOWN, _BAD


def cell_codes(values: Any, name: str) -> tuple[np.ndarray, dict[int, float]]:
    """Every cell of one fact column classified by the conversion :func:`fact_column` makes, but
    without raising at the first bad cell (the import lists them all): the code of an enum's
    value (declared order) or of yes/no (1/0), or for an amount the key of its value in the
    returned table; else ``MISSING`` (blank), ``UNKNOWN_CELL`` or ``BAD``."""
    return _codes_of_objects(_objects(np.asarray(values, dtype=object)), _classifier(CONDITION_FACTS[name]))


def why_not(name: str) -> str:
    """What a bad cell of fact ``name`` should have been (the reason of its error line)."""
    return _why(CONDITION_FACTS[name])


def _arrays(df: pd.DataFrame, wanted: set[str]) -> dict[str, Any]:
    """The values of the columns ``wanted`` (unique column names), block by block: one look-up
    per block of the frame, not per column (pandas' per-column access is a small call's cost)."""
    names = df.columns.tolist()
    out: dict[str, Any] = {}
    for blk in df._mgr.blocks:
        values = blk.values
        locs = blk.mgr_locs.as_array.tolist()
        if values.ndim == 2:
            for j, loc in enumerate(locs):
                if names[loc] in wanted:
                    out[names[loc]] = values[j]
        elif names[locs[0]] in wanted:
            out[names[locs[0]]] = values
    return out


def fact_columns(df: pd.DataFrame, names: Iterable[str], source: str = "<frame>",
                 check_only: Collection[str] = ()) -> dict[str, FactColumn]:
    """The fact columns ``names`` converted (:func:`fact_column`). Those also in ``check_only``
    are checked as the conversion would (a bad cell raises) but left out of the result: a
    caller that does not read them is spared building their values."""
    names = [name for name in names if name in CONDITION_FACTS]
    try:  # the frame's columns located once, not once per fact (a small call's cost)
        if not df.columns.is_unique:
            raise TypeError
        present = _arrays(df, set(names))
    except (AttributeError, TypeError):  # duplicate names, or another pandas' internals: column by column
        present = {name: _column(df, name) for name in names if name in df.columns}
    for name in check_only:
        if name in present:
            _check(present[name], name, source)
    n = len(df)
    return {name: _convert(present[name], name, source) if name in present else _absent(CONDITION_FACTS[name], n)
            for name in names if name not in check_only}


def date_column(df: pd.DataFrame, name: str, source: str = "<frame>", required: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A date column as ``datetime64[D]`` and its mask of blank cells (a required date may not
    be blank). Strings must be ISO dates (YYYY-MM-DD)."""
    n = len(df)
    if name not in df.columns:
        if required:
            raise FactError(f"{source}: column {name}: required fact is missing")
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"), np.ones(n, dtype=bool)
    s = _column(df, name)
    if s.dtype.kind == "M":
        out = np.asarray(s).astype("datetime64[D]")
    else:
        arr = _objects(s)
        codes, days = _date_codes(arr)
        bad = codes == _BAD
        if bad.any():
            _raise_bad(arr, bad, name, source, not_a_date())
        out = days[np.maximum(codes, 0)] if len(days) else np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        out = np.where(codes == _MISSING, np.datetime64("NaT"), out).astype("datetime64[D]")
    missing = np.isnat(out)
    if required and missing.any():
        _raise_bad(s, missing, name, source, "required date is blank")
    return out, missing


def _date_codes(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell an index into the returned days, or _MISSING/_BAD (factorised by value: a
    register has a few thousand distinct days)."""
    labels, uniques = pd.factorize(arr, use_na_sentinel=False)
    days = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[D]")
    code = np.arange(len(uniques), dtype=np.int32)
    for k, u in enumerate(uniques):
        if _blank(u) or (isinstance(u, str) and not u.strip()):
            code[k] = _MISSING
            continue
        try:
            days[k] = np.datetime64(u if isinstance(u, dt.date) else dt.date.fromisoformat(str(u).strip()), "D")
        except (ValueError, TypeError):
            code[k] = _BAD
    return (code[labels] if len(uniques) else np.empty(0, dtype=np.int32)), days


def _text_cls(v: Any) -> tuple[int, Any]:
    if _blank(v):
        return _MISSING, None
    w = str(v).strip()
    return (_MISSING, None) if w == "" else (0, w)


def text_column(df: pd.DataFrame, name: str, source: str = "<frame>") -> tuple[np.ndarray, list[str]]:
    """A required text column (e.g. ``jurisdiction``) as int codes and the distinct texts."""
    if name not in df.columns:
        raise FactError(f"{source}: column {name}: required fact is missing")
    s = _column(df, name)
    if isinstance(s, pd.Categorical):
        codes = s.codes.astype(np.int32)
        uniques = [str(c).strip() for c in s.categories]
    else:
        arr = _objects(s)
        raw, table = _codes_of_objects(arr, _text_cls)
        codes = raw.astype(np.int32)
        uniques = [table[i] for i in range(len(table))]
    if len(codes) and codes.min() < 0:
        _raise_bad(s, codes < 0, name, source, "required value is blank")
    return codes, uniques


# -- frames of cases (moved here from ftlib.facts, which the conversion builds on) ----------------

def cases_to_frame(cases: list[Case]) -> Any:
    """Flatten cases to a DataFrame: one column per fact, enums as ordered categoricals."""
    df = pd.DataFrame([c.flat() for c in cases], columns=None if cases else list(VOCABULARY))
    return typed_frame(df)


def fact_array(df: Any, name: str, source: str = "<frame>") -> Any:
    """One fact column as a numpy array: enums as codes in declared order, yes/no as bool,
    numbers as float (strings in any accepted spelling or label). A missing
    column or blank cell takes the documented default. Unknown cells (or a required fact left
    out) raise FactError here: use ``fact_column`` to get them as a mask."""
    col = fact_column(df, name, source)
    if col.unknown is not None:
        i = int(np.argmax(col.unknown))
        what = "required fact is missing" if name not in df.columns else f"value is {UNKNOWN}"
        raise FactError(f"{source}: row {i + 1}: field {name}: {what}")
    return col.values


def frame_columns(df: Any, names: Iterable[str], source: str = "<frame>") -> dict[str, Any]:
    """The fact columns a policy reads, as numpy arrays (enums as codes in declared order).
    Values outside the vocabulary, and unknown cells, raise FactError naming the row, field
    and value (``determine_frame`` decides unknown cells; this is for callers that cannot)."""
    return {name: fact_array(df, name, source) for name in names if name in CONDITION_FACTS}


def typed_frame(df: Any, source: str = "<frame>") -> Any:
    """Give every vocabulary column its dtype and fill documented defaults. A column holding
    unknown cells stays a column of values with ``"unknown"`` in those cells."""
    df = df.copy()
    for name, spec in CONDITION_FACTS.items():
        col = fact_column(df, name, source)
        if spec.kind == "enum":
            typed = pd.Categorical.from_codes(col.values, categories=list(spec.values), ordered=True)
        else:
            typed = col.values
        if col.unknown is not None:
            obj = np.asarray(typed, dtype=object)
            obj[col.unknown] = UNKNOWN
            df[name] = obj
        else:
            df[name] = typed
    return df
