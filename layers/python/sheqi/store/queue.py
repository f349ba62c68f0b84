"""Work handed to a queue worker (SQS in production, moto locally): one send per message."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from sheqi import settings


@lru_cache(maxsize=1)
def _client() -> Any:
    import boto3  # in the Lambda runtime; locally AWS_ENDPOINT_URL_SQS points it at moto

    return boto3.client("sqs", region_name=settings.get().aws_region)


def send(queue_url: str, message: dict[str, Any]) -> None:
    _client().send_message(QueueUrl=queue_url, MessageBody=json.dumps(message, ensure_ascii=False))
