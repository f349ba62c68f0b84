"""Evidence files of the on-site record (photos, audio, video: Art. 19), in object storage.

The inspector's phone asks for an upload URL naming the file's size and SHA-256; the URL is a
presigned PUT that signs both, so S3 refuses any other body. The record keeps only the object key,
size and SHA-256, and only after `confirm` has found that object in the bucket with that size and
hash. Keys are content-addressed under the visit (`visits/<visit_id>/<sha256>`).
"""
from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from functools import lru_cache
from typing import Literal

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import Field

from sheqi import clock
from sheqi.errors import RuleViolation
from sheqi.inputs import Body
from sheqi.rules.articles import ART

UPLOAD_TTL = timedelta(minutes=15)
CONTENT_TYPES = {
    "photo": ("image/jpeg", "image/png", "image/heic", "image/webp"),
    "audio": ("audio/mpeg", "audio/mp4", "audio/aac", "audio/wav", "audio/amr"),
    "video": ("video/mp4", "video/quicktime", "video/3gpp"),
    "document": ("application/pdf",),
}
MAX_BYTES = 2 * 1024 ** 3       # one PUT; a longer recording is split by the app
Kind = Literal[tuple(CONTENT_TYPES)]


class UploadIn(Body):
    kind: Kind
    content_type: str = Field(max_length=60)
    size: int = Field(ge=1, le=MAX_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class EvidenceRef(Body):
    """A file already uploaded, as a finding cites it."""
    key: str = Field(max_length=200)
    kind: Kind
    size: int = Field(ge=1, le=MAX_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


@lru_cache(maxsize=1)
def _s3():
    # Locally AWS_ENDPOINT_URL_S3 points at moto, which only serves path-style addresses.
    style = "path" if os.environ.get("AWS_ENDPOINT_URL_S3") else "virtual"
    return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": style}))


def _bucket() -> str:
    return os.environ["EVIDENCE_BUCKET"]


def key_for(visit_id: str, sha256: str) -> str:
    return f"visits/{visit_id}/{sha256}"


def _checksum(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def upload_url(visit_id: str, data: UploadIn) -> dict:
    if data.content_type not in CONTENT_TYPES[data.kind]:
        raise RuleViolation(f"字段 content_type：{data.kind} 类证据可用的类型为 {'、'.join(CONTENT_TYPES[data.kind])}",
                            field="content_type", code="invalid_content_type", article=ART[19])
    key = key_for(visit_id, data.sha256)
    headers = {"Content-Type": data.content_type, "Content-Length": str(data.size),
               "x-amz-checksum-sha256": _checksum(data.sha256)}
    url = _s3().generate_presigned_url("put_object", ExpiresIn=int(UPLOAD_TTL.total_seconds()), Params={
        "Bucket": _bucket(), "Key": key, "ContentType": data.content_type, "ContentLength": data.size,
        "ChecksumSHA256": _checksum(data.sha256)})
    return {"key": key, "method": "PUT", "upload_url": url, "headers": headers,
            "expires_at": (clock.now() + UPLOAD_TTL).isoformat(timespec="seconds")}


def confirm(visit_id: str, ref: EvidenceRef, field: str) -> dict:
    """The evidence as the record keeps it, once the object is found with the stated size and hash."""
    if ref.key != key_for(visit_id, ref.sha256):
        raise RuleViolation(f"字段 {field}：证据不属于本次检查，或与其 SHA-256 不符", field=field,
                            code="evidence_foreign", article=ART[19])
    try:
        head = _s3().head_object(Bucket=_bucket(), Key=ref.key, ChecksumMode="ENABLED")
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            raise RuleViolation(f"字段 {field}：证据文件尚未上传，请先上传再记录", field=field,
                                code="evidence_not_uploaded", article=ART[19]) from None
        raise
    stored_sha = head.get("ChecksumSHA256")
    if stored_sha is None:   # uploaded without S3 keeping a checksum (moto does not): hash it ourselves
        digest = hashlib.sha256()
        for chunk in _s3().get_object(Bucket=_bucket(), Key=ref.key)["Body"].iter_chunks(1 << 20):
            digest.update(chunk)
        stored_sha = base64.b64encode(digest.digest()).decode()
    if head["ContentLength"] != ref.size or stored_sha != _checksum(ref.sha256):
        raise RuleViolation(f"字段 {field}：已上传的文件与所报大小或 SHA-256 不符", field=field,
                            code="evidence_mismatch", article=ART[19])
    return {"key": ref.key, "kind": ref.kind, "size": ref.size, "sha256": ref.sha256,
            "version_id": head.get("VersionId")}
