/**
 * Written models load and run in real TFLite (WASM build of @tensorflow/tfjs-tflite) and produce
 * exactly the outputs of the original file on the fixtures' xorshift input.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fixQuantizedDimensions, readTflite, writeTflite } from '../../../src-main/core/model/index.ts';
import { goldenBytes, listFixtures, readFixture, readGolden } from '../../helpers/fixtures.ts';
import {
  loadTfliteWasm,
  loadTfliteWasmLayers,
  xorshiftInput,
  type TfliteWasmModel,
} from '../../helpers/tflite-wasm.ts';

const ALL = [
  ...listFixtures('models', '.tflite').map((f) => ['models', f]),
  ...listFixtures('float', '.tflite').map((f) => ['float', f]),
].filter(([, f]) => f !== 'person_detect.tflite');

const loaded: TfliteWasmModel[] = [];
afterAll(() => loaded.forEach((m) => m.dispose()));

async function load(bytes: Uint8Array): Promise<TfliteWasmModel> {
  const m = await loadTfliteWasm(bytes);
  loaded.push(m);
  return m;
}

function run(m: TfliteWasmModel) {
  const state = { x: 1 };
  const inputs = m.inputs.map((t) =>
    xorshiftInput(
      t.dtype,
      t.shape.reduce((a, b) => a * b, 1),
      state,
    ),
  );
  return m.predict(inputs);
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('written models in TFLite-WASM', () => {
  it.each(ALL)('%s/%s: written copy loads and matches the original bit for bit', async (dir, f) => {
    const original = readFixture(dir, f);
    const written = writeTflite(readTflite(original));
    const a = await load(original);
    const b = await load(written);
    expect(b.inputs).toEqual(a.inputs);
    expect(b.outputs).toEqual(a.outputs);
    const outA = run(a);
    const outB = run(b);
    expect(outB.length).toBe(outA.length);
    outA.forEach((o, i) => expect(bytesOf(outB[i]).equals(bytesOf(o))).toBe(true));
  });

  it('the xorshift input is the one the goldens were made with', async () => {
    const m = await load(readFixture('models', 'simple_add_model.tflite'));
    const state = { x: 1 };
    const golden = readGolden('simple_add_model');
    m.inputs.forEach((t, i) => {
      const mine = xorshiftInput(
        t.dtype,
        t.shape.reduce((x, y) => x * y, 1),
        state,
      );
      expect(bytesOf(mine).equals(Buffer.from(goldenBytes(golden.inputs[i])))).toBe(true);
    });
  });

  it('person_detect: full TFLite rejects its 1-D biases with quantized_dimension 3; fixed copy runs', async () => {
    const original = readFixture('models', 'person_detect.tflite');
    await expect(loadTfliteWasm(original)).rejects.toThrow(/TFLite rejected the model/);
    await expect(loadTfliteWasm(writeTflite(readTflite(original)))).rejects.toThrow(
      /TFLite rejected the model/,
    );

    const { model, fixes } = fixQuantizedDimensions(readTflite(original));
    expect(fixes.length).toBe(14); // the 14 depthwise biases; the conv biases already say axis 0
    for (const fx of fixes) expect(fx).toMatchObject({ from: 3, to: 0 });
    const m = await load(writeTflite(model));
    expect(m.outputs[0].shape).toEqual([1, 2]);
    const out = run(m)[0] as Int8Array;
    // TFLite's kernels are not bit-exact with TFLite Micro's reference kernels (±1 LSB per layer),
    // so compare the decision with the TFLM golden rather than the bytes.
    const golden = readGolden('person_detect');
    const last = new Int8Array(goldenBytes(golden.op_outputs[golden.op_outputs.length - 1]).buffer);
    expect(out.length).toBe(2);
    expect(Math.sign(out[1] - out[0])).toBe(Math.sign(last[1] - last[0]));
    expect(Math.abs(out[0] - last[0])).toBeLessThanOrEqual(8);
  });
});

describe('per-layer outputs from TFLite-WASM (every op output exposed)', () => {
  // TFLite's optimized kernels are not bit-exact with TFLite Micro's reference kernels: ±1 LSB.
  it('simple_add: the exposed ADD output is within 1 LSB of the TFLM golden', async () => {
    const layers = await loadTfliteWasmLayers(readFixture('models', 'simple_add_model.tflite'));
    const golden = readGolden('simple_add_model');
    const inputs = golden.inputs.map((t) => new Int8Array(goldenBytes(t).buffer));
    const out = layers.run(inputs);
    expect(layers.tensors).toEqual(golden.op_outputs.map((t) => t.tensor));
    for (const g of golden.op_outputs) {
      const ours = out.get(g.tensor) as Int8Array;
      const ref = new Int8Array(goldenBytes(g).buffer);
      expect(ours.length).toBe(ref.length);
      expect(ref.every((v, i) => Math.abs(ours[i] - v) <= 1)).toBe(true);
    }
    layers.dispose();
  });

  it('hello_world_int8: every layer within 1 LSB of TFLite Micro, final output as in the plain model', async () => {
    const bytes = readFixture('models', 'hello_world_int8.tflite');
    const layers = await loadTfliteWasmLayers(bytes);
    const golden = readGolden('hello_world_int8');
    const input = [new Int8Array(goldenBytes(golden.inputs[0]).buffer)];
    const out = layers.run(input);
    expect(layers.tensors.length).toBe(3);
    for (const g of golden.op_outputs) {
      const ours = out.get(g.tensor) as Int8Array;
      const ref = new Int8Array(goldenBytes(g).buffer);
      expect(ours.length).toBe(ref.length);
      expect(ref.every((v, i) => Math.abs(ours[i] - v) <= 1)).toBe(true);
    }
    const plain = await load(bytes);
    const sg = readTflite(bytes).subgraphs[0];
    expect(Array.from(out.get(sg.outputs[0])!)).toEqual(Array.from(plain.predict(input)[0]));
    layers.dispose();
  });
});
