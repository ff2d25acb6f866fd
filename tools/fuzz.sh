#!/usr/bin/env bash
# Fuzzes what meshsim reads, with libFuzzer (docs/fuzzing.md): builds the preset "fuzz" (clang,
# coverage, AddressSanitizer + UndefinedBehaviorSanitizer) into build/fuzz, prepares the seed
# corpora in build/fuzz/corpus/<harness>/, runs each harness in turn for SECONDS (default 60),
# and copies every input that crashed, leaked, hung or ran out of memory into
# tests/fuzz/regressions/<harness>/, which the normal builds replay as tests.
# Exit status 1 when anything was found.
#
#   tools/fuzz.sh [SECONDS per harness]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if [[ ! $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: tools/fuzz.sh [SECONDS per harness]" >&2
    exit 2
fi

build=build/fuzz
cmake --preset fuzz >/dev/null
cmake --build "$build" -j"$(nproc)"

corpus=$build/corpus
cli=$build/app/meshsim-cli
harnesses=(loader stream_reader recording_reader)
# Largest input each harness is given: longer inputs are slower to run and to mutate. Every seed
# fits but bench-fanout1000.yaml (93 KB), whose first 32 KiB are read.
declare -A max_len=([loader]=32768 [stream_reader]=65536 [recording_reader]=65536)

# --- seeds ---------------------------------------------------------------------------------
for h in "${harnesses[@]}"; do
    mkdir -p "$corpus/$h"
done
mkdir -p "$build/logs"
: >"$build/logs/seeds.log"
# Runs of the instrumented CLI make the stream and recording seeds: no leak report at exit.
export ASAN_OPTIONS=detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1

# The loader: every scenario of the repository (built-in, validation, test fixtures) and every
# YAML example of the documentation.
while IFS= read -r file; do
    cp "$file" "$corpus/loader/seed-${file//\//-}"
done < <(git ls-files '*.yaml' '*.yml')
while IFS= read -r doc; do
    awk -v out="$corpus/loader/seed-${doc//\//-}" '
        /^```yaml/ { n++; file = out "-" n ".yaml"; next }
        /^```/ { file = ""; next }
        file != "" { print > file }' "$doc"
done < <(git ls-files '*.md')

# The stream reader: real streams, with and without a recording, of a run and of a refused
# scenario; `expected` is the CLI's exit status. tests/fuzz/recorded.yaml makes every kind of
# line and record in a few kilobytes.
stream() {
    local name=$1 expected=$2 status=0
    shift 2
    "$cli" run "$@" --stream >"$corpus/stream_reader/seed-$name.jsonl" 2>>"$build/logs/seeds.log" \
        || status=$?
    if ((status != expected)); then
        echo "error: meshsim-cli run $* --stream: exit status $status, not $expected" \
            "(see $build/logs/seeds.log)" >&2
        exit 1
    fi
}
recorded=tests/fuzz/recorded.yaml
stream recorded 0 "$recorded" --engine fast
stream recorded-recording 0 "$recorded" --engine fast --stream-recording
stream invalid 1 tests/topologies/data/several_errors.yaml

# The recording reader: small real recordings.
record() {
    local name=$1
    shift
    "$cli" run "$@" --quiet --record "$corpus/recording_reader/seed-$name.rec" \
        2>>"$build/logs/seeds.log"
}
record minimal tests/topologies/data/valid_minimal.yaml --engine fast --duration 2s
record recorded "$recorded" --engine fast
unset ASAN_OPTIONS

# --- fuzzing -------------------------------------------------------------------------------
final() { sed -n "s/^stat::$1: *//p" "$log"; } # a number of libFuzzer's -print_final_stats
found=0
for h in "${harnesses[@]}"; do
    artifacts=$build/artifacts/$h
    regressions=tests/fuzz/regressions/$h
    rm -rf "$artifacts"
    mkdir -p "$artifacts"
    corpora=("$corpus/$h")
    [[ -d $regressions ]] && corpora+=("$regressions")
    log=$build/logs/$h.log
    echo "fuzzing $h for ${seconds}s (log: $log)"
    status=0
    "$build/tests/fuzz/fuzz_$h" "${corpora[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$h]}" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
    printf '  %s runs, %s exec/s, %s new inputs, peak RSS %s MB; corpus %s files (%s KiB)\n' \
        "$(final number_of_executed_units)" "$(final average_exec_per_sec)" \
        "$(final new_units_added)" "$(final peak_rss_mb)" \
        "$(find "$corpus/$h" -type f | wc -l)" "$(du -sk "$corpus/$h" | cut -f1)"
    shopt -s nullglob
    findings=("$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*)
    shopt -u nullglob
    if ((${#findings[@]})); then
        mkdir -p "$regressions"
        cp "${findings[@]}" "$regressions/"
        echo "  FOUND: ${findings[*]##*/} (copied to $regressions/; see $log)" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*fuzz check failed)' "$log" >&2 || true
        found=1
    elif ((status != 0)); then
        echo "  FAILED: exit status $status without an artefact; see $log" >&2
        tail -n 20 "$log" >&2
        found=1
    fi
done
exit "$found"
