#!/usr/bin/env bash
# Builds the libtorch addon (only when its sources changed) and compiles the TypeScript (incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f native/build.sh ]]; then
  bash native/build.sh
fi
npx --no-install tsc -p .
