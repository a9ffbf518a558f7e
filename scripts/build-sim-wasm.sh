#!/bin/sh
# Rebuild src-main/core/simulate/wasm/sim-kernels.wasm from sim-int8.c and sim-float.c (needs clang and wasm-ld:
# apt-get install -y clang lld). The build is deterministic for a given clang version; building
# the committed artifact also records its sha256 and the clang version in sim-kernels.wasm.sha256
# (test/core/simulate/wasm-kernels.test.ts rebuilds and compares when that clang is installed).
#   scripts/build-sim-wasm.sh [OUT.wasm]
set -eu
DIR="$(cd "$(dirname "$0")/.." && pwd)/src-main/core/simulate/wasm"
OUT="${1:-$DIR/sim-kernels.wasm}"
clang --target=wasm32 -std=c99 -O3 -msimd128 -mbulk-memory -nostdlib -ffile-prefix-map="$DIR"=. \
  -Wall -Wextra -Werror \
  -Wl,--no-entry -Wl,--export=conv_int8 -Wl,--export=depthwise_int8 -Wl,--export=conv_f32 -Wl,--export=table2_int8 -Wl,--export=pool_f32 -Wl,--export=__heap_base \
  -Wl,--strip-all \
  -o "$OUT" "$DIR/sim-int8.c" "$DIR/sim-float.c"
if [ "$#" -eq 0 ]; then
  {
    echo "$(sha256sum "$OUT" | cut -d' ' -f1)  sim-kernels.wasm"
    echo "# built with: $(clang --version | head -n 1)"
  } >"$DIR/sim-kernels.wasm.sha256"
fi
