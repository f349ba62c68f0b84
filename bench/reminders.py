"""Reminder run benchmark on the local stack's parts: agencies across many regions, obligations of
several kinds, the daily dispatch fanned out through SQS to the region worker, run twice.

Default 1,000 agencies and 10,000 obligations; `--full` for the issue's 10,000 agencies and 100,000
obligations (several minutes on moto). Prints the run's time, store calls per reminder by operation,
the time per reminder as a ratio to a raw conditional PutItem measured in the same run, and proves
the second run sends nothing new.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import config  # noqa: E402

DYNAMO, _ = config.configure_scratch("sheqi-bench-")

import boto3  # noqa: E402

from local import dynamo, queues  # noqa: E402
from local.events import schedule_event  # noqa: E402
from local.invoke import invoke  # noqa: E402
from sheqi.clock import CST  # noqa: E402
from sheqi.reminders import obligations  # noqa: E402
from sheqi.rules import uscc  # noqa: E402
from sheqi.rules.workdays import Deadline  # noqa: E402
from sheqi.store import catalog  # noqa: E402
from sheqi.store.notices import Notice  # noqa: E402
from sheqi.store.obligations import ActiveRegions, Obligation  # noqa: E402
from sheqi.store.registers import Agency  # noqa: E402
from sheqi.store.tallies import Tally  # noqa: E402

FULL = "--full" in sys.argv
AGENCIES, OBLIGATIONS, REGIONS = (10_000, 100_000, 100) if FULL else (1_000, 10_000, 20)
RUN_DAY = date(2026, 12, 1)  # the first day of the year-end campaign: every agency's plan is due too
calls: Counter = Counter()


def region(n: int) -> str:
    return f"13{10 + n // 10:02d}{n % 10 + 1:02d}"


def setup(endpoint: str) -> None:
    dynamo.create_tables(endpoint)
    dynamo.create_queues(endpoint)
    now = "2026-11-01T09:00:00+08:00"
    with Agency.batch_write() as batch:
        for n in range(AGENCIES):
            first17 = f"11{region(n % REGIONS)}{n:09d}"
            batch.save(
                Agency(
                    first17 + uscc.check_character(first17),
                    name=f"基准测试执法机关{n}",
                    level="county",
                    region_code=region(n % REGIONS),
                    kind="enforcement_agency",
                    certificate_kind="enforcement",
                    created_at=now,
                    updated_at=now,
                )
            )
    ActiveRegions(ActiveRegions.KEY, regions={region(n) for n in range(REGIONS)}).save()
    # The rest: technical contracts received on days spread over November, so that on 1 December some
    # are due soon, some due today, some overdue and some escalated.
    with Obligation.batch_write() as batch:
        for n in range(OBLIGATIONS - AGENCIES):
            received = date(2026, 10, 25) + timedelta(days=n % 20)
            code = region(n % REGIONS)
            batch.save(
                obligations.new(
                    f"contract_registration:{code}:HT{n:07d}",
                    kind="contract_registration",
                    title=f"技术合同{n}",
                    owner=f"science_bureau:{code}",
                    region_code=code,
                    subject={"contract_id": f"HT{n:07d}"},
                    start=received,
                    due=Deadline(received + timedelta(days=30), False),
                )
            )


def raw_put_seconds(endpoint: str, n: int = 500) -> float:
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    started = time.perf_counter()
    for i in range(n):
        client.put_item(
            TableName=Tally.Meta.table_name,
            Item={"tally_key": {"S": f"bench#{i}#{time.time()}"}},
            ConditionExpression="attribute_not_exists(tally_key)",
        )
    return (time.perf_counter() - started) / n


def run_once(endpoint: str) -> tuple[float, Counter, int]:
    before = Counter(calls)
    started = time.perf_counter()
    event = schedule_event("reminder-dispatch", datetime(RUN_DAY.year, RUN_DAY.month, RUN_DAY.day, 8, 0, tzinfo=CST))
    invoke("functions/reminder_dispatch/handler.handler", "reminderDispatch", event)
    queues.drain(endpoint)
    elapsed, used = time.perf_counter() - started, calls - before
    created = sum(1 for _ in Notice.scan(Notice.notice_id.startswith("reminder:")))  # counting, not a hot path
    return elapsed, used, created


def main() -> None:
    endpoint = dynamo.start_server_process(DYNAMO)
    print(
        f"期限提醒基准：{AGENCIES:,} 个执法机关、{OBLIGATIONS:,} 项待办（{OBLIGATIONS - AGENCIES:,} 项技术合同登记 + "
        f"{AGENCIES:,} 项年度计划，后者由首次运行按地区开立），{REGIONS} 个地区，运行日 {RUN_DAY}"
    )
    setup(endpoint)
    dynamo.count_calls(catalog.models(), calls)
    baseline = raw_put_seconds(endpoint)
    first, first_calls, reminders = run_once(endpoint)
    counted = dict(first_calls)
    print(
        f"  第一次运行：{first:,.1f} 秒，生成提醒 {reminders:,} 条；每条提醒耗时 {first / reminders * 1000:.2f} 毫秒，"
        f"为同次测得的单次条件写入（{baseline * 1000:.2f} 毫秒）的 {first / reminders / baseline:.1f} 倍"
    )
    print(
        f"  每条提醒的存储调用：{sum(counted.values()) / reminders:.2f} 次（{', '.join(f'{k} {v / reminders:.2f}' for k, v in sorted(counted.items()))}）"
    )
    second, second_calls, again = run_once(endpoint)
    print(
        f"  第二次运行（同一天重跑）：{second:,.1f} 秒，新增提醒 {again - reminders} 条，存储调用 {sum(second_calls.values()):,} 次 "
        f"（{dict(second_calls)}）"
    )
    assert again == reminders, "a rerun must send nothing new"
    kinds = Counter(n.kind for n in Notice.scan(Notice.notice_id.startswith("reminder:")))
    print(f"  按类型：{dict(kinds)}")


if __name__ == "__main__":
    main()
