#!/usr/bin/env bash
# Starts the QuantScope firmware on an emulated Cortex-M3 (QEMU mps2-an385) — or another emulated
# MPS2/MPS3 core — and prints the serial port path to connect to (e.g. `quantscope profile MODEL
# --board /dev/pts/N`).
#   scripts/qemu-mps2.sh            build if needed, run until Ctrl-C
#   scripts/qemu-mps2.sh mps2-an386 the Cortex-M4F (also mps2-an500 M7, mps2-an505 M33, mps3-an547 M55)
# QEMU starts halted (-S) with UART0 on a pty and the monitor on a private unix socket; the
# script waits for the pty to appear, then sends `cont`. `-icount shift=0` makes execution
# deterministic: the 25 MHz SysTick advances once per 40 instructions.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-mps2}
case "$TARGET" in
  mps2) MACHINE=mps2-an385 ;;
  mps2-an386 | mps2-an500 | mps2-an505 | mps3-an547) MACHINE=$TARGET ;;
  *) echo "unknown board '$TARGET': mps2, mps2-an386, mps2-an500, mps2-an505 or mps3-an547" >&2; exit 2 ;;
esac
make -s -C firmware "$TARGET" >/dev/null
ELF=firmware/build/$TARGET/qs-$TARGET.elf
RUN=$(mktemp -d /tmp/qs-qemu.XXXXXX)
LOG=$RUN/qemu.log
MON=$RUN/monitor.sock
qemu-system-arm -M "$MACHINE" -nographic -serial pty -monitor "unix:$MON,server,nowait" \
  -S -icount shift=0 -kernel "$ELF" >"$LOG" 2>&1 &
QEMU_PID=$!
trap 'kill $QEMU_PID 2>/dev/null || true; rm -rf "$RUN"' EXIT INT TERM
PTY=""
for _ in $(seq 1 100); do
  PTY=$(sed -n 's/.*char device redirected to \([^ ]*\) (label serial0).*/\1/p' "$LOG" | head -1)
  [ -n "$PTY" ] && [ -S "$MON" ] && break
  kill -0 $QEMU_PID 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PTY" ] || { echo "QEMU did not report its pty" >&2; cat "$LOG" >&2; exit 1; }
echo "cont" | socat - "UNIX-CONNECT:$MON" >/dev/null
echo "$PTY"
wait $QEMU_PID
