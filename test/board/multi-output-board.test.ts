/**
 * Ops with several outputs on the virtual board (the same core, behind the serial protocol): a
 * board with HELLO feature ALL_OUTPUTS streams every output of an op as one concatenated byte
 * range (PROTOCOL.md §3); the host splits it by the model's tensor sizes and compares each output.
 * A host talking to an older board (no feature bit) asks for the first output only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { FEATURE_ALL_OUTPUTS, type OutputHole } from '../../src-main/core/protocol/messages.ts';
import type { OpSink } from '../../src-main/core/protocol/op-assembly.ts';
import { BoardLink } from '../../src-main/services/board/board-link.ts';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { BoardSession } from '../../src-main/services/board/session.ts';
import { openSerialTransport } from '../../src-main/services/board/transport.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { irModel } from '../helpers/ir-models.ts';

const q: [number, number] = [0.5, -3];

/** SPLIT [2,6] into two [2,3]; UNPACK the second half into two rows; PACK them swapped. */
const splitUnpackPack = () =>
  writeTflite(
    irModel(
      [
        { dtype: 'int32', shape: [], data: Int32Array.of(1) },
        { dtype: 'int8', shape: [2, 6], q },
        { dtype: 'int8', shape: [2, 3], q },
        { dtype: 'int8', shape: [2, 3], q },
        { dtype: 'int8', shape: [3], q },
        { dtype: 'int8', shape: [3], q },
        { dtype: 'int8', shape: [2, 3], q },
      ],
      [
        { op: 'SPLIT', inputs: [0, 1], outputs: [2, 3], options: { num_splits: 2 } },
        { op: 'UNPACK', inputs: [3], outputs: [4, 5], options: { num: 2, axis: 0 } },
        { op: 'PACK', inputs: [5, 4], outputs: [6], options: { values_count: 2, axis: 0 } },
      ],
      [6, 2],
    ),
  );

/** SPLIT [2, 6000] into two [1, 6000] (6000 B each, several stream pieces per output), then ADD them. */
const bigSplit = () =>
  writeTflite(
    irModel(
      [
        { dtype: 'int32', shape: [], data: Int32Array.of(0) },
        { dtype: 'int8', shape: [2, 6000], q },
        { dtype: 'int8', shape: [1, 6000], q },
        { dtype: 'int8', shape: [1, 6000], q },
        { dtype: 'int8', shape: [1, 6000], q },
      ],
      [
        { op: 'SPLIT', inputs: [0, 1], outputs: [2, 3], options: { num_splits: 2 } },
        { op: 'ADD', inputs: [2, 3], outputs: [4] },
      ],
      [4, 3],
    ),
  );

const rows = (r: Awaited<ReturnType<typeof profileAndCompare>>) =>
  r.compare.layers.filter((l) => l.index >= 0).map((l) => [l.index, l.tensor, l.status]);

describe('multi-output ops on the virtual board', () => {
  let vb: VirtualBoard;
  let session: BoardSession;
  beforeAll(async () => {
    vb = await VirtualBoard.start({ transport: 'stdio' });
    session = await vb.connect();
  }, 120_000);
  afterAll(async () => {
    await session?.link.close();
    await vb?.stop();
  });

  // rule (§3 ALL_OUTPUTS): the board streams every output of SPLIT and UNPACK; each is compared
  // with the host's, bit-exact, and none is left 'not-compared'
  it('SPLIT -> UNPACK -> PACK: every output of every op streamed and matching', async () => {
    expect(session.allOutputs).toBe(true);
    const r = await profileAndCompare(session, {
      modelName: 'split-unpack-pack',
      modelBytes: splitUnpackPack(),
      input: { seed: 1 },
    });
    expect(rows(r)).toEqual([
      [0, 2, 'match'],
      [0, 3, 'match'],
      [1, 4, 'match'],
      [1, 5, 'match'],
      [2, 6, 'match'],
    ]);
    expect(r.compare.allMatch).toBe(true);
    // both graph outputs (the PACK and the SPLIT's first output) read back, equal to the host's
    expect(r.compare.outputs.map((o) => [o.tensor, o.rmse])).toEqual([
      [6, 0],
      [2, 0],
    ]);
    // the op's time is counted once (on its first output's row)
    const split = r.compare.layers.filter((l) => l.index === 0);
    expect(split[0].measuredTicks).toBeDefined();
    expect(split[1].measuredTicks).toBeUndefined();
  }, 60_000);

  // rule (§3 compatibility): a host facing a board without the feature bit does not set the flag,
  // the board streams the first output only, and the other outputs are 'not-compared'
  it('as an older board (no ALL_OUTPUTS bit): first outputs only, the rest not compared', async () => {
    const features = session.link.hello.features ?? 0;
    session.link.hello.features = features & ~FEATURE_ALL_OUTPUTS;
    try {
      expect(session.allOutputs).toBe(false);
      const r = await profileAndCompare(session, {
        modelName: 'split-unpack-pack',
        modelBytes: splitUnpackPack(),
        input: { seed: 1 },
      });
      expect(rows(r)).toEqual([
        [0, 2, 'match'],
        [0, 3, 'not-compared'],
        [1, 4, 'match'],
        [1, 5, 'not-compared'],
        [2, 6, 'match'],
      ]);
      expect(r.compare.allMatch).toBe(true);
    } finally {
      session.link.hello.features = features;
    }
  }, 60_000);

  // rule (§3 holes): a hole is a range of the op's concatenated outputs; one inside the second
  // output brings back exactly those bytes of it, one across both outputs the bytes of each
  it('holes in the second output (and across both) re-fetch exactly those bytes', async () => {
    const full = await session.profile(bigSplit(), [
      Uint8Array.from({ length: 12000 }, (_, i) => (i * 7) & 0xff),
    ]);
    const split = full.ops.filter((o) => o.index === 0);
    expect(split.map((o) => [o.tensor, o.data.length])).toEqual([
      [2, 6000],
      [3, 6000],
    ]);
    const whole = new Uint8Array(12000);
    whole.set(split[0].data, 0);
    whole.set(split[1].data, 6000);
    for (const hole of [
      { op: 0, offset: 6000 + 4000, len: 1500 }, // inside the second output
      { op: 0, offset: 5990, len: 30 }, // across the boundary
    ]) {
      const sink: OpSink = new Map();
      await session.invokeStreaming({ firstOp: 0, lastOp: 1, holes: [hole], reuseInputs: true }, sink);
      const a = sink.get(0)!;
      expect(a.tensor).toBe(2); // the range is named by the op's first output
      expect(a.data.length).toBe(12000); // total = both outputs
      expect(a.got).toBe(hole.len);
      const end = hole.offset + hole.len;
      expect(a.have.indexOf(1)).toBe(hole.offset);
      expect(a.have.subarray(hole.offset, end).every((b) => b === 1)).toBe(true);
      expect(a.data.subarray(hole.offset, end)).toEqual(whole.subarray(hole.offset, end));
      expect(sink.has(1)).toBe(false); // ADD had no hole
    }
  }, 60_000);
});

describe("a noisy line (fault proxy) with holes in a SPLIT's second output", () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qs-multi-'));
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((ok) => proc!.once('exit', ok));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // rule (§3 holes + ALL_OUTPUTS): bytes of the second output lost on the line are re-fetched as
  // holes of the op's concatenated range, and every output still equals the host's
  it('3e-4 flips/drops both ways: the SPLIT re-fetched, both outputs match the host', async () => {
    const exe = await buildFirmware('host');
    const path = join(dir, 'tty');
    const cmd = [process.execPath, join(import.meta.dirname, 'fault-proxy.mjs'), exe, 3e-4, 11].join(' ');
    proc = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${cmd}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((ok) => setTimeout(ok, 10));
    const link = await BoardLink.open(await openSerialTransport(path), {
      timeoutMs: 1000,
      retries: 8,
      minBytesPerSec: 100_000,
    });
    try {
      const session = new BoardSession(link);
      // the holes the host asks for: at least one must reach into the SPLIT's second output
      const holes: OutputHole[] = [];
      const invoke = session.invokeStreaming.bind(session);
      session.invokeStreaming = (range, sink, opts) => {
        holes.push(...(range.holes ?? []));
        return invoke(range, sink, opts);
      };
      let hit = false;
      for (let seed = 1; seed <= 4 && !hit; seed++) {
        const r = await profileAndCompare(session, {
          modelName: 'big-split',
          modelBytes: bigSplit(),
          input: { seed },
        });
        expect(rows(r)).toEqual([
          [0, 2, 'match'],
          [0, 3, 'match'],
          [1, 4, 'match'],
        ]);
        expect(r.compare.allMatch).toBe(true);
        hit = holes.some((h) => h.op === 0 && h.offset + Math.min(h.len, 12000) > 6000);
        if (hit) expect(r.profile.refetchedOps).toContain(0);
      }
      expect(hit).toBe(true); // pieces of the second output really were lost and fetched again
    } finally {
      await link.close();
    }
  }, 120_000);
});
