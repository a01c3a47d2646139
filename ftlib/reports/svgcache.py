"""Charts drawn once: SVG by the content of their Vega-Lite spec.

Drawing a chart with vl-convert costs 40–200 ms of a core (text measurement in Chinese fonts),
most of a report's time. Many charts of a national run are the same spec — small regions whose
figures are all held back draw identical charts — and a re-run after a few regions changed
draws mostly charts already drawn. The SVG is kept in memory and, when a folder is given (the
report run's ``dashboards/.charts``, shared by its workers), on disk, keyed on the spec's JSON
and the vl-convert version.

Each report built by a run notes the charts it used (``used/<report>.keys`` in the folder); after
the run, :func:`prune` removes the charts no report of the run's manifest uses — those of data
that changed since — so the folder holds what the current reports drew, not every chart ever drawn.
"""

# Imports inside functions: vl-convert is imported only when a chart is not in the cache.

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

_MEMORY: dict[str, str] = {}
_MEMORY_MAX = 4096
_folder: Path | None = None
_used: set[str] | None = None
#: A half-written chart (``*.tmp``) this old is a killed worker's and is removed by ``prune``.
_STALE_TMP_S = 3600


def use_folder(folder: Path | None) -> None:
    """Keep drawn charts in ``folder`` too (None: in memory only)."""
    global _folder
    _folder = Path(folder) if folder is not None else None


def _key(spec: dict) -> str:
    import vl_convert as vlc

    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{getattr(vlc, '__version__', '')}\n{text}".encode()).hexdigest()[:32]


def svg(spec: dict) -> str:
    """``ftlib.charts.to_svg(spec)``, drawn only when this spec was never drawn before."""
    key = _key(spec)
    if _used is not None:
        _used.add(key)
    hit = _MEMORY.get(key)
    if hit is not None:
        return hit
    path = _folder / f"{key}.svg" if _folder is not None else None
    if path is not None:
        try:
            hit = path.read_text(encoding="utf-8")
        except OSError:
            hit = None
    if hit is None:
        from ftlib.charts import to_svg

        hit = to_svg(spec)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(hit)
            os.replace(tmp, path)   # workers share the folder: never half a file
    if len(_MEMORY) >= _MEMORY_MAX:
        _MEMORY.pop(next(iter(_MEMORY)))
    _MEMORY[key] = hit
    return hit


def record() -> set[str]:
    """From now on, note the key of every chart asked for in the returned set (one report's)."""
    global _used
    _used = set()
    return _used


def write_used(folder: Path, name: str, keys: set[str]) -> None:
    """Note that report ``name`` uses the charts ``keys`` (what :func:`prune` keeps)."""
    path = Path(folder) / "used" / f"{name}.keys"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(sorted(keys)), encoding="utf-8")
    os.replace(tmp, path)


def prune(folder: Path, names: Iterable[str]) -> int:
    """Remove the charts of ``folder`` that none of the reports ``names`` uses (and the notes of
    reports not among them); returns how many charts were removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    names = set(names)
    keep: set[str] = set()
    for note in (folder / "used").glob("*.keys"):
        if note.stem in names:
            try:
                keep.update(note.read_text(encoding="utf-8").split())
            except OSError:
                pass
        else:
            note.unlink(missing_ok=True)
    removed = 0
    old = time.time() - _STALE_TMP_S
    for path in folder.iterdir():
        if path.suffix == ".svg" and path.stem not in keep:
            path.unlink(missing_ok=True)
            removed += 1
        elif path.suffix == ".tmp":
            try:
                if path.stat().st_mtime < old:
                    path.unlink(missing_ok=True)
            except OSError:
                pass
    return removed
