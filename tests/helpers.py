"""Test helpers, and the test environment: imported once (as tests.helpers) before anything imports
sheqi, so every test talks to the one moto server the session starts."""
from __future__ import annotations

import json
from pathlib import Path

from local import config

MOTO_PORT, _ = config.configure_scratch("sheqi-test-")  # before anything imports sheqi.store


from local import demo_data, dynamo  # noqa: E402
from local.events import http_event  # noqa: E402
from local.invoke import invoke  # noqa: E402
from local import serverless_config  # noqa: E402
from sheqi.auth import Identity  # noqa: E402

EVENTS = Path(__file__).resolve().parent.parent / "events"


_seeded: dict[tuple, bytes] = {}   # seeded state -> moto snapshot, for this session (this worker)


def seeded(key: tuple, seed) -> None:
    """The state `seed()` makes from the state the store is in now, named by `key` (which must name that
    starting state too): seeded and snapshotted the first time in a session, restored in one call after."""
    if key in _seeded:
        dynamo.restore(_seeded[key])
    else:
        seed()
        _seeded[key] = dynamo.snapshot()


def identity(name: str) -> Identity:
    return demo_data.IDENTITIES[name][1]


def call(method: str, path: str, who: str | Identity | None = None, body=None, query: str = "",
         headers: dict | None = None) -> tuple[int, dict | bytes]:
    """Invoke the handler serverless.yml routes `method path` to, with a real-shaped v2.0 event."""
    route, params = serverless_config.resolve(method, path)
    assert route is not None, f"no route for {method} {path} in serverless.yml"
    who = identity(who) if isinstance(who, str) else who
    raw = body if isinstance(body, (bytes, type(None))) else json.dumps(body, ensure_ascii=False).encode()
    event = http_event(method=method, raw_path=path, route_key=route.route_key, path_parameters=params,
                       raw_query_string=query, headers={"content-type": "application/json", **(headers or {})},
                       body=raw, claims=who.to_claims() if (who and route.authorized) else None)
    result = invoke(route.handler, route.function, event)
    content_type = (result.get("headers") or {}).get("Content-Type", "")
    if content_type.startswith("application/json"):
        return result["statusCode"], json.loads(result["body"])
    import base64
    return result["statusCode"], base64.b64decode(result["body"]) if result.get("isBase64Encoded") else result["body"]


def decode_qr(png: bytes) -> str:
    """Read a QR code with a real decoder: OpenCV's ArUco-based detector (its classic one misses about
    one code in a hundred that phones read)."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return cv2.QRCodeDetectorAruco().detectAndDecode(image)[0]


def sample_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())
