"""The register's contents as ``ftlib.metrics.RegisterFrames`` for reports (read once per process)."""

# Imports inside functions: a visitor's Voilà kernel reads stored pages with the standard library only (docs/serving.md).

from __future__ import annotations

import os
import pickle
from functools import lru_cache
from pathlib import Path

from ftlib.metrics import RegisterFrames


@lru_cache(maxsize=4)
def _load(url: str | None) -> RegisterFrames:
    from ftlib.register.metrics_frames import register_frames

    return register_frames(url)


def load_frames(url: str | None = None) -> RegisterFrames:
    """Frames of the register at ``url`` (default: ``FTLIB_DATABASE_URL`` or the default
    register). Without ``url``, the snapshot the report runner wrote (``save_snapshot``, once
    for all its reports; see ``pagecache.snapshot_path``) is read instead when there is one."""
    from ftlib.reports.pagecache import snapshot_path

    snap = snapshot_path()
    if url is None and snap is not None:
        return _snapshot(str(snap))
    return _load(url or os.environ.get("FTLIB_DATABASE_URL"))


@lru_cache(maxsize=2)
def _snapshot(path: str) -> RegisterFrames:
    with open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 — our own file, written by save_snapshot below


def save_snapshot(path: Path, url: str | None = None) -> Path:
    """Read the register once and keep it for the report kernels (a private file, not published)."""
    frames = _load(url or os.environ.get("FTLIB_DATABASE_URL"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(frames, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path
