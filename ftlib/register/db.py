"""Where the register lives and how to open it.

The URL is, in order: the ``url`` argument, the ``FTLIB_DATABASE_URL`` environment variable,
or a SQLite file ``data/register.sqlite`` in the project folder. Any SQLAlchemy URL works
(``sqlite:///path/to/file.sqlite``, ``postgresql+psycopg://user@host/db``).

Before anything is written, the database is checked: an empty database is fine (``ftlib db
upgrade`` creates the schema), an ftlib register is fine, anything else — another
application's tables, a file that is not a SQLite database — is refused with a one-line error
and left untouched.
"""

# Imports inside functions: Alembic is imported only when a register is migrated or its revision read.

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import sessionmaker

from ftlib import home
from ftlib.errors import FtlibError
from ftlib.register.models import APPLICATION

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


class RegisterError(FtlibError):
    """A database that cannot be used as the register, or a refused register operation."""


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("FTLIB_DATABASE_URL") or f"sqlite:///{home.register_path()}"


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@lru_cache(maxsize=16)
def get_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise RegisterError(f"FTLIB_DATABASE_URL: value {url!r}: not a database URL "
                            "(e.g. sqlite:///data/register.sqlite or postgresql+psycopg://user@host/db)") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so a whole
        # import is one transaction that a killed process leaves uncommitted. IMMEDIATE takes
        # the write lock at the start: two writers wait for each other (busy_timeout) instead
        # of failing with "database is locked" when both try to upgrade a read lock.
        event.listen(engine, "connect", lambda c, r: setattr(c, "isolation_level", None))
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    else:
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except (NoSuchModuleError, ArgumentError, ImportError) as err:
            # an unknown scheme (nosuch://) or a driver that is not installed
            raise RegisterError(f"database URL {shown(url)!r}: cannot be used "
                                f"({str(err).splitlines()[0][:120]}); use sqlite:///FILE or "
                                "postgresql+psycopg://user@host/db") from None
    return engine


def sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise RegisterError(f"database URL {url[:80]!r}: not a database URL "
                            "(e.g. sqlite:///data/register.sqlite or postgresql+psycopg://user@host/db)") from None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def status(url: str | None = None) -> tuple[str, str | None]:
    """``("missing"|"empty"|"ftlib"|"foreign", revision)`` without writing anything."""
    url = database_url(url)
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            return ("missing", None)
        if path.is_dir():
            raise RegisterError(f"{path}: is a folder, not a SQLite database")
        with open(path, "rb") as fh:
            head = fh.read(16)
        if head and head != b"SQLite format 3\x00":
            raise RegisterError(f"{path}: not a SQLite database (the file header is {head[:16]!r}); not modified")
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                return ("empty", None)
            if "ftlib_meta" not in tables or "alembic_version" not in tables:
                others = ", ".join(sorted(tables)[:6])
                raise RegisterError(f"{shown(url)}: holds tables of another application ({others}); "
                                    "not an ftlib register, not modified")
            app = conn.execute(text("SELECT value FROM ftlib_meta WHERE key = 'application'")).scalar()
            if app != APPLICATION:
                raise RegisterError(f"{shown(url)}: ftlib_meta.application is {app!r}, not {APPLICATION!r}; not modified")
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            return ("ftlib", rev)
    except OperationalError as err:
        raise RegisterError(f"{shown(url)}: cannot open the database: {_first_line(err)}") from None
    except DatabaseError as err:
        raise RegisterError(f"{shown(url)}: not a usable database ({_first_line(err)}); not modified") from None


def _first_line(err: Exception) -> str:
    msg = str(getattr(err, "orig", err)) or type(err).__name__
    return msg.strip().splitlines()[0]


def failure(err: BaseException, url: str | None = None) -> str | None:
    """One line for a database that refused a statement (a read-only file or file system, disk
    full, the file-size limit, an I/O error, a lost server), naming the register; None when
    ``err`` is not a database error. The transaction it was in is rolled back by the session."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(err, DBAPIError):
        return None
    try:
        where = shown(database_url(url))
    except Exception:  # noqa: BLE001 — the URL is only for the message
        where = "the register"
    return f"{where}: the database refused the write: {_first_line(err)} (that transaction was rolled back)"


def upgrade(url: str | None = None) -> str:
    """Create the register or migrate it to the newest schema; returns the revision."""
    from alembic import command
    from alembic.config import Config

    url = database_url(url)
    state, rev = status(url)
    path = sqlite_path(url)
    if state == "missing" and path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    head = head_revision()
    if state == "ftlib" and rev == head:
        return head
    if state == "ftlib" and rev is not None:
        from alembic.script import ScriptDirectory

        known = {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
        if rev not in known:
            raise RegisterError(f"{shown(url)}: schema revision {rev!r} is newer than this ftlib knows; "
                                "upgrade ftlib first; not modified")
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = get_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return head


def require_current(url: str | None = None) -> Engine:
    """The engine of a register at the newest schema, or a one-line error saying what to do."""
    url = database_url(url)
    state, rev = status(url)
    if state in ("missing", "empty"):
        raise RegisterError(f"{shown(url)}: no register here yet; run `ftlib db upgrade` first")
    if rev != head_revision():
        raise RegisterError(f"{shown(url)}: register schema is at revision {rev}, this ftlib needs "
                            f"{head_revision()}; run `ftlib db upgrade`")
    return get_engine(url)


@contextmanager
def session_scope(url: str | None = None, *, check: bool = True):
    """One transaction: committed when the block ends, rolled back on any error."""
    engine = require_current(url) if check else get_engine(url)
    maker = sessionmaker(engine, expire_on_commit=False)
    with maker() as session:
        with session.begin():
            yield session


def dispose(url: str | None = None) -> None:
    """Close pooled connections (tests drop databases afterwards)."""
    get_engine(database_url(url)).dispose()
