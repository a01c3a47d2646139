"""The case desk's steps (ftlib.casedesk.steps) on both engines: only legal steps offered, each
recorded through the register with who recorded it, refusals as the API refuses, and the
opinion produced from what was recorded (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import pytest
from helpers import DM_DECISION, D, facts
from sqlalchemy import select

from ftlib.casedesk import steps as st
from ftlib.documents import document_bytes
from ftlib.errors import FtlibError
from ftlib.register import db
from ftlib.register.models import Event


def test_desk_steps_on_both_engines(url, tmp_path):
    # notice of Thu 2025-03-20: CN-DM-2017's 10-working-day application window ends 2025-04-03
    case_id = st.open_new_case(facts("K-1"), channel="unit_application", received_on=D(2025, 4, 1), actor="单位",
                               cadre_id="C-0100", recorded_by="甲", url=url, notice_on=D(2025, 3, 20))
    cs = st.case_state(case_id, url)
    assert st.allowed_steps(cs) == ["accepted", "refused", "clue_received"]
    with pytest.raises(FtlibError, match="field reason"):
        st.record_step(case_id, "refused", D(2025, 4, 2), "纪委", {"reason": "  "}, "甲", url)
    with pytest.raises(FtlibError, match="investigation_started is not allowed when the case is submitted"):
        st.record_step(case_id, "investigation_started", D(2025, 4, 2), "纪委", {}, "甲", url)
    st.record_step(case_id, "accepted", D(2025, 4, 2), "纪委", {}, "乙", url)
    st.record_step(case_id, "investigation_started", D(2025, 4, 3), "核查组", {"team": ""}, "乙", url)
    st.record_step(case_id, "investigated", D(2025, 4, 25), "核查组", {"findings": "已挽回。"}, "乙", url)
    assert st.allowed_steps(st.case_state(case_id, url))[:1] == ["decided"]
    st.record_decision_step(case_id, on=D(2025, 5, 6), actor="常委会", recorded_by="丙", url=url, outcome="exempt",
                            **DM_DECISION)
    cs = st.case_state(case_id, url)
    assert cs.open_corrections == {"rectify"} and "correction_completed" in st.allowed_steps(cs)
    st.record_step(case_id, "correction_completed", D(2025, 5, 20), "单位", {"measure": "rectify"}, "丙", url)
    assert "correction_completed" not in st.allowed_steps(st.case_state(case_id, url))
    with db.session_scope(url) as s:
        got = s.execute(select(Event.kind, Event.recorded_by).where(Event.case_id == case_id)
                        .order_by(Event.seq)).all()
    assert got == [("started", "甲"), ("accepted", "乙"), ("investigation_started", "乙"), ("investigated", "乙"),
                   ("decided", "丙"), ("correction_completed", "丙")]
    name, data = document_bytes(case_id, "opinion", "html", url)
    assert "认定为：免予问责（符合免责条件）" in data.decode("utf-8")
