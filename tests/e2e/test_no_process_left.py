"""The store process a benchmark starts (dynamo.server_process) ends with the benchmark, however the
benchmark ends: here it is killed with SIGKILL, which runs no atexit handler."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCHMARK = """
import sys, time
from local import config, dynamo
print(dynamo.server_process(config.free_port()).pid, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended; only its exit status is left
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_a_killed_benchmark_leaves_no_store_process():
    benchmark = subprocess.Popen([sys.executable, "-c", BENCHMARK], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        store = int(benchmark.stdout.readline())
        assert alive(store)
    finally:
        benchmark.send_signal(signal.SIGKILL)
        benchmark.wait()
    deadline = time.time() + 30
    while alive(store) and time.time() < deadline:
        time.sleep(0.1)
    assert not alive(store)
