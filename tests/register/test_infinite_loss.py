"""An infinite or NaN loss never reaches the database (issue 13, item 4): on SQLite *and* on
PostgreSQL — whose JSON type cannot hold Infinity — the import refuses it naming file, row and
field, in one line per problem, and writes nothing; the Python API refuses it before a row exists."""

from __future__ import annotations

import pytest
from helpers import D, facts

from ftlib.facts import FactError, case_from_dict
from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.io import ImportError_, import_files

HEADER = "id,channel,received_on,jurisdiction,conduct_date,subject.rank,scenario,public_motive," \
         "procedure.collective_decision,procedure.followed,consequence.severity,consequence.loss_cny"


@pytest.mark.parametrize("loss", ["inf", "-inf", "Infinity", "1e999", "nan"])
def test_an_infinite_loss_is_refused_and_nothing_is_written(url, tmp_path, loss):
    f = tmp_path / "cases.csv"
    f.write_text(HEADER + "\n"
                 "L-1,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,10000\n"
                 f"L-2,cadre_application,2025-04-01,CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,{loss}\n",
                 encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    assert [(i.row, i.column, i.value) for i in info.value.issues] == [(3, "consequence.loss_cny", loss)]
    assert frames.table("cases", url).empty and frames.table("events", url).empty


@pytest.mark.parametrize("loss", [float("inf"), float("-inf"), float("nan")])
def test_the_api_refuses_an_infinite_loss_before_anything_is_stored(url, loss):
    with pytest.raises(FactError, match="consequence.loss_cny"):
        case = case_from_dict(facts(consequence={"loss_cny": loss}))
        with db.session_scope(url) as s:
            pr.open_case(s, case, channel="ex_officio", received_on=D(2025, 4, 1), actor="纪委")
    assert frames.table("cases", url).empty
