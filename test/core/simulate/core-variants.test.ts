/**
 * The interpreter core's WebAssembly SIMD kernel variants (firmware/core/src/k_*_wasm.c, built
 * when clang targets -msimd128) against its portable C kernels (the same sources built with
 * QSW_SIMD=0): every op output byte for byte on every golden model the core accepts, and on
 * random one-op models (shapes, strides, dilations, padding, depth multipliers, groups, odd
 * channel counts, per-tensor and per-channel scales, extreme zero points, weights and biases).
 * Both builds are made here from the checked-out sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import {
  CoreEngine,
  CoreLoadError,
  compileCoreWasm,
} from '../../../src-main/core/simulate/engine/core-engine.ts';
import { FIXTURES, REPO, goldenBytes, type Golden } from '../../helpers/fixtures.ts';
import { randomElementwise, randomQuantize, randomSigmoid } from '../../helpers/one-op-elementwise.ts';
import {
  Rng,
  floatValue,
  randomOneOp,
  requantSweepFc,
  type Kind,
  type OneOpCase,
} from '../../helpers/one-op-models.ts';

/** Why the core cannot be built to WebAssembly here, or null when it can. */
function missingToolchain(): string | null {
  const clang = spawnSync('clang', ['--target=wasm32-wasi', '-print-libgcc-file-name'], { encoding: 'utf8' });
  if (clang.error || clang.status !== 0) return 'clang is not installed';
  if (!existsSync('/usr/include/wasm32-wasi/stdlib.h'))
    return 'wasi-libc is not installed (/usr/include/wasm32-wasi)';
  if (!existsSync(clang.stdout.trim()))
    return `the wasm32 compiler-rt builtins are not installed (${clang.stdout.trim()})`;
  if (spawnSync('wasm-ld', ['--version']).error) return 'lld (wasm-ld) is not installed';
  return null;
}

const missing = missingToolchain();
if (missing)
  console.warn(`core-variants: skipped: ${missing} (Debian: clang lld wasi-libc libclang-rt-14-dev-wasm32)`);

interface Run {
  /** Output tensor and bytes of every op, in op order (null when refused). */
  ops: { tensor: number; bytes: Uint8Array }[] | null;
  refusal: string | null;
}

function run(module: WebAssembly.Module, model: Uint8Array, inputs: Uint8Array[]): Run {
  let engine: CoreEngine;
  try {
    engine = CoreEngine.load(model, module);
  } catch (e) {
    if (e instanceof CoreLoadError) return { ops: null, refusal: e.message };
    throw e;
  }
  inputs.forEach((b, i) => engine.writeInput(i, b));
  const ops: { tensor: number; bytes: Uint8Array }[] = [];
  engine.invoke((_op, tensor, bytes) => ops.push({ tensor, bytes: bytes.slice() }));
  return { ops, refusal: null };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe.skipIf(missing !== null)('core WASM SIMD kernels equal the portable kernels', () => {
  let dir = '';
  let simd: WebAssembly.Module;
  let portable: WebAssembly.Module;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qs-core-variants-'));
    const build = (out: string, simdOn: boolean) => {
      const r = spawnSync('sh', [join(REPO, 'scripts/build-core-wasm.sh'), out], {
        encoding: 'utf8',
        env: { ...process.env, QSW_SIMD: simdOn ? '1' : '0' },
      });
      if (r.status !== 0) throw new Error(`build-core-wasm.sh failed:\n${r.stderr}`);
      return compileCoreWasm(new Uint8Array(readFileSync(out)));
    };
    simd = build(join(dir, 'simd.wasm'), true);
    portable = build(join(dir, 'portable.wasm'), false);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const goldens = [
    ...readdirSync(join(FIXTURES, 'golden'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ file: join(FIXTURES, 'golden', f), base: FIXTURES })),
    ...readdirSync(join(FIXTURES, 'field/golden'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ file: join(FIXTURES, 'field/golden', f), base: join(FIXTURES, 'field') })),
  ];

  it('golden models: same verdict, every op output identical, golden wherever the portable build is', () => {
    let compared = 0;
    let goldenOps = 0;
    for (const { file, base } of goldens) {
      const g = JSON.parse(readFileSync(file, 'utf8')) as Golden;
      const model = new Uint8Array(readFileSync(join(base, g.model)));
      const inputs = g.inputs.map(goldenBytes);
      const p = run(portable, model, inputs);
      const s = run(simd, model, inputs);
      expect(s.refusal, `${g.model}: verdict`).toBe(p.refusal);
      if (!p.ops || !s.ops) continue;
      compared++;
      expect(s.ops.length).toBe(p.ops.length);
      const golden = new Map(g.op_outputs.map((t) => [t.tensor, goldenBytes(t)]));
      for (let i = 0; i < p.ops.length; i++) {
        const at = firstDifference(p.ops[i].bytes, s.ops[i].bytes);
        if (at >= 0) throw new Error(`${g.model}: op ${i} differs at byte ${at} (portable vs SIMD)`);
        const want = golden.get(p.ops[i].tensor);
        // (the few ops not golden in the portable build are the golden tests' business)
        if (want && firstDifference(p.ops[i].bytes, want) < 0) {
          expect(firstDifference(s.ops[i].bytes, want), `${g.model}: op ${i} vs golden`).toBe(-1);
          goldenOps++;
        }
      }
    }
    // The 8 fixture goldens and the field goldens the core runs (48 models with 259 golden op outputs today).
    expect(compared).toBeGreaterThanOrEqual(40);
    expect(goldenOps).toBeGreaterThanOrEqual(200);
  });

  it('float fixture models: every op output identical on random inputs', () => {
    const r = new Rng(0x5eedf1f1);
    const dir = join(FIXTURES, 'float');
    let compared = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.tflite'))) {
      const bytes = new Uint8Array(readFileSync(join(dir, f)));
      const sg = readTflite(bytes).subgraphs[0];
      const inputs = sg.inputs.map((t) => {
        const n = sg.tensors[t].shape.reduce((a, b) => a * b, 1);
        if (sg.tensors[t].dtype !== 'float32') return Uint8Array.from({ length: n }, () => r.int(0, 255));
        return new Uint8Array(Float32Array.from({ length: n }, () => r.int(-1000, 1000) / 250).buffer);
      });
      const p = run(portable, bytes, inputs);
      const s = run(simd, bytes, inputs);
      expect(s.refusal, `${f}: verdict`).toBe(p.refusal);
      if (!p.ops || !s.ops) continue;
      compared++;
      for (let i = 0; i < p.ops.length; i++) {
        const at = firstDifference(p.ops[i].bytes, s.ops[i].bytes);
        if (at >= 0) throw new Error(`${f}: op ${i} differs at byte ${at} (portable vs SIMD)`);
      }
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  });

  const kinds: [Kind, boolean, number][] = [
    ['CONV_2D', false, 300],
    ['DEPTHWISE_CONV_2D', false, 300],
    ['FULLY_CONNECTED', false, 300],
    ['MAX_POOL_2D', false, 200],
    ['AVERAGE_POOL_2D', false, 200],
    ['CONV_2D', true, 200],
    ['DEPTHWISE_CONV_2D', true, 200],
    ['FULLY_CONNECTED', true, 200],
    ['MAX_POOL_2D', true, 150],
    ['AVERAGE_POOL_2D', true, 150],
  ];
  /** Run case c on both builds with the same random input; true if the core accepted it. */
  function sameOutput(r: Rng, c: OneOpCase, float: boolean, given?: Uint8Array): boolean {
    const input = given ?? new Uint8Array(c.inputBytes);
    if (given) {
      // the caller's input
    } else if (float) {
      const f = new Float32Array(input.buffer);
      for (let j = 0; j < f.length; j++) f[j] = floatValue(r, c.wild === true);
    } else {
      const extremes = r.chance(0.2) ? r.pick([-128, 127]) : null;
      for (let j = 0; j < input.length; j++) input[j] = (extremes ?? r.int(-128, 127)) & 255;
    }
    const p = run(portable, c.model, [input]);
    const s = run(simd, c.model, [input]);
    expect(s.refusal, `${c.name}: verdict`).toBe(p.refusal);
    if (!p.ops || !s.ops) return false;
    const at = firstDifference(p.ops[0].bytes, s.ops[0].bytes);
    if (at >= 0) throw new Error(`${c.name}: output differs at byte ${at} (portable vs SIMD)`);
    return true;
  }

  for (const [kind, float, count] of kinds) {
    it(`random one-op ${float ? 'float32' : 'int8'} ${kind} models (${count})`, () => {
      const r = new Rng(0x5eed0000 + kind.length * 97 + (float ? 1 : 0));
      let ran = 0;
      for (let i = 0; i < count; i++) if (sameOutput(r, randomOneOp(r, kind, float), float)) ran++;
      // Random scales occasionally give a rescale factor the core refuses; nearly all must run.
      expect(ran).toBeGreaterThan(count * 0.9);
    });
  }

  it('requantization sweep: 64 channels with shifts from -31 to +29 and int32-wide biases (200 models)', () => {
    const r = new Rng(0x5eed0bad);
    let ran = 0;
    for (let i = 0; i < 200; i++) if (sameOutput(r, requantSweepFc(r), false)) ran++;
    expect(ran).toBe(200);
  });

  for (const kind of ['ADD', 'SUB', 'MUL'] as const) {
    it(`random one-op int8 ${kind} models, same shape and broadcast (150)`, () => {
      const r = new Rng(0x5eed0add + kind.length);
      let ran = 0;
      for (let i = 0; i < 150; i++) {
        const { c, inputs } = randomElementwise(r, kind);
        const p = run(portable, c.model, inputs);
        const s = run(simd, c.model, inputs);
        expect(s.refusal, `${c.name}: verdict`).toBe(p.refusal);
        if (!p.ops || !s.ops) continue;
        ran++;
        const at = firstDifference(p.ops[0].bytes, s.ops[0].bytes);
        if (at >= 0) throw new Error(`${c.name}: output differs at byte ${at} (portable vs SIMD)`);
      }
      expect(ran).toBeGreaterThan(140);
    });
  }

  it('int8 LOGISTIC and TANH (host-build lookup tables) over every input value (2 x 60 models)', () => {
    const r = new Rng(0x5eed516d);
    for (const kind of ['LOGISTIC', 'TANH'] as const) {
      for (let i = 0; i < 60; i++) {
        const { c, input } = randomSigmoid(r, kind);
        expect(sameOutput(r, c, false, input), c.name).toBe(true);
      }
    }
  });

  it('QUANTIZE float32 -> int8: rounding ties, out-of-range values, infinities, NaN (200 models)', () => {
    const r = new Rng(0x5eedf10a);
    for (let i = 0; i < 200; i++) {
      const { c, input } = randomQuantize(r);
      expect(sameOutput(r, c, true, input), c.name).toBe(true);
    }
  });
});
