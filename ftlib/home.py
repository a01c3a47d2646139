"""Where ftlib keeps its working files: one home folder, ``FTLIB_HOME`` if set, else
``$XDG_DATA_HOME/ftlib`` (``~/.local/share/ftlib``). Nothing is ever written into the package or
the project checkout, so a wheel installed read-only and a checkout served to many visitors behave
the same (docs/architecture.md).

The paths are functions, not constants, so that a test or a server that sets ``FTLIB_HOME``
after import still gets its own folder."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "FTLIB_HOME"


def home() -> Path:
    """The home folder (not created here: writers create what they write)."""
    given = os.environ.get(HOME_ENV)
    if given:
        return Path(given).expanduser().resolve()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ftlib"


def register_path() -> Path:
    """The default register (SQLite) when ``FTLIB_DATABASE_URL`` names none."""
    return home() / "register.sqlite"


def sample_register_path() -> Path:
    """The sample register that ``ftlib run`` rebuilds from the seeded synthetic generator."""
    return home() / "sample" / "register.sqlite"


def dashboards_dir() -> Path:
    """Where ``ftlib report`` writes the report notebooks, the index, pages and static HTML."""
    return home() / "dashboards"


def quiz_results_path() -> Path:
    """The class's quiz answers when ``FTLIB_QUIZ_RESULTS`` names no other file."""
    return home() / "quiz" / "results.jsonl"


def holidays_dir() -> Path:
    """An administrator's own holiday schedules (added before the bundled ones)."""
    return home() / "holidays"
