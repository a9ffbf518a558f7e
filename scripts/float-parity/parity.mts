/**
 * One-off check (not a test): run float32 models through BOTH the TypeScript simulator
 * (src-main/core/simulate/interpreter.ts, its TypeScript kernels) and the native C core, on the
 * same deterministic inputs, and compare every op output bit for bit.
 *
 *   node --import tsx scripts/float-parity/parity.mts [--wasm] [EXTRA_MODEL.tflite ...]
 *
 * Models: the float32 fixtures (float/*.float32.tflite, hello_world_float, kws_cnn_float32, the
 * sine_float field model), the float IR models the quantizer builds from float/*.h5 (written
 * with writeTflite), plus any extra .tflite given (e.g. the one-op models the C float tests dump
 * with QS_DUMP_SEEDS). QS_TS_SIM=DIR points at another copy of src-main (e.g. one extracted with
 * `git archive` once the TypeScript kernels are gone from the working tree). --wasm: the core
 * built to WebAssembly from the working tree (scripts/build-core-wasm.sh, wasi-libc's exp/tanh)
 * and driven by core-interpreter.ts, instead of the native build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = resolve(process.env.QS_TS_SIM ?? join(ROOT, 'src-main'));
const FIX = resolve(process.env.QS_FIXTURES ?? join(ROOT, '../shared/fixtures'));
const { readTflite } = await import(join(SRC, 'core/model/tflite-reader.ts'));
const { writeTflite } = await import(join(SRC, 'core/model/tflite-writer.ts'));
const { readKerasH5 } = await import(join(SRC, 'core/model/keras/h5.ts'));
const { kerasToTflite } = await import(join(SRC, 'core/model/keras/to-tflite.ts'));
const { prepare, invoke } = await import(join(SRC, 'core/simulate/interpreter.ts'));
const { allocate, elementCount } = await import(join(SRC, 'core/simulate/tensor-data.ts'));
const { IrBuilder } = await import(join(SRC, 'core/model/keras/ir-builder.ts'));

const args = process.argv.slice(2);
const useWasm = args[0] === '--wasm';
if (useWasm) args.shift();
const work = mkdtempSync(join(tmpdir(), 'qs-float-parity-'));
const driver = join(work, 'core-dump');
const coreSrc = readdirSync(join(ROOT, 'firmware/core/src'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => join(ROOT, 'firmware/core/src', f));
execFileSync(
  'cc',
  [
    '-std=c99',
    '-O2',
    '-ffp-contract=off',
    '-Wall',
    '-Wextra',
    '-Werror',
    `-I${join(ROOT, 'firmware/core/include')}`,
    '-o',
    driver,
    join(ROOT, 'scripts/float-parity/core-dump.c'),
    join(ROOT, 'firmware/tests/port_test.c'),
    ...coreSrc,
    '-lm',
  ],
  { stdio: 'inherit' },
);

/** xorshift32 stream, as the golden fixtures use. */
function stream(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Sample kinds: 0 golden-style (byte - 128) / 128; 1 uniform [-1, 1) with full mantissas;
 * 2 wide: uniform [-8, 8) times a random power of two in [2^-6, 2^6]; 3 like 1 with one value in
 * eight special (NaN, +-inf, +-0, a subnormal, +-2^100). */
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-40, 2 ** 100, -(2 ** 100)];
function fill(kind: number, seed: number, data: ArrayLike<number> & { length: number }): void {
  const next = stream(seed);
  const out = data as unknown as number[];
  for (let i = 0; i < data.length; i++) {
    const r = next();
    if (data instanceof Float32Array) {
      if (kind === 0) out[i] = ((r & 0xff) - 128) / 128;
      else if (kind === 1) out[i] = (r >>> 8) / 2 ** 23 - 1;
      else if (kind === 3)
        out[i] = r % 8 === 0 ? SPECIALS[(r >>> 3) % SPECIALS.length] : (r >>> 8) / 2 ** 23 - 1;
      else out[i] = ((r >>> 8) / 2 ** 23 - 1) * 8 * 2 ** ((next() % 13) - 6);
    } else if (data instanceof Int8Array) out[i] = (r & 0xff) - 128;
    else out[i] = r & 0xff;
  }
}

/** One-op float models for the ops and options the fixtures do not use (random constants). */
function synthetic(): [string, () => unknown][] {
  let seed = 12345;
  const rand = (n: number, scale = 1) => {
    const next = stream(seed++);
    return Float32Array.from({ length: n }, () => ((next() >>> 8) / 2 ** 23 - 1) * scale);
  };
  const n = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  type Opt = Record<string, string | number | boolean>;
  /** op over graph inputs (activations) and constants (random), one output */
  const one =
    (
      op: string,
      ins: (number[] | { c: number[] | Float32Array | Int32Array; shape: number[] })[],
      out: number[],
      options: Opt,
      outType = 'float32',
    ) =>
    () => {
      const b = new IrBuilder();
      const inputs: number[] = [];
      const graphIn: number[] = [];
      ins.forEach((x, i) => {
        if (Array.isArray(x)) {
          const t = b.activation(`in${i}`, x);
          inputs.push(t);
          graphIn.push(t);
        } else {
          const v = Array.isArray(x.c) ? rand(n(x.c as number[])) : x.c;
          inputs.push(b.constant(`c${i}`, x.shape, v as Float32Array | Int32Array));
        }
      });
      const y = b.activation('out', out);
      b.tensors[y].dtype = outType;
      b.op(op, inputs, [y], options);
      return b.build('main', graphIn, [y], `synthetic ${op}`);
    };
  const w = (shape: number[]) => ({ c: shape, shape });
  const conv = (pad: string, sh: number, dil: number, act: string) => ({
    padding: pad,
    stride_w: sh,
    stride_h: sh,
    dilation_w_factor: dil,
    dilation_h_factor: dil,
    fused_activation_function: act,
  });
  const pool = (pad: string, f: number, st: number, act: string) => ({
    padding: pad,
    filter_width: f,
    filter_height: f,
    stride_w: st,
    stride_h: st,
    fused_activation_function: act,
  });
  const axes = (v: number[]) => ({ c: Int32Array.from(v), shape: [v.length] });
  const f32c = (v: number[]) => ({ c: Float32Array.from(v), shape: [] as number[] });
  return [
    // data movement (bytes only, but float32 must be accepted with 4-byte elements)
    [
      'pad',
      one(
        'PAD',
        [[1, 3, 3, 2], { c: Int32Array.from([0, 0, 1, 2, 2, 0, 0, 1]), shape: [4, 2] }],
        [1, 6, 5, 3],
        {},
      ),
    ],
    [
      'padv2 -1.5',
      one('PADV2', [[2, 3], { c: Int32Array.from([1, 0, 0, 2]), shape: [2, 2] }, f32c([-1.5])], [3, 5], {}),
    ],
    [
      'concatenation axis 1',
      one(
        'CONCATENATION',
        [
          [2, 3, 2],
          [2, 1, 2],
          [2, 2, 2],
        ],
        [2, 6, 2],
        { axis: 1, fused_activation_function: 'NONE' },
      ),
    ],
    [
      'pack axis 1',
      one(
        'PACK',
        [
          [3, 2],
          [3, 2],
        ],
        [3, 2, 2],
        { values_count: 2, axis: 1 },
      ),
    ],
    ['transpose', one('TRANSPOSE', [[2, 3, 4], axes([2, 0, 1])], [4, 2, 3], {})],
    [
      'strided_slice',
      one('STRIDED_SLICE', [[4, 6], axes([1, 5]), axes([4, 0]), axes([2, -2])], [2, 3], {
        begin_mask: 0,
        end_mask: 0,
        ellipsis_mask: 0,
        new_axis_mask: 0,
        shrink_axis_mask: 0,
        offset: false,
      }),
    ],
    [
      'resize_nearest half-pixel',
      one('RESIZE_NEAREST_NEIGHBOR', [[1, 3, 3, 2], axes([5, 7])], [1, 5, 7, 2], {
        align_corners: false,
        half_pixel_centers: true,
      }),
    ],
    ['reshape', one('RESHAPE', [[2, 6], axes([3, 4])], [3, 4], { new_shape: [3, 4] })],
    ['squeeze', one('SQUEEZE', [[1, 5, 1, 2]], [5, 2], { squeeze_dims: [0, 2] })],
    ['expand_dims', one('EXPAND_DIMS', [[5, 2], axes([1])], [5, 1, 2], {})],
    ['arg_max axis 1', one('ARG_MAX', [[3, 17], axes([1])], [3], { output_type: 'INT32' }, 'int32')],
    ['shape', one('SHAPE', [[2, 7, 3]], [3], { out_type: 'INT32' }, 'int32')],
    // float kernels
    [
      'conv SAME s2 bias RELU6',
      one('CONV_2D', [[1, 9, 9, 5], w([7, 3, 3, 5]), w([7])], [1, 5, 5, 7], conv('SAME', 2, 1, 'RELU6')),
    ],
    [
      'conv VALID dil2 batch2',
      one('CONV_2D', [[2, 8, 8, 3], w([4, 3, 3, 3])], [2, 4, 4, 4], conv('VALID', 1, 2, 'NONE')),
    ],
    [
      'conv 1x1 wide k',
      one('CONV_2D', [[1, 4, 4, 300], w([5, 1, 1, 300]), w([5])], [1, 4, 4, 5], conv('VALID', 1, 1, 'RELU')),
    ],
    [
      'depthwise SAME bias RELU',
      one('DEPTHWISE_CONV_2D', [[1, 8, 8, 6], w([1, 3, 3, 6]), w([6])], [1, 8, 8, 6], {
        ...conv('SAME', 1, 1, 'RELU'),
        depth_multiplier: 1,
      }),
    ],
    [
      'depthwise m2 s2 dil2',
      one('DEPTHWISE_CONV_2D', [[1, 9, 9, 3], w([1, 3, 3, 6]), w([6])], [1, 3, 3, 6], {
        ...conv('VALID', 2, 2, 'NONE'),
        depth_multiplier: 2,
      }),
    ],
    [
      'depthwise SAME s2 m4',
      one('DEPTHWISE_CONV_2D', [[1, 7, 7, 2], w([1, 5, 5, 8])], [1, 4, 4, 8], {
        ...conv('SAME', 2, 1, 'RELU_N1_TO_1'),
        depth_multiplier: 4,
      }),
    ],
    [
      'fully_connected batch3',
      one('FULLY_CONNECTED', [[3, 20], w([7, 20]), w([7])], [3, 7], {
        fused_activation_function: 'RELU_N1_TO_1',
      }),
    ],
    [
      'fully_connected k=1000',
      one('FULLY_CONNECTED', [[1, 1000], w([9, 1000])], [1, 9], { fused_activation_function: 'NONE' }),
    ],
    [
      'average_pool SAME 3x3 s2 RELU',
      one('AVERAGE_POOL_2D', [[1, 9, 9, 4]], [1, 5, 5, 4], pool('SAME', 3, 2, 'RELU')),
    ],
    [
      'average_pool VALID 4x4',
      one('AVERAGE_POOL_2D', [[2, 8, 8, 3]], [2, 2, 2, 3], pool('VALID', 4, 4, 'NONE')),
    ],
    ['max_pool SAME 2x2 s2', one('MAX_POOL_2D', [[1, 7, 7, 3]], [1, 4, 4, 3], pool('SAME', 2, 2, 'RELU6'))],
    [
      'add broadcast const RELU',
      one('ADD', [[1, 4, 4, 3], w([3])], [1, 4, 4, 3], { fused_activation_function: 'RELU' }),
    ],
    [
      'sub broadcast both',
      one(
        'SUB',
        [
          [2, 1, 3],
          [4, 1],
        ],
        [2, 4, 3],
        { fused_activation_function: 'NONE' },
      ),
    ],
    [
      'mul same shape RELU6',
      one(
        'MUL',
        [
          [1, 5, 5, 2],
          [1, 5, 5, 2],
        ],
        [1, 5, 5, 2],
        { fused_activation_function: 'RELU6' },
      ),
    ],
    [
      'add same shape',
      one(
        'ADD',
        [
          [3, 33],
          [3, 33],
        ],
        [3, 33],
        { fused_activation_function: 'NONE' },
      ),
    ],
    ['relu', one('RELU', [[1, 257]], [1, 257], {})],
    ['relu6', one('RELU6', [[1, 257]], [1, 257], {})],
    ['leaky_relu 0.2', one('LEAKY_RELU', [[1, 257]], [1, 257], { alpha: 0.2 })],
    ['tanh', one('TANH', [[1, 257]], [1, 257], {})],
    ['logistic', one('LOGISTIC', [[1, 257]], [1, 257], {})],
    ['hard_swish', one('HARD_SWISH', [[1, 257]], [1, 257], {})],
    ['tanh 64k', one('TANH', [[1, 65536]], [1, 65536], {})],
    ['logistic 64k', one('LOGISTIC', [[1, 65536]], [1, 65536], {})],
    ['softmax 64x1024', one('SOFTMAX', [[64, 1024]], [64, 1024], { beta: 1 })],
    ['softmax beta 1', one('SOFTMAX', [[4, 10]], [4, 10], { beta: 1 })],
    ['softmax beta 0.5 wide', one('SOFTMAX', [[2, 1000]], [2, 1000], { beta: 0.5 })],
    ['mean axes 1,2 keep', one('MEAN', [[1, 6, 6, 4], axes([1, 2])], [1, 1, 1, 4], { keep_dims: true })],
    ['mean axis -1', one('MEAN', [[2, 3, 4, 5], axes([-1])], [2, 3, 4], { keep_dims: false })],
    ['mean axes 0,2', one('MEAN', [[2, 3, 4, 5], axes([0, 2])], [3, 5], { keep_dims: false })],
  ];
}

interface CoreLayer {
  op: number;
  tensor: number;
  bytes: Buffer;
}

let wasmCore: { prepare: Function; invoke: Function; module: WebAssembly.Module } | null = null;
if (useWasm) {
  const out = join(work, 'qs-core.wasm');
  execFileSync('sh', [join(ROOT, 'scripts/build-core-wasm.sh'), out], { stdio: 'inherit' });
  const ci = await import(join(SRC, 'core/simulate/core-interpreter.ts'));
  wasmCore = { prepare: ci.prepare, invoke: ci.invoke, module: new WebAssembly.Module(readFileSync(out)) };
}

/** Every op output of the core (native driver or WebAssembly), or the core's refusal. */
function coreRun(model: unknown, bytes: Uint8Array, inputs: ArrayBufferView[]): CoreLayer[] | string {
  if (wasmCore) {
    let pm;
    try {
      pm = wasmCore.prepare(model, 0, { bytes, core: wasmCore.module });
    } catch (e) {
      return (e as Error).message;
    }
    const r = wasmCore.invoke(pm, inputs, { taps: true });
    return r.layers.map((l: { opIndex: number; tensor: number; data: ArrayBufferView }) => ({
      op: l.opIndex,
      tensor: l.tensor,
      bytes: Buffer.from(l.data.buffer, l.data.byteOffset, l.data.byteLength),
    }));
  }
  const path = join(work, 'model.tflite');
  const inPath = join(work, 'in.bin');
  const outPath = join(work, 'out.bin');
  writeFileSync(path, bytes);
  writeFileSync(inPath, Buffer.concat(inputs.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength))));
  try {
    execFileSync(driver, [path, inPath, outPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer };
    if (err.status === 3) return String(err.stdout).trim();
    throw e;
  }
  const dump = readFileSync(outPath);
  const layers: CoreLayer[] = [];
  for (let off = 0; off < dump.length; ) {
    const len = dump.readUInt32LE(off + 8);
    layers.push({
      op: dump.readInt32LE(off),
      tensor: dump.readInt32LE(off + 4),
      bytes: dump.subarray(off + 12, off + 12 + len),
    });
    off += 12 + len;
  }
  return layers;
}

interface Result {
  model: string;
  ops: number;
  identical: number;
  refused?: string;
  diffs: string[];
}

function runModel(name: string, bytes: Uint8Array, samples: number): Result {
  const model = readTflite(bytes);
  const sg = model.subgraphs[0];
  const pm = prepare(model);
  const res: Result = { model: name, ops: 0, identical: 0, diffs: [] };
  for (let s = 0; s < samples; s++) {
    const inputs = sg.inputs.map((ti: number, k: number) => {
      const t = sg.tensors[ti];
      const d = allocate(t.dtype, elementCount(t.shape));
      fill(s % 4, 1 + s * 7919 + k * 104729, d);
      return d;
    });
    const ts = invoke(pm, inputs, { taps: true });
    const core = coreRun(model, bytes, inputs);
    if (typeof core === 'string') {
      res.refused = core;
      return res;
    }
    for (const [k, layer] of ts.layers.entries()) {
      const { op, tensor, bytes: c } = core[k] ?? { op: -1, tensor: -1, bytes: Buffer.alloc(0) };
      const len = c.length;
      const t = Buffer.from(layer.data.buffer, layer.data.byteOffset, layer.data.byteLength);
      res.ops++;
      if (op !== layer.opIndex || tensor !== layer.tensor) {
        res.diffs.push(`sample ${s} op ${layer.opIndex}: core ran op ${op} tensor ${tensor}`);
        continue;
      }
      if (t.equals(c)) {
        res.identical++;
        continue;
      }
      let n = 0;
      let worst = 0;
      let first = -1;
      if (layer.dtype === 'float32' && len === t.length) {
        const a = new Int32Array(t.buffer.slice(t.byteOffset, t.byteOffset + len));
        const b = new Int32Array(new Uint8Array(c).buffer);
        const fa = new Float32Array(a.buffer);
        const fb = new Float32Array(b.buffer);
        for (let i = 0; i < a.length; i++) {
          if (a[i] === b[i] || (Number.isNaN(fa[i]) && Number.isNaN(fb[i]))) continue;
          if (first < 0) first = i;
          n++;
          worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        if (n === 0) {
          res.identical++; // only NaN payloads differ
          nanOnly++;
          continue;
        }
        res.diffs.push(
          `sample ${s} op ${layer.opIndex} ${layer.op}: ${n}/${a.length} floats differ (max ${worst} ulp), ` +
            `first [${first}] TS ${fa[first]} core ${fb[first]}`,
        );
      } else {
        res.diffs.push(`sample ${s} op ${layer.opIndex} ${layer.op}: ${layer.dtype} bytes differ`);
      }
    }
  }
  return res;
}

const models: { name: string; bytes: () => Promise<Uint8Array> }[] = [];
const file = (p: string) => ({ name: basename(p), bytes: async () => new Uint8Array(readFileSync(p)) });
for (const f of readdirSync(join(FIX, 'float')).sort()) {
  if (f.endsWith('.float32.tflite') || f === 'hello_world_float.tflite')
    models.push(file(join(FIX, 'float', f)));
}
models.push(file(join(FIX, 'keras3/kws_cnn_float32.tflite')));
models.push(file(join(FIX, 'field/models/tensorflow__python_tflite_micro_sine_float.tflite')));
for (const f of readdirSync(join(FIX, 'float')).sort()) {
  if (!f.endsWith('.h5')) continue;
  const p = join(FIX, 'float', f);
  models.push({
    name: `${f} (kerasToTflite)`,
    bytes: async () => writeTflite(kerasToTflite(await readKerasH5(new Uint8Array(readFileSync(p))))),
  });
}
for (const p of args) models.push(file(p));
for (const [name, build] of synthetic())
  models.push({ name: `synthetic ${name}`, bytes: async () => writeTflite(build()) });

let ops = 0;
let same = 0;
let nanOnly = 0; // op outputs counted identical whose only differences are NaN payloads/signs
let refused = 0;
for (const m of models) {
  const r = runModel(m.name, await m.bytes(), 8);
  ops += r.ops;
  same += r.identical;
  if (r.refused) {
    refused++;
    console.log(`REFUSED ${m.name}: ${r.refused}`);
    continue;
  }
  console.log(
    `${r.identical === r.ops ? 'ok  ' : 'DIFF'} ${m.name}: ${r.identical}/${r.ops} op outputs bit-identical`,
  );
  for (const d of r.diffs.slice(0, 8)) console.log(`     ${d}`);
}
console.log(
  `float parity (${useWasm ? 'WebAssembly' : 'native'} core): ${same}/${ops} op outputs bit-identical over ${models.length} models` +
    (refused ? `, ${refused} refused by the core` : '') +
    (nanOnly ? ` (${nanOnly} of them equal up to NaN payload or sign)` : ''),
);
process.exit(same === ops && refused === 0 ? 0 : 1);
