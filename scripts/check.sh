#!/usr/bin/env bash
# House rules, run by .ci/run before the tests (and by hand before a commit):
#   - Swift formatted as .swift-format says (`swift format lint --strict`, which ships with Swift);
#   - the C++ of CVisionKernels (and the C shims' headers) formatted as .clang-format says (Debian's clang-format);
#   - the build, tests included, with every warning an error (Package.swift sets that for our
#     targets) and each target importing only what it declares as a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift format lint --strict --recursive Package.swift Sources Tests
git ls-files -z -- 'Sources/CVisionKernels/*.cpp' 'Sources/CVisionKernels/*.hpp' 'Sources/CVisionKernels/*.h' \
    'Sources/CLittleCMS/*.h' 'Sources/CZlib/*.h' |
    xargs -0 clang-format --dry-run --Werror
swift build --build-tests --explicit-target-dependency-import-check error
echo "check: formatting, warnings and imports are clean"
