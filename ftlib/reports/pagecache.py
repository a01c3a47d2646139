"""Report pages kept beside the register snapshot they were computed from.

``ftlib report`` runs the template once per report; that run builds the page and stores it here.
When Voilà runs the same dashboard for a visitor, the page is read back instead of recomputed,
so a visit costs a kernel start and a file read. The key holds the report's parameters and the
snapshot's size and modification time: a new snapshot (a new ``ftlib report``) never meets an
old page. Standard library only, so that a visit imports neither pandas nor Altair.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

#: The snapshot ``ftlib report`` leaves beside the dashboards it wrote.
SNAPSHOT_NAME = ".frames.pickle"
#: The folder (beside the dashboards) of each report's static page and PDF.
STATIC_DIR = "html"


def report_name(region: str, period_label: str) -> str:
    """``report_<region>_<period>``: the name of a report's notebook, static page and PDF."""
    return f"report_{region}_{str(period_label).replace('..', '_').replace('-', '')}"


def snapshot_path() -> Path | None:
    """The register snapshot the dashboards were computed from: FTLIB_REPORT_FRAMES (set by
    ``ftlib report`` and ``ftlib serve``), else the one in the working directory, which is the
    dashboards folder when Voilà is started there by hand (README: serving beyond localhost)."""
    snap = os.environ.get("FTLIB_REPORT_FRAMES")
    path = Path(snap) if snap else Path.cwd() / SNAPSHOT_NAME
    return path if path.is_file() else None


def page_path(region: str, start: str, end: str, label: str, lang: str, k: object) -> Path | None:
    """Where the page for these report parameters lives (dates as YYYY-MM-DD), or None when
    there is no snapshot to key it on."""
    snap = snapshot_path()
    if snap is None:
        return None
    try:
        st = snap.stat()
    except OSError:
        return None
    key = json.dumps([str(x) for x in (region, start, end, label, lang, k)] + [st.st_size, st.st_mtime_ns])
    return snap.parent / ".pages" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.html"


def read(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def write(path: Path | None, page: str) -> None:
    """Store atomically (reports run in parallel; a reader never sees half a page)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.chmod(tmp, 0o644)  # like the notebooks beside it (mkstemp makes it private to the writer)
    os.replace(tmp, path)
