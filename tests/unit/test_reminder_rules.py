"""Reminder stages: which reminder goes to whom on which day (pure)."""

from datetime import date

from sheqi.rules.reminder_rules import Settings, message, stages, to_send
from sheqi.rules.workdays import Deadline, period_end, roll_forward

S = Settings()


def sent_on(kind, start, due, day, region="130722"):
    sending, following = to_send(stages(kind, start, due, "agency:A", region, S), day)
    return sorted((s.name, s.recipient) for s in sending), following


def test_deadline_stages_upcoming_due_overdue_then_escalated_on_working_days():
    due = date(2026, 12, 1)  # a Tuesday
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 11, 27)) == ([], date(2026, 11, 28))
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 11, 28)) == ([("upcoming", "agency:A")], due)
    assert sent_on("plan_refile", date(2026, 11, 17), due, due)[0] == [("due", "agency:A")]
    # Overdue from the next day; five working days after the due date the judicial bureau hears.
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 12, 2)) == ([("overdue", "agency:A")], date(2026, 12, 8))
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 12, 8)) == (
        [("escalated", "judicial:130722"), ("overdue", "agency:A")],
        None,
    )


def test_a_missed_run_sends_only_the_latest_stage():
    assert sent_on("case_transfer", date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 20))[0] == [("overdue", "agency:A")]


def test_year_end_campaign_days_and_the_overdue_list():
    due = date(2026, 12, 31)
    start = date(2026, 12, 1)
    assert sent_on("plan_yearend", start, due, date(2026, 12, 1)) == ([("remind-12-01", "agency:A")], date(2026, 12, 15))
    assert sent_on("plan_yearend", start, due, date(2026, 12, 20)) == ([("remind-12-15", "agency:A")], date(2026, 12, 25))
    assert sent_on("plan_yearend", start, due, date(2026, 12, 31)) == ([("remind-12-31", "agency:A")], date(2027, 1, 1))
    assert sent_on("plan_yearend", start, due, date(2027, 1, 1)) == (
        [("overdue", "agency:A"), ("overdue", "judicial:130722")],
        None,
    )


def test_science_deadlines_escalate_to_the_city_science_bureau():
    sending, _ = to_send(
        stages("project_acceptance", date(2026, 1, 1), date(2026, 7, 1), "science_bureau:130722", "130722", S), date(2026, 7, 15)
    )
    assert sorted(s.recipient for s in sending) == ["science_bureau:130700", "science_bureau:130722"]


def test_rating_invitation_and_last_call():
    closed, last = date(2026, 6, 15), date(2026, 7, 15)
    assert sent_on("rating_invite", closed, last, closed) == ([("invite", "agency:A")], date(2026, 7, 10))
    assert sent_on("rating_invite", closed, last, date(2026, 7, 10)) == ([("last_call", "agency:A")], None)


def test_calendar_periods_of_seed_004():
    assert period_end(date(2026, 8, 31), months=6) == date(2027, 2, 28)
    assert period_end(date(2026, 3, 15), months=6) == date(2026, 9, 15)
    assert period_end(date(2026, 11, 20), days=30) == date(2026, 12, 20)
    assert period_end(date(2024, 6, 1), months=24) == date(2026, 6, 1)


def test_a_period_ending_on_a_rest_day_ends_on_the_next_working_day():
    """Civil Code art. 203: a contract received 1 September 2025 is due after National Day, not on 1 October."""
    assert period_end(date(2025, 9, 1), days=30) == date(2025, 10, 1)
    assert roll_forward(date(2025, 10, 1)) == Deadline(date(2025, 10, 9), False)
    assert roll_forward(date(2026, 9, 15)) == Deadline(date(2026, 9, 15), False)  # a Tuesday: unchanged
    assert roll_forward(date(2026, 12, 20)) == Deadline(date(2026, 12, 21), False)  # a Sunday: Monday
    assert roll_forward(date(2025, 10, 11)) == Deadline(date(2025, 10, 11), False)  # 调休: a working Saturday
    assert roll_forward(date(2027, 2, 6)).provisional  # 2027 not loaded: weekends only


def test_provisional_deadline_is_said_in_the_reminder():
    stage = stages("plan_refile", date(2026, 12, 24), date(2027, 1, 7), "agency:A", "130722", S)[0]
    title, body = message("plan_refile", stage, "某局2026年度计划第2版", date(2027, 1, 7), provisional=True)
    assert title.startswith("即将到期") and "尚未载入" in body and "2027-01-07" in body and "第十六条" in body
