"""Every register test runs twice: on a SQLite file and on a real PostgreSQL server.

The PostgreSQL server is a throwaway cluster this suite starts itself (initdb + pg_ctl from
``/usr/lib/postgresql/15/bin``, or ``FTLIB_PG_BIN``) in a temporary folder, on a free port,
with fsync off, and stops and deletes at the end of the session. PostgreSQL refuses to run as
root, so when the tests run as root (CI) the server runs as the unprivileged ``postgres`` user
of Debian's ``postgresql`` package (created as a system user if missing) through ``runuser``.
Each test gets its own database, created from a template that already has the schema.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from ftlib.register import db

PG_BIN = Path(os.environ.get("FTLIB_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = os.environ.get("FTLIB_PG_USER", "postgres")
_counter = itertools.count()


def _free_port() -> int:
    from tests.browser.conftest import free_port  # outside the ephemeral range: see there

    return free_port()


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                       check=True)
    return ["runuser", "-u", PG_USER, "--"]


class PgServer:
    def __init__(self) -> None:
        if not (PG_BIN / "pg_ctl").exists():
            pytest.fail(f"PostgreSQL server binaries not found in {PG_BIN}: run scripts/setup.sh "
                        "(installs the Debian package postgresql) or set FTLIB_PG_BIN", pytrace=False)
        self.prefix = _as_server_user()
        self.root = Path(tempfile.mkdtemp(prefix="ftlib-pg-"))
        if self.prefix:
            os.chown(self.root, pwd.getpwnam(PG_USER).pw_uid, -1)
        self.data = self.root / "data"
        self.port = _free_port()
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-locale", "--no-sync")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -h 127.0.0.1 -k {self.root} -F -c max_connections=50", "start")
        self.base = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"

    def _run(self, *cmd: str) -> None:
        done = subprocess.run([*self.prefix, *cmd], capture_output=True, text=True, cwd=self.root)
        if done.returncode:
            log = self.root / "log"
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()} "
                               f"{log.read_text() if log.exists() else ''}")

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(statement)

    def stop(self) -> None:
        try:
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    server = PgServer()
    # A template database with the current schema: per-test databases are copies of it.
    server.sql("CREATE DATABASE ftlib_template")
    db.upgrade(f"{server.base}/ftlib_template")
    db.dispose(f"{server.base}/ftlib_template")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request):
    return request.param


def _new_url(request, tmp_path, upgraded: bool):
    name = request.getfixturevalue("engine_name")
    if name == "sqlite":
        url = f"sqlite:///{tmp_path / 'register.sqlite'}"
        if upgraded:
            db.upgrade(url)
        return url, None
    server = request.getfixturevalue("pg_server")
    dbname = f"t{os.getpid()}_{next(_counter)}"
    server.sql(f"CREATE DATABASE {dbname}" + (" TEMPLATE ftlib_template" if upgraded else ""))
    return f"{server.base}/{dbname}", (server, dbname)


@pytest.fixture
def empty_url(request, tmp_path, engine_name):
    """An empty database (no schema) on the engine under test."""
    url, pg = _new_url(request, tmp_path, upgraded=False)
    yield url
    _drop(url, pg)


@pytest.fixture
def url(request, tmp_path, engine_name):
    """A register at the newest schema on the engine under test."""
    url, pg = _new_url(request, tmp_path, upgraded=True)
    yield url
    _drop(url, pg)


def _drop(url, pg) -> None:
    db.dispose(url)
    db.get_engine.cache_clear()
    if pg:
        server, dbname = pg
        server.sql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


@pytest.fixture
def another_url(request, tmp_path, engine_name):
    """A second, independent register on the same engine (e.g. the target of a round trip)."""
    target = tmp_path / "second"
    target.mkdir()
    url, pg = _new_url(request, target, upgraded=True)
    yield url
    _drop(url, pg)
