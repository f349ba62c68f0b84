"""Reminder stages: which reminder goes to whom on which day (pure)."""
from datetime import date

from sheqi.reminders.obligations import calendar_deadline
from sheqi.rules.reminder_rules import Settings, message, stages, to_send

S = Settings()


def sent_on(kind, start, due, day, region="130722"):
    sending, following = to_send(stages(kind, start, due, "agency:A", region, S), day)
    return sorted((s.name, s.recipient) for s in sending), following


def test_deadline_stages_upcoming_due_overdue_then_escalated_on_working_days():
    due = date(2026, 12, 1)            # a Tuesday
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 11, 27)) == ([], date(2026, 11, 28))
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 11, 28)) == ([("upcoming", "agency:A")], due)
    assert sent_on("plan_refile", date(2026, 11, 17), due, due)[0] == [("due", "agency:A")]
    # Overdue from the next day; five working days after the due date the judicial bureau hears.
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 12, 2)) == ([("overdue", "agency:A")], date(2026, 12, 8))
    assert sent_on("plan_refile", date(2026, 11, 17), due, date(2026, 12, 8)) == (
        [("escalated", "judicial:130722"), ("overdue", "agency:A")], None)


def test_a_missed_run_sends_only_the_latest_stage():
    assert sent_on("case_transfer", date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 20))[0] == [("overdue", "agency:A")]


def test_year_end_campaign_days_and_the_overdue_list():
    due = date(2026, 12, 31)
    start = date(2026, 12, 1)
    assert sent_on("plan_yearend", start, due, date(2026, 12, 1)) == ([("remind-12-01", "agency:A")], date(2026, 12, 15))
    assert sent_on("plan_yearend", start, due, date(2026, 12, 20)) == ([("remind-12-15", "agency:A")], date(2026, 12, 25))
    assert sent_on("plan_yearend", start, due, date(2026, 12, 31)) == ([("remind-12-31", "agency:A")], date(2027, 1, 1))
    assert sent_on("plan_yearend", start, due, date(2027, 1, 1)) == (
        [("overdue", "agency:A"), ("overdue", "judicial:130722")], None)


def test_science_deadlines_escalate_to_the_city_science_bureau():
    sending, _ = to_send(stages("project_acceptance", date(2026, 1, 1), date(2026, 7, 1), "science_bureau:130722", "130722", S),
                         date(2026, 7, 15))
    assert sorted(s.recipient for s in sending) == ["science_bureau:130700", "science_bureau:130722"]


def test_rating_invitation_and_last_call():
    closed, last = date(2026, 6, 15), date(2026, 7, 15)
    assert sent_on("rating_invite", closed, last, closed) == ([("invite", "agency:A")], date(2026, 7, 10))
    assert sent_on("rating_invite", closed, last, date(2026, 7, 10)) == ([("last_call", "agency:A")], None)


def test_calendar_periods_of_seed_004():
    assert calendar_deadline(date(2026, 8, 31), months=6).due == date(2027, 2, 28)
    assert calendar_deadline(date(2026, 3, 15), months=6).due == date(2026, 9, 15)
    assert calendar_deadline(date(2026, 11, 20), days=30).due == date(2026, 12, 20)


def test_provisional_deadline_is_said_in_the_reminder():
    stage = stages("plan_refile", date(2026, 12, 24), date(2027, 1, 7), "agency:A", "130722", S)[0]
    title, body = message("plan_refile", stage, "某局2026年度计划第2版", date(2027, 1, 7), provisional=True)
    assert title.startswith("即将到期") and "尚未载入" in body and "2027-01-07" in body and "第十六条" in body
