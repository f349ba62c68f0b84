"""Settings of the local stack: where its data lives, its ports, and its local secrets.

`configure()` sets the same environment variables Lambda gets from serverless.yml, pointing the
store at the embedded moto server, and has `sheqi.settings` read them afresh. Call it before importing
anything else from `sheqi` (the store reads its table names on import).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SHEQI_DATA_DIR", ROOT / ".local"))
HOST = os.environ.get("SHEQI_HOST", "127.0.0.1")
PORT = int(os.environ.get("SHEQI_PORT", "8000"))
DYNAMO_PORT = int(os.environ.get("SHEQI_DYNAMO_PORT", "8001"))
TABLE_PREFIX = "sheqi-local"
ACCOUNT_REGION = "cn-north-1"
NOTIFY_FROM = "noreply@sheqi.local"
# Browser files the pages vendor from npm (package.json), served and uploaded at these paths: no CDN.
EVIDENCE_PROXY = "/evidence-store"  # the gateway's path to the store's S3, for uploads from phones
VENDORED = {
    "phone/vendor/jsQR.js": "node_modules/jsqr/dist/jsQR.js",  # where BarcodeDetector is missing
    "phone/vendor/sha256.js": "node_modules/js-sha256/build/sha256.min.js",
}  # where crypto.subtle is (plain http on a LAN)
SES_REGION = "ap-southeast-1"  # AWS China regions have no SES; mail is sent from a region that has it


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _secrets() -> dict:
    """Local token secret and the code and chain signing keyrings, made once and kept with the data."""
    path = DATA_DIR / "secrets.json"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "jwt_secret": secrets.token_urlsafe(32),
                    "qr_signing_keys": {"active": "k1", "keys": {"k1": secrets.token_urlsafe(32)}},
                    "chain_signing_keys": {"active": "chain-1", "keys": {"chain-1": secrets.token_urlsafe(32)}},
                },
                indent=2,
            )
        )
        path.chmod(0o600)
    found = json.loads(path.read_text())
    if "chain_signing_keys" not in found:
        # Data from before the chain had its own keys: its events were signed with the code keys,
        # which the chain keeps as retired (verify-only), as a deploy does (README, "Signing keys").
        code_keys = found["qr_signing_keys"]["keys"]
        found["chain_signing_keys"] = {
            "active": "chain-1",
            "keys": {**code_keys, "chain-1": secrets.token_urlsafe(32)},
            "retired": sorted(code_keys),
        }
        path.write_text(json.dumps(found, indent=2))
    return found


def jwt_secret() -> str:
    return _secrets()["jwt_secret"]


def configure_scratch(prefix: str) -> tuple[int, int]:
    """A throwaway stack for tests and benchmarks: a temporary data folder and free ports for the
    store and the gateway; returns (store port, gateway port). Call before importing sheqi."""
    global DATA_DIR, PORT
    DATA_DIR = Path(tempfile.mkdtemp(prefix=prefix))
    PORT = free_port()
    store_port = free_port()
    configure(store_port)
    # Its functions run without a gateway on PORT: uploads go to moto's own address, unless a test that
    # serves the gateway sets S3_UPLOAD_ENDPOINT to it.
    os.environ.pop("S3_UPLOAD_ENDPOINT")
    return store_port, PORT


def base_url() -> str:
    return os.environ.get("SHEQI_BASE_URL", f"http://{'127.0.0.1' if HOST == '0.0.0.0' else HOST}:{PORT}")


def configure(dynamo_port: int = DYNAMO_PORT) -> None:
    os.environ.update(environment(dynamo_port))
    from sheqi import settings  # reads nothing on import; forget any settings read before this call

    settings.reset()


def environment(dynamo_port: int = DYNAMO_PORT) -> dict[str, str]:
    """The variables serverless.yml gives every function, for the local stack."""
    return {
        "TABLE_PREFIX": TABLE_PREFIX,
        "DYNAMODB_ENDPOINT": f"http://127.0.0.1:{dynamo_port}",
        "AWS_REGION": "cn-north-1",
        "AWS_DEFAULT_REGION": "cn-north-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "QR_SIGNING_KEYS": json.dumps(_secrets()["qr_signing_keys"]),
        "CHAIN_SIGNING_KEYS": json.dumps(_secrets()["chain_signing_keys"]),
        "PUBLIC_CODE_URL": f"{base_url()}/c/",  # the route production posters use
        "AWS_ENDPOINT_URL_SQS": f"http://127.0.0.1:{dynamo_port}",  # moto serves SQS and S3 on the same port
        "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{dynamo_port}",
        "S3_UPLOAD_ENDPOINT": f"{base_url()}{EVIDENCE_PROXY}",  # phones upload through the gateway (local/gateway.py)
        "EVIDENCE_BUCKET": f"{TABLE_PREFIX}-evidence",
        "AWS_ENDPOINT_URL_SNS": f"http://127.0.0.1:{dynamo_port}",
        "AWS_ENDPOINT_URL_SES": f"http://127.0.0.1:{dynamo_port}",
        "REMINDER_RUNS_QUEUE_URL": f"http://127.0.0.1:{dynamo_port}/123456789012/{TABLE_PREFIX}-reminder-runs",
        "NOTIFY_CHANNELS": "sms,email,log",
        "NOTIFY_FROM": NOTIFY_FROM,
        "SES_REGION": SES_REGION,
        "DELIVERY_LOG": str(DATA_DIR / "deliveries.log"),  # the readable log of every SMS and mail sent
        "SUBSIDY_RUNS_QUEUE_URL": f"http://127.0.0.1:{dynamo_port}/123456789012/{TABLE_PREFIX}-subsidy-runs",
        "METRICS_DISABLED": "true",  # no metric lines in the local console (sheqi/metrics.py)
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
