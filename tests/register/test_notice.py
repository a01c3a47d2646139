"""The notice day (``notice_on``: the day the accountability notice reached an applicant, from
which the application window counts) in the synthetic register, the cases file import (zh or
en header), the register (the started event's payload) and the export.

Worked out by hand: CN-DM cases with conduct in 2025 fall under CN-DM-2022, whose window is 10
working days after the notice (`application_window_working_days: 10`). With the 2025 official
calendar (清明 4–6 April, 劳动节 1–5 May off): from a notice of 2025-04-01 the 10 working days are
2, 3, 7–11, 14, 15, 16 April, so the window ends on 2025-04-16; from a notice of 2025-05-02 they
are 6–9, 12–16, 19 May: it ends on 2025-05-19.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import Workbook

from ftlib.register import db, frames
from ftlib.register.io import ImportError_, export_file, import_files
from ftlib.register.procedure import policy_for
from ftlib.register.synth import notice_day, synth
from ftlib.workdays import add_working_days

HEADER = "id,channel,received_on,{notice},jurisdiction,conduct_date,subject.rank,scenario,public_motive," \
         "procedure.collective_decision,procedure.followed,consequence.severity,consequence.loss_cny"
ROW = "{id},{channel},{received},{notice},CN-DM,2025-03-10,township,reform_pilot,true,true,full,minor,0"


def _csv(tmp_path, header, rows, name="cases.csv"):
    f = tmp_path / name
    f.write_text(HEADER.format(notice=header) + "\n" + "".join(ROW.format(**r) + "\n" for r in rows), encoding="utf-8")
    return f


def _started(url):
    ev = frames.events(url)
    return {r.case_id: r for r in ev[ev["kind"] == "started"].itertuples()}


@pytest.mark.parametrize("header", ["收到问责调查通知日期", "accountability notice received on", "notice_on"])
def test_a_notice_column_by_its_zh_or_en_label_lands_in_the_started_event(url, tmp_path, header):
    f = _csv(tmp_path, header, [
        {"id": "N-1", "channel": "cadre_application", "received": "2025-05-12", "notice": "2025-05-02"},
        {"id": "N-2", "channel": "unit_application", "received": "2025-04-16", "notice": "2025-04-01"},  # last day
        {"id": "N-3", "channel": "ex_officio", "received": "2025-04-20", "notice": ""},
    ])
    summary = import_files([f], url)
    assert (summary.cases_added, summary.events_added) == (3, 2)   # no notice, no start recorded (as before)
    started = _started(url)
    assert set(started) == {"N-1", "N-2"}
    assert started["N-1"].payload == {"channel": "cadre_application", "notice_on": "2025-05-02"}
    assert started["N-1"].at == pd.Timestamp("2025-05-12") and started["N-1"].seq == 1
    assert started["N-2"].payload == {"channel": "unit_application", "notice_on": "2025-04-01"}
    assert "表格导入" in started["N-1"].actor and "spreadsheet import" in started["N-1"].actor
    states = frames.current_state(url)
    assert states.loc["N-1", "state"] == "submitted"
    # the same file again adds nothing
    again = import_files([f], url)
    assert (again.cases_added, again.cases_unchanged, again.events_added) == (0, 3, 0)


def test_export_round_trips_the_notice_day(url, another_url, tmp_path):
    f = _csv(tmp_path, "收到问责调查通知日期", [
        {"id": "N-1", "channel": "cadre_application", "received": "2025-05-12", "notice": "2025-05-02"}])
    import_files([f], url)
    out = tmp_path / "out" / "r.csv"
    export_file(out, url)
    cases = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(cases.columns[:7]) == ["id", "region", "cadre_id", "channel", "received_on", "notice_on",
                                       "registration_id"]
    assert cases.loc[0, "notice_on"] == "2025-05-02"
    paths = sorted(out.parent.glob("r*.csv"))
    summary = import_files(paths, another_url)
    assert (summary.cases_added, summary.events_added) == (1, 1)   # the start from the events file, not twice
    assert _started(another_url)["N-1"].payload == {"channel": "cadre_application", "notice_on": "2025-05-02"}
    import_files(paths, url)   # and into the register it came from: nothing changes
    assert len(frames.events(url)) == 1


@pytest.mark.parametrize(("notice", "reason"), [
    ("2025-13-01", "not a real date (YYYY-MM-DD, e.g. 2025-03-31)"),
    ("2025-04-01", "received_on 2025-05-12: the application window of 10 working days from the accountability "
                   "notice (2025-04-01) ended on 2025-04-16 (policy CN-DM-2022)"),
    ("2025-05-13", "received_on 2025-05-12: before the accountability notice (2025-05-13): the application "
                   "window opens with it"),
])
def test_a_bad_or_late_notice_day_is_one_line_naming_file_row_field_value(url, tmp_path, notice, reason):
    f = _csv(tmp_path, "notice_on", [
        {"id": "N-0", "channel": "cadre_application", "received": "2025-05-12", "notice": "2025-05-02"},
        {"id": "N-1", "channel": "cadre_application", "received": "2025-05-12", "notice": notice}])
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    assert [str(i) for i in info.value.issues] == [f"{f}: row 3: column notice_on: value {notice!r}: {reason}"]
    assert frames.table("cases", url).empty and frames.events(url).empty


def test_a_notice_day_that_disagrees_with_the_started_event_is_refused(url, tmp_path):
    f = _csv(tmp_path, "notice_on", [
        {"id": "N-1", "channel": "cadre_application", "received": "2025-05-12", "notice": "2025-05-02"}])
    import_files([f], url)
    g = _csv(tmp_path, "notice_on", [
        {"id": "N-1", "channel": "cadre_application", "received": "2025-05-12", "notice": "2025-05-06"}], "again.csv")
    with pytest.raises(ImportError_) as info:
        import_files([g], url)
    assert str(info.value.issues[0]) == (
        f"{g}: row 2: column notice_on: value '2025-05-06': case N-1: its start, already in the register "
        "(recorded events are not changed), gives notice_on = 2025-05-02")


def test_a_column_given_by_name_and_by_label_is_refused(url, tmp_path):
    f = tmp_path / "twice.csv"
    f.write_text(HEADER.format(notice="notice_on,收到问责调查通知日期") + "\n"
                 + ROW.format(id="N-1", channel="cadre_application", received="2025-05-12", notice="2025-05-02,")
                 + "\n", encoding="utf-8")
    with pytest.raises(ImportError_) as info:
        import_files([f], url)
    assert [i.column for i in info.value.issues] == ["收到问责调查通知日期"]
    assert "appears twice" in info.value.issues[0].reason


def test_synthetic_notice_days_lie_before_the_application_and_inside_the_window():
    policy = policy_for("CN-DM", dt.date(2025, 3, 10))        # 10 working days
    received, conduct = dt.date(2025, 5, 12), dt.date(2025, 3, 10)
    days = {notice_day(seed, f"SYN-{i}", "cadre_application", received, conduct, policy) for seed in range(3)
            for i in range(40)}
    # 0 to 10 calendar days before 12 May: 2 to 12 May, all within the window (2 May + 10 working days = 19 May)
    assert days <= {dt.date(2025, 5, d) for d in range(2, 13)} and len(days) > 5
    assert notice_day(1, "SYN-1", "ex_officio", received, conduct, policy) is None
    # never before the conduct: an application 3 days after it has its notice within those 3 days
    assert notice_day(1, "SYN-1", "unit_application", received, dt.date(2025, 5, 9), policy) >= dt.date(2025, 5, 9)


def test_a_synthetic_register_records_a_notice_day_for_every_application(url):
    db.upgrade(url)
    synth(url, regions=3, years=1)
    ev = frames.events(url)
    started = ev[ev["kind"] == "started"]
    cases = frames.table("cases", url).set_index("id")
    apps = started[started["payload"].map(lambda p: p["channel"] != "ex_officio")]
    assert len(apps) > 0
    for r in apps.itertuples():
        notice = dt.date.fromisoformat(r.payload["notice_on"])
        at = r.at.date()
        assert cases.loc[r.case_id, "conduct_date"].date() <= notice <= at
        window = policy_for(cases.loc[r.case_id, "jurisdiction"], cases.loc[r.case_id, "conduct_date"].date()).procedure
        if window.window_closes() == "working_days":
            assert at <= add_working_days(notice, window.application_window_working_days).due
    officio = started[started["payload"].map(lambda p: p["channel"] == "ex_officio")]
    assert not any("notice_on" in p for p in officio["payload"])


def test_a_workbook_notice_column_with_date_cells_is_read_the_same(url, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "cases"
    ws.append(HEADER.format(notice="收到问责调查通知日期").split(","))
    row = ROW.format(id="N-1", channel="cadre_application", received="2025-05-12", notice="X").split(",")
    row[3] = dt.datetime(2025, 5, 2)          # a date cell, as Excel or WPS store it
    ws.append(row)
    f = tmp_path / "cases.xlsx"
    wb.save(f)
    import_files([f], url)
    assert _started(url)["N-1"].payload == {"channel": "cadre_application", "notice_on": "2025-05-02"}
