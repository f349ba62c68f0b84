"""The generated CloudFormation template, as scripts/check-deploy.sh leaves it in .serverless/. A
template older than what it is made from is made again (by the script, which runs these tests too)."""

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / ".serverless" / "cloudformation-template-update-stack.json"
SOURCES = [ROOT / "serverless.yml", ROOT / "package-lock.json", *sorted((ROOT / "infra").iterdir())]


@pytest.fixture(scope="session")
def template() -> dict:
    if not TEMPLATE.exists() or TEMPLATE.stat().st_mtime < max(p.stat().st_mtime for p in SOURCES):
        subprocess.run(["bash", "scripts/check-deploy.sh"], cwd=ROOT, check=True, capture_output=True)
    return json.loads(TEMPLATE.read_text())


@pytest.fixture(scope="session")
def resources(template) -> dict:
    return template["Resources"]
