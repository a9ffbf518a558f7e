/** prepare() validates once with errors naming the layer and problem; invoke() modes; dumps. */
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src-main/core/model/ir.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { builtinCodeOf } from '../../../src-main/core/model/tflite-schema.ts';
import { opcodeFor } from '../../../src-main/core/quantize/model-edit.ts';
import { UnsupportedOpError } from '../../../src-main/core/simulate/errors.ts';
import { base64, goldenDump } from '../../../src-main/core/simulate/dump.ts';
import { invoke, prepare, tensorValue } from '../../../src-main/core/simulate/interpreter.ts';
import { seededInputs } from '../../../src-main/core/simulate/inputs/seed.ts';
import { readFixture, readGolden } from '../../helpers/fixtures.ts';

const load = (name: string): Model => readTflite(readFixture('models', `${name}.tflite`));

describe('prepare validates', () => {
  it('names an unsupported op and its layer', () => {
    const m = load('hello_world_int8');
    const op = m.subgraphs[0].operators[1];
    // an op TFLite Micro has no kernel for either (SPLIT_V, used here before, now runs)
    op.builtinCode = builtinCodeOf('LSH_PROJECTION')!;
    op.op = 'LSH_PROJECTION';
    op.opcodeIndex = opcodeFor(m, op.builtinCode, 1);
    expect(() => prepare(m)).toThrow(UnsupportedOpError);
    expect(() => prepare(m)).toThrow(/^layer 1 \(LSH_PROJECTION\): operator not supported$/);
  });

  it('names a bad quantization scale', () => {
    const m = load('hello_world_int8');
    const out = m.subgraphs[0].operators[2].outputs[0];
    m.subgraphs[0].tensors[out].quantization!.scale = [0];
    expect(() => prepare(m)).toThrow(
      /layer 2 \(FULLY_CONNECTED\), tensor 9 '.*': int8 tensor without a positive scale/,
    );
  });

  it('names a type mismatch', () => {
    const m = load('keyword_spotting_on_off');
    const out = m.subgraphs[0].operators[0].outputs[0];
    m.subgraphs[0].tensors[out].dtype = 'int16';
    expect(() => prepare(m)).toThrow(/layer 0 \(CONV_2D\), tensor 10 '.*': expected an int8 tensor/);
  });

  it('names an inconsistent output shape', () => {
    const m = load('image_example1');
    const out = m.subgraphs[0].operators[0].outputs[0];
    m.subgraphs[0].tensors[out].shape = [1, 47, 48, 24];
    expect(() => prepare(m)).toThrow(
      /layer 0 \(CONV_2D\), tensor 10 '.*': output shape does not match input, filter, stride and padding/,
    );
  });

  it('names a constant whose data is too short for its type', () => {
    const m = load('keyword_spotting_on_off');
    const f = m.subgraphs[0].operators[0].inputs[1];
    m.subgraphs[0].tensors[f].dtype = 'int16';
    expect(() => prepare(m)).toThrow(/^tensor 7 '.*': constant buffer size does not match the tensor shape$/);
  });

  it('rejects inputs of the wrong type or size', () => {
    const pm = prepare(load('hello_world_int8'));
    expect(() => invoke(pm, [new Float32Array(1)])).toThrow(/input 0 '.*' is int8; got a Float32Array/);
    expect(() => invoke(pm, [new Int8Array(2)])).toThrow(/has 1 elements \[1,1\], got 2/);
    expect(() => invoke(pm, [])).toThrow(/model has 1 input\(s\), got 0/);
  });
});

describe('invoke', () => {
  it('lean mode returns only outputs, equal to the tapped run', () => {
    const pm = prepare(load('keyword_spotting_on_off'));
    const inputs = seededInputs(pm.inputs, 7);
    const tapped = invoke(pm, inputs, { taps: true });
    const lean = invoke(pm, inputs, { taps: false });
    expect(lean.layers).toEqual([]);
    expect(tapped.layers.length).toBe(7);
    expect([...lean.outputs[0].data]).toEqual([...tapped.outputs[0].data]);
    expect(tapped.layers.map((l) => l.opIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('onLayer streams each op output', () => {
    const pm = prepare(load('hello_world_int8'));
    const seen: number[] = [];
    invoke(pm, seededInputs(pm.inputs, 1), { taps: false, onLayer: (l) => seen.push(l.tensor) });
    expect(seen.length).toBe(3);
  });

  it('a dump in the golden format equals the golden for seed 1', () => {
    const g = readGolden('image_example1');
    const pm = prepare(load('image_example1'));
    const inputs = seededInputs(pm.inputs, 1);
    const dump = goldenDump('image_example1.tflite', pm, inputs, invoke(pm, inputs));
    expect(dump.inputs.map((t) => t.data_b64)).toEqual(g.inputs.map((t) => t.data_b64));
    const golden = new Map(g.op_outputs.map((t) => [t.tensor, t]));
    for (const t of dump.op_outputs) {
      const want = golden.get(t.tensor)!;
      expect({ ...t }).toMatchObject({
        name: want.name,
        dtype: want.dtype,
        shape: want.shape,
        data_b64: want.data_b64,
      });
    }
  });

  it('each prepared model has its own core instance: interleaved runs of two models stay exact', () => {
    const a = prepare(load('image_example1'));
    const b = prepare(load('keyword_spotting_on_off'));
    expect(a.engine).not.toBe(b.engine);
    const ia = seededInputs(a.inputs, 1);
    const ib = seededInputs(b.inputs, 3);
    const first = [invoke(a, ia).outputs[0].data.slice(), invoke(b, ib).outputs[0].data.slice()];
    for (let k = 0; k < 3; k++) {
      expect([...invoke(b, ib).outputs[0].data]).toEqual([...first[1]]);
      expect([...invoke(a, ia).outputs[0].data]).toEqual([...first[0]]);
    }
    // tapped values are copies: a later run does not change an earlier result
    const r1 = invoke(a, ia, { taps: true });
    const before = [...r1.layers[0].data];
    invoke(a, seededInputs(a.inputs, 9), { taps: true });
    expect([...r1.layers[0].data]).toEqual(before);
  });

  it('the tensors map holds graph inputs and every op output of a tapped run', () => {
    const pm = prepare(load('hello_world_int8'));
    const inputs = seededInputs(pm.inputs, 2);
    const r = invoke(pm, inputs, { taps: true });
    expect(r.tensors.get(pm.inputs[0].index)).toBe(inputs[0]);
    for (const l of r.layers) expect(r.tensors.get(l.tensor)).toBe(l.data);
    expect(() => tensorValue(invoke(pm, inputs, { taps: false }).tensors, r.layers[0].tensor)).toThrow(
      /neither a graph input nor an op output of the tapped run/,
    );
  });

  it('base64 matches Node for every tail length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 255]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      expect(base64(b)).toBe(Buffer.from(b).toString('base64'));
    }
  });
});
