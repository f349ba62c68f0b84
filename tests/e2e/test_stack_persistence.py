"""The whole local stack as a user starts it: data written survives a restart, even a kill -9. And the
store's journal on its own (`python -m local.dynamo`, the process benchmarks use): every answered write
survives a kill -9, S3 keeps its version ids, reads are never logged, and restarts compact the log."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from local import config, dynamo
from local.demo_data import IDENTITIES, MARKET
from sheqi import auth

ROOT = Path(__file__).resolve().parents[2]


def start(data_dir: Path, port: int, dynamo_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "SHEQI_DATA_DIR": str(data_dir),
        "SHEQI_PORT": str(port),
        "SHEQI_DYNAMO_PORT": str(dynamo_port),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DYNAMODB_ENDPOINT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "local.stack"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"stack exited early:\n{proc.stdout.read()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/public/agencies/{MARKET}/items", timeout=2).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"stack did not answer within 120 s:\n{proc.communicate()[0][-3000:]}")


def token(data_dir: Path, name: str) -> dict:
    secret = json.loads((data_dir / "secrets.json").read_text())["jwt_secret"]
    return {"Authorization": f"Bearer {auth.issue_token(IDENTITIES[name][1], secret)}"}


def test_write_kill_restart_read_back(tmp_path):
    port, dynamo_port = config.free_port(), config.free_port()
    base = f"http://127.0.0.1:{port}"
    stack = start(tmp_path, port, dynamo_port)
    try:
        body = {
            "enterprise_id": "91130722MA0R7T8U9H",
            "name": "张北县光伏新能源有限公司",
            "region_code": "130722",
            "credit_tier": "good",
            "credit_source": "国家企业信用信息公示系统",
        }
        created = requests.post(f"{base}/enterprises", json=body, headers=token(tmp_path, "platform"), timeout=10)
        assert created.status_code == 201, created.text
        reissued = requests.post(
            f"{base}/enterprises/91130722MA0R7T8U9H/code/reissue", headers=token(tmp_path, "platform"), timeout=10
        )
        assert reissued.status_code == 201
        posters = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "codes").glob("*-poster.png")}
        assert len(posters) == 5
        assert (tmp_path / "deliveries.log").exists()  # there to read (or tail -f) before the first message
    finally:
        stack.send_signal(signal.SIGKILL)  # no chance to flush anything at shutdown
        stack.wait()

    stack = start(tmp_path, port, dynamo_port)
    try:
        back = requests.get(f"{base}/enterprises/91130722MA0R7T8U9H", headers=token(tmp_path, "platform"), timeout=10)
        assert back.status_code == 200
        assert back.json()["name"] == "张北县光伏新能源有限公司" and back.json()["code_version"] == 2
        # Posters of unchanged codes are not drawn again; demo data is not loaded twice.
        assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "codes").glob("*-poster.png")} == posters
        listed = requests.get(f"{base}/enterprises?region_code=130722", headers=token(tmp_path, "platform"), timeout=10)
        assert len(listed.json()["items"]) == 4
    finally:
        stack.terminate()
        stack.wait(timeout=30)
    # The restart folded the log into a snapshot, and the clean stop (SIGTERM) left nothing to replay.
    assert (tmp_path / "store" / "snapshot.pickle").exists()
    assert all(log.stat().st_size == 0 for log in (tmp_path / "store").glob("writes-*.jsonl"))


def clients(endpoint: str):
    args = dict(endpoint_url=endpoint, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x")
    return (
        boto3.client("dynamodb", **args),
        boto3.client("s3", config=Config(s3={"addressing_style": "path"}), **args),
        boto3.client("sqs", **args),
    )


def logged_bytes(data_dir: Path) -> int:
    return sum(log.stat().st_size for log in (data_dir / "store").glob("writes-*.jsonl"))


def kill_9(process) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_store_journal_keeps_writes_and_version_ids_and_never_logs_reads(tmp_path):
    port = config.free_port()
    store = dynamo.server_process(port, tmp_path)
    try:
        db, s3, sqs = clients(f"http://127.0.0.1:{port}")
        dynamo.create_tables(f"http://127.0.0.1:{port}")
        dynamo.create_buckets(f"http://127.0.0.1:{port}")
        table, bucket = f"{config.TABLE_PREFIX}-tallies", f"{config.TABLE_PREFIX}-evidence"
        for n in range(20):
            db.put_item(TableName=table, Item={"tally_key": {"S": f"k{n}"}, "count": {"N": str(n)}})
        db.update_item(
            TableName=table,
            Key={"tally_key": {"S": "k1"}},
            UpdateExpression="ADD #c :one",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        versions = [s3.put_object(Bucket=bucket, Key="visits/v1/photo", Body=body)["VersionId"] for body in (b"first", b"second")]
        queue = sqs.create_queue(QueueName="journal-test")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="kept")
        before = logged_bytes(tmp_path)
        for n in range(25):
            db.get_item(TableName=table, Key={"tally_key": {"S": f"k{n % 20}"}})
            db.query(TableName=table, KeyConditionExpression="tally_key = :k", ExpressionAttributeValues={":k": {"S": "k1"}})
            s3.get_object(Bucket=bucket, Key="visits/v1/photo", VersionId=versions[0])["Body"].read()
        assert logged_bytes(tmp_path) == before > 0
    finally:
        kill_9(store)

    store = dynamo.server_process(port, tmp_path)
    try:
        db, s3, sqs = clients(f"http://127.0.0.1:{port}")
        assert db.get_item(TableName=table, Key={"tally_key": {"S": "k1"}})["Item"]["count"] == {"N": "2"}  # ADD applied once
        assert db.scan(TableName=table, Select="COUNT")["Count"] == 20
        for version, body in zip(versions, (b"first", b"second")):
            assert s3.get_object(Bucket=bucket, Key="visits/v1/photo", VersionId=version)["Body"].read() == body
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue)["Messages"]] == ["kept"]
        # The start replayed the log into a new snapshot: the next start replays nothing.
        assert logged_bytes(tmp_path) == 0 and (tmp_path / "store" / "snapshot.pickle").exists()
        db.delete_item(TableName=table, Key={"tally_key": {"S": "k0"}})
    finally:
        store.stdin.close()  # a clean stop: compacted
        store.wait(timeout=60)
    assert logged_bytes(tmp_path) == 0

    store = dynamo.server_process(port, tmp_path)
    try:
        db, s3, _ = clients(f"http://127.0.0.1:{port}")
        assert db.scan(TableName=table, Select="COUNT")["Count"] == 19
        assert s3.get_object(Bucket=bucket, Key="visits/v1/photo")["VersionId"] == versions[1]
    finally:
        kill_9(store)


def test_every_write_answered_before_a_kill_9_survives_it(tmp_path):
    """Four threads keep writing (new items, and ADDs to one counter) until the store is killed: each
    write that was answered is there after the restart, and the counter lost no answered ADD."""
    port = config.free_port()
    store = dynamo.server_process(port, tmp_path)
    table = f"{config.TABLE_PREFIX}-tallies"
    dynamo.create_tables(f"http://127.0.0.1:{port}")
    answered, adds, stop = [], [], threading.Event()

    def writer(n: int) -> None:
        db = clients(f"http://127.0.0.1:{port}")[0]
        for i in range(10_000):
            try:
                db.put_item(TableName=table, Item={"tally_key": {"S": f"w{n}-{i}"}})
                answered.append(f"w{n}-{i}")
                db.update_item(
                    TableName=table,
                    Key={"tally_key": {"S": "counter"}},
                    UpdateExpression="ADD #c :one",
                    ExpressionAttributeNames={"#c": "count"},
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
                adds.append(1)
            except Exception:
                return  # the store is gone
            if stop.is_set():
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    while len(answered) < 100:
        time.sleep(0.01)
    kill_9(store)
    stop.set()
    for thread in threads:
        thread.join()

    store = dynamo.server_process(port, tmp_path)
    try:
        db = clients(f"http://127.0.0.1:{port}")[0]
        keys = {item["tally_key"]["S"] for page in db.get_paginator("scan").paginate(TableName=table) for item in page["Items"]}
        assert set(answered) <= keys
        count = int(db.get_item(TableName=table, Key={"tally_key": {"S": "counter"}})["Item"]["count"]["N"])
        assert len(adds) <= count <= len(adds) + len(threads)  # an ADD applied but cut off before its answer may be there
    finally:
        kill_9(store)


def test_a_recording_of_an_older_version_is_replayed_once_then_compacted(tmp_path):
    """Before the journal, moto's recorder logged every request to dynamodb-recording.jsonl (same line format)."""
    port = config.free_port()
    store = dynamo.server_process(port, tmp_path)
    try:
        dynamo.create_tables(f"http://127.0.0.1:{port}")
        db = clients(f"http://127.0.0.1:{port}")[0]
        db.put_item(TableName=f"{config.TABLE_PREFIX}-tallies", Item={"tally_key": {"S": "old"}})
    finally:
        kill_9(store)
    (log,) = (tmp_path / "store").glob("writes-*.jsonl")
    log.rename(tmp_path / dynamo.LEGACY_RECORDING)
    for leftover in (tmp_path / "store").iterdir():
        leftover.unlink()

    store = dynamo.server_process(port, tmp_path)
    try:
        db = clients(f"http://127.0.0.1:{port}")[0]
        assert db.get_item(TableName=f"{config.TABLE_PREFIX}-tallies", Key={"tally_key": {"S": "old"}})["Item"]
        assert not (tmp_path / dynamo.LEGACY_RECORDING).exists()
        assert (tmp_path / "store" / "snapshot.pickle").exists() and logged_bytes(tmp_path) == 0
    finally:
        kill_9(store)


def test_a_compaction_cut_short_applies_no_write_twice(tmp_path):
    """Killed after a compaction opened its new log but before its snapshot landed: the writes in the new
    log are replayed once over the old snapshot, and not again by later starts."""
    port, table = config.free_port(), f"{config.TABLE_PREFIX}-tallies"
    counter = dict(
        TableName=table,
        Key={"tally_key": {"S": "counter"}},
        UpdateExpression="ADD #c :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    store = dynamo.server_process(port, tmp_path)
    try:
        dynamo.create_tables(f"http://127.0.0.1:{port}")
        clients(f"http://127.0.0.1:{port}")[0].update_item(**counter)
    finally:
        store.stdin.close()  # clean stop: snapshot generation 1, log 1 empty
        store.wait(timeout=60)
    store = dynamo.server_process(port, tmp_path)
    try:
        clients(f"http://127.0.0.1:{port}")[0].update_item(**counter)
    finally:
        kill_9(store)
    (log,) = [p for p in (tmp_path / "store").glob("writes-*.jsonl") if p.stat().st_size]
    newer = log.with_name(f"writes-{int(log.stem.partition('-')[2]) + 1:06d}.jsonl")
    log.rename(newer)  # as if written after the switch to the next log
    log.touch()

    store = dynamo.server_process(port, tmp_path)
    try:
        item = clients(f"http://127.0.0.1:{port}")[0].get_item(TableName=table, Key=counter["Key"])["Item"]
        assert item["count"] == {"N": "2"}
        assert logged_bytes(tmp_path) == 0  # folded into the new snapshot: the next start replays nothing
    finally:
        kill_9(store)
