#!/usr/bin/env bash
# Builds every artefact from the lock (scripts/build.py, which also checks them) and packages serverless.yml
# with osls into .serverless/, offline and without AWS credentials. scripts/check-deploy.sh and
# bench/cold_start.py run it; a real deploy runs scripts/build.py and then `osls deploy`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
STAGE=${STAGE:-ci}
REGION=${REGION:-cn-north-1}

if [ ! -x node_modules/.bin/osls ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
make -s .venv/.installed
$PY scripts/build.py

# Packaging asks CloudFormation about the last deployment (to reuse an unchanged layer upload); offline,
# a local moto server answers as a fresh account would: no stack yet.
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  $PY -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" \
    >/dev/null 2>&1 && break
  sleep 0.2
done
kill -0 $moto 2>/dev/null || { echo "moto 服务器未能启动" >&2; exit 1; }

# Dummy credentials keep the AWS SDK away from profiles and the EC2 metadata endpoint. The SDK's Node 22
# notice is about its releases from 2027 on, not about this run.
rm -rf .serverless
env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_SDK_LOAD_CONFIG \
    AWS_ENDPOINT_URL_CLOUDFORMATION="http://127.0.0.1:$port" AWS_EC2_METADATA_DISABLED=true \
    AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    node_modules/.bin/osls package --stage "$STAGE" --region "$REGION"
