"""Work handed to a queue worker (SQS in production, moto locally): one send per message."""
from __future__ import annotations

import json
import os
from functools import lru_cache


@lru_cache(maxsize=1)
def _client():
    import boto3  # in the Lambda runtime; locally AWS_ENDPOINT_URL_SQS points it at moto

    return boto3.client("sqs", region_name=os.environ.get("AWS_REGION", "cn-north-1"))


def send(queue_url_env: str, message: dict) -> None:
    _client().send_message(QueueUrl=os.environ[queue_url_env], MessageBody=json.dumps(message, ensure_ascii=False))
