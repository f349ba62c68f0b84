#!/usr/bin/env bash
# System packages the project needs (Debian): a CJK font (TrueType outlines, so the PDFs can embed a
# subset of it) for the scan-in posters and letters; with `test`, Chromium for the console's browser
# tests and Poppler (pdftoppm) to draw the PDFs the tests check. Idempotent and quick when everything
# is present; run by `make run` and (with `test`) by `make test`.
set -euo pipefail
packages=(fonts-wqy-zenhei)
[ "${1:-}" = "test" ] && packages+=(chromium poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包：${missing[*]}，请以 root 运行：apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "安装系统软件包：${missing[*]}"
# Another install may hold apt's locks. apt-get waits for dpkg's (DPkg::Lock::Timeout); `apt-get update`
# does not wait for the package lists' lock, so it is tried again until the lock is free.
for attempt in $(seq 1 60); do
  apt-get -o DPkg::Lock::Timeout=600 update -qq && break
  [ "$attempt" -eq 60 ] && exit 1
  echo "软件包索引正被其他安装占用，10 秒后重试（第 $attempt 次）" >&2
  sleep 10
done
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
