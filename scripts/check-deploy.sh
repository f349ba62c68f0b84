#!/usr/bin/env bash
# Proves serverless.yml compiles to CloudFormation, offline and without AWS credentials, and lints
# the template. `make test` runs it. With --with-deps the layer is built with its dependencies for
# Lambda (manylinux, Python 3.11) into build/layer first, as a real deploy needs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
STAGE=ci
REGION=cn-north-1

if [ ! -x node_modules/.bin/serverless ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -x .venv/bin/cfn-lint ] || [ ! -x .venv/bin/moto_server ]; then
  test -x $PY || python3 -m venv .venv
  $PY -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
fi

layer_dir=layers
if [ "${1:-}" = "--with-deps" ]; then
  rm -rf build/layer && mkdir -p build/layer/python
  cp -r layers/python/sheqi build/layer/python/
  $PY -m pip install --quiet --disable-pip-version-check -r requirements.txt -t build/layer/python \
    --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.11 --implementation cp
  layer_dir=build/layer
fi

# Packaging a service with a layer asks CloudFormation about the last deployment; a local moto
# server answers that no stack exists yet (see scripts/offline-cloudformation.cjs).
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
log=$(mktemp)
trap 'kill $moto 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do
  $PY -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" \
    >/dev/null 2>&1 && break
  sleep 0.2
done
kill -0 $moto 2>/dev/null || { echo "moto 服务器未能启动" >&2; exit 1; }

# Dummy credentials keep the AWS SDK away from profiles and the EC2 metadata endpoint; the
# SLS_* switches stop telemetry and notification calls, which have nowhere to go offline.
rm -rf .serverless
env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_SDK_LOAD_CONFIG \
    SHEQI_LAYER_DIR="$layer_dir" SHEQI_OFFLINE_CLOUDFORMATION="http://127.0.0.1:$port" \
    NODE_OPTIONS="--require ./scripts/offline-cloudformation.cjs --no-deprecation" \
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 AWS_EC2_METADATA_DISABLED=true \
    AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
    node_modules/.bin/serverless package --stage "$STAGE" --region "$REGION" 2>&1 | tee "$log"
# Serverless v3 only warns on an invalid serverless.yml, and may then leave the bad part out of the
# template (a misplaced `resources:` block vanishes): treat the warning as a failure here.
if grep -q 'Invalid configuration encountered' "$log"; then
  echo "serverless.yml 配置校验未通过（见上方 Warning）" >&2
  exit 1
fi

# W3005 (a DependsOn that a Ref already implies) is written by the framework itself, not by us.
.venv/bin/cfn-lint --regions "$REGION" --ignore-checks W3005 -- \
  .serverless/cloudformation-template-update-stack.json

# Every handler module is in its function's zip, and every layer zip holds python/ (Lambda adds
# /opt/python to sys.path): a wrong package pattern otherwise shows only as an import error in AWS.
functions=$($PY - <<'EOF'
import json, pathlib, sys, zipfile
state = json.loads(pathlib.Path(".serverless/serverless-state.json").read_text())["service"]
problems = []
for layer in pathlib.Path(".serverless").glob("*.zip"):
    names = zipfile.ZipFile(layer).namelist()
    if layer.stem not in state["functions"] and not any(n.startswith("python/") for n in names):
        problems.append(f"层 {layer.name} 中没有 python/ 目录")
for name, fn in state["functions"].items():
    artifact = fn.get("package", {}).get("artifact") or f".serverless/{state['service']}.zip"
    module = fn["handler"].rsplit(".", 1)[0] + ".py"
    if module not in zipfile.ZipFile(artifact).namelist():
        problems.append(f"函数 {name} 的包 {pathlib.Path(artifact).name} 中没有 {module}")
if problems:
    sys.exit("\n".join(problems))
print(len(state["functions"]))
EOF
)
echo "部署配置检查通过：${functions} 个函数与共享层已打包（${REGION}），CloudFormation 模板经 cfn-lint 检查无误。"

# The template's own tests (each function's role against infra/permissions.yml, protection of the
# data, throttling, alarms), then a security scan with checkov; .checkov.yaml justifies every skip
# (BC_SKIP_MAPPING: no download of the vendor's guideline links, the check runs offline).
$PY -m pytest tests/deploy -q -p no:cacheprovider
if [ ! -x build/checkov/bin/checkov ] || [ requirements-checkov.txt -nt build/checkov/bin/checkov ]; then
  python3 -m venv build/checkov
  build/checkov/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
  touch build/checkov/bin/checkov
fi
BC_SKIP_MAPPING=TRUE build/checkov/bin/checkov --config-file .checkov.yaml -f .serverless/cloudformation-template-update-stack.json
echo "模板的权限、数据保护与告警测试及 checkov 安全扫描通过。"
