from datetime import date

from sheqi.rules.workdays import Arrangement, Deadline, add_working_days, check_arrangement, is_workday


def test_adjusted_weekends_and_national_day_2025():
    assert is_workday(date(2025, 9, 28)) == (True, False)  # a working Sunday
    assert is_workday(date(2025, 10, 11)) == (True, False)  # a working Saturday
    assert all(not is_workday(date(2025, 10, d))[0] for d in range(1, 9))  # 1-8 October


def test_ten_working_days_after_26_september_2025():
    deadline = add_working_days(date(2025, 9, 26), 10)
    assert deadline.due == date(2025, 10, 16) and deadline.provisional is False


def test_spring_festival_2026_is_skipped():
    # 2026: 15-23 February off, 14 and 28 February worked (State Council notice of 2025-11).
    assert add_working_days(date(2026, 2, 12), 3).due == date(2026, 2, 24)


def test_a_year_without_the_official_arrangement_is_provisional():
    deadline = add_working_days(date(2026, 12, 24), 10)
    assert deadline.provisional is True
    assert deadline.due == date(2027, 1, 7)  # weekends only across New Year 2027
    assert "暂按周末计算" in deadline.to_dict()["note"]


def test_a_loaded_arrangement_replaces_the_provisional_count():
    # Test data shaped like a State Council notice, not the real 2027 arrangement.
    holidays = frozenset(date(2027, 1, d) for d in (1, 2, 3))
    arrangement = Arrangement(2027, holidays, frozenset({date(2027, 1, 9)}), "测试用安排")
    deadline = add_working_days(date(2026, 12, 24), 10, {2027: arrangement})
    # 25, 28-31 Dec 2026 (5), then 4-8 Jan 2027 (10): 1 January is a holiday, Saturday 9 January is worked.
    assert deadline == Deadline(date(2027, 1, 8), False)
    assert add_working_days(date(2027, 1, 7), 2, {2027: arrangement}).due == date(2027, 1, 9)


def test_an_arrangement_is_checked_day_by_day():
    problems = check_arrangement(2027, [date(2026, 12, 31), date(2027, 1, 9)], [date(2027, 1, 6), date(2027, 1, 9)])
    assert ("holidays", "2026-12-31 不在2027年内") in problems
    assert ("working_weekends", "2027-01-06 不是周六或周日，不能作为调休上班日") in problems
    assert ("holidays", "2027-01-09 不能既是假日又是调休上班日") in problems
    assert check_arrangement(2027, [date(2027, 1, 1)], [date(2027, 1, 9)]) == []
