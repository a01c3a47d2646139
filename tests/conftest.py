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


def stop_group(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started (kernels,
    workers): SIGTERM to its process group, SIGKILL if it has not ended within ``timeout``."""
    import signal

    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(autouse=True, scope="session")
def _ftlib_home(tmp_path_factory):
    """Every test writes its working files under a fresh FTLIB_HOME, never into the checkout or
    the user's home; subprocesses inherit it through the environment."""
    os.environ["FTLIB_HOME"] = str(tmp_path_factory.mktemp("ftlib-home"))
    yield
