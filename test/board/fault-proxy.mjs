#!/usr/bin/env node
/**
 * Test-only line fault injector. Runs the virtual board (qs-board on stdio) as a child and sits
 * between it and our own stdio, which socat exposes to the app as a pty:
 *   app ⇄ pty ⇄ socat ⇄ [this proxy] ⇄ qs-board
 * Every byte in either direction is flipped (one random bit) or dropped with probability RATE
 * (xorshift32, seeded). After CUT bytes from the app, the line is cut: 'silence' forwards
 * nothing more either way, 'exit' ends the proxy (socat then hangs up the pty).
 * Usage: fault-proxy.mjs EXE RATE SEED [CUT] [silence|exit]
 */
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

const [exe, rateArg, seedArg, cutArg, cutMode = 'silence'] = process.argv.slice(2);
const rate = Number(rateArg);
let x = Number(seedArg) >>> 0 || 1;
const cutAt = cutArg === undefined ? Infinity : Number(cutArg);
const rnd = () => {
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  return x / 2 ** 32;
};
let upstream = 0;
let cut = false;
const board = spawn(exe, [], { stdio: ['pipe', 'pipe', 'ignore'] });

function mangle(b) {
  const out = [];
  for (const v of b) {
    if (rnd() >= rate) out.push(v);
    else if (rnd() < 0.5) out.push(v ^ (1 << Math.floor(rnd() * 8)));
  }
  return Buffer.from(out);
}

process.stdin.on('data', (b) => {
  if (cut) return;
  if (upstream + b.length >= cutAt) {
    b = b.subarray(0, Math.max(0, cutAt - upstream));
    cut = true;
  }
  upstream += b.length;
  board.stdin.write(mangle(b));
  if (cut && cutMode === 'exit') {
    board.kill('SIGKILL');
    process.exit(0);
  }
});
board.stdout.on('data', (b) => {
  if (!cut) process.stdout.write(mangle(b));
});
process.stdin.on('end', () => board.kill('SIGTERM'));
board.on('exit', (code, signal) => {
  if (process.env.QS_FAULT_LOG)
    appendFileSync(
      process.env.QS_FAULT_LOG,
      `board exited code=${code} signal=${signal} after ${upstream} bytes\n`,
    );
  process.exit(0);
});
process.on('SIGTERM', () => {
  board.kill('SIGKILL');
  process.exit(0);
});
