"""Test helpers, and the test environment: imported once (as tests.helpers) before anything imports
sheqi, so every test talks to the one moto server the session starts."""
from __future__ import annotations

import json
from pathlib import Path

from local import config

MOTO_PORT, _ = config.configure_scratch("sheqi-test-")  # before anything imports sheqi.store


from local import demo_data, serverless_config  # noqa: E402
from local.events import http_event  # noqa: E402
from local.invoke import invoke  # noqa: E402
from sheqi.auth import Identity  # noqa: E402

EVENTS = Path(__file__).resolve().parent.parent / "events"


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


def pdf_text(data: bytes) -> str:
    """The text a reader can select and search in a PDF, page after page, without white space (a line
    of Chinese may break anywhere)."""
    import io

    from pypdf import PdfReader

    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def render_pdf(data: bytes, folder: Path, dpi: int = 100) -> bytes:
    """The PDF's first page as a PNG, drawn by Poppler (pdftoppm) as a viewer would draw it."""
    import subprocess

    (folder / "page.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(folder / "page.pdf"), str(folder / "page")], check=True)
    return (folder / "page.png").read_bytes()


def sample_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())
