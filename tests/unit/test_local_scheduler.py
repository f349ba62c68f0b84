from datetime import UTC, datetime

import pytest

from local import scheduler, serverless_config

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    "expression,expected",
    [
        ("cron(0 1 * * ? *)", datetime(2026, 11, 26, 1, 0, tzinfo=UTC)),
        ("cron(30 2 * * ? *)", datetime(2026, 11, 25, 2, 30, tzinfo=UTC)),
        ("cron(0 1 1 12 ? *)", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("cron(0 1 ? * 2 *)", datetime(2026, 11, 30, 1, 0, tzinfo=UTC)),  # EventBridge 2 = Monday
        ("rate(1 day)", datetime(2026, 11, 26, 2, 0, tzinfo=UTC)),
        ("rate(15 minutes)", datetime(2026, 11, 25, 2, 15, tzinfo=UTC)),
    ],
)
def test_next_fire_follows_eventbridge_semantics(expression, expected):
    assert scheduler.next_fire(expression, T0) == expected


def test_every_declared_schedule_is_understood():
    schedules = serverless_config.schedules()
    assert schedules, "serverless.yml declares no schedule"
    for schedule in schedules:
        assert scheduler.next_fire(schedule.expression, T0) > T0
