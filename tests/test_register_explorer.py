"""03 register explorer: filters, a case's timeline with working-day deadlines worked out by
hand from the official 2025 calendar, and the consistency audit; the notebook headless."""

import datetime as dt

import nbformat
import pytest
from nbclient import NotebookClient

from ftlib.register import db
from ftlib.ui import register_explorer as rx
from tests.conftest import ROOT
from tests.register.helpers import decided_case


@pytest.fixture
def view(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    db.upgrade(url)
    with db.session_scope(url) as s:
        decided_case(s, "T-1")   # received 2025-04-01, accepted 04-02, investigated 04-21, decided 05-06
    with db.session_scope(url) as s:
        decided_case(s, "T-2", outcome="mitigated", departure_reason="损失未全部挽回")
    yield rx.RegisterView.load(url), url
    db.dispose(url)


def test_timeline_deadlines_by_hand(view):
    v, _ = view
    events, stages = rx.timeline(v, "T-1", today=dt.date(2025, 5, 12))
    assert list(events["kind"][:5]) == ["started", "accepted", "investigation_started", "investigated", "decided"]
    st = stages.set_index("stage")
    # CN-DM-2022 limits: acceptance 3, investigation 20, decision 10, feedback 3 working days.
    # acceptance from Tue 04-01: 04-02, 04-03, (04-04..06 Qingming) 04-07 -> due 04-07; done 04-02.
    assert (st.loc["acceptance", "due"], st.loc["acceptance", "status"]) == (dt.date(2025, 4, 7), "kept")
    # investigation from 04-02: 04-03 (1), 04-07..11 (2-6), 04-14..18 (7-11), 04-21..25 (12-16),
    # Sun 04-27 make-up working day (17), 04-28..30 (18-20) -> due 04-30; done 04-21.
    assert (st.loc["investigation", "due"], st.loc["investigation", "status"]) == (dt.date(2025, 4, 30), "kept")
    # decision from 04-21: 04-22..25 (1-4), 04-27 (5), 04-28..30 (6-8), (05-01..05 Labour Day)
    # 05-06 (9), 05-07 (10) -> due 05-07; decided 05-06.
    assert (st.loc["decision", "due"], st.loc["decision", "status"]) == (dt.date(2025, 5, 7), "kept")
    # feedback from 05-06: 05-07, 05-08, 05-09 -> due 05-09; not sent by 05-12: open and overdue.
    assert (st.loc["feedback", "due"], st.loc["feedback", "status"]) == (dt.date(2025, 5, 9), "open_overdue")
    _, early = rx.timeline(v, "T-1", today=dt.date(2025, 5, 8))
    assert early.set_index("stage").loc["feedback", "status"] == "open"


def test_filters_and_audit(view):
    v, _ = view
    assert list(rx.filter_cases(v, region="CN-DM")["id"]) == ["T-1", "T-2"]
    assert list(rx.filter_cases(v, outcome="mitigated")["id"]) == ["T-2"]
    assert rx.filter_cases(v, region="CN-HB").empty
    assert list(rx.filter_cases(v, text="t-2")["id"]) == ["T-2"]
    a = rx.audit(v)
    assert a.to_dict("records") == [{"body": "provincial_commission_standing_committee", "engine_outcome": "exempt",
                                     "outcome": "mitigated", "departure_reason": "损失未全部挽回", "cases": 1}]
    agree = rx.agreement_by_body(v).iloc[0]
    assert (agree["decisions"], agree["agreed"], agree["agreement_rate"]) == (2, 1, 0.5)


def test_widgets(view):
    v, _ = view
    box = rx.app(view=v, lang="en")
    w = box.widgets
    w["outcome"].value = "mitigated"
    assert "T-2" in w["table"].value and "T-1" not in w["table"].value
    w["case"].value = "T-2"
    assert "data-status='kept'" in w["timeline"].value
    assert "损失未全部挽回" in w["audit"].value


def test_notebook_runs_headless(view):
    _, url = view
    nb = nbformat.read(ROOT / "notebooks/03_register_explorer.ipynb", as_version=4)
    import os
    old = os.environ.get("FTLIB_DATABASE_URL")
    os.environ["FTLIB_DATABASE_URL"] = url
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        if old is None:
            os.environ.pop("FTLIB_DATABASE_URL")
        else:
            os.environ["FTLIB_DATABASE_URL"] = old
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_register_cases_feed_the_policy_impact(view):
    from ftlib.ui.case_source import default_cases
    from ftlib.ui.policy_explorer import apply_edit, impact_html

    _, url = view
    df = default_cases(url)
    assert sorted(df["case_id"]) == ["T-1", "T-2"] and set(df["policy_id"]) == {"CN-DM-2022"}
    assert set(df["region"]) == {"CN-DM"} and df["scenario"].eq("reform_pilot").all()
    # Neither case concealed anything, so dropping that exclusion changes nothing.
    html = impact_html(df, "CN-DM-2022", apply_edit("CN-DM-2022", "drop", "exclusions:concealed", ""), "en")
    assert "0 of 2 cases change outcome" in html


def test_chinese_mode_speaks_chinese_and_the_selection_downloads_as_excel(view):
    import io

    import openpyxl

    v, _ = view
    found = rx.filter_cases(v)
    zh = rx.shown_frame(found, "zh")
    assert list(zh.columns) == ["案件编号", "地区", "干部（化名编号）", "启动方式", "受理日期", "适用政策", "办理状态",
                                "认定结果", "系统建议", "是否偏离系统建议"]
    row = zh.set_index("案件编号").loc["T-2"]
    assert row["地区"] == "示例省" and row["认定结果"] == "减责（从轻或减轻问责）" and row["是否偏离系统建议"] == "是"
    assert "ex_officio" not in zh.to_string() and "CN-DM-2022" not in zh.to_string()
    rates = rx.shown_frame(rx.agreement_by_body(v), "zh")
    assert list(rates["一致率"]) == ["50.0%"] and "standing_committee" not in rates.to_string()
    ws = openpyxl.load_workbook(io.BytesIO(rx.xlsx_bytes(rx.agreement_by_body(v), "zh"))).active
    assert [c.value for c in ws[1]][:2] == ["决定机关", "决定件数"]
    assert [c.value for c in ws[2]][1:] == [2, 1, 0.5] and ws.cell(row=2, column=4).number_format == "0.0%"


def test_no_register_says_what_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FTLIB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FTLIB_DATABASE_URL", raising=False)
    assert rx.resolve_url() == (None, False)
    page = rx.missing_html("nothing here")
    assert "未找到登记簿" in page and "No register found" in page and "make run" in page
    assert rx.app() is None   # shows the message instead of raising
    monkeypatch.setenv("FTLIB_DATABASE_URL", f"sqlite:///{tmp_path / 'nope' / 'r.sqlite'}")
    assert rx.app() is None


def test_the_cases_table_sorts_on_the_server(view):
    """Sorting by case number descending puts T-2 above T-1 (the whole selection is sorted, then
    shown); back in register order T-1 comes first again; the sort is offered in words."""
    v, _ = view
    box = rx.app(view=v, lang="zh")
    w = box.widgets
    assert ("案件编号", "id") in w["sort_by"].options or any(val == "id" for _, val in w["sort_by"].options)
    assert all(not lbl.isascii() for lbl, _ in w["sort_by"].options), w["sort_by"].options
    w["sort_by"].value = "id"
    w["order"].value = True
    html = w["table"].value
    assert html.index("T-2") < html.index("T-1")
    w["order"].value = False
    html = w["table"].value
    assert html.index("T-1") < html.index("T-2")
    sorted_df = rx.sort_cases(v.cases, "received_on", descending=True)
    assert list(sorted_df["received_on"]) == sorted(v.cases["received_on"], reverse=True)
