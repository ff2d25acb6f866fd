#!/usr/bin/env bash
# Regenerates the GUI screenshots in docs/images/ (docs/gui.md, README): the default scenario run
# on its own platform and shown at 45 s of simulated time, while an inventory instance is down,
# rendered with the offscreen platform (no display needed). Build first (./dev.sh build).
set -euo pipefail
cd "$(dirname "$0")/.."
meshsim=build/default/app/meshsim
[[ -x $meshsim ]] || { echo "error: $meshsim is not built (./dev.sh build)" >&2; exit 1; }
QT_QPA_PLATFORM=offscreen "$meshsim" --screenshots docs/images --at "${1:-45}" \
    2> >(grep -v -e propagateSizeHints -e XDG_RUNTIME_DIR >&2)
# The compare view: the same scenario through a gateway and through a mesh, at the same instant.
QT_QPA_PLATFORM=offscreen "$meshsim" --compare --architectures gateway,mesh builtin:bookstore \
    --screenshots docs/images --at "${1:-45}" \
    2> >(grep -v -e propagateSizeHints -e XDG_RUNTIME_DIR >&2)
