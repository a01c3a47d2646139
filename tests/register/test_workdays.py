"""Working days on the official calendar, worked out by hand from the State Council notice.

2025 National Day + Mid-Autumn (国务院办公厅关于2025年部分节假日安排的通知): holiday 1–8 October;
make-up working days Sunday 28 September and Saturday 11 October.
"""

import datetime as dt

from ftlib import workdays as wd

D = dt.date
HOLIDAY_2025_NATIONAL_DAY = [D(2025, 10, d) for d in range(1, 9)]
MAKEUP_2025 = [D(2025, 9, 28), D(2025, 10, 11)]


def test_the_calendar_knows_the_notice():
    assert not any(wd.is_workday(d) for d in HOLIDAY_2025_NATIONAL_DAY)
    assert all(wd.is_workday(d) for d in MAKEUP_2025)  # a Sunday and a Saturday that are working days
    assert MAKEUP_2025[0].weekday() == 6 and MAKEUP_2025[1].weekday() == 5


def test_deadline_across_national_day_2025():
    # 5 working days after Tue 30 Sep: 9 Oct (Thu), 10 (Fri), 11 (Sat, make-up), 13 (Mon), 14 (Tue)
    d = wd.add_working_days(D(2025, 9, 30), 5)
    assert d.due == D(2025, 10, 14)
    assert d.warnings == []
    # 3 working days after 30 Sep ends on the make-up Saturday
    assert wd.add_working_days(D(2025, 9, 30), 3).due == D(2025, 10, 11)
    # the day after Fri 26 Sep that is a working day is Sun 28 Sep (make-up)
    assert wd.add_working_days(D(2025, 9, 26), 1).due == D(2025, 9, 28)
    assert wd.working_days_between(D(2025, 9, 30), D(2025, 10, 14)) == 5


def test_the_vectorised_deadline_agrees():
    import numpy as np

    starts = np.array(["2025-09-30", "2025-09-26", "2026-12-30"], dtype="datetime64[D]")
    due, fallback = wd.add_working_days_array(starts, np.array([5, 1, 3]))
    assert [str(x) for x in due] == ["2025-10-14", "2025-09-28", "2027-01-04"]
    assert fallback.tolist() == [False, False, True]


def test_years_the_calendar_does_not_cover_fall_back_to_weekends_with_a_warning():
    first, last = wd.official_years()
    assert (first, last) == (2004, 2026)  # chinese-calendar 1.11; update this test with the package
    # 31 Dec 2026 (Thu) official; 1 Jan 2027 (Fri) counted as a working day by the fallback
    d = wd.add_working_days(D(2026, 12, 30), 3)
    assert d.due == D(2027, 1, 4)
    assert len(d.warnings) == 1 and "2027" in d.warnings[0] and "weekends only" in d.warnings[0]
    inside = wd.add_working_days(D(2026, 12, 1), 3)
    assert inside.warnings == []


def test_one_calendar_for_deadlines_and_metrics():
    import chinese_calendar as cc
    import numpy as np

    # every day chinese-calendar knows, 2004–2026, agrees with the table both APIs read
    first, last = wd.official_years()
    day, end = D(first, 1, 1), D(last, 12, 31)
    while day <= end:
        assert wd.is_workday(day) == cc.is_workday(day), day
        day += dt.timedelta(days=1)
    # the metrics' elapsed days are the deadlines' working days between: 30 Sep → 14 Oct 2025 is 5
    el = wd.elapsed(np.array(["2025-09-30"], dtype="datetime64[D]"), np.array(["2025-10-14"], dtype="datetime64[D]"))
    assert el.tolist() == [5.0] == [float(wd.working_days_between(D(2025, 9, 30), D(2025, 10, 14)))]
