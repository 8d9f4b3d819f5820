#!/usr/bin/env bash
# Installs what Harrier needs on a Debian machine (run as root): system packages, the pinned
# npm packages, the TypeScript build and the eBPF probe. Safe to run again: each step is
# skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev make pkg-config gcc g++ python3)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "harrier setup: installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "harrier setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

npm run --silent build

if [ -x scripts/build-probe.sh ]; then
  scripts/build-probe.sh
fi
