"""The whole local stack as a user starts it: data written survives a restart, even a kill -9."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from local import config
from local.demo_data import IDENTITIES, MARKET
from sheqi import auth

ROOT = Path(__file__).resolve().parents[2]


def start(data_dir: Path, port: int, dynamo_port: int) -> subprocess.Popen:
    env = {**os.environ, "SHEQI_DATA_DIR": str(data_dir), "SHEQI_PORT": str(port),
           "SHEQI_DYNAMO_PORT": str(dynamo_port), "PYTHONUNBUFFERED": "1"}
    env.pop("DYNAMODB_ENDPOINT", None)
    proc = subprocess.Popen([sys.executable, "-m", "local.stack"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"stack exited early:\n{proc.stdout.read()}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/public/agencies/{MARKET}/items", timeout=2).ok:
                return proc
        except requests.ConnectionError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail(f"stack did not answer within 120 s:\n{proc.communicate()[0][-3000:]}")


def token(data_dir: Path, name: str) -> dict:
    secret = json.loads((data_dir / "secrets.json").read_text())["jwt_secret"]
    return {"Authorization": f"Bearer {auth.issue_token(IDENTITIES[name][1], secret)}"}


def test_write_kill_restart_read_back(tmp_path):
    port, dynamo_port = config.free_port(), config.free_port()
    base = f"http://127.0.0.1:{port}"
    stack = start(tmp_path, port, dynamo_port)
    try:
        body = {"enterprise_id": "91130722MA0R7T8U9H", "name": "张北县光伏新能源有限公司", "region_code": "130722",
                "credit_tier": "good", "credit_source": "国家企业信用信息公示系统"}
        created = requests.post(f"{base}/enterprises", json=body, headers=token(tmp_path, "platform"), timeout=10)
        assert created.status_code == 201, created.text
        reissued = requests.post(f"{base}/enterprises/91130722MA0R7T8U9H/code/reissue",
                                 headers=token(tmp_path, "platform"), timeout=10)
        assert reissued.status_code == 201
        posters = sorted(p.name for p in (tmp_path / "codes").glob("*-poster.png"))
        assert len(posters) == 5
    finally:
        stack.send_signal(signal.SIGKILL)    # no chance to flush anything at shutdown
        stack.wait()

    stack = start(tmp_path, port, dynamo_port)
    try:
        back = requests.get(f"{base}/enterprises/91130722MA0R7T8U9H", headers=token(tmp_path, "platform"), timeout=10)
        assert back.status_code == 200
        assert back.json()["name"] == "张北县光伏新能源有限公司" and back.json()["code_version"] == 2
        # Demo data is not loaded twice.
        listed = requests.get(f"{base}/enterprises?region_code=130722", headers=token(tmp_path, "platform"), timeout=10)
        assert len(listed.json()["items"]) == 4
    finally:
        stack.terminate()
        stack.wait(timeout=30)
