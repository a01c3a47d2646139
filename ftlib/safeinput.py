"""Reading a user's file without being hurt by it: bounded size, known encodings, a YAML loader
that refuses what would silently change a decision, and short excerpts in error lines.

Limits are data (``ftlib/data/limits.yaml``, documented in docs/limits.md). Every refusal is an
``FtlibError`` (one line: file, line, what is wrong, a short excerpt), so the CLI exits 2.

Encodings: users' files come from Chinese Excel and WPS. Text is read as UTF-8 (with or without a
BOM); a UTF-16 or UTF-32 file with its BOM is decoded by the BOM; a file that is not UTF-8 but
decodes cleanly as GB18030 (which contains GBK and GB2312) and holds Chinese text is read as
GB18030. Anything else — NUL bytes without a UTF-16 BOM, undecodable bytes — is refused naming the
encodings expected.
"""

from __future__ import annotations

import codecs
import errno
import json
import math
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ftlib.errors import FtlibError
from ftlib.resources import FAST_LOADER, is_package_data, read_yaml

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Terminal control characters (C0 but tab/newline, DEL, C1) and bidirectional overrides/isolates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=1)
def limits() -> dict[str, int]:
    return {k: int(v) for k, v in read_yaml("limits.yaml").items()}


@lru_cache(maxsize=1)
def not_a_date() -> str:
    """The one wording of a bad date in an error line (CSV, xlsx, YAML, events, the command line):
    the label ``input.not_a_date`` of the catalogue, read here directly because this module sits
    beside ``ftlib.i18n``, not above it (the layers contract)."""
    return read_yaml("labels", "labels.yaml")["input"]["not_a_date"]["en"]


def excerpt(value: Any, n: int | None = None) -> str:
    """``repr`` of ``value`` cut to ``n`` characters (default: the ``excerpt_chars`` limit)."""
    n = n or limits()["excerpt_chars"]
    text = value if isinstance(value, str) else repr(value)
    text = printable(text)
    if len(text) > n:
        text = text[:n] + f"… ({len(text)} characters)"
    return repr(text) if isinstance(value, str) else text


def refused(problems: list[str], what: str = "import refused, nothing was written") -> str:
    """The message of a refusal with several problems: one line per problem (each names file,
    row, column and value), at most ``error_lines`` of them, then one line with the count. A
    single problem is one line."""
    if len(problems) == 1:
        return f"{problems[0]} ({what})"
    cap = limits()["error_lines"]
    more = f"; the first {cap} are above, --errors FILE lists every one" if len(problems) > cap else ""
    return "\n".join([*problems[:cap], f"{what}: {len(problems)} problems{more}"])


def unsafe(text: str) -> bool:
    """Whether ``text`` holds a terminal control (tab and newline aside) or bidi-override character."""
    return _UNSAFE.search(text) is not None


def printable(text: str) -> str:
    """``text`` without terminal control or bidi-override characters (each shown as U+XXXX), so
    that printing a case's text cannot move the cursor, recolour the terminal or reorder a line."""
    return _UNSAFE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def say(text: Any, end: str = "\n") -> None:
    """Print ``text`` (``str()`` of it) on stdout through :func:`printable` — the one way ftlib's
    commands print, so no terminal control or bidi-override character read from a file (a
    policy name, a case's text, an id in a lint finding) reaches the terminal."""
    print(printable(str(text)), end=end)


def say_json(value: Any) -> None:
    """Print ``value`` as JSON on stdout, the same characters written as ``\\uXXXX`` escapes
    (JSON's encoder escapes only C0 controls): a JSON reader gets the exact text back, a terminal
    shows nothing it would act on."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    print(_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def check_size(path: Path, limit_key: str = "text_file_bytes") -> int:
    """The file's size, refused over the limit before a byte is read."""
    try:
        st = path.stat()
    except OSError as err:
        raise FtlibError(f"{path}: cannot read: {err.strerror}") from None
    if not stat.S_ISREG(st.st_mode):   # a pipe or /dev/zero would be read for ever
        raise FtlibError(f"{path}: not a regular file (a folder, pipe or device); give a file")
    size = st.st_size
    top = limits()[limit_key]
    if size > top:
        raise FtlibError(f"{path}: {size:,} bytes; the limit for this kind of file is {top:,} bytes "
                         "(docs/limits.md)")
    return size


def decode(raw: bytes, source: str) -> str:
    """The text of ``raw`` by the rules in the module docstring."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError as err:
                raise FtlibError(f"{source}: starts with a {enc.upper()} byte-order mark but byte {err.start} "
                                 "does not decode") from None
    if b"\x00" in raw:
        raise FtlibError(f"{source}: binary data (NUL bytes), not a text file; expected UTF-8, GB18030/GBK "
                         "or UTF-16 with a byte-order mark")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        first_bad = err.start
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _CJK.search(text) and not _UNSAFE.search(text.replace("\r", "")):
        return text
    raise FtlibError(f"{source}: not UTF-8 text (byte {raw[first_bad]:#04x} at offset {first_bad}) nor GB18030/GBK; "
                     "save it as UTF-8 (Excel: “CSV UTF-8”)")


def read_text(path: str | Path, limit_key: str = "text_file_bytes") -> str:
    """A user's text file, size-checked and decoded."""
    path = Path(path)
    check_size(path, limit_key)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise FtlibError(f"{path}: cannot read: {err.strerror}") from None
    return decode(raw, str(path))


# -- YAML -------------------------------------------------------------------------------------------
# A user's YAML file is first scanned as a stream of parser events — libyaml's C parser, no
# nodes built, nothing recursive — counting nodes, aliases and depth; only a file within the
# limits is then composed and constructed (by libyaml too). The pure-Python loader took over 30 s
# on a 700 KB file of 60,000 keys and recursed once per level of nesting; this way the work is
# bounded by the limits before it starts.
_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
_OPEN_EVENTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE_EVENTS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _prescan(text: str) -> None:
    """Refuse (``_Refused`` at the offending node) more than ``yaml_nodes`` nodes, more than
    ``yaml_aliases`` aliases or nesting deeper than ``yaml_depth`` (a scalar inside 60 mappings
    is at level 61), stopping at the first node past a limit."""
    lim = limits()
    nodes = aliases = depth = 0
    for event in yaml.parse(text, Loader=FAST_LOADER):
        if isinstance(event, _CLOSE_EVENTS):
            depth -= 1
            continue
        if not isinstance(event, _NODE_EVENTS):
            continue
        nodes += 1
        if nodes > lim["yaml_nodes"]:
            raise _Refused(event.start_mark, f"more than {lim['yaml_nodes']:,} keys and values in one file; "
                           "split it (the limit yaml_nodes, docs/limits.md)")
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > lim["yaml_aliases"]:
                raise _Refused(event.start_mark, f"more than {lim['yaml_aliases']} aliases (*name); write the values out")
        if depth + 1 > lim["yaml_depth"]:
            raise _Refused(event.start_mark, f"nested deeper than {lim['yaml_depth']} levels")
        if isinstance(event, _OPEN_EVENTS):
            depth += 1


class _Loader(FAST_LOADER):
    """libyaml's loader (where PyYAML has it) refusing duplicate keys, inf/NaN, numbers with too
    many digits and impossible dates — for users' files (after :func:`_prescan`) and for the
    files that ship inside ftlib/data alike, so that a mistake in a shipped file is still caught
    by ``ftlib lint``."""

    def construct_mapping(self, node, deep=False):
        _no_duplicate_keys(self, node)
        return super().construct_mapping(node, deep=deep)


def _no_duplicate_keys(loader, node) -> None:
    seen: dict[Any, Any] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                raise _Refused(key_node.start_mark, f"key {excerpt(key)} appears twice in one mapping "
                               f"(first on line {seen[key].line + 1})")
            seen[key] = key_node.start_mark
        except TypeError:
            pass    # an unhashable key: the base class says so


def _float(loader: _Loader, node):
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if math.isinf(value) or math.isnan(value):
        raise _Refused(node.start_mark, f"value {node.value!r}: infinite or not-a-number values are not accepted")
    return value


def _int(loader: _Loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:   # more digits than Python converts (4,300)
        raise _Refused(node.start_mark, f"value {excerpt(node.value)}: a number with too many digits") from None


def _timestamp(loader: _Loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as err:
        raise _Refused(node.start_mark, f"value {excerpt(node.value)}: {not_a_date()}: {err}") from None


_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class _Refused(Exception):
    def __init__(self, mark, why: str):
        super().__init__(why)
        self.mark, self.why = mark, why


def load_yaml(text: str, source: str, package: bool = False) -> Any:
    """Parse YAML ``text`` from ``source`` under the limits (``package``: a file shipped inside
    ftlib/data: trusted, so not pre-scanned); one-line ``FtlibError`` otherwise."""
    try:
        if not package:
            _prescan(text)
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as err:
        line = err.mark.line + 1 if err.mark else "?"
        raise FtlibError(f"{source}: line {line}: {err.why}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        problem = getattr(err, "problem", None) or "malformed"
        if "maximum nesting depth" in problem:   # libyaml's own bound (1,000 levels), met while looking ahead
            raise FtlibError(f"{source}: line {line}: nested deeper than {limits()['yaml_depth']} levels") from None
        raise FtlibError(f"{source}: line {line}: malformed YAML ({excerpt(problem)})") from None
    except RecursionError:
        raise FtlibError(f"{source}: nested too deeply") from None


def load_json(text: str, source: str) -> Any:
    """Parse JSON ``text``; NaN/Infinity and duplicate keys refused, depth bounded."""
    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise FtlibError(f"{source}: key {excerpt(k)} appears twice in one object")
            out[k] = v
        return out

    def constant(name):
        raise FtlibError(f"{source}: value {name}: infinite or not-a-number values are not accepted")

    depth = max_depth = 0
    for ch in text:   # a cheap pre-check: json's parser recurses per level
        if ch in "[{":
            depth += 1
            max_depth = max(max_depth, depth)
        elif ch in "]}":
            depth -= 1
    if max_depth > limits()["yaml_depth"]:
        raise FtlibError(f"{source}: nested deeper than {limits()['yaml_depth']} levels")
    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as err:
        raise FtlibError(f"{source}: line {err.lineno}: malformed JSON ({err.msg})") from None


def load_file(path: str | Path, limit_key: str = "text_file_bytes") -> Any:
    """A YAML or JSON file (by suffix), read by the rules above."""
    path = Path(path)
    text = read_text(path, limit_key)
    if not text.strip():
        raise FtlibError(f"{path}: the file is empty")
    if path.suffix.lower() == ".json":
        return load_json(text, str(path))
    return load_yaml(text, str(path), package=is_package_data(path))


# -- writing ----------------------------------------------------------------------------------------
def write_error(path: Path, err: OSError) -> FtlibError:
    """One line for a failed write (disk full, read-only file system, file too large, no permission)."""

    why = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
           errno.EFBIG: "the file would exceed the file-size limit", errno.EACCES: "permission denied",
           errno.EDQUOT: "the disk quota is exceeded"}.get(err.errno, err.strerror or type(err).__name__)
    return FtlibError(f"{path}: cannot write: {why}")


class atomic_path:  # noqa: N801 — used like open()
    """``with atomic_path(p) as tmp:`` write ``tmp``; on success it replaces ``p`` at once, on any
    error it is removed, so a failed write never leaves a truncated ``p`` behind."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.part")

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, kind, err, tb) -> bool:
        if kind is None:
            try:
                os.replace(self.tmp, self.path)
                return False
            except OSError as e:
                err, kind = e, OSError
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:
            pass   # a read-only file system refuses even this (EROFS): nothing was written there
        if kind is not None and issubclass(kind, OSError):
            raise write_error(self.path, err) from None
        if kind is not None and kind.__name__ == "SerialisationError":
            # lxml (openpyxl's xlsx writer) reports a failed write as "IO_EFBIG", "IO_ENOSPC", …

            code = getattr(errno, str(err).strip().removeprefix("IO_"), None)
            raise write_error(self.path, OSError(code, str(err))) from None
        return False
