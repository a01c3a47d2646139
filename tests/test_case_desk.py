"""The case desk without a browser: a case started, taken from application to filing through
the widgets, each step landing in the register through the register's own checks (a quorum
short and an unexplained departure refused), each deadline shown.

Deadlines of CN-DM-2022 (procedure inherited from CN-DM-2017: acceptance 3, investigation 20,
decision 10, feedback 3, filing 5, appeal 15 working days; correction ``rectify`` 15), counted
by hand on the 2025 calendar (清明 Apr 4; May Day May 1–5 with Sunday Apr 27 worked; the day of
the act not counted):
acceptance from Apr 1: Apr 2, 3, 7 → 2025-04-07; investigation from Apr 2 → 2025-04-30 (see
tests/test_documents.py); decision from Apr 25: Apr 27, 28, 29, 30, May 6, 7, 8, 9, 12, 13 →
2025-05-13; feedback from May 6: May 7, 8, 9 → 2025-05-09; filing from May 8: May 9, 12, 13,
14, 15 → 2025-05-15; appeal window from May 8 → 2025-05-29; rectify from May 6 → 2025-05-27.
Application window (CN-DM-2017: 10 working days after the accountability notice): a notice of
Thu Mar 20 → Mar 21, 24, 25, 26, 27, 28, 31, Apr 1, 2, 3 → 2025-04-03 (an application of Apr 1 is
in time); a notice of Mon Mar 10 → Mar 11 … 14, 17 … 21, 24 → 2025-03-24 (Apr 1 is too late).
On 2025-06-03 the correction due May 27 is 4 working days overdue (May 28, 29, 30 and Jun 3:
端午 closes May 31–Jun 2), and the appeal window (May 29) is over without an appeal.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from ftlib.register import db
from ftlib.register.models import Event
from ftlib.ui.case_desk import CaseDesk

D = dt.date
EXPECTED_DUE = {"application_window": "2025-04-03", "acceptance": "2025-04-07", "investigation": "2025-04-30", "decision": "2025-05-13",
                "feedback": "2025-05-09", "filing": "2025-05-15", "appeal_window": "2025-05-29",
                "correction": "2025-05-27"}


@pytest.fixture
def desk(tmp_path):
    url = f"sqlite:///{tmp_path / 'desk.sqlite'}"
    db.upgrade(url)
    yield CaseDesk(url, "zh", today=D(2025, 6, 3)), url
    db.dispose(url)


def _step(desk, kind, at, actor="纪委办公室", **values):
    assert kind in [v for _, v in desk.step.options], (kind, desk.step.options)
    desk.step.value = kind
    desk.at.value = at
    desk.actor.value = actor
    for k, v in values.items():
        desk.form.widgets[k].value = v
    desk._on_record()
    return desk.status.value


def test_a_case_from_application_to_filing(desk):
    desk, url = desk
    desk.user.value = "李受理"
    f = desk.facts.widgets
    f["id"].value = "D-1"
    f["jurisdiction"].value = "CN-DM"
    f["conduct_date"].value = D(2025, 3, 10)
    assert [v for _, v in desk.channel.options] == ["cadre_application", "unit_application", "ex_officio"]
    desk.cadre.value, desk.channel.value, desk.received.value = "C-0009", "cadre_application", D(2025, 4, 1)
    desk.new_actor.value = "申请人"
    assert "10 个工作日内" in desk.window.value
    desk._on_start()  # no notice date: the policy's window cannot be checked
    assert "data-code='notice_missing'" in desk.status.value and "请填写收到问责调查通知的日期" in desk.status.value
    desk.notice.value = D(2025, 3, 10)
    desk._on_start()
    assert "data-code='application_late'" in desk.status.value
    assert "自收到问责调查通知（2025-03-10）起 10 个工作日，已于 2025-03-24 届满" in desk.status.value
    desk.notice.value = D(2025, 3, 20)
    desk._on_start()
    assert "data-kind='started'" in desk.status.value
    assert [v for _, v in desk.step.options] == [None, "accepted", "refused", "clue_received"]  # only legal steps
    assert "data-kind='accepted'" in _step(desk, "accepted", D(2025, 4, 2))
    assert "data-kind='investigation_started'" in _step(desk, "investigation_started", D(2025, 4, 3), team="核查组")
    assert "feedback_sent" not in [v for _, v in desk.step.options]
    assert "data-kind='investigated'" in _step(desk, "investigated", D(2025, 4, 25), findings="轻微损失已全部挽回。")

    desk.step.value, desk.at.value, desk.actor.value = "decided", D(2025, 5, 6), "省纪委常委会"
    d = desk.decision
    assert "data-outcome='exempt'" in d.recommended.value
    words, trace = d.recommended.value.split("<details", 1)
    assert "符合免责条件" in words and "<code>" not in words and "〔" not in words  # words only, ids in the trace
    assert "CN-DM" not in words
    d.total.value, d.present.value, d.votes_for.value = 9, 5, 5
    desk._on_record()
    assert "未达到法定人数：应到 9 人，实到 5 人；本政策要求实到不少于应到人数的 67%" in desk.status.value
    desk.lang_w.value = "en"
    desk._on_record()
    assert "Quorum not reached: 5 of 9 members present" in desk.status.value
    desk.lang_w.value = "zh"
    d = desk.decision
    d.total.value, d.present.value, d.votes_for.value, d.against.value, d.outcome.value = 9, 7, 6, 1, "mitigated"
    desk._on_record()
    assert "认定结果与系统建议不一致，须填写不一致的理由" in desk.status.value
    d.outcome.value = "exempt"
    desk._on_record()
    assert "data-kind='decided'" in desk.status.value
    assert "data-kind='feedback_sent'" in _step(desk, "feedback_sent", D(2025, 5, 8))
    assert "data-kind='filed'" in _step(desk, "filed", D(2025, 5, 12), to="上级纪委监委")
    assert "data-state='filed'" in desk.header.value
    for what, due in EXPECTED_DUE.items():
        assert f"data-what='{what}' data-due='{due}'" in desk.deadlines.value, what
    assert "data-what='correction' data-due='2025-05-27' data-status='open_overdue' data-left='-4'" in desk.deadlines.value
    assert "已超期 4 个工作日，尚未办结" in desk.deadlines.value and "申诉期已届满，未申诉" in desk.deadlines.value
    assert "-4" not in desk.deadlines.value.replace("data-left='-4'", "")  # said in words, never as a negative
    with db.session_scope(url) as s:
        got = s.execute(select(Event.kind, Event.recorded_by).where(Event.case_id == "D-1").order_by(Event.seq)).all()
    assert got == [(k, "李受理") for k in ("started", "accepted", "investigation_started", "investigated", "decided",
                                          "feedback_sent", "filed")]
    assert [v for _, v in desk.doc_kind.options] == ["acceptance", "opinion", "feedback", "filing"]
    desk.doc_kind.value = "opinion"
    desk._on_doc("docx")
    assert "download='D-1_容错纠错认定意见.docx'" in desk.doc_out.value


def test_nothing_is_recorded_without_a_name(desk):
    desk, url = desk
    f = desk.facts.widgets
    f["id"].value, f["jurisdiction"].value, f["conduct_date"].value = "D-2", "CN-DM", D(2025, 3, 10)
    desk.channel.value, desk.received.value, desk.new_actor.value = "ex_officio", D(2025, 4, 1), "纪委"
    desk._on_start()
    assert "请先在上方填写录入人姓名" in desk.status.value
    with db.session_scope(url) as s:
        assert s.scalars(select(Event)).all() == []


def test_every_case_of_a_sample_register_opens_with_its_documents(tmp_path):
    """Each case of a small seeded sample register (refused, accepted and filed cases) opens at
    the desk with its state, its legal steps and deadlines, and each document it has so far
    renders."""
    from ftlib.documents import document_bytes
    from ftlib.register import frames as rf
    from ftlib.register.synth import synth

    url = f"sqlite:///{tmp_path / 'sample.sqlite'}"
    synth(url, regions=1, years=1, seed=2026)
    states = rf.current_state(url)["state"].astype(str)
    desk = CaseDesk(url, "zh", today=D(2026, 1, 5))
    made = 0
    for case_id in desk.pick.options:
        desk.open_case(case_id)
        assert f"data-state='{states[case_id]}'" in desk.header.value, case_id
        assert "ftlib-desk-error" not in desk.status.value, (case_id, desk.status.value)
        assert "ftlib-deadline" in desk.deadlines.value
        for _, kind in desk.doc_kind.options:
            name, data = document_bytes(case_id, kind, "docx", url)
            assert data[:2] == b"PK" and name.startswith(case_id)
            made += 1
    assert len(desk.pick.options) >= 10 and made >= 10
    db.dispose(url)


def test_every_refusal_code_is_said_in_both_languages():
    """Each code the register gives a refusal (ftlib/register/errors.py) has the desk's sentence in
    zh and en, and a sentence whose figures the message lacks still reads as words."""
    from ftlib.casedesk.messages import refusal_text
    from ftlib.i18n import has_label
    from ftlib.register.errors import REASONS, ProcedureError

    missing = [code for code, _ in REASONS if not has_label(f"desk.error.{code}")]
    assert missing == []
    err = ProcedureError("case X: appealed: field at: value 2025-06-30: the appeal window of 15 working days from "
                         "2025-05-08 ended on 2025-05-29 (policy CN-DM-2017)")
    assert err.code == "appeal_window_over"
    assert refusal_text(err, "zh") == "申诉期已过：自 2025-05-08 起 15 个工作日，已于 2025-05-29 届满"
    odd = ProcedureError("case X: filed: field to: value 3: something new", code="quorum")  # figures missing
    assert refusal_text(odd, "zh") == "登记簿不接受「备案机关」的值，请核对后重试"
