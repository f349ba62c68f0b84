#!/usr/bin/env bash
# Proves serverless.yml compiles to CloudFormation, offline and without AWS credentials, and lints
# the template. `make test` runs it. With --with-deps the layer is built with its dependencies for
# Lambda (manylinux, Python 3.11) into build/layer first, as a real deploy needs.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if [ ! -x node_modules/.bin/serverless ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
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
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done

rm -rf .serverless
env SHEQI_LAYER_DIR="$layer_dir" SHEQI_OFFLINE_CLOUDFORMATION="http://127.0.0.1:$port" \
    NODE_OPTIONS="--require ./scripts/offline-cloudformation.cjs --no-deprecation" \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
    AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline \
    node_modules/.bin/serverless package --stage ci --region cn-north-1

# W3005 (a DependsOn that a Ref already implies) is written by the framework itself, not by us.
.venv/bin/cfn-lint --ignore-checks W3005 -- .serverless/cloudformation-template-update-stack.json
functions=$(ls .serverless/*.zip | grep -vc core.zip)
echo "部署配置检查通过：${functions} 个函数与共享层已打包，CloudFormation 模板经 cfn-lint 检查无误。"
