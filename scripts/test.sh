#!/usr/bin/env bash
# Runs Harrier's whole test suite after installing what it needs, including sysdig (the
# reference the capture tests compare against; it only reads files here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! command -v sysdig >/dev/null 2>&1; then
  echo "harrier test: installing sysdig (file reader only, no kernel module)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sysdig >/dev/null
fi
node --test --test-reporter=spec --test-concurrency=2 dist/
