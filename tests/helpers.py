"""Test helpers, and the test environment: imported once (as tests.helpers) before anything imports
sheqi, so every test talks to the one moto server the session starts."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from local import config

MOTO_PORT, _ = config.configure_scratch("sheqi-test-")  # before anything imports sheqi.store


from local import demo_data, dynamo, invoke  # noqa: E402
from sheqi.auth import Identity  # noqa: E402

EVENTS = Path(__file__).resolve().parent.parent / "events"


_seeded: dict[tuple, bytes] = {}  # seeded state -> moto snapshot, for this session (this worker)


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


def call(
    method: str, path: str, who: str | Identity | None = None, body=None, query: str = "", headers: dict | None = None
) -> tuple[int, dict | bytes]:
    """Invoke the handler serverless.yml routes `method path` to, as `who` (a demo identity's name)."""
    return invoke.call(method, path, identity(who) if isinstance(who, str) else who, body, query, headers)


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
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(folder / "page.pdf"), str(folder / "page")], check=True
    )
    return (folder / "page.png").read_bytes()


def sample_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def reminder_run(region_code: str, day) -> dict:
    """One region's daily reminder run as the queue delivers it: the worker's handler, with only its role's
    permissions (conftest `least_privilege`)."""
    event = sample_event("sqs/reminder_region_worker.json")
    event["Records"][0]["body"] = json.dumps({"region_code": region_code, "date": day.isoformat()})
    [result] = invoke.invoke("functions/reminder_region_worker/handler.handler", "reminderRegionWorker", event)["results"]
    return result


@contextlib.contextmanager
def as_function(name: str):
    """Run domain code a scheduled function or worker runs, called directly by a test, under that function's
    role (conftest `least_privilege` checks its AWS calls as it does a handler's)."""
    token = invoke.current_function.set(name)
    try:
        yield
    finally:
        invoke.current_function.reset(token)
