import { describe, expect, it } from 'vitest';
import { readTflite, writeTflite } from '../../../src-main/core/model/index.ts';
import { listFixtures, readFixture } from '../../helpers/fixtures.ts';
import { digestBytes } from './ir-compare.ts';

const ALL = [
  ...listFixtures('models', '.tflite').map((f) => ['models', f]),
  ...listFixtures('float', '.tflite').map((f) => ['float', f]),
];

describe('writeTflite', () => {
  it.each(ALL)('%s/%s: read → write → read gives an identical IR', (dir, f) => {
    const original = readTflite(readFixture(dir, f));
    const written = writeTflite(original);
    const again = readTflite(written);
    // Buffer contents are compared through a digest of every byte.
    expect(digestBytes(again)).toStrictEqual(digestBytes(original));
    // Writing is deterministic and idempotent.
    expect(Buffer.from(writeTflite(again)).equals(Buffer.from(written))).toBe(true);
  });

  it.each(ALL)('%s/%s: every buffer starts 16-byte aligned in the written file', (dir, f) => {
    const written = writeTflite(readTflite(readFixture(dir, f)));
    const m = readTflite(written);
    for (const buf of m.buffers) {
      if (buf.length > 0) expect((buf.byteOffset - written.byteOffset) % 16).toBe(0);
    }
  });

  it('keeps edited options, quantization and metadata', () => {
    const m = readTflite(readFixture('models', 'person_detect.tflite'));
    const op = m.subgraphs[0].operators[0];
    op.options = { ...op.options, stride_w: 3, padding: 'VALID', fused_activation_function: 'RELU_N1_TO_1' };
    const t = m.subgraphs[0].tensors[88];
    t.quantization = { scale: [0.5], zeroPoint: [7], axis: 0, min: [-1], max: [2] };
    m.description = 'edited by QuantScope';
    const again = readTflite(writeTflite(m));
    expect(again.subgraphs[0].operators[0].options).toMatchObject({
      stride_w: 3,
      padding: 'VALID',
      fused_activation_function: 'RELU_N1_TO_1',
    });
    expect(again.subgraphs[0].tensors[88].quantization).toEqual({
      scale: [0.5],
      zeroPoint: [7],
      axis: 0,
      min: [-1],
      max: [2],
    });
    expect(again.description).toBe('edited by QuantScope');
  });

  it('rejects option values that the schema cannot hold, naming them', () => {
    const m = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    m.subgraphs[0].operators[1].options.fused_activation_function = 'SWISH';
    expect(() => writeTflite(m)).toThrow(
      /operator 1 \(FULLY_CONNECTED\): option fused_activation_function = "SWISH"/,
    );
  });
});
