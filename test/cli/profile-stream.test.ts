/**
 * `run` and `profile` on a stream (issue 15): inputs holding several frames invoke the model once
 * per frame, the state kept between invocations (--reset-state: reset before each), with outputs,
 * comparison and exports per invocation. The model is the SVDF stream of test/helpers/stream-models.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firmwareDir } from '../../src-main/services/board/firmware.ts';
import { cli } from '../helpers/cli.ts';
import { SVDF_FRAMES, svdfStreamBytes, svdfStreamExpected } from '../helpers/stream-models.ts';

/** A little-endian int8 .npy of `shape`. */
function npyInt8(shape: number[], data: number[]): Uint8Array {
  let header = `{'descr': '|i1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64) header += ' ';
  header += '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  head.set(new TextEncoder().encode(header), 10);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(Uint8Array.from(Int8Array.from(data)), head.length);
  return out;
}

let dir: string;
let modelPath: string;
let framesNpy: string;
let framesBin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qs-stream-cli-'));
  modelPath = join(dir, 'svdf_stream.tflite');
  writeFileSync(modelPath, svdfStreamBytes());
  framesNpy = join(dir, 'frames.npy');
  writeFileSync(framesNpy, npyInt8([10, 1, 2], SVDF_FRAMES.flat()));
  framesBin = join(dir, 'frames.bin');
  writeFileSync(framesBin, Uint8Array.from(Int8Array.from(SVDF_FRAMES.flat())));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run: a stream on the host simulator', () => {
  it('an .npy of [10, ...input shape] is 10 invocations, the state kept: outputs as TFLM updates it', async () => {
    // rule: a leading frame axis makes a stream; outputs per invocation follow SVDF's state update
    const r = await cli('run', modelPath, '--input', framesNpy, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.invocations.map((i: { invocation: number }) => i.invocation)).toEqual([...Array(10).keys()]);
    const outs = doc.invocations.map(
      (i: { outputs: { top_k: { value: number }[] }[] }) => i.outputs[0].top_k[0].value,
    );
    expect(outs).toEqual(svdfStreamExpected(SVDF_FRAMES));
  });

  it('--reset-state and 10 repeated --input files: every frame from the reset state', async () => {
    // rule: k files for a one-input model are k frames; --reset-state resets before each
    const files = SVDF_FRAMES.map((x, k) => {
      const p = join(dir, `f${k}.npy`);
      writeFileSync(p, npyInt8([1, 2], x));
      return p;
    });
    const r = await cli('run', modelPath, '--input', ...files, '--reset-state', '--json');
    expect(r.code, r.err).toBe(0);
    const outs = JSON.parse(r.out).invocations.map(
      (i: { outputs: { top_k: { value: number }[] }[] }) => i.outputs[0].top_k[0].value,
    );
    expect(outs).toEqual(svdfStreamExpected(SVDF_FRAMES, true));
  });

  it('a one-frame run is unchanged (no invocations key); --repeat on a stream is refused clearly', async () => {
    // rule: one-frame runs keep their output format; timing a stream is a usage error, not a crash
    const one = join(dir, 'one.npy');
    writeFileSync(one, npyInt8([1, 2], [1, -1]));
    const r = await cli('run', modelPath, '--input', one, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).invocations).toBeUndefined();
    const bad = await cli('run', modelPath, '--input', framesNpy, '--repeat', '3');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--repeat times one invocation; the inputs hold a stream of 10 frames/);
  });
});

describe('profile: a stream on a board that drops its state', () => {
  let dropstate: string;
  beforeAll(async () => {
    await promisify(execFile)('make', ['-s', '-C', firmwareDir(), 'host-dropstate'], { timeout: 300_000 });
    dropstate = join(firmwareDir(), 'build', 'host-dropstate', 'qs-board');
  }, 300_000);

  it('names the first divergence (invocation 1, layer 0); JSON, CSV and HTML carry the invocation', async () => {
    // rule (issue 15): the comparison steps through invocations and names where host and board
    // first diverge; exports carry an `invocation` index
    const out = ['r.json', 'r.csv', 'r.html'].map((f) => join(dir, f));
    const r = await cli(
      'profile',
      modelPath,
      '--board',
      'virtual',
      '--firmware',
      dropstate,
      '--input',
      framesBin,
      '--out',
      ...out,
      '--fail-on-mismatch',
      '--force',
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /stream of 10 invocations \(state kept between them\): first divergence at invocation 1, layer 0 \(SVDF\)/,
    );
    expect(r.err).toMatch(/in invocation 1 of 10 \(the first that differs\); first divergent layer 0 \(SVDF/);
    const json = JSON.parse(readFileSync(out[0], 'utf8'));
    expect(json.invocation).toBe(1);
    expect(json.stream.first_divergence).toEqual({ invocation: 1, layer: 0, op: 'SVDF' });
    expect(json.stream.runs.map((x: { invocation: number }) => x.invocation)).toEqual([...Array(10).keys()]);
    expect(json.stream.runs[0].summary.all_match).toBe(true);
    const csv = readFileSync(out[1], 'utf8').trim().split('\r\n');
    expect(csv[0].startsWith('invocation,index,op')).toBe(true);
    expect(csv.length).toBe(1 + 10 * 2); // input row + SVDF row per invocation
    expect(csv.filter((l) => l.startsWith('1,0,SVDF'))[0]).toMatch(/mismatch/);
    expect(readFileSync(out[2], 'utf8')).toMatch(/First divergence: invocation 1, layer 0 \(SVDF\)/);
  }, 120_000);

  it('compare reads a stream dump: run --dump matches itself, the board dump parts at invocation 1', async () => {
    // rule: `quantscope compare` steps through a stream dump's invocations against the host's
    // stream; a host dump agrees everywhere, the drop-state board's names invocation 1, layer 0
    const hostDump = join(dir, 'host-stream.json');
    expect((await cli('run', modelPath, '--input', framesNpy, '--dump', hostDump, '--force')).code).toBe(0);
    const same = await cli('compare', modelPath, hostDump);
    expect(same.code, same.err).toBe(0);
    expect(same.out).toMatch(/stream of 10 invocations: every invocation matches/);
    const boardDump = join(dir, 'board-stream.json');
    const p = await cli(
      'profile',
      modelPath,
      '--board',
      'virtual',
      '--firmware',
      dropstate,
      '--input',
      framesBin,
      '--dump',
      boardDump,
      '--force',
    );
    expect(p.code, p.err).toBe(0);
    expect(JSON.parse(readFileSync(boardDump, 'utf8')).invocations).toHaveLength(10);
    const diff = await cli('compare', modelPath, boardDump, '--fail-on', 'mismatch');
    expect(diff.code).toBe(4);
    expect(diff.out).toMatch(/first divergence at invocation 1, layer 0 \(SVDF\); invocation 1:/);
  }, 120_000);

  it('--reset-state on the same board: every invocation matches', async () => {
    // rule: reset before every frame on both sides makes the stream stateless: no divergence
    const r = await cli(
      'profile',
      modelPath,
      '--board',
      'virtual',
      '--firmware',
      dropstate,
      '--input',
      framesBin,
      '--reset-state',
      '--fail-on-mismatch',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/stream of 10 invocations \(state reset before each\): every invocation matches/);
  }, 120_000);
});

describe('profile: a stream on the emulated Cortex-M3 (QEMU mps2-an385)', () => {
  it('every invocation matches the host: the int8-only firmware keeps the SVDF state too', async () => {
    // rule (issue 15: QEMU where it fits): the same stream protocol on the Cortex-M firmware
    const r = await cli(
      'profile',
      modelPath,
      '--board',
      'qemu',
      '--input',
      framesBin,
      '--json',
      '--fail-on-mismatch',
    );
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.stream.invocations).toBe(10);
    expect(json.stream.first_divergence).toBeNull();
  }, 300_000);
});
