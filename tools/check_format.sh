#!/usr/bin/env bash
# Fails when a tracked C++ file is not formatted with the project's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.h' '*.cpp')
((${#files[@]})) || exit 0
clang-format --dry-run -Werror "${files[@]}"
echo "format check: OK (${#files[@]} files)"
