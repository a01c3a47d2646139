"""Alembic environment: runs with the connection ``ftlib db upgrade`` hands over, or opens
the register URL (``FTLIB_DATABASE_URL`` or the default SQLite file) itself."""

# Imports inside functions: Alembic loads this file itself; the engine is made when a migration runs.

from alembic import context

from ftlib.register.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from ftlib.register.db import get_engine

        with get_engine().begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
