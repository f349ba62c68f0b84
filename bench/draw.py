"""双随机 draw benchmark: drawing 20% of N enterprises (default 10,000 and 100,000).

Prints, for the pure draw and for the full stored path (count, stream the scope's index, draw, assign,
store), time per enterprise, peak traced memory and store calls. Linear means a flat time per
enterprise; bounded memory means a peak that does not grow with N. The baseline, measured in the same
run, is one pass over the same records that only fingerprints them.
Usage: bench/draw.py [N ...]
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from local import config  # noqa: E402

DYNAMO, _ = config.configure_scratch("sheqi-bench-")

import requests  # noqa: E402

from local import demo_data, dynamo  # noqa: E402
from sheqi import clock  # noqa: E402
from sheqi.inputs import parse  # noqa: E402
from sheqi.inspections import draws  # noqa: E402
from sheqi.rules import uscc  # noqa: E402
from sheqi.store.plans import PlanVersion  # noqa: E402
from sheqi.store.registers import Agency, Enterprise, Inspector  # noqa: E402
from sheqi.store.tasks import DrawEntry  # noqa: E402

WEIGHTS = {"good": 0.5, "average": 1.0, "poor": 2.0}
TIERS = ("good", "average", "average", "poor")
calls: Counter = Counter()


def records(n: int):
    for i in range(n):
        first17 = f"91130722MG{i:07d}"
        yield first17 + uscc.check_character(first17), TIERS[i % 4]


def measure(fn):
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def pure(n: int) -> None:
    base_digest = draws.Digest()
    _, baseline, base_peak = measure(lambda: sum(1 for _ in base_digest.feed(records(n))))
    digest = draws.Digest()
    drawn, elapsed, peak = measure(lambda: draws.weighted_sample(digest.feed(records(n)), n // 5, "bench-seed", WEIGHTS))
    print(
        f"  纯抽取 {n:>7,} 家取 {len(drawn):>6,}：{elapsed / n * 1e6:6.1f} 微秒/家（仅指纹基线 {baseline / n * 1e6:.1f}，"
        f"为其 {elapsed / baseline:.1f} 倍），内存峰值 {peak / 2**20:5.1f} MiB（基线 {base_peak / 2**20:.1f} MiB）"
    )


def stored(n: int) -> None:
    requests.post(f"http://127.0.0.1:{DYNAMO}/moto-api/reset", timeout=30)
    dynamo.create_tables(f"http://127.0.0.1:{DYNAMO}")
    demo_data.load()
    now = clock.now_iso()
    with Enterprise.batch_write() as batch:
        for eid, tier in records(n):
            batch.save(
                Enterprise(
                    eid,
                    name="张北县抽查基准企业有限公司",
                    region_code="130722",
                    credit_tier=tier,
                    credit_source="基准测试",
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
    admin = demo_data.IDENTITIES["admin-market"][1]
    spec = parse(
        draws.DrawIn,
        {
            "year": clock.today().year,
            "version": 1,
            "entry_index": 0,
            "seed": "bench-seed-2026",
            "draw_date": clock.today().isoformat(),
        },
        strict=False,
    )
    calls.clear()
    summary, elapsed, peak = measure(lambda: draws.run(admin, demo_data.MARKET, spec))
    per = ", ".join(f"{op} {count:,}" for op, count in sorted(calls.items()))
    print(
        f"  入库抽取 {summary['population']:>7,} 家取 {summary['drawn']:>6,}：{elapsed:6.1f} 秒，"
        f"{elapsed / summary['population'] * 1000:5.2f} 毫秒/家，内存峰值 {peak / 2**20:5.1f} MiB，存储调用 {sum(calls.values()):,}（{per}）"
    )


def main(sizes: list[int]) -> None:
    dynamo.start_server_process(DYNAMO)
    dynamo.count_calls((Enterprise, Inspector, DrawEntry, PlanVersion, Agency), calls)
    print("双随机抽取基准（抽取比例 20%，按信用等级加权）")
    for n in sizes:
        pure(n)
    for n in sizes:
        stored(n)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10000, 100000])
