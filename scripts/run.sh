#!/usr/bin/env bash
# Installs what Harrier needs, then starts live monitoring of this host with the default rules.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node bin/harrier.js run "$@"
