#!/bin/bash
# Debian's python3-torch links the reference BLAS (libblas3, ~2.5 GFLOP/s on one core here), which
# makes PyTorch CPU timings meaningless. This puts Debian's OpenBLAS (libopenblas0-pthread) into
# models/work/bench/openblas/ WITHOUT installing it system-wide (nothing else on the machine
# changes); make_vision_large.py and torch_vision_bench.py then load it via LD_LIBRARY_PATH.
# Usage, from the project root:  bash models/bench/get_openblas.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
dst="$root/models/work/bench/openblas"
lib="$dst/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"
if [ -e "$lib" ]; then echo "already there: $lib"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download libopenblas0-pthread 2>/dev/null) || {
  echo "apt-get download libopenblas0-pthread failed (run 'apt-get update' first?)" >&2; exit 1; }
mkdir -p "$dst"
dpkg -x "$tmp"/libopenblas0-pthread_*.deb "$dst"
echo "OpenBLAS in $dst (needs libgfortran5, which Debian's liblapack3 already pulls in)"
