#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with Node 20 (run as root), and a fast no-op when done:
#   1. Debian packages the tests need (libtorch for the engine, dcmtk/dicom3tools/openjpeg as independent DICOM
#      producers, chromium to render the report, R's survival package as the reference for values computed at
#      test time and pROC for the variants' AUROC and DeLong CI, python3-torch + python3-torchvision as the
#      reference for the image encoder's layout); `--bench` adds riskRegression for the benchmarks.
#      test/tooling/setup-packages.test.ts checks that this list covers every tool the tests run.
#   2. npm ci when node_modules is missing or older than package-lock.json.
#   3. the native addon and the TypeScript build (scripts/build.sh; both incremental).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libtorch-dev g++ make dcmtk dicom3tools libopenjp2-tools chromium fonts-dejavu-core r-cran-survival r-cran-jsonlite r-cran-proc python3-torch python3-torchvision redis-server postgresql)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(r-cran-riskregression)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to apt-get install ${missing[*]} (or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi

bash scripts/build.sh
