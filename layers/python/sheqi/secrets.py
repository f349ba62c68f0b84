"""Secrets, read at run time and never placed in the environment.

A deployed function is given the secret's name in `<NAME>_SECRET` (e.g. QR_SIGNING_KEYS_SECRET =
sheqi/<stage>/qr-signing-keys) and its role may read only that secret; the value is fetched from
Secrets Manager (Powertools parameters) and cached for `MAX_AGE` seconds, so a rotated value reaches
every container within minutes and without a deploy. Locally no secret name is set and the value is
the variable `<NAME>` itself (local/config.py writes it).
"""
from __future__ import annotations

import os

MAX_AGE = 300


def get(name: str) -> str:
    secret_id = os.environ.get(f"{name}_SECRET")
    if secret_id:
        # Here, not at the top: Powertools' parameters module imports boto3, which no cold start should pay
        # for before the first secret is read (the import smoke in bench/cold_start.py checks it).
        from aws_lambda_powertools.utilities.parameters import get_secret

        return get_secret(secret_id, max_age=MAX_AGE)
    return os.environ[name]
