"""A bulk session (``procedure.bulk``, used by ``synth``): the same steps, the same checks and the
same rows as step by step, without a database statement per step (CN-DM-2022: appeal window 15
working days from the written feedback; rectify within 15 working days)."""

from __future__ import annotations

import pytest
from helpers import DM_DECISION, D, decided_case, make_case
from sqlalchemy import event

from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.decisions import record_decision


def _story(s) -> None:
    """A refused application appealed and overturned, and a decided case whose correction is
    completed and whose decision is appealed and upheld on review; a registration, a clarification."""
    pr.register_exante(s, "R-1", "CN-DM", D(2025, 3, 1), "改革试点", cadre_id="C-0007")
    pr.open_case(s, make_case("B-1", procedure={"exante_registered": True}), channel="cadre_application",
                 received_on=D(2025, 9, 22), actor="cadre", cadre_id="C-0007", registration_id="R-1")
    pr.refuse(s, "B-1", D(2025, 9, 24), "office", "不属于容错范围")
    pr.appeal(s, "B-1", D(2025, 10, 21), "C-0007", "in time")   # the window's last day (test_procedure)
    pr.decide_refusal_appeal(s, "B-1", D(2025, 10, 30), "review team", overturn=True, reason="属于容错范围")
    decided_case(s, "B-2")   # exempt on Tue 6 May 2025, rectify ordered
    pr.send_feedback(s, "B-2", D(2025, 5, 8), "office")
    pr.complete_correction(s, "B-2", "rectify", D(2025, 5, 20), "unit")
    pr.share_result(s, "B-2", D(2025, 5, 21), "office")
    pr.appeal(s, "B-2", D(2025, 5, 29), "C-0001", "事实认定有误")
    record_decision(s, "B-2", on=D(2025, 6, 10), actor="standing committee", **DM_DECISION, outcome="exempt",
                    review=True)
    pr.clarify(s, region="CN-DM", on=D(2025, 6, 1), method="media", actor="纪委", cadre_id="C-0009")


def test_a_bulk_session_writes_what_the_steps_write_with_no_statement_until_it_flushes(url):
    with db.session_scope(url) as s:
        statements = []
        with pr.bulk(s):
            event.listen(s.connection(), "before_cursor_execute", lambda *a: statements.append(a[2]))
            _story(s)
            assert statements == []   # every step checked and held in memory
        assert statements          # written when the block ends
    ev = frames.events(url)
    assert list(ev[ev["case_id"] == "B-1"]["kind"]) == ["started", "refused", "refusal_appealed", "refusal_overturned"]
    assert list(ev[ev["case_id"] == "B-2"]["seq"]) == list(range(1, 11))
    ap = frames.appeals(url).sort_values("lodged_on")
    assert ap[["case_id", "against", "result"]].values.tolist() == [
        ["B-2", "decision", "upheld"], ["B-1", "refusal", "overturned"]]
    assert ap.iloc[0]["decided_on"].date() == D(2025, 6, 10)
    corr = frames.corrections(url)
    # decided Tue 6 May 2025 + 15 working days = Tue 27 May; completed on 20 May
    assert corr[["case_id", "measure"]].values.tolist() == [["B-2", "rectify"]]
    assert corr.iloc[0]["due_on"].date() == D(2025, 5, 27) and corr.iloc[0]["completed_on"].date() == D(2025, 5, 20)
    shared = frames.results_shared(url)
    assert shared[["outcome", "counts_against_cadre"]].values.tolist() == [["exempt", False]]
    assert frames.cases(url).set_index("id").loc["B-1", "registration_id"] == "R-1"
    assert len(frames.clarifications(url)) == 1


def test_a_bulk_session_refuses_what_the_steps_refuse(url):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case("OLD-1"), channel="ex_officio", received_on=D(2025, 4, 1), actor="commission")
    with db.session_scope(url) as s, pr.bulk(s):
        with pytest.raises(pr.ProcedureError, match="field id: value 'OLD-1': already in the register"):
            pr.open_case(s, make_case("OLD-1"), channel="ex_officio", received_on=D(2025, 4, 1), actor="commission")
        pr.open_case(s, make_case("N-1"), channel="ex_officio", received_on=D(2025, 4, 1), actor="commission")
        with pytest.raises(pr.ProcedureError, match="field id: value 'N-1': already in the register"):
            pr.open_case(s, make_case("N-1"), channel="ex_officio", received_on=D(2025, 4, 2), actor="commission")
        with pytest.raises(pr.ProcedureError, match="investigated is not allowed when the case is submitted"):
            pr.finish_investigation(s, "N-1", D(2025, 4, 2), "team")
        pr.accept(s, "N-1", D(2025, 4, 2), "office")
        with pytest.raises(pr.ProcedureError, match="field at: value 2025-04-01: before the previous event"):
            pr.start_investigation(s, "N-1", D(2025, 4, 1), "team")
        pr.bulk_flush(s)   # no longer held: the next step reads the case back from the database
        pr.start_investigation(s, "N-1", D(2025, 4, 3), "team")
        with pytest.raises(pr.ProcedureError, match="field at: value 2025-04-02: before the previous event"):
            pr.finish_investigation(s, "N-1", D(2025, 4, 2), "team")
    assert list(frames.events(url).query("case_id == 'N-1'")["kind"]) == ["started", "accepted", "investigation_started"]
