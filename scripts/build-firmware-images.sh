#!/usr/bin/env bash
# Prebuilt firmware images: every Arm port built from a clean build folder, each image written as
# ELF and raw binary with its sha256 (SHA256SUMS, `sha256sum -c` format). Reproducible: the images
# depend only on the sources and the toolchain (no debug info, paths or dates in them); --check
# builds everything twice in two folders and fails unless the bytes are identical.
#   scripts/build-firmware-images.sh [--check] [--only "nucleo mps2 ..."] [OUT_DIR]
# Default OUT_DIR: firmware/build/images. Binaries are not committed (firmware/build/ is ignored).
# Images (make target -> file):
#   mps2 (Cortex-M3, QEMU mps2-an385), mps2-an386 (M4F), mps2-an500 (M7), mps2-an505 (M33),
#   mps3-an547 (M55): qs-<target>.elf/.bin, run by the app's emulated boards;
#   nucleo: qs-nucleo.elf/.bin, for the NUCLEO-F446RE (copy the .bin to its NODE_F446RE drive);
#   nucleo-qemu: the NUCLEO port as built for QEMU's netduinoplus2.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS="mps2 mps2-an386 mps2-an500 mps2-an505 mps3-an547 nucleo nucleo-qemu"
CHECK=0
OUT=firmware/build/images
while [ $# -gt 0 ]; do
  case "$1" in
    --check) CHECK=1 ;;
    --only) shift; TARGETS="$1" ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) OUT="$1" ;;
  esac
  shift
done
export SOURCE_DATE_EPOCH=0 LC_ALL=C

# build TARGETS into a fresh folder $1 (absolute), copy the images to $2
build_into() {
  local build=$1 dest=$2
  rm -rf "$build" && mkdir -p "$build" "$dest"
  for t in $TARGETS; do
    make -s -C firmware BUILD="$build" "$t" >/dev/null
    local elf=$build/$t/qs-$t.elf
    [ -f "$elf" ] || { echo "make $t did not produce $elf" >&2; exit 1; }
    cp "$elf" "$dest/qs-$t.elf"
    arm-none-eabi-objcopy -O binary "$elf" "$dest/qs-$t.bin"
  done
  (cd "$dest" && sha256sum qs-*.elf qs-*.bin > SHA256SUMS)
}

TMP=$(mktemp -d /tmp/qs-images.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
build_into "$TMP/build-a" "$TMP/a"
if [ $CHECK = 1 ]; then
  build_into "$TMP/build-b" "$TMP/b"
  if ! diff "$TMP/a/SHA256SUMS" "$TMP/b/SHA256SUMS" >&2; then
    echo "not reproducible: two builds of the same sources differ (above)" >&2
    exit 1
  fi
fi
mkdir -p "$OUT"
cp "$TMP"/a/* "$OUT"/
echo "images in $OUT:"
cat "$OUT/SHA256SUMS"
