#!/usr/bin/env bash
# Deploys a stage to AWS, then uploads the console to its bucket. README "Operating" lists what must be
# set first (credentials of the target account, the SHEQI_* settings, the secrets).
#   scripts/deploy.sh <stage> [region]
set -euo pipefail
cd "$(dirname "$0")/.."
STAGE=${1:?用法：scripts/deploy.sh <stage> [region]}
REGION=${2:-cn-north-1}

# The same check CI runs (packaging, template tests, checkov), with the layer's dependencies built.
bash scripts/check-deploy.sh --with-deps
SHEQI_LAYER_DIR=build/layer node_modules/.bin/serverless deploy --stage "$STAGE" --region "$REGION"
.venv/bin/python scripts/upload_pages.py --stack "sheqi-$STAGE" --region "$REGION"
