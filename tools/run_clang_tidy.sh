#!/usr/bin/env bash
# clang-tidy (.clang-tidy) on the deterministic layers: engine/, models/, topologies/, run/.
# Usage: tools/run_clang_tidy.sh [build-dir]   (default build/default; must be configured)
# GCC's LTO flags (-ffat-lto-objects) mean nothing to clang: they are not an error here.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
mapfile -t files < <(git ls-files 'engine/*.cpp' 'models/*.cpp' 'topologies/*.cpp' 'run/*.cpp')
printf '%s\n' "${files[@]}" | xargs -P"$(nproc)" -n4 clang-tidy -p "$build" --quiet \
    --extra-arg=-Wno-ignored-optimization-argument
echo "clang-tidy: OK (${#files[@]} files)"
