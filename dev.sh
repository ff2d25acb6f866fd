#!/usr/bin/env bash
# meshsim developer entry point. Each command installs what is missing (Debian 12 packages),
# configures, builds and runs.
#
#   ./dev.sh demo    build, compare the built-in gateway and mesh bookstores, then open the GUI on the
#                    default scenario (without a display: write PNG screenshots of it instead)
#   ./dev.sh test    build, then run every check and test (what CI runs)
#   ./dev.sh build   build only (preset "default", into build/default)
#   ./dev.sh fuzz    fuzz what meshsim reads, [SECONDS] per harness, default 600 (docs/fuzzing.md)
#   ./dev.sh deps    install the Debian packages the project needs
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
    g++ cmake ninja-build ccache pkg-config git clang-format clang-tidy clang libclang-rt-14-dev
    qt6-base-dev qt6-charts-dev libqt6svg6-dev libqt6opengl6-dev fonts-dejavu-core
    libboost-graph-dev libyaml-cpp-dev nlohmann-json3-dev libbenchmark-dev libsimgrid-dev
    libxxhash-dev python3-jsonschema poppler-utils
    locales
)

deps() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "installing: ${missing[*]}"
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "error: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
    local preset=$1
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset"
}

case "${1:-}" in
    deps)
        deps
        ;;
    build)
        deps
        build default
        ;;
    fuzz)
        deps
        tools/fuzz.sh "${2:-600}"
        ;;
    demo)
        deps
        build default
        ./build/default/app/meshsim-cli compare builtin:bookstore-gateway builtin:bookstore-mesh
        if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
            ./build/default/app/meshsim
        else
            echo
            echo "no display: running the default scenario headless and taking screenshots of the window"
            QT_QPA_PLATFORM=offscreen ./build/default/app/meshsim --screenshots build/demo-screenshots \
                2> >(grep -v -e propagateSizeHints -e XDG_RUNTIME_DIR >&2)
            echo "the screenshots are in build/demo-screenshots/"
        fi
        ;;
    test)
        deps
        tools/check_format.sh
        tools/check_banned.sh
        build ci
        ctest --preset ci
        tools/run_clang_tidy.sh build/ci
        build asan
        ctest --preset asan
        tools/fuzz.sh 60
        ;;
    *)
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
