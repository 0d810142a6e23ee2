#!/usr/bin/env bash
# Installs what the tests need, type-checks (npm run typecheck), and runs every test (unit tests on
# Node + Dawn + SwiftShader, browser tests with playwright-core driving Debian's chromium), then prints
# one line: "N passed, N failed". A type error fails the run too.
#   - Debian packages: chromium (ships SwiftShader, WebGPU on the CPU) and libvulkan1 (the Vulkan loader)
#   - npm packages: npm ci
set -euo pipefail
# Vite 8 warns on every config load that its native loader wants file extensions; the config loads fine.
export VITE_CONFIG_NATIVE_IGNORE_WARNING=true
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
if ! [ -x /usr/bin/chromium ] || ! /sbin/ldconfig -p | grep -q 'libvulkan.so.1 '; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium libvulkan1 >/dev/null
fi
npm ci --no-audit --no-fund --loglevel=error

# The typecheck first (front doors with DOM and Node types; the engine with neither). The tests run
# either way; a type error counts as one more failure in the last line and fails the run.
set +e
npm run --silent typecheck
typecheck_failed=$(( $? != 0 ))
set -e
[ $typecheck_failed = 0 ] || echo "typecheck failed (npm run typecheck): counted as 1 failed below"

mkdir -p test-results
rm -f test-results/vitest.json test-results/kernel-errors.jsonl
set +e
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
status=$?
set -e
node scripts/report.mjs
node scripts/test-summary.mjs test-results/vitest.json $typecheck_failed || status=1
exit $status
