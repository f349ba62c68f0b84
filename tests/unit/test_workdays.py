from datetime import date

from sheqi.workdays import add_working_days, is_workday


def test_adjusted_weekends_and_national_day_2025():
    assert is_workday(date(2025, 9, 28)) == (True, False)     # a working Sunday
    assert is_workday(date(2025, 10, 11)) == (True, False)    # a working Saturday
    assert all(not is_workday(date(2025, 10, d))[0] for d in range(1, 9))   # 1-8 October


def test_ten_working_days_after_26_september_2025():
    deadline = add_working_days(date(2025, 9, 26), 10)
    assert deadline.due == date(2025, 10, 16) and deadline.provisional is False


def test_spring_festival_2026_is_skipped():
    # 2026: 15-23 February off, 14 and 28 February worked (State Council notice of 2025-11).
    assert add_working_days(date(2026, 2, 12), 3).due == date(2026, 2, 24)


def test_a_year_without_the_official_arrangement_is_provisional():
    deadline = add_working_days(date(2026, 12, 24), 10)
    assert deadline.provisional is True
    assert deadline.due == date(2027, 1, 7)     # weekends only across New Year 2027
    assert "暂按周末计算" in deadline.to_dict()["note"]
