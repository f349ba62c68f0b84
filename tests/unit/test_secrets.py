"""Secrets come from Secrets Manager by name, cached; the environment holds only the name."""

import json

import boto3
import pytest

from sheqi import secrets
from sheqi.signing import codes

RING = {"active": "k1", "keys": {"k1": "a" * 32}}
ROTATED = {"active": "k2", "keys": {"k1": "a" * 32, "k2": "b" * 32}, "retired": ["k1"]}  # k1 still verifies codes it signed


@pytest.fixture
def secret_store(tables, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", tables)
    client = boto3.client("secretsmanager", region_name="cn-north-1")
    client.create_secret(Name="sheqi/test/qr-signing-keys", SecretString=json.dumps(RING))
    monkeypatch.setenv("QR_SIGNING_KEYS_SECRET", "sheqi/test/qr-signing-keys")
    monkeypatch.delenv("QR_SIGNING_KEYS")
    secrets.clear_cache()
    yield client
    secrets.clear_cache()


def test_the_keyring_is_read_from_the_named_secret_and_cached_until_it_expires(secret_store):
    assert codes.keyring().active == "k1"
    secret_store.put_secret_value(SecretId="sheqi/test/qr-signing-keys", SecretString=json.dumps(ROTATED))
    assert codes.keyring().active == "k1"  # cached: no call to Secrets Manager per request
    secrets.clear_cache()  # what MAX_AGE passing does
    assert codes.keyring().active == "k2"
    assert codes.verify(codes.sign("91130722MA0A1B2C3U", 1)).key_id == "k2"


def test_without_a_secret_name_the_local_variable_is_the_value(monkeypatch):
    monkeypatch.delenv("QR_SIGNING_KEYS_SECRET", raising=False)
    monkeypatch.setenv("QR_SIGNING_KEYS", json.dumps(ROTATED))
    assert secrets.get("QR_SIGNING_KEYS") == json.dumps(ROTATED)
    assert codes.keyring().active == "k2"
