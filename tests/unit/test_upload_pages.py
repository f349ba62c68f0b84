"""The deploy's upload of the static pages to their bucket (scripts/upload_pages.py), against moto."""

import boto3

from local.dynamo import bucket_names
from scripts import upload_pages


def test_pages_are_uploaded_with_their_types_and_stale_ones_removed(tables, tmp_path):
    s3 = boto3.client("s3", region_name="cn-north-1")
    bucket = bucket_names()["ConsoleBucket"]
    s3.put_object(Bucket=bucket, Key="console/old.js", Body=b"//")
    (tmp_path / "console").mkdir()
    (tmp_path / "console" / "index.html").write_text("<!doctype html><title>监督</title>", encoding="utf-8")
    (tmp_path / "console" / "app.js").write_text("'use strict';")
    assert upload_pages.upload(s3, bucket, root=tmp_path) == {"uploaded": 2, "removed": 1}
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"console/index.html", "console/app.js"}
    page = s3.get_object(Bucket=bucket, Key="console/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8" and "监督" in page["Body"].read().decode()
    assert s3.head_object(Bucket=bucket, Key="console/app.js")["ContentType"].startswith(
        ("text/javascript", "application/javascript")
    )


def test_the_phone_pages_get_their_vendored_files_labels_and_sign_in_settings():
    made = upload_pages.made_files(
        {"SHEQI_JWT_ISSUER_URL": "https://idp.zjk.gov.cn/realms/sheqi", "SHEQI_JWT_AUDIENCE": "sheqi-api"}
    )
    assert b"jsQR" in made["phone/vendor/jsQR.js"] and b"sha256" in made["phone/vendor/sha256.js"]
    assert "未发现违法行为" in made["phone/labels.js"].decode()
    assert b'"issuer": "https://idp.zjk.gov.cn/realms/sheqi", "client_id": "sheqi-api"' in made["phone/config.js"]
