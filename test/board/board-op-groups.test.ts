/**
 * Op groups at build time (issue 13): a board built without float32 kernels (QS_WITH_FLOAT=0, as
 * the Cortex-M builds are) says so in its HELLO, and the host names the ops it lacks BEFORE
 * uploading anything: `profile` refuses with "board <name> (build X) lacks OP for float32: layers
 * ...", the board never receives a byte, and int8 models still profile exactly on that build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { Cmd, requests } from '../../src-main/core/protocol/messages.ts';
import { decodeLoadStatus } from '../../src-main/core/protocol/replies.ts';
import { expectReply } from '../../src-main/services/board/board-link.ts';
import { firmwareDir } from '../../src-main/services/board/firmware.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { cli } from '../helpers/cli.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

const FLOAT = 'hello_world_float.tflite'; // three float32 FULLY_CONNECTED
const LACKS_FC =
  /^board QuantScope virtual board \(build [^,)]+, no float32\) lacks FULLY_CONNECTED for float32: layers 0, 1, 2$/;

describe('virtual board built without float32 kernels', () => {
  let exe: string;
  let vb: VirtualBoard;
  let board: BoardSession;
  beforeAll(async () => {
    execFileSync('make', ['-s', '-C', firmwareDir(), 'host-nofloat'], { timeout: 300_000 });
    exe = join(firmwareDir(), 'build', 'host-nofloat', 'qs-board');
    vb = await VirtualBoard.start({ executable: exe });
    board = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await vb?.stop();
  });

  it('reports its op groups in HELLO', () => {
    // rule: the build's families lack float32; FULLY_CONNECTED declares float32 as left out (high nibble)
    const h = board.info;
    expect(h.families).toBe(0x03);
    const fc = h.ops.indexOf(9);
    expect(fc).toBeGreaterThanOrEqual(0);
    expect(h.opDtypes![fc] & 0x0f).toBe(0x03);
    expect(h.opDtypes![fc] >> 4).toBe(0x04);
  });

  it('refuses a float32 model before uploading, naming the op, family and layers', async () => {
    // rule: the refusal comes from the HELLO, before LOAD_BEGIN: the board holds no byte of the model afterwards
    const err = await board.load(readFixture('float', FLOAT)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe('LACKS_OPS');
    expect((err as ProtocolError).message).toMatch(LACKS_FC);
    const st = decodeLoadStatus(
      expectReply(await board.link.request(requests.loadStatus()), Cmd.LOAD_STATUS),
    );
    expect(st).toMatchObject({ have: 0, size: 0, state: 'idle' });
  });

  it('still profiles an int8 model exactly', async () => {
    // rule: leaving float32 out costs int8 nothing: every op output equals the TFLM golden
    const c = goldenCase('hello_world_int8');
    expectMatchesGolden(await board.profile(c.model, c.inputs), 'hello_world_int8');
  }, 60_000);

  it('quantscope profile exits 1 with the message', async () => {
    // rule: the CLI shows the same one-line refusal (exit 1, no stack trace)
    const r = await cli(
      'profile',
      fixturePath('float', FLOAT),
      '--board',
      'virtual',
      '--firmware',
      exe,
      '--seed',
      '1',
    );
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(new RegExp(`^quantscope: ${LACKS_FC.source.slice(1)}`));
  }, 60_000);
});
