"""`make token` and `make reset` act on the data folder SHEQI_DATA_DIR names (default .local)."""

import os
import subprocess
import sys
from pathlib import Path

from local import config, token
from local.demo_data import IDENTITIES
from sheqi import auth

ROOT = Path(__file__).resolve().parents[2]


def test_token_without_a_name_lists_every_identity_and_succeeds(capsys):
    assert token.main([]) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in IDENTITIES)


def test_token_for_an_unknown_name_fails_and_lists_them(capsys):
    assert token.main(["nobody"]) == 2
    assert "nobody" in capsys.readouterr().err


def test_token_is_signed_with_the_secret_of_the_named_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    assert token.main(["platform"]) == 1 and not (tmp_path / "secrets.json").exists()  # no stack ran there: no secret made up
    secret = config.jwt_secret()  # as `make run` makes it
    capsys.readouterr()
    run = subprocess.run(
        [sys.executable, "-m", "local.token", "platform"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SHEQI_DATA_DIR": str(tmp_path)},
    )
    assert run.returncode == 0, run.stderr
    assert auth.verify_token(run.stdout.strip(), secret)["sub"] == "platform-admin"


def test_reset_empties_the_named_data_folder_and_nothing_else(tmp_path):
    data, other = tmp_path / "data", tmp_path / "photos"
    (data / "store").mkdir(parents=True)
    (data / "secrets.json").write_text("{}")
    other.mkdir()
    (other / "a.jpg").write_bytes(b"x")
    reset = subprocess.run(["make", "-s", "reset", f"SHEQI_DATA_DIR={data}"], cwd=ROOT, capture_output=True, text=True)
    assert reset.returncode == 0 and not data.exists()
    refused = subprocess.run(
        ["make", "-s", "reset"], cwd=ROOT, env={**os.environ, "SHEQI_DATA_DIR": str(other)}, capture_output=True, text=True
    )
    assert refused.returncode != 0 and (other / "a.jpg").exists()
