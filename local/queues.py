"""The local SQS trigger: polls each queue that serverless.yml wires to a function and invokes that
function with a real-shaped SQS event, deleting a message only when the function succeeded."""
from __future__ import annotations

import hashlib
import threading

import boto3

from . import serverless_config
from .config import ACCOUNT_REGION
from .dynamo import infra_resources
from .invoke import invoke


def _queue_names() -> dict[str, str]:
    return {name: res["Properties"]["QueueName"] for name, res in infra_resources("queues.yml").items()}


def drain(endpoint: str, max_rounds: int = 10_000) -> int:
    """Deliver messages until every wired queue is empty; returns how many were handled."""
    client = boto3.client("sqs", endpoint_url=endpoint, region_name=ACCOUNT_REGION,
                          aws_access_key_id="local", aws_secret_access_key="local")
    names, handled = _queue_names(), 0
    for _ in range(max_rounds):
        delivered = 0
        for trigger in serverless_config.queue_triggers():
            url = client.get_queue_url(QueueName=names[trigger.queue])["QueueUrl"]
            messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=trigger.batch_size,
                                              AttributeNames=["All"]).get("Messages", [])
            if not messages:
                continue
            invoke(trigger.handler, trigger.function, sqs_event(messages, names[trigger.queue]))
            for message in messages:
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            delivered += len(messages)
        handled += delivered
        if not delivered:
            return handled
    return handled


def sqs_event(messages: list[dict], queue_name: str) -> dict:
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": hashlib.md5(m["Body"].encode()).hexdigest(),
        "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws-cn:sqs:{ACCOUNT_REGION}:123456789012:{queue_name}",
        "awsRegion": ACCOUNT_REGION} for m in messages]}


class Poller(threading.Thread):
    """Drains the queues every second (short polls: the local store serves one request at a time)."""

    def __init__(self, endpoint: str, log=print):
        super().__init__(daemon=True, name="local-sqs")
        self.endpoint, self.log, self.stopped = endpoint, log, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            try:
                handled = drain(self.endpoint, max_rounds=50)
                if handled:
                    self.log(f"[队列] 处理消息 {handled} 条")
            except Exception as error:   # a failing message stays queued and comes back
                self.log(f"[队列] 处理失败，稍后重试：{error!r}")
