import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m ftlib`` as a user would, capturing output."""
    return subprocess.run([sys.executable, "-m", "ftlib", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True, scope="session")
def _ftlib_home(tmp_path_factory):
    """Every test writes its working files under a fresh FTLIB_HOME, never into the checkout or
    the user's home; subprocesses inherit it through the environment."""
    os.environ["FTLIB_HOME"] = str(tmp_path_factory.mktemp("ftlib-home"))
    yield
