"""Writes that fail (issue 13, item 4): a read-only file system, the file-size limit
(RLIMIT_FSIZE), an unwritable ``report --out`` — each ends in one line on stderr, exit 2, no
traceback, no truncated file left behind and the register unchanged. Also: a refused argument
is one line, without argparse's usage block before it.

The read-only file system is a read-only tmpfs (or a read-only bind mount of a folder) in a user
and mount namespace of its own (``unshare -rm``), so the test needs no privileges; the file-size
limit is set in the child process with SIGXFSZ ignored, so a write past it fails with EFBIG
instead of killing the process."""

from __future__ import annotations

import hashlib
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys

import pytest

FTLIB = [sys.executable, "-m", "ftlib"]
LIMIT = 20_000   # bytes: smaller than any export or register of the world below


def _run(args, *, env=None, limit=False, unshare=None):
    env = {**os.environ, **(env or {})}
    if unshare is not None:            # mount first (a shell line), then run ftlib in that namespace
        cmd = ["unshare", "-rm", "sh", "-c", unshare + " && exec " + shlex.join([*FTLIB, *args])]
    else:
        cmd = [*FTLIB, *args]

    def fsize():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300,
                          preexec_fn=fsize if limit else None)


def _one_line(done, *words):
    assert done.returncode == 2, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("writes")
    url = f"sqlite:///{d / 'src' / 'r.sqlite'}"
    (d / "src").mkdir()
    assert _run(["synth", "--regions", "2", "--years", "1", "--database", url]).returncode == 0
    assert _run(["export", "--to", str(d / "r.csv"), "--database", url]).returncode == 0
    (d / "empty").mkdir()
    assert _run(["db", "upgrade", "--database", f"sqlite:///{d / 'empty' / 'r.sqlite'}"]).returncode == 0
    (d / "ro").mkdir()
    return d, url


def _namespaces_work(d) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o ro tmpfs {d / 'ro'}"],
                           capture_output=True)
    return probe.returncode == 0


def _files(d):
    return sorted(str(p) for p in d.glob("r*.csv"))


@pytest.mark.parametrize("argv, words", [
    (["determine"], ["ftlib determine: error:", "required: case"]),
    (["nosuch"], ["ftlib: error:", "invalid choice: 'nosuch'"]),
    (["synth", "--years", "0"], ["ftlib synth: error:", "--years", "at least 1"]),
    (["report", "--min-cell", "many"], ["ftlib report: error:", "--min-cell", "'many'"]),
])
def test_a_refused_argument_is_one_line_without_the_usage(argv, words, capsys):
    from ftlib.cli import main

    with pytest.raises(SystemExit) as done:
        main(argv)
    err = capsys.readouterr().err
    assert done.value.code == 2
    line = _one_line(subprocess.CompletedProcess(argv, 2, "", err), *words)
    assert not line.startswith("usage:")


def test_read_only_file_system(world):
    d, url = world
    if not _namespaces_work(d):
        pytest.skip("unshare -rm (user and mount namespaces) is not available here")
    ro_tmpfs = f"mount -t tmpfs -o ro tmpfs {d / 'ro'}"
    _one_line(_run(["export", "--to", str(d / "ro" / "x.csv"), "--database", url], unshare=ro_tmpfs),
              f"{d / 'ro' / 'x.'}", ".csv: cannot write: the file system is read-only")
    _one_line(_run(["export", "--to", str(d / "ro" / "x.xlsx"), "--database", url], unshare=ro_tmpfs),
              "x.xlsx: cannot write: the file system is read-only")
    _one_line(_run(["report", "--all", "--out", str(d / "ro" / "reports")], env={"FTLIB_DATABASE_URL": url},
                   unshare=ro_tmpfs), "reports", "read-only")
    # the register itself on a read-only file system: the import is refused, the file unchanged
    target = d / "empty" / "r.sqlite"
    before = _digest(target)
    ro_bind = f"mount --bind {d / 'empty'} {d / 'ro'} && mount -o remount,ro,bind {d / 'ro'}"
    _one_line(_run(["import", *_files(d), "--database", f"sqlite:///{d / 'ro' / 'r.sqlite'}"], unshare=ro_bind),
              "the database refused the write", "readonly")
    assert _digest(target) == before
    assert not list((d / "empty").glob("r.sqlite-*")), "no journal left behind"


def test_file_size_limit(world, tmp_path):
    d, url = world
    for name in ("big.csv", "big.xlsx"):    # a CSV export is several files: the one that failed is named
        _one_line(_run(["export", "--to", str(tmp_path / name), "--database", url], limit=True),
                  f"{tmp_path / 'big.'}", ": cannot write: the file would exceed the file-size limit")
    assert list(tmp_path.iterdir()) == [], "a failed export leaves no (truncated) file"
    # an import that would grow the register past the limit: refused, the register unchanged
    reg = tmp_path / "reg"
    shutil.copytree(d / "empty", reg)
    before = _digest(reg / "r.sqlite")
    _one_line(_run(["import", *_files(d), "--database", f"sqlite:///{reg / 'r.sqlite'}"], limit=True),
              f"{reg / 'r.sqlite'}", "the database refused the write")
    assert _digest(reg / "r.sqlite") == before
    # synth into a new register
    _one_line(_run(["synth", "--regions", "2", "--years", "1", "--database", f"sqlite:///{tmp_path / 's.sqlite'}"],
                   limit=True), "s.sqlite", "the database refused the write")


def test_report_out_to_an_unwritable_place(world):
    d, url = world
    under_a_file = d / "r.csv" / "reports"     # a folder inside a file cannot be made
    _one_line(_run(["report", "--all", "--out", str(under_a_file)], env={"FTLIB_DATABASE_URL": url}),
              f"{under_a_file}", "Not a directory")
    assert (d / "r.csv").is_file()
