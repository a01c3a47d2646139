"""Who recorded an event (``events.recorded_by``, migration 0003): stored by ``append``,
kept through export and import, and the migration from 0002 keeps events append-only."""

from __future__ import annotations

import pytest
from helpers import D, make_case
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ftlib.register import db
from ftlib.register import procedure as pr
from ftlib.register.io import export_file, import_files
from ftlib.register.models import Event


def test_append_stores_who_recorded_the_event(url):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="cadre_application", received_on=D(2025, 4, 1), actor="申请人",
                     cadre_id="C-0001", recorded_by="李受理")
        pr.append(s, "T-1", "accepted", D(2025, 4, 2), "纪委办公室", recorded_by="  王办事员 ")
        pr.append(s, "T-1", "investigation_started", D(2025, 4, 3), "核查组")
    with db.session_scope(url) as s:
        got = s.execute(select(Event.kind, Event.actor, Event.recorded_by).order_by(Event.seq)).all()
    assert got == [("started", "申请人", "李受理"), ("accepted", "纪委办公室", "王办事员"),
                   ("investigation_started", "核查组", None)]


def test_recorded_by_survives_export_and_import(url, another_url, tmp_path):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="ex_officio", received_on=D(2025, 4, 1), actor="纪委",
                     recorded_by="李受理")
    files = export_file(tmp_path / "out.xlsx", url)
    import_files(files, another_url)
    with db.session_scope(another_url) as s:
        assert s.scalars(select(Event.recorded_by)).all() == ["李受理"]


def test_upgrade_from_0002_keeps_events_append_only(empty_url):
    from alembic import command
    from alembic.config import Config

    url = empty_url
    cfg = Config(str(db.ALEMBIC_INI))
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with db.get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    assert db.status(url) == ("ftlib", "0002")
    db.upgrade(url)
    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="ex_officio", received_on=D(2025, 4, 1), actor="纪委", recorded_by="甲")
    with pytest.raises(DBAPIError, match="append-only"):
        with db.get_engine(url).begin() as conn:
            conn.execute(text("UPDATE events SET recorded_by = 'x'"))
