#!/usr/bin/env bash
# clang-tidy (.clang-tidy) on the deterministic layers: engine/, models/, topologies/, run/.
# Usage: tools/run_clang_tidy.sh [build-dir]   (default build/default; must be configured)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/default}
mapfile -t files < <(git ls-files 'engine/*.cpp' 'models/*.cpp' 'topologies/*.cpp' 'run/*.cpp')
printf '%s\n' "${files[@]}" | xargs -P"$(nproc)" -n4 clang-tidy -p "$build" --quiet
echo "clang-tidy: OK (${#files[@]} files)"
