"""Holidays as data: a year's schedule as a YAML file, used before the weekend-only fallback.

The bundled 2026 file was typed from the State Council notice of 4 November 2025 (元旦 1–3 Jan,
上班 Sun 4 Jan; 春节 15–23 Feb, 上班 Sat 14 and Sat 28 Feb; …) and must agree with chinese-calendar,
which also knows 2026, on every day of the year.

The 2027 schedule below is TEST DATA, NOT A REAL NOTICE: no 2027 notice was read when this was
written. It says: 1 January 2027 (a Friday) is a day off, and Saturday 9 January 2027 is a
make-up working day. Every expected date is worked out by hand from a 2027 wall calendar
(1 Jan 2027 is a Friday) and that file.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar as cc
import numpy as np
import pytest
from helpers import make_case

from ftlib import holidays, workdays
from ftlib.cli import main
from ftlib.register import db, frames
from ftlib.register import procedure as pr

D = dt.date

TEST_2027 = """\
# TEST DATA, NOT A REAL NOTICE (tests/register/test_holidays.py): invented to test the format.
year: 2027
illustrative: true
source:
  title: "test schedule: not the State Council's 2027 notice"
  date: 2026-11-01
  url: https://example.invalid/test-only
holidays:
  - {name: test day off, from: 2027-01-01, to: 2027-01-01}
workdays: [2027-01-09]
"""


@pytest.fixture
def schedule_2027(tmp_path, monkeypatch):
    folder = tmp_path / "holidays"
    folder.mkdir()
    (folder / "2027.yaml").write_text(TEST_2027, encoding="utf-8")
    monkeypatch.setenv(holidays.HOLIDAYS_ENV, str(folder))
    return folder


@pytest.fixture
def no_schedule(tmp_path, monkeypatch):
    monkeypatch.setenv(holidays.HOLIDAYS_ENV, str(tmp_path / "none"))


def test_the_bundled_2026_file_agrees_with_chinese_calendar_day_by_day():
    sched = holidays.read_schedule(holidays.bundled_dir() / "2026.yaml")
    assert sched.source.title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert sched.source.date == D(2025, 11, 4)
    day = D(2026, 1, 1)
    while day.year == 2026:
        assert sched.is_workday(day) == cc.is_workday(day), day
        day += dt.timedelta(days=1)
    # by hand from the notice: Sat 14 Feb is a make-up working day, Mon 23 Feb the last day off
    assert sched.is_workday(D(2026, 2, 14)) and not sched.is_workday(D(2026, 2, 23))
    assert len(sched.days_off()) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert workdays.source_of(2026) == "chinese-calendar"


def test_a_schedule_file_is_used_before_the_weekend_fallback(schedule_2027):
    assert workdays.is_official_year(2027) and not workdays.is_official_year(2028)
    assert workdays.source_of(2027) == str(schedule_2027 / "2027.yaml")
    assert not workdays.is_workday(D(2027, 1, 1))  # a Friday, a day off in the file
    assert workdays.is_workday(D(2027, 1, 9))  # a Saturday, a make-up working day in the file
    # 3 working days after Wed 30 Dec 2026: Thu 31 Dec, (Fri 1 Jan off, weekend), Mon 4, Tue 5 Jan
    d = workdays.add_working_days(D(2026, 12, 30), 3)
    assert (d.due, d.warnings) == (D(2027, 1, 5), [])
    # the day after Fri 8 Jan 2027 that is a working day is the make-up Saturday 9 Jan
    assert workdays.add_working_days(D(2027, 1, 8), 1).due == D(2027, 1, 9)
    # (Thu 7 Jan, Mon 11 Jan]: Fri 8, Sat 9 (make-up), Mon 11 = 3 working days, in both APIs
    assert workdays.working_days_between(D(2027, 1, 7), D(2027, 1, 11)) == 3
    el = workdays.elapsed(np.array(["2027-01-07"], dtype="datetime64[D]"), np.array(["2027-01-11"], dtype="datetime64[D]"))
    assert el.tolist() == [3.0]
    due, fallback = workdays.add_working_days_array(np.array(["2026-12-30", "2027-12-30"], dtype="datetime64[D]"),
                                                    np.array([3, 3]))
    # 2027-12-30 is a Thursday: Fri 31 Dec 2027, Mon 3 and Tue 4 Jan 2028 — 2028 nobody knows
    assert [str(x) for x in due] == ["2027-01-05", "2028-01-04"]
    assert fallback.tolist() == [False, True]


def test_without_the_file_2027_falls_back_to_weekends(no_schedule):
    assert not workdays.is_official_year(2027) and workdays.source_of(2027) is None
    d = workdays.add_working_days(D(2026, 12, 30), 3)  # Thu 31 Dec, Fri 1 Jan (weekday), Mon 4 Jan
    assert d.due == D(2027, 1, 4)
    assert len(d.warnings) == 1 and "2027" in d.warnings[0] and "weekends only" in d.warnings[0]


def _case_received_30_december_2026(url):
    with db.session_scope(url) as s:  # CN-DM-2022: acceptance within 3 working days
        pr.open_case(s, make_case("H-1"), channel="cadre_application", received_on=D(2026, 12, 30), actor="cadre")


def test_ftlib_due_warns_only_when_neither_knows_the_year(url, tmp_path, monkeypatch, capsys):
    _case_received_30_december_2026(url)
    monkeypatch.setenv(holidays.HOLIDAYS_ENV, str(tmp_path / "none"))
    row = frames.due(url, today=D(2026, 12, 31), within=5).iloc[0]
    assert row["due_on"].date() == D(2027, 1, 4) and "2027" in row["warning"] and "weekends only" in row["warning"]
    folder = tmp_path / "holidays"
    folder.mkdir()
    (folder / "2027.yaml").write_text(TEST_2027, encoding="utf-8")
    monkeypatch.setenv(holidays.HOLIDAYS_ENV, str(folder))
    row = frames.due(url, today=D(2026, 12, 31), within=5).iloc[0]
    assert row["due_on"].date() == D(2027, 1, 5) and row["warning"] == ""
    assert row["working_days_left"] == 2  # Mon 4 and Tue 5 Jan after Thu 31 Dec
    assert main(["due", "--database", url, "--today", "2026-12-31"]) == 0
    out = capsys.readouterr().out
    assert "H-1" in out and "2027-01-05" in out and "weekends only" not in out


@pytest.mark.parametrize(("name", "text", "message"), [
    ("2027", TEST_2027.replace("workdays: [2027-01-09]", "workdays: [2027-01-08]"),
     "field workdays[0]: value 2027-01-08: a Friday is a working day anyway"),
    ("2027", TEST_2027.replace("from: 2027-01-01, to: 2027-01-01", "from: 2026-12-31, to: 2027-01-01"),
     "field holidays[0]: value 2026-12-31: not in 2027"),
    ("2027", TEST_2027.replace("date: 2026-11-01", "date: soon"), "field source.date: value 'soon'"),
    ("2028", TEST_2027, "field year: value 2027: the file is named 2028.yaml"),
    ("2027", "year: [2027\n", "line 2: not valid YAML"),
])
def test_a_bad_schedule_is_refused_in_one_line_naming_file_field_and_value(tmp_path, name, text, message):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(holidays.HolidayFileError) as info:
        holidays.read_schedule(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_file_for_a_year_chinese_calendar_knows_must_agree(tmp_path, monkeypatch):
    # 2025: this file lists only 1–7 October, so it disagrees already on 1 January (元旦, a day off)
    folder = tmp_path / "holidays"
    folder.mkdir()
    (folder / "2025.yaml").write_text(
        "# TEST DATA: a deliberately wrong 2025 schedule\nyear: 2025\n"
        "source: {title: test, date: 2024-11-12, url: https://example.invalid/test-only}\n"
        "holidays: [{name: test, from: 2025-10-01, to: 2025-10-07}]\n", encoding="utf-8")
    monkeypatch.setenv(holidays.HOLIDAYS_ENV, str(folder))
    with pytest.raises(holidays.HolidayFileError, match=r"2025.yaml: field holidays/workdays: value 2025-01-01: "
                                                        r"chinese-calendar, which knows 2025, says a day off"):
        workdays.is_workday(D(2025, 10, 8))
