#!/usr/bin/env bash
# Runs the whole test suite: installs the system packages the tests use, starts a throw-away
# PostgreSQL, then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
source scripts/postgres-test-cluster.sh
swift build --build-tests
swift test --skip-build
