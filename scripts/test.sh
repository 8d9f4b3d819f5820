#!/usr/bin/env bash
# Runs Harrier's whole test suite after installing what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# sysdig reads captures for the differential tests (it cannot capture here; no kernel module);
# nats-server is the real NATS destination of the output tests.
test_packages=()
command -v sysdig >/dev/null 2>&1 || test_packages+=(sysdig)
command -v nats-server >/dev/null 2>&1 || test_packages+=(nats-server)
if ((${#test_packages[@]})); then
  echo "harrier test: installing ${test_packages[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${test_packages[@]}" >/dev/null
fi
# podman, a local busybox image and the podman API service, for the container scenarios.
scripts/container-setup.sh
# Style first: ESLint and Prettier over src/, knip for unused files, exports and dependencies
# (STYLE.md); a lint error fails the run.
npm run --silent lint
node --test --test-reporter=spec --test-concurrency=2 dist/
