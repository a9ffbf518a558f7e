/**
 * Every MUST_RUN golden (test/helpers/golden-must-run.txt, the list the WASM simulator's golden
 * test uses) through the boards: profiled on one virtual board session and on one QEMU launch,
 * every op output compared with TFLite Micro's; a failure names the first differing op output
 * (layer, op, tensor, element).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { fixturePath, type Golden } from '../helpers/fixtures.ts';
import { goldenModelPath, mustRunGoldens } from '../helpers/golden-cases.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

const goldens = mustRunGoldens();

/**
 * QEMU's UART moves ~14 KB/s and a profile sends the model, the inputs and every op's output back:
 * mobilenet_v1_0.25_96 (333 KB model + 232 KB of op outputs) takes ~42 s, person_detect (300 KB +
 * 232 KB) ~37 s, micro_speech_lstm (121 KB) ~30 s, everything else under 15 s each. Models over this size would take > 45 s each:
 * they run on the virtual board only (none on today's list).
 */
const QEMU_MAX_MODEL_BYTES = 350_000;

/** float32 ops: the Arm builds have no float kernels (QS_WITH_FLOAT=0, firmware/port/ports.mk). */
const QEMU_REFUSES_FLOAT = /sine_float|mnist_lstm_trained_lstm\.json|audio_preprocessor_float/;

/** Model, inputs and expected outputs: equal keys are the same test (the TFLM examples hello_world,
 * micro_speech and person_detect are in golden/ and again in field/golden/). */
function contentKey(path: string): string {
  const g = JSON.parse(readFileSync(fixturePath(path), 'utf8')) as Golden;
  const h = createHash('sha256').update(readFileSync(goldenModelPath(path)));
  for (const t of [...g.inputs, ...g.op_outputs]) h.update(`${t.tensor}:${t.data_b64};`);
  return h.digest('hex');
}

describe('virtual board: every MUST_RUN golden on one session', () => {
  let vb: VirtualBoard;
  let board: BoardSession;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
    board = await vb.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await vb?.stop();
  });

  it('runs the whole list (8 goldens of golden/, the field ones after them)', () => {
    expect(goldens.filter((g) => g.id.startsWith('golden/')).length).toBe(8);
    expect(goldens.length).toBeGreaterThanOrEqual(47);
  });

  for (const g of goldens) {
    it(`${g.id}: every op output equals the golden`, async () => {
      const c = goldenCase(g.path);
      expectMatchesGolden(await board.profile(c.model, c.inputs), c);
    });
  }
});

describe('emulated Cortex-M3 (QEMU mps2-an385): the MUST_RUN goldens on one launch', () => {
  let qemu: QemuBoard;
  let board: BoardSession;
  beforeAll(async () => {
    qemu = await QemuBoard.launch();
    board = await qemu.connect();
  }, 300_000);
  afterAll(async () => {
    await board?.link.close();
    await qemu?.stop();
  });

  const firstWith = new Map<string, string>();
  for (const g of goldens) {
    const key = contentKey(g.path);
    const same = firstWith.get(key);
    // A field copy of a golden/ model (same bytes, inputs and outputs) runs here once, as that model.
    if (same) continue;
    firstWith.set(key, g.id);
    // Over QEMU_MAX_MODEL_BYTES: the virtual-board suite above runs it (QEMU's UART would take minutes).
    if (g.modelBytes > QEMU_MAX_MODEL_BYTES) continue;
    if (QEMU_REFUSES_FLOAT.test(g.id)) {
      it(`${g.id}: refused before upload, the int8-only Arm build has no float32 kernels`, async () => {
        const c = goldenCase(g.path);
        const err = await board.profile(c.model, c.inputs).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ProtocolError);
        // the host reads the build's op groups from HELLO (PROTOCOL.md §3) and names what it lacks
        expect((err as ProtocolError).message).toMatch(
          /^board mps2-an385 \(QEMU\) \(build [^)]*no float32\) lacks (FULLY_CONNECTED|UNIDIRECTIONAL_SEQUENCE_LSTM|CAST) for float32: layers? \d/,
        );
      });
    } else {
      it(`${g.id}: every op output equals the golden`, async () => {
        const c = goldenCase(g.path);
        expect(c.model.length).toBeLessThanOrEqual(board.info.maxModelBytes);
        expectMatchesGolden(await board.profile(c.model, c.inputs), c);
      }, 120_000);
    }
  }
});
