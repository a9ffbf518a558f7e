/**
 * Every MUST_RUN golden (test/helpers/golden-must-run.txt: fixtures and field models) on each
 * emulated DSP core — Cortex-M4F, M7, M33, M55 under QEMU — in-image (bench/firmware-goldens.ts,
 * make core-goldens-<core>): every op output bit-exact with TFLite Micro's golden. A failure names
 * the core, the golden, the layer (op index), the op, the tensor and the first differing element.
 * The whole matrix runs here: building each core's image is most of the time (~30–50 s per core on
 * a loaded machine), running all ~100 goldens under QEMU takes ~3 s per core.
 * The Cortex-M3 runs the same list over its UART in goldens-boards.test.ts; npm run test:cores prints
 * the matrix of all five cores.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CODE_RESERVE,
  GOLDEN_CORES,
  goldenBinPath,
  goldenItem,
  parseGoldenReport,
  runCoreGoldens,
  type CoreGoldens,
  type GoldenItem,
} from '../../bench/firmware-goldens.ts';
import { firmwareDir } from '../../src-main/services/board/firmware.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { goldenModelPath, mustRunGoldens } from '../helpers/golden-cases.ts';

/** float32 models: the Arm builds have no float kernels (QS_WITH_FLOAT=0, firmware/port/ports.mk). */
const FLOAT_MODELS = /sine_float|mnist_lstm_trained_lstm\.json|audio_preprocessor_float/;
/** The 224×224 MobileNet v2s: ~4 MB of model and 7–11 MB of op outputs, over 4 MiB of image. */
const TOO_BIG = /mobilenet_v2_1\.0_224_ptq|mobilenet_v2_quantized_1x3x224x224/;
const FLOAT_REFUSAL =
  /^refused: unsupported \(op \d+, tensor -?\d+\): float32 kernels are not in this build \(QS_WITH_FLOAT=0\)$/;

let items: GoldenItem[] = [];
beforeAll(() => {
  execFileSync('make', ['-s', '-C', firmwareDir(), 'build/golden/.stamp']);
  items = mustRunGoldens().map((g) => goldenItem(g.id, g.modelBytes));
}, 120_000);

const ids = mustRunGoldens().map((g) => g.id);

for (const core of GOLDEN_CORES.filter((c) => c.core !== 'm3')) {
  describe(`${core.label}: every MUST_RUN golden in-image`, () => {
    let run: CoreGoldens;
    beforeAll(async () => {
      run = await runCoreGoldens(core, items);
    }, 900_000);
    const result = (id: string) => run.results.find((r) => r.id === id)!;

    for (const id of ids) {
      if (FLOAT_MODELS.test(id)) {
        // rule: a float32 model is refused at load by the int8-only Arm build, naming why
        it(`${id}: refused, the build has no float32 kernels`, () => {
          expect(result(id).verdict, `${core.label} ${id}: ${result(id).detail}`).toBe('refused');
          expect(result(id).detail).toMatch(FLOAT_REFUSAL);
        });
      } else if (TOO_BIG.test(id)) {
        // rule: a model over the board's memory is named with its size against the board's
        it(`${id}: too big for the image, sizes stated`, () => {
          expect(result(id).verdict).toBe('too-big');
          expect(result(id).detail).toMatch(
            new RegExp(
              `^model \\d+ B \\+ golden \\d+ B = [\\d.]+ MiB > [\\d.]+ MiB \\(${core.label.replace(/[()]/g, '\\$&')}: .*the model alone does not fit$`,
            ),
          );
        });
      } else {
        // rule: every op output equals TFLite Micro's golden, byte for byte, on this core's kernels
        it(`${id}: every op output bit-exact`, () => {
          const r = result(id);
          expect(r.verdict, `${core.label} ${id}: ${r.detail}`).toBe('bit-exact');
          expect(r.detail).toMatch(/^bit-exact outputs [1-9]\d* arena \d+$/);
        });
      }
    }

    // rule: the goldens that fit are split into images of at most the board's code memory
    it(`ran ${ids.length} goldens in images within ${core.flashBytes >> 20} MiB`, () => {
      expect(run.results.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(run.images).toBeGreaterThanOrEqual(1);
      const budget = core.flashBytes - CODE_RESERVE;
      for (const g of items.filter((x) => !TOO_BIG.test(x.id)))
        expect(g.modelBytes + g.goldenBytes).toBeLessThan(budget);
      console.log(`${core.label}: ${run.images} images, ${(run.ms / 1000).toFixed(1)} s`);
    });
  });
}

describe('the in-image checker finds a difference', () => {
  let dir: string;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  // rule: a golden with one changed element fails, naming the layer, op, tensor and element
  it('hello_world_int8 with one golden byte of its second output record changed: MISMATCH at that element on the M4', async () => {
    dir = mkdtempSync(join(tmpdir(), 'qs-goldens-'));
    const id = 'golden/hello_world_int8.json';
    const bin = readFileSync(goldenBinPath(id));
    // QSG1 | len | path | nIn | {tensor, n, bytes}* | nOut | {tensor, n, bytes}*
    let p = 8 + bin.readUInt32LE(4);
    const nIn = bin.readUInt32LE(p);
    p += 4;
    for (let i = 0; i < nIn; i++) p += 8 + bin.readUInt32LE(p + 4);
    p += 4; // nOut
    p += 8 + bin.readUInt32LE(p + 4); // the first op output record
    const tensor = bin.readInt32LE(p);
    const n = bin.readUInt32LE(p + 4);
    const k = 5; // element 5 of the second record's int8 output
    expect(n).toBeGreaterThan(k);
    const was = bin.readInt8(p + 8 + k);
    bin.writeInt8(was === 127 ? 126 : was + 1, p + 8 + k);
    writeFileSync(join(dir, 'hello_world_int8.bin'), bin);
    // make's own stderr is captured (not passed to the test log): its error line is expected here
    const run = spawnSync(
      'make',
      ['-s', '-C', firmwareDir(), 'core-goldens-m4', `GOLDEN_DIR=${dir}`, `GOLDEN_IDS=${id}`],
      { encoding: 'utf8', timeout: 900_000 },
    );
    const out = run.stdout;
    // the image's failing semihosting exit fails QEMU, so make: that is how CI sees the mismatch
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/core-goldens-m4\] Error 1/);
    const [r] = parseGoldenReport(out, [id]);
    expect(r.verdict).toBe('mismatch');
    // the layer named is the op that writes that tensor in the model (the golden lists outputs by tensor)
    const model = readTflite(readFileSync(goldenModelPath(id)));
    const op = model.subgraphs[0].operators.findIndex((o) => o.outputs.includes(tensor));
    expect(op).toBeGreaterThanOrEqual(0);
    expect(r.detail).toBe(
      `MISMATCH op ${op} FULLY_CONNECTED tensor ${tensor} element ${k} of ${n}: got ${was} want ${was === 127 ? 126 : was + 1} (1 elements differ)`,
    );
    expect(out).toMatch(/^goldens: FAIL$/m);
  }, 900_000);

  // rule: the report parser takes each golden's line and refuses a run that did not finish
  it('parses the report and refuses an unfinished one', () => {
    const text =
      'goldens on cortex-m4: arena 3145728\na: bit-exact outputs 3 arena 848\nb: refused: unsupported (op 0, tensor 0): x\ngoldens: done\n';
    expect(parseGoldenReport(text, ['a', 'b']).map((r) => r.verdict)).toEqual(['bit-exact', 'refused']);
    expect(() =>
      parseGoldenReport('goldens on cortex-m4: arena 1\na: bit-exact outputs 3 arena 848\n', ['a']),
    ).toThrow(/did not finish/);
    expect(() => parseGoldenReport(text, ['c'])).toThrow(/printed nothing for c/);
  });
});
