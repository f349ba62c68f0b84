"""Events shaped exactly as AWS delivers them: API Gateway HTTP API payload v2.0, and EventBridge
scheduled events. The samples in events/ are such events; tests check both agree in shape."""

from __future__ import annotations

import base64
import os
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl

ACCOUNT = "123456789012"
_TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")


def request_id() -> str:
    """A new id shaped as an HTTP API's `requestContext.requestId` (and its `apigw-requestid` header):
    11 random bytes in base64, 16 characters ending in "=", e.g. "Jx3kPq4dEfGHjTw="."""
    return base64.b64encode(os.urandom(11)).decode()


def http_event(
    *,
    method: str,
    raw_path: str,
    route_key: str,
    path_parameters: dict,
    raw_query_string: str = "",
    headers: dict | None = None,
    body: bytes | None = None,
    claims: dict | None = None,
    source_ip: str = "127.0.0.1",
    domain: str = "127.0.0.1",
    request: str | None = None,
) -> dict:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    now = time.time()
    context = {
        "accountId": ACCOUNT,
        "apiId": "local",
        "domainName": domain,
        "domainPrefix": domain.split(".")[0],
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request or request_id(),
        "routeKey": route_key,
        "stage": "$default",
        "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        # API Gateway hands claims to the function as strings.
        context["authorizer"] = {"jwt": {"claims": {k: str(v) for k, v in claims.items()}, "scopes": None}}
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query_string,
        "headers": headers,
        "requestContext": context,
        "isBase64Encoded": False,
    }
    if "cookie" in headers:
        event["cookies"] = [c.strip() for c in headers["cookie"].split(";")]
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query_string, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body:
        if headers.get("content-type", "application/json").startswith(_TEXT_TYPES):
            event["body"] = body.decode("utf-8", errors="replace")
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


def schedule_event(rule_name: str, when: datetime, region: str = "cn-north-1") -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws-cn:events:{region}:{ACCOUNT}:rule/{rule_name}"],
        "detail": {},
    }


class LambdaContext:
    """The attributes of the Lambda context object that our handlers and logger read."""

    def __init__(self, function_name: str):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws-cn:lambda:cn-north-1:{ACCOUNT}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
