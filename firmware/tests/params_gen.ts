/**
 * Test data for the C parameter/normalization tests, made with the HOST code (so the C tests check
 * the firmware against the TypeScript definition byte for byte):
 *   all_types.bin        an SL_PARAMSv1 dictionary with every value type (encodeParameters)
 *   rescale_model.tflite image_example1 (int8 input) with samplewise_norm.rescale = 1/255 (float)
 *   norm_cases.bin       raw samples + the host's normalized tensor for many dtype/target cases
 * Usage: node --import tsx firmware/tests/params_gen.ts FIXTURES OUTDIR
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeParameters, readTflite, withParameters, writeTflite } from '../../src-main/core/model/index.ts';
import { normalizeRaw, RAW_DTYPE_CODE, RAW_DTYPE_SIZE, type RawDtype } from '../../src-main/core/normalize/normalize.ts';
import { normCases } from './params_cases.ts';

const [fixtures, out] = process.argv.slice(2);
if (!fixtures || !out) throw new Error('usage: params_gen.ts FIXTURES OUTDIR');
mkdirSync(out, { recursive: true });

writeFileSync(
  join(out, 'all_types.bin'),
  encodeParameters({
    b: { type: 'bool', value: true },
    i8: { type: 'int8', value: -128 },
    u8: { type: 'uint8', value: 255 },
    i16: { type: 'int16', value: -32768 },
    u16: { type: 'uint16', value: 65535 },
    i32: { type: 'int32', value: -2147483648 },
    u32: { type: 'uint32', value: 4294967295 },
    i64: { type: 'int64', value: -1234567890123 },
    u64: { type: 'uint64', value: 2 ** 40 },
    f: { type: 'float', value: 0.1 },
    d: { type: 'double', value: 0.1 },
    s: { type: 'str', value: 'héllo' },
    sl: { type: 'str_list', value: ['a', '', 'ccc'] },
    il: { type: 'int32_list', value: [1, -2, 2147483647] },
    fl: { type: 'float_list', value: [0.5, -1e30, 3] },
    bin: { type: 'bin', value: new Uint8Array([0, 1, 254, 255]) },
    dup: { type: 'uint8', value: 1 },
    empty_s: { type: 'str', value: '' },
  }),
);

const base = readTflite(new Uint8Array(readFileSync(join(fixtures, 'models/image_example1.tflite'))));
const { ['samplewise_norm.mean']: _m, ['samplewise_norm.std']: _s, ...kept } = base.parameters;
const rescaled = withParameters(base, { ...kept, 'samplewise_norm.rescale': { type: 'float', value: 1 / 255 } });
writeFileSync(join(out, 'rescale_model.tflite'), writeTflite(rescaled));

// Case record (little-endian): raw_dtype:u8 target:u8 mean_and_std:u8 pad:u8 rescale:f32 scale:f32
// zp:i32 n:u32 raw[n*size] expected[n*(4|1)]
const parts: Uint8Array[] = [];
const cases = normCases();
const head = new DataView(new ArrayBuffer(4));
head.setUint32(0, cases.length, true);
parts.push(new Uint8Array(head.buffer));
for (const c of cases) {
  const size = RAW_DTYPE_SIZE[c.dtype as RawDtype];
  const expected = normalizeRaw(c.raw, c.norm, c.target);
  const h = new DataView(new ArrayBuffer(20));
  h.setUint8(0, RAW_DTYPE_CODE[c.dtype]);
  h.setUint8(1, c.target.dtype === 'float32' ? 0 : 9);
  h.setUint8(2, c.norm.meanAndStd ? 1 : 0);
  h.setFloat32(4, c.norm.rescale, true);
  h.setFloat32(8, c.target.scale ?? 0, true);
  h.setInt32(12, c.target.zeroPoint ?? 0, true);
  h.setUint32(16, c.raw.length, true);
  parts.push(new Uint8Array(h.buffer), new Uint8Array(c.raw.buffer, c.raw.byteOffset, c.raw.length * size));
  parts.push(new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength));
}
writeFileSync(join(out, 'norm_cases.bin'), Buffer.concat(parts));
console.log(`params_gen: ${cases.length} normalization cases, rescale model ${rescaled.buffers.length} buffers`);
