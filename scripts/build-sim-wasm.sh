#!/bin/sh
# Rebuild src-main/core/simulate/wasm/sim-kernels.wasm from sim-kernels.c (needs clang and wasm-ld:
# apt-get install -y clang lld). The output is deterministic for a given clang version; the
# committed .wasm was built with the version recorded in sim-kernels.clang-version.
set -eu
DIR="$(cd "$(dirname "$0")/.." && pwd)/src-main/core/simulate/wasm"
OUT="${1:-$DIR/sim-kernels.wasm}"
clang --target=wasm32 -std=c99 -O3 -msimd128 -mbulk-memory -nostdlib -ffile-prefix-map="$DIR"=. \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=conv_int8 -Wl,--export=depthwise_int8 -Wl,--export=__heap_base \
  -Wl,--strip-all \
  -o "$OUT" "$DIR/sim-kernels.c"
