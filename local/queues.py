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


def drain(endpoint: str, max_rounds: int = 10_000, log=print) -> int:
    """Deliver messages until every wired queue is empty; returns how many were handled.

    As Lambda's SQS trigger does, a batch whose function fails goes back to the queue, and the queue's
    redrive policy (infra/queues.yml, set on the local queue by `dynamo.create_queues`) moves a message
    to its dead-letter queue once it has been received maxReceiveCount times. Locally a failed batch
    comes back at once rather than after the visibility timeout."""
    client = boto3.client(
        "sqs", endpoint_url=endpoint, region_name=ACCOUNT_REGION, aws_access_key_id="local", aws_secret_access_key="local"
    )
    names, handled = _queue_names(), 0
    for _ in range(max_rounds):
        received = 0
        for trigger in serverless_config.queue_triggers():
            url = client.get_queue_url(QueueName=names[trigger.queue])["QueueUrl"]
            messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=trigger.batch_size, AttributeNames=["All"]).get(
                "Messages", []
            )
            received += len(messages)
            if not messages:
                continue
            try:
                invoke(trigger.handler, trigger.function, sqs_event(messages, names[trigger.queue]))
            except Exception as error:
                tries = max(int(m["Attributes"]["ApproximateReceiveCount"]) for m in messages)
                log(f"[队列] {trigger.function} 处理失败（第 {tries} 次），将重新投递或转入死信队列：{error!r}")
                for message in messages:
                    client.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
                continue
            for message in messages:
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            handled += len(messages)
        if not received:
            return handled
    return handled


def sqs_event(messages: list[dict], queue_name: str) -> dict:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(m["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws-cn:sqs:{ACCOUNT_REGION}:123456789012:{queue_name}",
                "awsRegion": ACCOUNT_REGION,
            }
            for m in messages
        ]
    }


class Poller(threading.Thread):
    """Drains the queues every second (short polls: the local store serves one request at a time)."""

    def __init__(self, endpoint: str, log=print):
        super().__init__(daemon=True, name="local-sqs")
        self.endpoint, self.log, self.stopped = endpoint, log, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            try:
                handled = drain(self.endpoint, max_rounds=50, log=self.log)
                if handled:
                    self.log(f"[队列] 处理消息 {handled} 条")
            except Exception as error:  # the queue itself unreachable: try again in a second
                self.log(f"[队列] 无法读取队列，稍后重试：{error!r}")
