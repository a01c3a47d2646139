"""ftlib as a user gets it (issue 10): a wheel installed into a fresh virtual environment outside
the checkout, used from another folder; and the README's main command run twice in a fresh copy
of the project, the second run serving like the first. Both build environments from the package
index (the pip cache makes that quick after the first time)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, stop_group

CASE = "pub-pidu-chengdu-2017.yaml"   # published: exempted (免予问责), see its source in the file


def _project_files() -> list[str]:
    """The files a fresh clone would hold (tracked or new, not ignored)."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return [f for f in out.splitlines() if (ROOT / f).is_file()]


def _copy_project(dst: Path) -> Path:
    for rel in _project_files():
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dst / rel)
    return dst


#: What the test run itself writes in the checkout (other tests run in parallel), not ftlib.
_TEST_OUTPUT = ("tests/artifacts/", ".hypothesis/", ".pytest_cache/", ".ruff_cache/", ".venv/")


def _tree_state() -> list[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=ROOT,
                         capture_output=True, text=True).stdout
    return sorted(ln for ln in out.splitlines()
                  if not ln[3:].startswith(_TEST_OUTPUT) and "__pycache__/" not in ln and ".egg-info/" not in ln)


def _env(home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "FTLIB_DATABASE_URL")}
    return {**env, "FTLIB_HOME": str(home), **extra}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    src = _copy_project(base / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "dist"), str(src)],
                   check=True, capture_output=True, timeout=600)
    wheel = next((base / "dist").glob("ftlib-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=300)
    subprocess.run([str(base / "venv/bin/python"), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=900)
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return {"bin": base / "venv" / "bin", "wheel": wheel, "cwd": elsewhere, "home": base / "home"}


def test_the_wheel_holds_all_package_data(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    shipped = {str(p.relative_to(ROOT)) for p in (ROOT / "ftlib" / "data").rglob("*") if p.is_file()}
    assert shipped, "ftlib/data is empty"
    assert shipped - names == set(), f"missing from the wheel: {sorted(shipped - names)[:5]}"
    for folder in ("policies", "cases", "labels", "reports", "voila", "notebooks"):
        assert any(n.startswith(f"ftlib/data/{folder}/") for n in names), folder


def _ftlib(installed, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed["bin"] / "ftlib"), *args], cwd=installed["cwd"], capture_output=True,
                          text=True, timeout=timeout, env=_env(installed["home"]))


def test_installed_ftlib_works_from_another_folder(installed):
    before = _tree_state()
    pol = _ftlib(installed, "policies", "--lang", "en")
    assert pol.returncode == 0, pol.stderr
    for pid in ("CN-2016", "CN-2018", "CN-2019"):
        assert pid in pol.stdout

    where = _ftlib(installed, "paths")
    data = dict(line.split("\t", 1) for line in where.stdout.splitlines())
    assert not Path(data["package_data"]).is_relative_to(ROOT), "the installed ftlib reads the checkout"
    assert Path(data["home"]) == installed["home"].resolve()

    det = _ftlib(installed, "determine", str(Path(data["package_data"]) / "cases" / CASE), "--format", "json")
    assert det.returncode == 0, det.stderr
    assert '"outcome": "exempt"' in det.stdout      # the published outcome of the Pidu case

    lint = _ftlib(installed, "lint")
    assert lint.returncode == 0, lint.stdout + lint.stderr

    syn = _ftlib(installed, "synth", "--regions", "2", "--years", "1", "--seed", "7")
    assert syn.returncode == 0, syn.stderr
    rep = _ftlib(installed, "report", "--all", "--quiet", "--workers", "1")
    assert rep.returncode == 0, rep.stdout + rep.stderr
    reports = list((installed["home"] / "dashboards").glob("report_*.ipynb"))
    assert reports and (installed["home"] / "dashboards" / "index.ipynb").exists()
    assert (installed["home"] / "dashboards" / "voila.json").exists()
    assert _tree_state() == before, "the installed ftlib wrote into the checkout"


def test_the_installed_package_knows_its_notebooks(installed):
    # `ftlib notebook` and `ftlib lab` serve the notebooks shipped in the package, not a checkout's
    r = _ftlib(installed, "notebook", "99_none")
    assert r.returncode == 2
    assert "06_case_desk" in r.stderr and "01_case_builder" in r.stderr, r.stderr


def test_an_empty_policy_folder_is_an_error_not_an_empty_set(installed, tmp_path):
    r = _ftlib(installed, "--policy-dir", str(tmp_path), "policies")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "no policy files" in r.stderr


def _serve_once(project: Path, home: Path, port: int) -> str:
    """``make run`` until it prints the dashboards URL and that URL answers; then stop it."""
    from tests.browser.conftest import free_port

    apps_port = free_port()
    proc = subprocess.Popen(["make", "run", f"RUN_ARGS=--quarters 1 --port {port} --apps-port {apps_port}"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env=_env(home, CI="true"))
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 900
        url = None
        for line in proc.stdout:
            seen.append(line)
            if "dashboards at http://" in line:
                url = line.split("dashboards at ", 1)[1].split()[0]
                break
            assert time.monotonic() < deadline, "make run took too long"
        assert url, "make run ended without serving:\n" + "".join(seen[-15:])
        while True:
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 — our local server
                    assert resp.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "".join(seen[-15:])
                time.sleep(0.5)
        # the index's link to the case desk leads to the widget server make run started beside it
        desk = url.replace("voila/render/index.ipynb", "ftlib/apps/06_case_desk")
        while True:
            try:
                with urllib.request.urlopen(desk, timeout=30) as resp:  # noqa: S310 — our local servers
                    assert resp.status == 200 and resp.url.startswith(f"http://127.0.0.1:{apps_port}/voila/render/06")
                    return url
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "".join(seen[-15:])
                time.sleep(0.5)
    finally:
        stop_group(proc)


def test_make_run_serves_a_second_time_in_the_same_copy(tmp_path):
    from tests.browser.conftest import free_port

    project = _copy_project(tmp_path / "project")
    home = tmp_path / "home"
    first = _serve_once(project, home, free_port())
    second = _serve_once(project, home, free_port())
    assert first.endswith("index.ipynb") and second.endswith("index.ipynb")
    assert (home / "sample" / "register.sqlite").exists()
