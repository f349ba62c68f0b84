"""Evidence files of the on-site record (photos, audio, video: Art. 19), in object storage.

The inspector's phone asks for an upload URL naming the file's size and SHA-256; the URL is a
presigned PUT that signs both, so S3 refuses any other body. The record keeps only the object key,
size and SHA-256, and only after `confirm` has found that object in the bucket with that size and
hash. Keys are content-addressed under the visit (`visits/<visit_id>/<sha256>`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from msgspec import Meta

from sheqi import clock
from sheqi.errors import RuleViolation
from sheqi.inputs import Body, Key, OneOf
from sheqi.rules.articles import ART
from sheqi.store import objects

UPLOAD_TTL = timedelta(minutes=15)
CONTENT_TYPES = {
    "photo": ("image/jpeg", "image/png", "image/heic", "image/webp"),
    "audio": ("audio/mpeg", "audio/mp4", "audio/aac", "audio/wav", "audio/amr"),
    "video": ("video/mp4", "video/quicktime", "video/3gpp"),
    "document": ("application/pdf",),
}
MAX_BYTES = 2 * 1024**3  # one PUT; a longer recording is split by the app
Kind = Annotated[str, OneOf(CONTENT_TYPES)]


class UploadIn(Body):
    kind: Kind
    content_type: Annotated[str, Meta(max_length=60)]
    size: Annotated[int, Meta(ge=1, le=MAX_BYTES)]
    sha256: Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]


class EvidenceRef(Body):
    """A file already uploaded, as a finding cites it."""

    key: Key
    kind: Kind
    size: Annotated[int, Meta(ge=1, le=MAX_BYTES)]
    sha256: Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]


def upload_url(visit_id: str, data: UploadIn) -> dict:
    if data.content_type not in CONTENT_TYPES[data.kind]:
        raise RuleViolation(
            f"字段 content_type：{data.kind} 类证据可用的类型为 {'、'.join(CONTENT_TYPES[data.kind])}",
            field="content_type",
            code="invalid_content_type",
            article=ART[19],
        )
    key = objects.evidence_key(visit_id, data.sha256)
    headers = {
        "Content-Type": data.content_type,
        "Content-Length": str(data.size),
        "x-amz-checksum-sha256": objects.checksum(data.sha256),
    }
    url = objects.upload_url(key, data.content_type, data.size, data.sha256, int(UPLOAD_TTL.total_seconds()))
    return {
        "key": key,
        "method": "PUT",
        "upload_url": url,
        "headers": headers,
        "expires_at": (clock.now() + UPLOAD_TTL).isoformat(timespec="seconds"),
    }


def confirm(visit_id: str, ref: EvidenceRef, field: str) -> dict:
    """The evidence as the record keeps it, once the object is found with the stated size and hash."""
    if ref.key != objects.evidence_key(visit_id, ref.sha256):
        raise RuleViolation(
            f"字段 {field}：证据不属于本次检查，或与其 SHA-256 不符", field=field, code="evidence_foreign", article=ART[19]
        )
    stored = objects.stored(ref.key)
    if stored is None:
        raise RuleViolation(
            f"字段 {field}：证据文件尚未上传，请先上传再记录", field=field, code="evidence_not_uploaded", article=ART[19]
        )
    if stored.size != ref.size or stored.checksum != objects.checksum(ref.sha256):
        raise RuleViolation(
            f"字段 {field}：已上传的文件与所报大小或 SHA-256 不符", field=field, code="evidence_mismatch", article=ART[19]
        )
    return {"key": ref.key, "kind": ref.kind, "size": ref.size, "sha256": ref.sha256, "version_id": stored.version_id}
