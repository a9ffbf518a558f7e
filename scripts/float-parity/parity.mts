/**
 * One-off check (not a test): run float32 models through BOTH the TypeScript simulator
 * (src-main/core/simulate/interpreter.ts, its TypeScript kernels) and the native C core, on the
 * same deterministic inputs, and compare every op output bit for bit.
 *
 *   node --import tsx scripts/float-parity/parity.mts [EXTRA_MODEL.tflite ...]
 *
 * Models: the float32 fixtures (float/*.float32.tflite, hello_world_float, kws_cnn_float32, the
 * sine_float field model), the float IR models the quantizer builds from float/*.h5 (written
 * with writeTflite), plus any extra .tflite given (e.g. the one-op models the C float tests dump
 * with QS_DUMP_SEEDS). QS_TS_SIM=DIR points at another copy of src-main (e.g. one extracted with
 * `git archive` once the TypeScript kernels are gone from the working tree).
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

const work = mkdtempSync(join(tmpdir(), 'qs-float-parity-'));
const driver = join(work, 'core-dump');
const coreSrc = readdirSync(join(ROOT, 'firmware/core/src'))
  .filter((f) => f.endsWith('.c'))
  .map((f) => join(ROOT, 'firmware/core/src', f));
execFileSync('cc', [
  '-std=c99', '-O2', '-ffp-contract=off', '-Wall', '-Wextra', '-Werror',
  `-I${join(ROOT, 'firmware/core/include')}`, '-o', driver,
  join(ROOT, 'scripts/float-parity/core-dump.c'), join(ROOT, 'firmware/tests/port_test.c'), ...coreSrc, '-lm',
], { stdio: 'inherit' });

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
 * 2 wide: uniform [-8, 8) times a random power of two in [2^-6, 2^6]. */
function fill(kind: number, seed: number, data: ArrayLike<number> & { length: number }): void {
  const next = stream(seed);
  const out = data as unknown as number[];
  for (let i = 0; i < data.length; i++) {
    const r = next();
    if (data instanceof Float32Array) {
      if (kind === 0) out[i] = ((r & 0xff) - 128) / 128;
      else if (kind === 1) out[i] = (r >>> 8) / 2 ** 23 - 1;
      else out[i] = ((r >>> 8) / 2 ** 23 - 1) * 8 * 2 ** ((next() % 13) - 6);
    } else if (data instanceof Int8Array) out[i] = (r & 0xff) - 128;
    else out[i] = r & 0xff;
  }
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
  const path = join(work, 'model.tflite');
  writeFileSync(path, bytes);
  const pm = prepare(model);
  const res: Result = { model: name, ops: 0, identical: 0, diffs: [] };
  for (let s = 0; s < samples; s++) {
    const inputs = sg.inputs.map((ti: number, k: number) => {
      const t = sg.tensors[ti];
      const d = allocate(t.dtype, elementCount(t.shape));
      fill(s % 3, 1 + s * 7919 + k * 104729, d);
      return d;
    });
    const ts = invoke(pm, inputs, { taps: true });
    const inPath = join(work, 'in.bin');
    const outPath = join(work, 'out.bin');
    writeFileSync(
      inPath,
      Buffer.concat(inputs.map((d: ArrayBufferView) => Buffer.from(d.buffer, d.byteOffset, d.byteLength))),
    );
    try {
      execFileSync(driver, [path, inPath, outPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    } catch (e) {
      const err = e as { status?: number; stdout?: Buffer };
      if (err.status === 3) {
        res.refused = String(err.stdout).trim();
        return res;
      }
      throw e;
    }
    const dump = readFileSync(outPath);
    let off = 0;
    for (const layer of ts.layers) {
      const op = dump.readInt32LE(off);
      const tensor = dump.readInt32LE(off + 4);
      const len = dump.readUInt32LE(off + 8);
      const c = dump.subarray(off + 12, off + 12 + len);
      off += 12 + len;
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
  if (f.endsWith('.float32.tflite') || f === 'hello_world_float.tflite') models.push(file(join(FIX, 'float', f)));
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
for (const p of process.argv.slice(2)) models.push(file(p));

let ops = 0;
let same = 0;
let refused = 0;
for (const m of models) {
  const r = runModel(m.name, await m.bytes(), 6);
  ops += r.ops;
  same += r.identical;
  if (r.refused) {
    refused++;
    console.log(`REFUSED ${m.name}: ${r.refused}`);
    continue;
  }
  console.log(`${r.identical === r.ops ? 'ok  ' : 'DIFF'} ${m.name}: ${r.identical}/${r.ops} op outputs bit-identical`);
  for (const d of r.diffs.slice(0, 8)) console.log(`     ${d}`);
}
console.log(`float parity: ${same}/${ops} op outputs bit-identical over ${models.length} models` +
  (refused ? `, ${refused} refused by the core` : ''));
process.exit(same === ops && refused === 0 ? 0 : 1);
