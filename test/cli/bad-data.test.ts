/**
 * Bad data through the CLI (issue 14): NaN/±Inf, wrong dtype, wrong shape, empty and oversized
 * arrays in representative data (`quantize`, `report`) and in input files (`run`, `profile`).
 * Each is one message naming the file and the first bad element, exit 1, and nothing is written.
 * `profile` checks its inputs before any board work: with a port that does not exist, the data
 * error (not the port's) is what the user sees.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const INT8 = fixturePath('models', 'hello_world_int8.tflite'); // input int8[1x1]
const FLOAT = fixturePath('float', 'hello_world_float.tflite'); // input float32[1x1]

/** A version 1.0 .npy with a raw payload (header padded to 64 bytes as NumPy writes it). */
function npy(descr: string, shape: number[], payload: Uint8Array): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  return Buffer.concat([
    Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]),
    Buffer.from(header, 'latin1'),
    payload,
  ]);
}

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

let dir: string;
const file = (name: string, bytes: Buffer | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-bad-data-'));
});

/** Representative data for hello_world (one value per sample) and the message each must give. */
const CALIBRATION: [string, () => string, string][] = [
  [
    'NaN in a .npy',
    () => file('nan.npy', npy('<f4', [5, 1], f32([0.1, 0.2, 0.3, NaN, 0.5]))),
    'nan.npy: element [3, 0] (flat index 3) is NaN: representative data must be finite numbers',
  ],
  [
    '+Inf in a .npy',
    () => file('inf.npy', npy('<f4', [3, 1], f32([Infinity, 1, 2]))),
    'inf.npy: element [0, 0] (flat index 0) is Infinity',
  ],
  [
    'float64 beyond float32 in a .npy',
    () => file('big.npy', npy('<f8', [2, 1], new Uint8Array(Float64Array.of(1, -1e300).buffer))),
    'big.npy: element [1, 0] (flat index 1) is -1e+300, beyond the float32 range',
  ],
  [
    '-inf in a CSV',
    () => file('inf.csv', '0.5\n1.5\n-inf\n'),
    "inf.csv line 3, column 1: '-inf' is not a finite number",
  ],
  [
    'NaN in a CSV',
    () => file('nan.csv', 'x\n0.5\nNaN\n'),
    "nan.csv line 3, column 1: 'NaN' is not a finite number",
  ],
  [
    'a dtype NumPy has but we do not read',
    () => file('complex.npy', npy('<c8', [2, 1], new Uint8Array(16))),
    "complex.npy: dtype '<c8' is not supported",
  ],
  [
    'big-endian floats',
    () => file('be.npy', npy('>f4', [2, 1], new Uint8Array(8))),
    "be.npy: dtype '>f4' is not supported",
  ],
  [
    'the wrong shape',
    () => file('shape.npy', npy('<f4', [2, 3], f32([1, 2, 3, 4, 5, 6]))),
    'shape.npy: shape [2,3] is not N × [1]',
  ],
  ['an empty array', () => file('empty.npy', npy('<f4', [0, 1], new Uint8Array(0))), 'empty.npy: no samples'],
  ['an empty file', () => file('empty.csv', ''), 'empty.csv: the file is empty'],
  ['a CSV with a header only', () => file('header.csv', 'x\n'), 'header.csv: no samples'],
  [
    'a header promising more data than the file holds',
    () => file('huge.npy', npy('<f4', [1_000_000_000, 1], f32([1, 2]))),
    'huge.npy: shape (1000000000,1) needs 4000000000 data bytes, file has 8',
  ],
];

describe('quantize: bad representative data is refused, nothing is written', () => {
  it.each(CALIBRATION)('%s', async (_name, make, message) => {
    const data = make();
    const out = join(dir, 'q.int8.tflite');
    const report = join(dir, 'q.csv');
    const r = await cli('quantize', FLOAT, '--data', data, '--out', out, '--report', report, '--quiet');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toHaveLength(2); // one line
    expect(r.err).toContain(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(report)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a folder of .npy samples names the file holding the NaN', async () => {
    const folder = join(dir, 'samples');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.npy'), npy('<f4', [1], f32([0.5])));
    writeFileSync(join(folder, 'b.npy'), npy('<f4', [1], f32([NaN])));
    const out = join(dir, 'folder.int8.tflite');
    const r = await cli('quantize', FLOAT, '--data', folder, '--out', out, '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain('b.npy: element [0] (flat index 0) is NaN');
    expect(existsSync(out)).toBe(false);
  });
});

describe('quantize: data too big or empty is refused before it is read', () => {
  it('a data file over 512 MiB (sparse here: no disk used) and an empty file', async () => {
    const big = file('big-data.npy', '');
    truncateSync(big, 513 * 1024 * 1024);
    const out = join(dir, 'big.int8.tflite');
    const r = await cli('quantize', FLOAT, '--data', big, '--out', out, '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `quantscope: ${big}: 513.0 MiB of data; representative data is read into memory, at most 512.0 MiB (use fewer or smaller files)\n`,
    );
    const empty = await cli('quantize', FLOAT, '--data', file('zero.npy', ''), '--out', out, '--quiet');
    expect(empty.err).toBe(`quantscope: ${join(dir, 'zero.npy')}: the file is empty\n`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('report: bad representative data is refused, no report is written', () => {
  it.each(CALIBRATION.filter(([name]) => /NaN|Inf|empty array/.test(name)))(
    '%s',
    async (_name, make, message) => {
      const data = make();
      const out = join(dir, 'report.html');
      const r = await cli('report', INT8, '--float', FLOAT, '--data', data, '--out', out, '--quiet');
      expect(r.code).toBe(1);
      expect(r.err).toContain(message);
      expect(existsSync(out)).toBe(false);
    },
  );
});

/** Input files for hello_world_int8 (int8[1x1]) and the message each must give. */
const INPUTS: [string, () => string, string][] = [
  [
    'NaN',
    () => file('in-nan.npy', npy('<f4', [1], f32([NaN]))),
    'in-nan.npy: element 0 is NaN (inputs must be finite numbers)',
  ],
  [
    '-Inf',
    () => file('in-inf.npy', npy('<f4', [1, 1], f32([-Infinity]))),
    'in-inf.npy: element 0 is -Infinity',
  ],
  [
    'the wrong shape',
    () => file('in-shape.npy', npy('<f4', [2], f32([1, 2]))),
    "in-shape.npy: shape (2) does not fit input 'serving_default_dense_input:0' of shape [1,1]",
  ],
  [
    'the wrong integer dtype',
    () => file('in-i16.npy', npy('<i2', [1], new Uint8Array(2))),
    "in-i16.npy: int16 data cannot feed input 'serving_default_dense_input:0' of type int8",
  ],
  [
    'an empty array',
    () => file('in-empty.npy', npy('<f4', [0], new Uint8Array(0))),
    'in-empty.npy: shape (0) does not fit input',
  ],
];

describe('run: bad input files are refused, no dump is written', () => {
  it.each(INPUTS)('%s', async (_name, make, message) => {
    const dump = join(dir, 'run-dump.json');
    const r = await cli('run', INT8, '--input', make(), '--dump', dump);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.startsWith(`quantscope: ${message}`)).toBe(true);
    expect(r.err.split('\n')).toHaveLength(2); // one line
    expect(existsSync(dump)).toBe(false);
  });
});

describe('run: a raw .bin for a float32 input is checked too', () => {
  it('NaN bytes in a .bin are named by element and byte', async () => {
    const bin = file('in.bin', Buffer.from(f32([NaN])));
    const r = await cli('run', FLOAT, '--input', bin);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "quantscope: in.bin: element 0 of input 'serving_default_dense_input:0' (byte 0) is NaN (inputs must be finite numbers)\n",
    );
  });
});

describe('profile: bad input files are refused before any board work', () => {
  it.each(INPUTS)('%s', async (_name, make, message) => {
    const out = join(dir, 'profile.json');
    // the port does not exist: opening it would fail with a different message
    const r = await cli('profile', INT8, '--board', '/nonexistent/tty', '--input', make(), '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/tty|serial|port/i);
    expect(existsSync(out)).toBe(false);
  });
});
