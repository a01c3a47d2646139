"""`ftlib db upgrade` on both engines; foreign and corrupt databases are refused untouched."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from ftlib.register import db
from ftlib.register.models import Base


def test_upgrade_creates_every_table_of_the_models(empty_url):
    assert db.status(empty_url)[0] in ("missing", "empty")
    rev = db.upgrade(empty_url)
    assert rev == db.head_revision() == "0004"
    with db.get_engine(empty_url).connect() as conn:
        tables = set(inspect(conn).get_table_names())
        app = conn.execute(text("SELECT value FROM ftlib_meta WHERE key='application'")).scalar()
    assert set(Base.metadata.tables) <= tables
    assert app == "ftlib-register"
    assert db.status(empty_url) == ("ftlib", "0004")
    assert db.upgrade(empty_url) == "0004"  # a second upgrade is a no-op


def test_migrations_match_the_models(url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.get_engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_events_are_append_only(url):
    from helpers import D, make_case

    from ftlib.register import procedure as pr

    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="ex_officio", received_on=D(2025, 4, 1), actor="commission")
    engine = db.get_engine(url)
    for stmt in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(stmt))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events WHERE actor = 'x'")).scalar() == 0


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_foreign_sqlite_file_is_refused_by_the_cli_and_not_modified(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    before = _digest(path)
    done = subprocess.run([sys.executable, "-m", "ftlib", "db", "upgrade"], capture_output=True, text=True,
                          env={"FTLIB_DATABASE_URL": f"sqlite:///{path}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    assert "another application (invoices)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _digest(path) == before


def test_foreign_database_is_refused_and_not_modified(empty_url):
    engine = db.get_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)"))
    with pytest.raises(db.RegisterError, match=r"another application \(invoices\).*not modified"):
        db.upgrade(empty_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["invoices"]


def test_corrupt_sqlite_file_is_refused_and_not_modified(tmp_path):
    path = tmp_path / "register.sqlite"
    path.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 50)
    before = _digest(path)
    with pytest.raises(db.RegisterError, match="not a SQLite database"):
        db.upgrade(f"sqlite:///{path}")
    assert _digest(path) == before


def test_register_not_upgraded_says_what_to_do(empty_url):
    with pytest.raises(db.RegisterError, match="run `ftlib db upgrade`"):
        db.require_current(empty_url)


def test_bad_url_is_one_line(monkeypatch):
    monkeypatch.setenv("FTLIB_DATABASE_URL", "not a url")
    with pytest.raises(db.RegisterError, match="FTLIB_DATABASE_URL: value 'not a url': not a database URL"):
        db.get_engine(None)


def test_a_register_at_0001_upgrades_to_the_head_and_keeps_its_rows(empty_url):
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(db.ALEMBIC_INI))
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with db.get_engine(empty_url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO regions (code, name_zh, name_en, parent, illustrative) "
                          "VALUES ('CN-DM', '示例省', 'Demo Province', NULL, true)"))
    assert db.status(empty_url) == ("ftlib", "0001")
    assert db.upgrade(empty_url) == db.head_revision()
    with db.get_engine(empty_url).connect() as conn:
        assert conn.execute(text("SELECT name_zh FROM regions WHERE code='CN-DM'")).scalar() == "示例省"
        assert "career_reviews" in inspect(conn).get_table_names()
