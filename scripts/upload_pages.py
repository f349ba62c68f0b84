"""Upload the static pages (console/, phone/) to the stack's ConsoleBucket, after `serverless deploy`
(scripts/deploy.sh runs both). Objects no longer in the folder are removed; with a CloudFront
distribution (infra/console.js) its cache is invalidated.

    .venv/bin/python scripts/upload_pages.py --stack sheqi-prod --region cn-north-1
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("console", "phone")  # each uploaded under its own name: console/index.html -> s3://<bucket>/console/index.html


def made_files(environ=os.environ) -> dict[str, bytes]:
    """What the local gateway serves beside the folders: the files vendored from npm, the label table, and
    the phone's sign-in settings (the identity provider of the API's JWT authoriser; its client id)."""
    from local.config import VENDORED
    from sheqi.rules import labels

    oidc = {
        "issuer": environ["SHEQI_JWT_ISSUER_URL"],
        "client_id": environ.get("SHEQI_OIDC_CLIENT_ID") or environ["SHEQI_JWT_AUDIENCE"],
        "scope": "openid",
    }
    return {
        **{key: (ROOT / path).read_bytes() for key, path in VENDORED.items()},
        "phone/labels.js": labels.script().encode(),
        "phone/config.js": f"window.SHEQI_CONFIG = {json.dumps({'oidc': oidc})};\n".encode(),
    }


def upload(s3, bucket: str, root: Path = ROOT, folders=FOLDERS, made: dict[str, bytes] | None = None) -> dict[str, int]:
    wanted: dict[str, bytes] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                wanted[path.relative_to(root).as_posix()] = path.read_bytes()
    wanted.update(made or {})
    for key, body in wanted.items():
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        s3.put_object(
            Bucket=bucket, Key=key, Body=body, ContentType=content_type, CacheControl="no-cache"
        )  # small files; a new deploy is seen at once
    stale = [
        obj["Key"]
        for folder in folders
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{folder}/")
        for obj in page.get("Contents", [])
        if obj["Key"] not in wanted
    ]
    for key in stale:
        s3.delete_object(Bucket=bucket, Key=key)
    return {"uploaded": len(wanted), "removed": len(stale)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region", default="cn-north-1")
    args = parser.parse_args()
    (stack,) = boto3.client("cloudformation", region_name=args.region).describe_stacks(StackName=args.stack)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    result = upload(boto3.client("s3", region_name=args.region), outputs["ConsoleBucketName"], made=made_files())
    print(f"页面已上传到 {outputs['ConsoleBucketName']}：{result['uploaded']} 个文件，删除旧文件 {result['removed']} 个")
    if "ConsoleDistributionId" in outputs:
        boto3.client("cloudfront", region_name=args.region).create_invalidation(
            DistributionId=outputs["ConsoleDistributionId"],
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
        )
        print(f"已刷新 CDN 缓存：{outputs.get('ConsoleUrl', '')}")


if __name__ == "__main__":
    main()
