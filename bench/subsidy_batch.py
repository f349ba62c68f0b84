"""Subsidy batch benchmark: N stored applicants of a year, calculated and stored in one run.

Prints, for each N, time per applicant, store calls by operation, and peak traced memory (tracemalloc),
so linearity shows as a flat time per applicant and a flat memory peak. Alongside, the pure engine
over the same applicants against a baseline measured in the same run (validating the facts only).
Usage: bench/subsidy_batch.py [N ...]   (default 1000 10000 100000)
"""

from __future__ import annotations

import random
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import config  # noqa: E402

DYNAMO, _ = config.configure_scratch("sheqi-bench-")

import requests  # noqa: E402

from local import dynamo, queues  # noqa: E402
from sheqi.auth import Identity  # noqa: E402
from sheqi.rules import uscc  # noqa: E402
from sheqi.store.subsidy import SubsidyApplicant, SubsidyResult  # noqa: E402
from sheqi.store.tallies import Tally  # noqa: E402
from sheqi.subsidy import calculate, default_ruleset, normalise, service  # noqa: E402

PLATFORM = Identity("platform-admin", "platform_admin")
calls: Counter = Counter()


def applicant_facts(rng: random.Random) -> tuple[str, dict]:
    """A plausible mix: most enterprises claim one or two clauses; some units (universities,
    institutes) report technology contracts. Counties, a handful a year, are left to the unit tests."""
    if rng.random() < 0.1:
        return "unit", {"contracts_output_yuan": rng.randrange(0, 10**8), "contracts_absorbed_yuan": rng.randrange(0, 3 * 10**7)}
    sales3 = rng.randrange(10**6, 10**8)
    return "enterprise", {
        "newly_recognised_high_tech": rng.random() < 0.5,
        "previous_year_sales_yuan": rng.randrange(10**6, 4 * 10**7),
        "three_year_rd_yuan": rng.randrange(0, sales3 // 5),
        "three_year_sales_yuan": sales3,
        "national_projects": [{"project_name": "国家项目", "national_funding_yuan": rng.randrange(10**6, 3 * 10**7)}]
        if rng.random() < 0.2
        else [],
        "new_unicorn": rng.random() < 0.01,
    }


def engine_only(population: list) -> None:
    ruleset = default_ruleset()
    started = time.perf_counter()
    for _kind, facts in population:
        normalise(ruleset, facts)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    for kind, facts in population:
        calculate(ruleset, kind, facts)
    engine = time.perf_counter() - started
    print(
        f"  纯计算 {len(population):>7,} 户：{engine / len(population) * 1e6:7.1f} 微秒/户，"
        f"为仅校验事实（基线 {baseline / len(population) * 1e6:.1f} 微秒/户）的 {engine / baseline:.1f} 倍"
    )


def drained_run(year: int) -> dict:
    """Start a run and let the queue worker take it chunk by chunk, as in production."""
    run_id = service.start_run(PLATFORM, year)["run_id"]
    queues.drain(f"http://127.0.0.1:{DYNAMO}")
    return service.run_summary(SubsidyResult.get(run_id, SubsidyResult.SUMMARY))


def stored_run(n: int, year: int, population: list) -> None:
    requests.post(f"http://127.0.0.1:{DYNAMO}/moto-api/reset", timeout=30)
    dynamo.create_tables(f"http://127.0.0.1:{DYNAMO}")
    dynamo.create_queues(f"http://127.0.0.1:{DYNAMO}")
    with SubsidyApplicant.batch_write() as batch:
        for i, (kind, facts) in enumerate(population[:n]):
            first17 = f"91130722ME{i:07d}"
            batch.save(
                SubsidyApplicant(
                    str(year),
                    first17 + uscc.check_character(first17),
                    applicant_kind=kind,
                    name="基准测试申报主体",
                    region_code="130722",
                    facts=facts,
                    updated_at="2026-01-01T00:00:00+08:00",
                )
            )
    started = time.perf_counter()
    read_only = sum(1 for _ in SubsidyApplicant.query(str(year), page_size=service.CHUNK))
    paging = time.perf_counter() - started
    calls.clear()
    tracemalloc.start()
    started = time.perf_counter()
    summary = drained_run(year)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    per = ", ".join(f"{op} {count:,}" for op, count in sorted(calls.items()))
    print(
        f"  入库批算 {n:>7,} 户：{elapsed:7.1f} 秒，{elapsed / n * 1000:6.2f} 毫秒/户，内存峰值 {peak / 2**20:5.1f} MiB，"
        f"存储调用 {sum(calls.values()):,}（{per}；每户 {sum(calls.values()) / n:.3f} 次），合计 {summary['total_cash']} 元；"
        f"同批仅分页读取 {read_only:,} 户用时 {paging:.1f} 秒（批算为其 {elapsed / paging:.1f} 倍，moto 每页查询须遍历整个分区）"
    )


def main(sizes: list[int]) -> None:
    dynamo.create_tables(dynamo.start_server_process(DYNAMO))
    dynamo.count_calls((SubsidyApplicant, SubsidyResult, Tally), calls)
    rng = random.Random(2025)
    population = [applicant_facts(rng) for _ in range(max(sizes))]
    print(f"补助批量计算基准（规则集 {default_ruleset().version}）")
    engine_only(population)
    for n in sizes:
        stored_run(n, 2025, population)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
