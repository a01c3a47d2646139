"""The class's one results file (JSON lines, ``FTLIB_QUIZ_RESULTS``), shared by every trainee's
kernel at once: each answer is appended as one line under an exclusive lock (``flock``), so 40
writers at the same moment never interleave or lose a line; readers take a shared lock, so they
never see half a line. Works on one machine's file system (several servers: give each class its
own file on the machine that serves it, or use the register)."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any


def append(path: str | Path, record: dict[str, Any]) -> None:
    """Append ``record`` as one JSON line."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        view = memoryview(line)
        while view:  # a single write nearly always; loop for the rare short write
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)  # closing releases the lock


def read(path: str | Path) -> list[dict[str, Any]]:
    """Every record in the file (none when it does not exist yet)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return []
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read()
    finally:
        os.close(fd)
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
