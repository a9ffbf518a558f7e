#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine (run as root, or with sudo):
# Debian's Chromium for the browser e2e tests, socat for pty pairs, ser2net for the remote-board tests
# (RFC 2217 and raw TCP), the Arm cross toolchain and QEMU for the emulated Cortex-M3 board, clang +
# lld + wasi-libc to build the interpreter core as WebAssembly, gdb-multiarch (loads the firmware through
# QEMU's gdb stub, as a debugger flashes a kit), then the npm dependencies exactly as
# locked.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium socat ser2net gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm make gcc clang lld wasi-libc libclang-rt-14-dev-wasm32 gdb-multiarch)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "[install] apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Electron binary cannot be downloaded on every machine; the app falls back to the web host.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ -n "${CI:-}" ] || [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
