/**
 * The WASM kernels (sim-kernels.wasm) against the pure-TS kernels, which conv-random.test.ts
 * checks against TFLite's reference loops: random shapes (channel counts around multiples of 8,
 * where the SIMD padding matters), strides, dilations, SAME/VALID, depth multipliers, batches,
 * multipliers below and above 1, no bias. Plus: the committed .wasm is what the build script makes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convInt8,
  depthwiseConvInt8,
  type ConvGeometry,
} from '../../../src-main/core/simulate/kernels/conv-int8.ts';
import { fullyConnectedInt8 } from '../../../src-main/core/simulate/kernels/fc-int8.ts';
import { quantizeMultiplier } from '../../../src-main/core/simulate/quant-math.ts';
import { compileSimWasmSync, WasmArena } from '../../../src-main/core/simulate/wasm/arena.ts';
import {
  wasmConv,
  wasmDepthwise,
  wasmFullyConnected,
} from '../../../src-main/core/simulate/wasm/conv-wasm.ts';

const REPO = resolve(__dirname, '../../..');
const WASM_PATH = join(REPO, 'src-main/core/simulate/wasm/sim-kernels.wasm');
const wasmBytes = new Uint8Array(readFileSync(WASM_PATH));
const module = compileSimWasmSync(wasmBytes);

const caseArb = fc
  .record({
    batches: fc.integer({ min: 1, max: 2 }),
    inH: fc.integer({ min: 1, max: 8 }),
    inW: fc.integer({ min: 1, max: 8 }),
    inC: fc.integer({ min: 1, max: 19 }),
    dm: fc.integer({ min: 1, max: 3 }),
    outC: fc.integer({ min: 1, max: 19 }),
    filterH: fc.constantFrom(1, 2, 3),
    filterW: fc.constantFrom(1, 3),
    stride: fc.integer({ min: 1, max: 2 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    same: fc.boolean(),
    inZp: fc.integer({ min: -128, max: 127 }),
    outZp: fc.integer({ min: -128, max: 127 }),
    scale: fc.double({ min: 1e-4, max: 3, noNaN: true }),
    relu6: fc.boolean(),
    withBias: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e9 }),
  })
  .map((r) => {
    const effH = (r.filterH - 1) * r.dilation + 1;
    const effW = (r.filterW - 1) * r.dilation + 1;
    const out = (inS: number, eff: number) =>
      r.same ? Math.ceil(inS / r.stride) : Math.max(1, Math.floor((inS - eff) / r.stride) + 1);
    const outH = out(r.inH, effH);
    const outW = out(r.inW, effW);
    const pad = (inS: number, eff: number, outS: number) =>
      r.same ? Math.max(0, Math.floor(((outS - 1) * r.stride + eff - inS) / 2)) : 0;
    let s = r.seed;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 8);
    const bytes = (n: number) => Int8Array.from({ length: n }, () => (rnd() & 255) - 128);
    const g: ConvGeometry = {
      batches: r.batches,
      inH: r.inH,
      inW: r.inW,
      inC: r.inC,
      outH,
      outW,
      outC: r.outC,
      filterH: r.filterH,
      filterW: r.filterW,
      strideH: r.stride,
      strideW: r.stride,
      dilationH: r.dilation,
      dilationW: r.dilation,
      padTop: pad(r.inH, effH, outH),
      padLeft: pad(r.inW, effW, outW),
    };
    const quant = (n: number) => {
      const q = Array.from({ length: n }, (_, i) => quantizeMultiplier(r.scale * (1 + i / 7)));
      return {
        inputOffset: -r.inZp,
        outputOffset: r.outZp,
        multipliers: Int32Array.from(q, (m) => m.multiplier),
        shifts: Int32Array.from(q, (m) => m.shift),
        actMin: r.relu6 ? Math.max(-128, r.outZp) : -128,
        actMax: r.relu6 ? Math.min(127, r.outZp + 60) : 127,
      };
    };
    const bias = (n: number) =>
      r.withBias ? Int32Array.from({ length: n }, () => (rnd() % 200001) - 100000) : null;
    return { r, g, quant, bytes, bias };
  });

const same = (a: Int8Array, b: Int8Array) => expect(Array.from(a)).toEqual(Array.from(b));

describe('WASM kernels equal the TS kernels', () => {
  it('CONV_2D', () => {
    fc.assert(
      fc.property(caseArb, ({ g, quant, bytes, bias }) => {
        const q = quant(g.outC);
        const input = bytes(g.batches * g.inH * g.inW * g.inC);
        const filter = bytes(g.outC * g.filterH * g.filterW * g.inC);
        const b = bias(g.outC);
        const want = new Int8Array(g.batches * g.outH * g.outW * g.outC);
        convInt8({ ...g, ...q, scratch: {} }, input, filter, b, want);
        const got = new Int8Array(want.length);
        const run = wasmConv(new WasmArena(module), g, q, input, filter, b, got);
        run();
        same(got, want);
        got.fill(0);
        run(); // a second run on the laid-out scratch gives the same bits
        same(got, want);
      }),
      { numRuns: 300 },
    );
  });

  it('DEPTHWISE_CONV_2D (depth multipliers 1-3)', () => {
    fc.assert(
      fc.property(caseArb, ({ r, g: g0, quant, bytes, bias }) => {
        const g = { ...g0, outC: g0.inC * r.dm, depthMultiplier: r.dm };
        const q = quant(g.outC);
        const input = bytes(g.batches * g.inH * g.inW * g.inC);
        const filter = bytes(g.filterH * g.filterW * g.outC);
        const b = bias(g.outC);
        const want = new Int8Array(g.batches * g.outH * g.outW * g.outC);
        depthwiseConvInt8({ ...g, ...q, scratch: {} }, input, filter, b, want);
        const got = new Int8Array(want.length);
        wasmDepthwise(new WasmArena(module), g, q, input, filter, b, got)();
        same(got, want);
      }),
      { numRuns: 300 },
    );
  });

  it('FULLY_CONNECTED (per-tensor and per-channel multipliers)', () => {
    fc.assert(
      fc.property(caseArb, fc.boolean(), ({ g, quant, bytes, bias }, perChannel) => {
        const dims = { batches: g.inW, accumDepth: g.inH * g.inC * 3, outDepth: g.outC };
        const q0 = quant(dims.outDepth);
        const q = perChannel
          ? q0
          : { ...q0, multipliers: q0.multipliers.slice(0, 1), shifts: q0.shifts.slice(0, 1) };
        const input = bytes(dims.batches * dims.accumDepth);
        const filter = bytes(dims.outDepth * dims.accumDepth);
        const b = bias(dims.outDepth);
        const want = new Int8Array(dims.batches * dims.outDepth);
        fullyConnectedInt8({ ...dims, ...q, filterOffset: 0 }, input, filter, b, want);
        const got = new Int8Array(want.length);
        wasmFullyConnected(new WasmArena(module), dims, q, input, filter, b, got)();
        same(got, want);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sim-kernels.wasm', () => {
  const record = readFileSync(join(REPO, 'src-main/core/simulate/wasm/sim-kernels.wasm.sha256'), 'utf8');
  const builtWith = /# built with: (.*)/.exec(record)?.[1] ?? '';

  it('matches the sha256 recorded by scripts/build-sim-wasm.sh', () => {
    expect(createHash('sha256').update(wasmBytes).digest('hex')).toBe(record.split(/\s+/)[0]);
  });

  it('is reproduced byte for byte by scripts/build-sim-wasm.sh with the recorded clang', () => {
    let clang = 'none';
    try {
      clang = execFileSync('clang', ['--version'], { encoding: 'utf8' }).split('\n')[0];
      execFileSync('wasm-ld', ['--version'], { encoding: 'utf8' });
    } catch {
      clang = 'none';
    }
    // Another clang version emits other (equally valid) bytes; then the sha256 check above is
    // the guarantee. With the recorded toolchain (CI installs clang + lld) the rebuild must match.
    if (clang !== builtWith) {
      expect(builtWith).toMatch(/clang version/);
      return;
    }
    const out = join(mkdtempSync(join(tmpdir(), 'sim-wasm-')), 'sim-kernels.wasm');
    execFileSync('sh', [join(REPO, 'scripts/build-sim-wasm.sh'), out]);
    const fresh = new Uint8Array(readFileSync(out));
    expect(fresh.length).toBe(wasmBytes.length);
    expect(Buffer.compare(Buffer.from(fresh), Buffer.from(wasmBytes))).toBe(0);
  });
});
