"""Evidence files in object storage (S3). Keys are content-addressed under the visit
(`visits/<visit_id>/<sha256>`); an upload is a presigned PUT that signs the body's size and SHA-256."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from sheqi import settings


@lru_cache(maxsize=2)
def client(endpoint: str | None = None) -> Any:
    """The S3 client; with `endpoint`, one that signs URLs for that address instead."""
    import boto3  # here, not at the top: most functions that import the store never touch S3 and skip its cold-start cost

    # Locally AWS_ENDPOINT_URL_S3 points at moto, which only serves path-style addresses.
    style = "path" if settings.get().s3_endpoint else "virtual"
    return boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4", s3={"addressing_style": style}))


def _bucket() -> str:
    return settings.get().evidence_bucket


def evidence_key(visit_id: str, sha256: str) -> str:
    return f"visits/{visit_id}/{sha256}"


def checksum(sha256_hex: str) -> str:
    """A SHA-256 as S3 states checksums (base64 of the digest)."""
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def upload_url(key: str, content_type: str, size: int, sha256_hex: str, expires_in: int) -> str:
    """A presigned PUT of exactly this body: S3 refuses another type, size or SHA-256."""
    return str(
        client(settings.get().s3_upload_endpoint).generate_presigned_url(
            "put_object",
            ExpiresIn=expires_in,
            Params={
                "Bucket": _bucket(),
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size,
                "ChecksumSHA256": checksum(sha256_hex),
            },
        )
    )


@dataclass(frozen=True)
class Stored:
    size: int
    checksum: str  # base64 SHA-256, as `checksum` gives it
    version_id: str | None


def stored(key: str) -> Stored | None:
    """What the bucket holds under `key`, or None if nothing was uploaded there."""
    try:
        head = client().head_object(Bucket=_bucket(), Key=key, ChecksumMode="ENABLED")
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    sha = head.get("ChecksumSHA256")
    if sha is None:  # uploaded without S3 keeping a checksum (moto does not): hash it ourselves
        digest = hashlib.sha256()
        for chunk in client().get_object(Bucket=_bucket(), Key=key)["Body"].iter_chunks(1 << 20):
            digest.update(chunk)
        sha = base64.b64encode(digest.digest()).decode()
    return Stored(int(head["ContentLength"]), sha, head.get("VersionId"))
