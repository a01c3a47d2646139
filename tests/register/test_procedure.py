"""The procedure on the register (SQLite and PostgreSQL): legal order, refusals, appeals within
the window, deadlines in working days from the case's policy (CN-DM-2022: acceptance 3,
investigation 20, decision 10, feedback 3, filing 5; appeal window 15; review 30)."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import D, decided_case, make_case, open_and_investigate

from ftlib.register import db, frames
from ftlib.register import procedure as pr
from ftlib.register.events import derive_state


def test_a_case_goes_through_every_stage_and_its_state_is_derived_from_events(url):
    with db.session_scope(url) as s:
        decided_case(s)
        pr.send_feedback(s, "T-1", D(2025, 5, 8), "office")
        pr.file_with_higher(s, "T-1", D(2025, 5, 9), "office", "上级纪委")
    ev = frames.events(url)
    kinds = list(ev["kind"])
    assert kinds == ["started", "accepted", "investigation_started", "investigated", "decided", "feedback_sent", "filed"]
    assert list(ev["seq"]) == [1, 2, 3, 4, 5, 6, 7]
    assert derive_state(kinds) == "filed"
    st = frames.current_state(url)
    assert st.loc["T-1", "state"] == "filed" and bool(st.loc["T-1", "valid"])
    case = frames.cases(url).set_index("id").loc["T-1"]
    assert case["policy_id"] == "CN-DM-2022" and case["channel"] == "cadre_application"
    assert case["outcome"] == "exempt" and case["state"] == "filed"


def test_illegal_transitions_are_refused(url):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="ex_officio", received_on=D(2025, 4, 1), actor="commission")
        with pytest.raises(pr.ProcedureError, match="case T-1: investigated is not allowed when the case is submitted"):
            pr.finish_investigation(s, "T-1", D(2025, 4, 2), "team")
        pr.accept(s, "T-1", D(2025, 4, 2), "office")
        with pytest.raises(pr.ProcedureError, match="accepted is not allowed when the case is accepted"):
            pr.accept(s, "T-1", D(2025, 4, 3), "office")
        with pytest.raises(pr.ProcedureError, match="field at: value 2025-04-01: before the previous event"):
            pr.start_investigation(s, "T-1", D(2025, 4, 1), "team")
        with pytest.raises(pr.ProcedureError, match="appealed is not allowed when the case is accepted"):
            pr.appeal(s, "T-1", D(2025, 4, 3), "C-1")


def test_refusal_needs_a_reason_and_can_be_appealed_within_the_window(url):
    with db.session_scope(url) as s:
        pr.open_case(s, make_case(), channel="cadre_application", received_on=D(2025, 9, 22), actor="cadre")
        with pytest.raises(pr.ProcedureError, match="field reason: value '': a refusal must give its reason"):
            pr.refuse(s, "T-1", D(2025, 9, 24), "office", "")
        pr.refuse(s, "T-1", D(2025, 9, 24), "office", "不属于容错范围")
        # window: 15 working days after Wed 24 Sep 2025 = 25, 26, 28 (Sun, make-up), 29, 30 Sep,
        # 9, 10, 11 (Sat, make-up), 13–17, 20, 21 Oct → ends Tue 21 Oct
        with pytest.raises(pr.ProcedureError, match="ended on 2025-10-21"):
            pr.appeal(s, "T-1", D(2025, 10, 22), "C-1", "late")
        pr.appeal(s, "T-1", D(2025, 10, 21), "C-1", "in time")
        pr.decide_refusal_appeal(s, "T-1", D(2025, 10, 30), "review team", overturn=True, reason="属于容错范围")
        assert pr.progress_of(s, "T-1").state == "accepted"
    ap = frames.appeals(url)
    assert len(ap) == 1
    row = ap.iloc[0]
    assert row["against"] == "refusal" and row["result"] == "overturned"
    assert row["window_ends"].date() == D(2025, 10, 21)


def test_decisions_can_be_appealed_only_within_the_window_from_written_feedback(url):
    with db.session_scope(url) as s:
        decided_case(s)
        pr.send_feedback(s, "T-1", D(2025, 5, 8), "office")
        # 15 working days after Thu 8 May 2025: 9, 12–16, 19–23, 26–29 May → ends Thu 29 May
        with pytest.raises(pr.ProcedureError, match="appeal window of 15 working days from 2025-05-08 ended on 2025-05-29"):
            pr.appeal(s, "T-1", D(2025, 5, 30), "C-0001")
        pr.appeal(s, "T-1", D(2025, 5, 29), "C-0001", "事实认定有误")
        assert pr.progress_of(s, "T-1").state == "under_review"


def test_due_lists_overdue_and_due_soon_with_deadlines_in_working_days(url):
    with db.session_scope(url) as s:
        # received Tue 30 Sep 2025: acceptance (3 working days) ends on Sat 11 Oct, a make-up day
        pr.open_case(s, make_case("A-1"), channel="unit_application", received_on=D(2025, 9, 30), actor="unit")
        # accepted 30 Sep: investigation (20 working days) — 9, 10, 11, 13–17, 20–24, 27–31 Oct,
        # 3, 4 Nov → ends Tue 4 Nov
        pr.open_case(s, make_case("B-1"), channel="unit_application", received_on=D(2025, 9, 29), actor="unit")
        pr.accept(s, "B-1", D(2025, 9, 30), "office")
    due = frames.due(url, today=D(2025, 10, 10), within=1)
    assert due[["case_id", "item", "due_on"]].astype(str).values.tolist() == [["A-1", "acceptance", "2025-10-11"]]
    assert due.iloc[0]["working_days_left"] == 1 and not due.iloc[0]["overdue"]
    due = frames.due(url, today=D(2025, 11, 5), within=0).set_index("case_id")
    assert due.loc["B-1", "due_on"].date() == D(2025, 11, 4)
    assert bool(due.loc["B-1", "overdue"]) and due.loc["B-1", "working_days_left"] == -1
    assert due.loc["A-1", "limit_working_days"] == 3 and bool(due.loc["A-1", "overdue"])
    assert frames.due(url, today=D(2025, 10, 9), within=0).empty


def test_corrections_have_deadlines_and_completion(url):
    with db.session_scope(url) as s:
        decided_case(s)  # decided Tue 6 May 2025; rectify within 15 working days → Tue 27 May
    corr = frames.corrections(url)
    assert corr[["measure", "working_days"]].values.tolist() == [["rectify", 15]]
    assert corr.iloc[0]["due_on"].date() == D(2025, 5, 27)
    due = frames.due(url, today=D(2025, 5, 28), within=0)
    assert "correction:rectify" in set(due["item"])
    with db.session_scope(url) as s:
        pr.complete_correction(s, "T-1", "rectify", D(2025, 5, 20), "unit")
        with pytest.raises(pr.ProcedureError, match="field measure: value 'rectify': no open correction"):
            pr.complete_correction(s, "T-1", "rectify", D(2025, 5, 21), "unit")
    assert frames.corrections(url).iloc[0]["completed_on"].date() == D(2025, 5, 20)


def test_results_shared_with_the_organisation_department_never_count_a_tolerated_mistake(url):
    with db.session_scope(url) as s:
        decided_case(s)
        with pytest.raises(pr.ProcedureError, match="a tolerated mistake \\(exempt\\) must not count against the cadre"):
            pr.share_result(s, "T-1", D(2025, 5, 7), "office", counts_against_cadre=True)
        pr.share_result(s, "T-1", D(2025, 5, 7), "office")
        pr.follow_up(s, "T-1", D(2025, 8, 1), "组织部", "暖心回访")
    shared = frames.results_shared(url)
    assert shared[["to_body", "outcome", "counts_against_cadre"]].values.tolist() == [
        ["organisation_department", "exempt", False]]
    assert len(frames.follow_ups(url)) == 1


def test_clues_in_registrations_and_clarifications(url):
    with db.session_scope(url) as s:
        pr.register_exante(s, "R-1", "CN-DM", D(2025, 3, 1), "改革试点", cadre_id="C-0001")
        with pytest.raises(pr.ProcedureError, match="field procedure.exante_registered: value False"):
            pr.open_case(s, make_case("X-1"), channel="cadre_application", received_on=D(2025, 4, 1),
                         actor="cadre", registration_id="R-1")
        pr.open_case(s, make_case("X-1", procedure={"exante_registered": True}), channel="cadre_application",
                     received_on=D(2025, 4, 1), actor="cadre", registration_id="R-1")
        pr.register_exante(s, "R-2", "CN-DM", D(2025, 3, 20), "改革试点")
        with pytest.raises(pr.ProcedureError, match="registered on 2025-03-20, after the conduct"):
            pr.open_case(s, make_case("X-2", procedure={"exante_registered": True}), channel="cadre_application",
                         received_on=D(2025, 4, 1), actor="cadre", registration_id="R-2")
        pr.open_case(s, make_case("X-3"), channel="ex_officio", received_on=D(2025, 4, 1), actor="commission",
                     clue={"source": "audit", "reference": "审计移送 2025-7"})
        with pytest.raises(pr.ProcedureError, match="field source: value 'press': not one of audit, petition, inspection"):
            pr.receive_clue(s, "X-3", "press", D(2025, 4, 2), "commission")
        pr.clarify(s, region="CN-DM", on=D(2025, 6, 1), method="media", actor="纪委", cadre_id="C-0009",
                   accuser_referred=True, referred_to="police")
        with pytest.raises(pr.ProcedureError, match="field method: value 'rumour'"):
            pr.clarify(s, region="CN-DM", on=D(2025, 6, 1), method="rumour", actor="纪委")
        with pytest.raises(pr.ProcedureError, match="field cadre_id: value '张三': only pseudonymous ids"):
            pr.clarify(s, region="CN-DM", on=D(2025, 6, 1), method="meeting", actor="纪委", cadre_id="张三")
    assert frames.cases(url).set_index("id").loc["X-1", "registration_id"] == "R-1"
    assert frames.clues_in(url)[["case_id", "source"]].values.tolist() == [["X-3", "audit"]]
    cl = frames.clarifications(url)
    assert cl[["method", "accuser_referred", "referred_to"]].values.tolist() == [["media", True, "police"]]


def test_current_state_vectorised_agrees_with_the_fold(url):
    with db.session_scope(url) as s:
        decided_case(s, "T-1")
        open_and_investigate(s, "T-2")
        pr.open_case(s, make_case("T-3"), channel="cadre_application", received_on=D(2025, 4, 1), actor="c")
        pr.refuse(s, "T-3", D(2025, 4, 2), "office", "材料不全")
        states = {c: pr.progress_of(s, c).state for c in ("T-1", "T-2", "T-3")}
    st = frames.current_state(url)
    assert {c: st.loc[c, "state"] for c in states} == states == {"T-1": "decided", "T-2": "investigated",
                                                                 "T-3": "refused"}
    assert st.loc["T-2", "stage"] == "decision" and st.loc["T-2", "stage_start"].date() == dt.date(2025, 4, 21)


def test_career_reviews_after_the_impact_period_feed_the_careers_metric(url):
    """The impact period follows the handling the decision carries (ftlib/data/handling.yaml),
    not a constant per outcome. T-1 exempt on 2025-05-06, following the engine (CN-DM-2022 row
    ``exempt``, residual 批评教育、谈话提醒: no period): it ends that day (2025Q2). T-2 mitigated on
    2025-05-06 with 谈话提醒 and a Party warning imposed — the warning's one year (中央纪委法规室,
    纪律处分条例: "警告处分，一年内不得在党内提升职务") is the longest: it ends 2026-05-06 (2026Q2).
    T-4 mitigated with no handling recorded and departing from the engine: not known (NaT)."""
    from ftlib.metrics import compute
    from ftlib.register.metrics_frames import register_frames

    with db.session_scope(url) as s:
        decided_case(s, "T-1")
        decided_case(s, "T-2", outcome="mitigated", departure_reason="损失较大，从轻处理",
                     handling_imposed=["reminder_talk", "party_warning"])
        decided_case(s, "T-3", outcome="not_tolerated", departure_reason="集体研究认为不符合容错条件")
        decided_case(s, "T-4", outcome="mitigated", departure_reason="损失较大，从轻处理")
        with pytest.raises(pr.ProcedureError, match="careers are reviewed for tolerated cadres"):
            pr.review_career(s, "T-3", D(2025, 9, 1), "组织部", evaluated_normally=True)
        with pytest.raises(pr.ProcedureError, match="both blank"):
            pr.review_career(s, "T-1", D(2025, 6, 1), "组织部")
        with pytest.raises(pr.ProcedureError, match="field promoted: value 'yes'"):
            pr.review_career(s, "T-1", D(2025, 6, 1), "组织部", promoted="yes")
        pr.review_career(s, "T-1", D(2025, 6, 1), "组织部", evaluated_normally=True, promoted=True)
        pr.review_career(s, "T-2", D(2026, 6, 1), "组织部", evaluated_normally=False)
    reviews = frames.career_reviews(url).sort_values("case_id")
    assert reviews["case_id"].tolist() == ["T-1", "T-2"]
    careers = register_frames(url).careers.set_index("case_id").sort_index()
    assert careers.index.tolist() == ["T-1", "T-2", "T-4"]              # T-3 was not tolerated
    assert [d.date() for d in careers["impact_end"][:2]] == [D(2025, 5, 6), D(2026, 5, 6)]
    assert careers["impact_end"].isna().tolist() == [False, False, True]
    assert careers["evaluated_normally"].tolist()[:2] == [True, False]
    assert careers["promoted"].isna().tolist() == [False, True, True] and bool(careers.loc["T-1", "promoted"])
    t = compute(register_frames(url), "CN-DM", ["2025Q2", "2026Q2"], groups=["careers"])["careers"]
    top = t[t["level"] == 0].set_index("period")
    assert top.loc["2025Q2", ["impact_ended", "evaluated_known", "evaluated_normally", "promoted_known", "promoted"]
                   ].tolist() == [1, 1, 1, 1, 1]
    assert top.loc["2026Q2", ["impact_ended", "evaluated_known", "evaluated_normally", "promoted_known"]
                   ].tolist() == [1, 1, 0, 0]
