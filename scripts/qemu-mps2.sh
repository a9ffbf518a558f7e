#!/usr/bin/env bash
# Starts the QuantScope firmware on an emulated Cortex-M3 (QEMU mps2-an385) and prints the serial
# port path to connect to (e.g. `quantscope profile MODEL --board /dev/pts/N`).
#   scripts/qemu-mps2.sh            build if needed, run until Ctrl-C
# QEMU starts halted (-S) with UART0 on a pty and the monitor on a private unix socket; the
# script waits for the pty to appear, then sends `cont`. `-icount shift=0` makes execution
# deterministic: the 25 MHz SysTick advances once per 40 instructions.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -C firmware mps2 >/dev/null
ELF=firmware/build/mps2/qs-mps2.elf
RUN=$(mktemp -d /tmp/qs-qemu.XXXXXX)
LOG=$RUN/qemu.log
MON=$RUN/monitor.sock
qemu-system-arm -M mps2-an385 -nographic -serial pty -monitor "unix:$MON,server,nowait" \
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
