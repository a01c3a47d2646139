"""The SVG chart cache of earlier runs (``dashboards/.charts``), now only cleared away.

Report runs used to draw every chart as SVG with vl-convert and keep the drawings here, keyed on
the spec, with a note per report of the charts it used (``used/<report>.keys``). Charts are now
drawn by the reader's browser (``chartjs``), so nothing new is written: a report built again
drops its note (:func:`forget`), and after each run :func:`prune` removes the charts no listed
report's note uses — a folder of an older run empties as its reports are rebuilt, and charts
of reports kept unchanged (whose stored pages still hold them inline) stay until then.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

#: A half-written chart (``*.tmp``) this old is a killed worker's and is removed by ``prune``.
_STALE_TMP_S = 3600


def forget(folder: Path, name: str) -> None:
    """Report ``name`` no longer uses any chart of ``folder`` (its page was built again)."""
    (Path(folder) / "used" / f"{name}.keys").unlink(missing_ok=True)


def write_used(folder: Path, name: str, keys: set[str]) -> None:
    """Note that report ``name`` uses the charts ``keys`` (what :func:`prune` keeps; as earlier runs wrote it)."""
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
