#!/usr/bin/env bash
# Deploys a stage to AWS, then uploads the console to its bucket. README "Operating" lists what must be
# set first (credentials of the target account, the SHEQI_* settings, the secrets).
#   scripts/deploy.sh <stage> [region]
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE=${1:?用法：scripts/deploy.sh <stage> [region]}
REGION=${2:-cn-north-1}

# The same check CI runs (build from the lock, packaging, import smoke, template tests, checkov); the
# deploy then ships exactly the artefacts it built and checked (build/).
bash scripts/check-deploy.sh
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node_modules/.bin/osls deploy --stage "$STAGE" --region "$REGION"
.venv/bin/python scripts/upload_pages.py --stack "sheqi-$STAGE" --region "$REGION"
