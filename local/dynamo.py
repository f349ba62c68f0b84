"""The embedded DynamoDB: moto in server mode on 127.0.0.1, tables made from infra/tables.yml.

Persistence uses moto's own recorder: with MOTO_ENABLE_RECORDING every request the server receives
is appended to a log file as it arrives (so a crash loses nothing already answered), and at start
the log is replayed into the fresh server. Reads are logged too; the log only grows, and
`make reset` deletes it.
"""
from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import boto3
import requests
import yaml

from .config import ROOT, TABLE_PREFIX

recorder = None   # moto's request recorder, once moto is imported by start_server
_CREATE_KEYS = ("TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes", "BillingMode")


def infra_resources(file: str, prefix: str = TABLE_PREFIX) -> dict[str, dict]:
    """The Resources of an infra/ file, with the names the local stack gives them."""
    text = (ROOT / "infra" / file).read_text().replace("${self:custom.tablePrefix}", prefix)
    return yaml.safe_load(text)["Resources"]


def table_definitions(prefix: str = TABLE_PREFIX) -> dict[str, dict]:
    """CreateTable arguments for each AWS::DynamoDB::Table in infra/tables.yml, keyed by logical id."""
    resources = infra_resources("tables.yml", prefix)
    return {name: {k: v for k, v in res["Properties"].items() if k in _CREATE_KEYS}
            for name, res in resources.items() if res["Type"] == "AWS::DynamoDB::Table"}


def create_queues(endpoint: str, prefix: str = TABLE_PREFIX) -> list[str]:
    """The SQS queues of infra/queues.yml, dead-letter queues first so redrive policies can name them."""
    resources = infra_resources("queues.yml", prefix)
    client = boto3.client("sqs", endpoint_url=endpoint, region_name="cn-north-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    arns, urls = {}, []
    for name, res in sorted(resources.items(), key=lambda item: "RedrivePolicy" in item[1]["Properties"]):
        props = res["Properties"]
        attributes = {"VisibilityTimeout": str(props.get("VisibilityTimeout", 30))}
        if "RedrivePolicy" in props:
            target = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arns[target],
                                                      "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"]})
        url = client.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
        arns[name] = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        urls.append(url)
    return urls


def bucket_names(prefix: str = TABLE_PREFIX) -> dict[str, str]:
    """Local names of the S3 buckets of infra/storage.yml (CloudFormation names them in AWS):
    EvidenceBucket is `<prefix>-evidence`."""
    return {name: f"{prefix}-{name.removesuffix('Bucket').lower()}" for name, res in infra_resources("storage.yml", prefix).items()
            if res["Type"] == "AWS::S3::Bucket"}


def create_buckets(endpoint: str, prefix: str = TABLE_PREFIX) -> list[str]:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="cn-north-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    existing = {b["Name"] for b in client.list_buckets()["Buckets"]}
    created = []
    for name in bucket_names(prefix).values():
        if name not in existing:
            client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            created.append(name)
    return created


def verify_sender(endpoint: str) -> None:
    """SES sends only from a verified address: the local stack's is verified in moto."""
    from .config import NOTIFY_FROM, SES_REGION

    boto3.client("ses", endpoint_url=endpoint, region_name=SES_REGION, aws_access_key_id="local",
                 aws_secret_access_key="local").verify_email_identity(EmailAddress=NOTIFY_FROM)


def create_tables(endpoint: str, prefix: str = TABLE_PREFIX) -> list[str]:
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="cn-north-1",
                          aws_access_key_id="local", aws_secret_access_key="local")
    existing = set(client.list_tables()["TableNames"])
    created = []
    for spec in table_definitions(prefix).values():
        if spec["TableName"] not in existing:
            client.create_table(**spec)
            created.append(spec["TableName"])
    return created


# Queue polling would fill the recording with a line a second; only what changes state is kept
# (a message sent before a restart is delivered again after it, which the workers tolerate).
_NOT_RECORDED = ("AmazonSQS.ReceiveMessage", "AmazonSQS.DeleteMessage", "AmazonSQS.GetQueueUrl",
                 "AmazonSQS.GetQueueAttributes", "AmazonSQS.ChangeMessageVisibility")


class _Serialized:
    """One request at a time. Moto checks a write's condition and applies it in two Python steps,
    so concurrent requests could both pass a condition DynamoDB would let only one pass; holding a
    lock per request gives the atomicity the production store has (and whole lines in the recording)."""

    def __init__(self, app, recording: bool):
        self.app, self.lock, self.recording = app, threading.Lock(), recording

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/moto-api/"):
            # Control calls: a replay sends its recorded requests back to this server, which must not wait on it.
            return self.app(environ, start_response)
        quiet = self.recording and environ.get("HTTP_X_AMZ_TARGET", "") in _NOT_RECORDED
        with self.lock:
            if quiet:
                recorder.stop_recording()
            try:
                return list(self.app(environ, start_response))
            finally:
                if quiet:
                    recorder.start_recording()


def start_server(port: int, recording: Path | None = None) -> tuple[object, str]:
    """Start moto on 127.0.0.1:port; with `recording`, replay it and keep appending to it.
    Returns the werkzeug server (call .shutdown() to stop) and the endpoint URL."""
    if recording is not None:
        recording.parent.mkdir(parents=True, exist_ok=True)
        recording.touch()
        # Read by moto's recorder when moto is first imported: set before the import below.
        os.environ["MOTO_ENABLE_RECORDING"] = "True"
        os.environ["MOTO_RECORDER_FILEPATH"] = str(recording)
    global recorder
    from moto.moto_api import recorder
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = _Serialized(DomainDispatcherApplication(create_backend_app), recording=recording is not None)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name="moto-dynamodb").start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto and the gateway share it; the gateway logs its own lines
    endpoint = f"http://127.0.0.1:{port}"
    if recording is not None and recording.stat().st_size:
        requests.post(f"{endpoint}/moto-api/recorder/replay-recording", timeout=600).raise_for_status()
    return server, endpoint


def start_server_process(port: int) -> str:
    """moto in a process of its own (benchmarks: so the store does not share this process's GIL), one
    request at a time as `start_server` runs it; stopped when this process exits."""
    import atexit
    import subprocess
    import sys
    import time

    serve = f"import time\nfrom local import dynamo\ndynamo.start_server({port})\nwhile True: time.sleep(3600)"
    server = subprocess.Popen([sys.executable, "-c", serve], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atexit.register(server.terminate)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{endpoint}/moto-api/", timeout=1)
            return endpoint
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"moto 服务器未能在端口 {port} 启动")


def count_calls(models, counter) -> None:
    """Count every DynamoDB call the models' clients make, by operation (botocore's before-call hook)."""
    for model in models:
        model._get_connection().connection.client.meta.events.register(
            "before-call.dynamodb.*", lambda model, **_: counter.update([model.name]))


def raw_pair_seconds(endpoint: str, table: str, pairs: int) -> float:
    """Seconds per raw PutItem + consistent GetItem on the server: the baseline benchmarks report against."""
    import time

    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="cn-north-1",
                          aws_access_key_id="x", aws_secret_access_key="x")
    started = time.perf_counter()
    for n in range(pairs):
        key = {"tally_key": {"S": f"bench#{n}"}}
        client.put_item(TableName=table, Item={**key, "count": {"N": "1"}})
        client.get_item(TableName=table, Key=key, ConsistentRead=True)
    return (time.perf_counter() - started) / pairs
