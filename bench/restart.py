"""Restart benchmark: the local store's start time follows the data it keeps, not the requests it answered.

One data folder; the store in its own process (`python -m local.dynamo PORT DIR`, the journal the stack
uses), ended with SIGKILL between phases, so no clean stop compacts anything. Each start is timed by the
store itself (snapshot load + replay of the logged writes + compaction), as the median of ROUNDS starts,
and reported as a ratio to the baseline measured in the same run: WRITES items kept, nothing logged since
(baseline starts and starts after READS reads alternate, so both see the same outside load).
Usage: bench/restart.py [READS] [WRITES]   (default 10000 1000)
"""

from __future__ import annotations

import random
import signal
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import boto3  # noqa: E402

from local import config, dynamo  # noqa: E402

ROUNDS = 3
TABLE = f"{config.TABLE_PREFIX}-tallies"


class Store:
    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, config.free_port(), None

    def start(self) -> float:
        """Start the store on the folder; returns the seconds its start took."""
        self.process = dynamo.server_process(self.port, self.folder)
        self.client = boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="cn-north-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        return self.process.load_seconds

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def restarts(self, between=lambda: None, rounds: int = ROUNDS) -> float:
        """Median start time over `rounds` kill -9 + start cycles, with `between()` run before each kill."""
        times = []
        for _ in range(rounds):
            between()
            self.kill()
            times.append(self.start())
        return statistics.median(times)

    def logged(self) -> int:
        return sum(p.stat().st_size for p in (self.folder / "store").glob("writes-*.jsonl"))


def main(reads: int, writes: int) -> None:
    rng = random.Random(19)
    with tempfile.TemporaryDirectory(prefix="sheqi-restart-") as folder:
        store = Store(Path(folder))
        store.start()
        try:
            dynamo.create_tables(f"http://127.0.0.1:{store.port}")
            kept = 0

            def write(n: int) -> None:
                nonlocal kept
                for i in range(kept, kept + n):
                    store.client.put_item(TableName=TABLE, Item={"tally_key": {"S": f"bench#{i}"}, "count": {"N": str(i)}})
                kept += n

            def read() -> None:
                before = store.logged()
                for _ in range(reads):
                    store.client.get_item(TableName=TABLE, Key={"tally_key": {"S": f"bench#{rng.randrange(kept)}"}})
                assert store.logged() == before, "reads were logged"

            write(writes)
            store.kill()
            first = store.start()  # replays the writes, then compacts them
            base, after_reads = [], []
            for _ in range(ROUNDS):  # alternated, so both see the same outside load
                base.append(store.restarts(rounds=1))
                after_reads.append(store.restarts(read, rounds=1))
            base, after_reads = statistics.median(base), statistics.median(after_reads)
            after_writes = store.restarts(lambda: write(writes))
            now_kept = kept
            doubled = store.restarts()
        finally:
            store.kill()
    print(f"重启基准（本地存储 = 快照 + 写入日志；每次重启前 kill -9；每项取 {ROUNDS} 次重启的中位数）")
    print(f"  基线：保留 {writes:,} 条数据、上次启动后无写入，启动 {base * 1000:.1f} 毫秒")
    print(f"  每轮 {reads:,} 次读取后重启：{after_reads * 1000:.1f} 毫秒，为基线的 {after_reads / base:.2f} 倍（读取不入日志）")
    print(
        f"  每轮 {writes:,} 次新写入后重启（重放日志并压缩）：{after_writes * 1000:.1f} 毫秒，为基线的 {after_writes / base:.2f} 倍；"
        f"首次 {writes:,} 次写入后 {first * 1000:.1f} 毫秒（{first / base:.2f} 倍）"
    )
    print(
        f"  其后不再写入、保留 {now_kept:,} 条数据时重启：{doubled * 1000:.1f} 毫秒，为基线的 {doubled / base:.2f} 倍（随数据量增长）"
    )


if __name__ == "__main__":
    given = [int(a) for a in sys.argv[1:3]]
    main(*given, *(10_000, 1_000)[len(given) :])
