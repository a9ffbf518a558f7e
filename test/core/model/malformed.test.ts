/** Named malformed inputs and the exact errors they produce. */
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import {
  ModelFormatError,
  match,
  open,
  readTflite,
  writeTflite,
} from '../../../src-main/core/model/index.ts';
import { FbReader } from '../../../src-main/core/model/fb-reader.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const hello = () => readFixture('models', 'hello_world_int8.tflite').slice();

function error(bytes: Uint8Array): ModelFormatError {
  try {
    readTflite(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as ModelFormatError).code).toBe('MODEL_FORMAT');
    return e as ModelFormatError;
  }
  throw new Error('expected a ModelFormatError');
}

/** Position of the uoffset field `field` of element `i` of the model's vector field `vec`. */
function fieldPos(bytes: Uint8Array, vec: number, i: number, field: number): number {
  const r = new FbReader(bytes, '');
  const t = r.root('model').tables(vec, 'v', 'item')[i];
  return t.field(field, 4, 'f');
}

const setU32 = (b: Uint8Array, pos: number, v: number) =>
  new DataView(b.buffer, b.byteOffset).setUint32(pos, v >>> 0, true);

describe('malformed files give clear errors', () => {
  const cases: [string, () => Uint8Array, string][] = [
    ['empty file', () => new Uint8Array(0), 'Not a TFLite model: empty file'],
    [
      'PNG renamed .tflite',
      () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'Not a TFLite model: looks like a PNG image',
    ],
    [
      'Keras .h5',
      () => readFixture('float', 'image_example1.h5'),
      'Not a TFLite model: looks like a Keras/HDF5 file (.h5)',
    ],
    [
      'JPEG',
      () => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]),
      'Not a TFLite model: looks like a JPEG image',
    ],
    [
      'too short',
      () => new Uint8Array([1, 2, 3]),
      'Not a TFLite model: file too short (3 bytes; a TFLite file has at least 8)',
    ],
    [
      'wrong identifier',
      () => {
        const b = hello();
        b[7] = 0x32;
        return b;
      },
      "Not a TFLite model: file identifier is 'TFL2', expected 'TFL3' at offset 4",
    ],
    [
      'binary identifier',
      () => {
        const b = hello();
        b.set([0, 1, 2, 3], 4);
        return b;
      },
      "Not a TFLite model: file identifier is bytes 00 01 02 03, expected 'TFL3' at offset 4",
    ],
    [
      'truncated file',
      () => hello().subarray(0, 1000),
      'Not a TFLite model: model.operator_codes points past end of file (offset 2669 > 1000)',
    ],
    [
      'root offset past the end',
      () => {
        const b = hello();
        setU32(b, 0, 0x40000000);
        return b;
      },
      `Not a TFLite model: model points past end of file (offset ${0x40000001} > 2704)`,
    ],
  ];
  it.each(cases)('%s', (_, make, message) => {
    expect(error(make()).message).toBe(message);
  });

  it('buffer data offset past the end names the buffer', () => {
    const b = hello();
    const p = fieldPos(b, 4, 7, 0); // buffers[7].data
    setU32(b, p, b.length + 5000 - p);
    expect(error(b).message).toBe(
      `Not a TFLite model: buffer 7.data points past end of file (offset ${b.length + 5001} > ${b.length})`,
    );
  });

  it('absurd vector length', () => {
    const b = hello();
    const p = fieldPos(b, 4, 7, 0);
    const vec = p + new DataView(b.buffer).getUint32(p, true);
    setU32(b, vec, 0x7fffffff);
    expect(error(b).message).toMatch(
      /^Not a TFLite model: buffer 7\.data: absurd vector length 2147483647 \(needs 2147483647 bytes, \d+ left in file\)$/,
    );
  });

  it('tensor index out of range in an operator', () => {
    const m = readTflite(hello());
    m.subgraphs[0].operators[1].inputs[0] = 999;
    expect(error(writeTflite(m)).message).toBe(
      'Not a TFLite model: subgraph 0 operator 1.inputs[0]: tensor index 999 out of range (10 tensors)',
    );
  });

  it('buffer index out of range in a tensor', () => {
    const m = readTflite(hello());
    m.subgraphs[0].tensors[3].buffer = 42;
    expect(error(writeTflite(m)).message).toBe(
      'Not a TFLite model: subgraph 0 tensor 3.buffer: buffer index 42 out of range (13 buffers)',
    );
  });

  it('opcode index and graph output out of range', () => {
    const m = readTflite(hello());
    m.subgraphs[0].operators[2].opcodeIndex = 5;
    expect(error(writeTflite(m)).message).toBe(
      'Not a TFLite model: subgraph 0 operator 2.opcode_index: operator code index 5 out of range (1 operator codes)',
    );
    const m2 = readTflite(hello());
    m2.subgraphs[0].outputs = [10];
    expect(error(writeTflite(m2)).message).toBe(
      'Not a TFLite model: subgraph 0 outputs[0]: tensor index 10 out of range (10 tensors)',
    );
  });

  it('shared tables (a small file that decodes to a huge graph) stop at the size budget, quickly', () => {
    // One tensor table with a 4000-int shape, referenced 20,000 times: 80 M shape ints from ~100 KB.
    const b = new Builder(1 << 20);
    const shape = (() => {
      b.startVector(4, 4000, 4);
      for (let i = 0; i < 4000; i++) b.addInt32(1);
      return b.endVector();
    })();
    b.startObject(4);
    b.addFieldOffset(0, shape, 0);
    const tensor = b.endObject();
    b.startVector(4, 20000, 4);
    for (let i = 0; i < 20000; i++) b.addOffset(tensor);
    const tensors = b.endVector();
    b.startObject(5);
    b.addFieldOffset(0, tensors, 0);
    const sg = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(sg);
    const sgs = b.endVector();
    b.startVector(4, 1, 4);
    b.startObject(1);
    const buf0 = b.endObject();
    b.addOffset(buf0);
    const bufs = b.endVector();
    b.startObject(8);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(2, sgs, 0);
    b.addFieldOffset(4, bufs, 0);
    b.finish(b.endObject(), 'TFL3');
    const bytes = b.asUint8Array().slice();
    const t0 = performance.now();
    expect(error(bytes).message).toMatch(/absurd size, decoding exceeds the file's size budget/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('match() and open()', () => {
    expect(match(hello())).toBe(true);
    expect(match(new Uint8Array(0))).toBe(false);
    expect(match(readFixture('float', 'image_example1.h5'))).toBe(false);
    expect(open(hello()).subgraphs[0].operators.length).toBe(3);
    expect(() => open(new Uint8Array(0))).toThrow(ModelFormatError);
  });
});

describe('schema features the IR does not carry', () => {
  /** A minimal model whose only tensor has a (empty) sparsity table. */
  function sparseModel(): Uint8Array {
    const b = new Builder(256);
    b.startObject(3);
    const sparsity = b.endObject();
    const name = b.createString('sparse');
    b.startVector(4, 1, 4);
    b.addInt32(4);
    const shape = b.endVector();
    b.startObject(10);
    b.addFieldOffset(0, shape, 0);
    b.addFieldOffset(3, name, 0);
    b.addFieldOffset(6, sparsity, 0);
    const tensor = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(tensor);
    const tensors = b.endVector();
    b.startObject(5);
    b.addFieldOffset(0, tensors, 0);
    const sg = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(sg);
    const sgs = b.endVector();
    b.startObject(1);
    const buf0 = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(buf0);
    const bufs = b.endVector();
    b.startObject(8);
    b.addFieldInt32(0, 3, 0);
    b.addFieldOffset(2, sgs, 0);
    b.addFieldOffset(4, bufs, 0);
    b.finish(b.endObject(), 'TFL3');
    return b.asUint8Array().slice();
  }

  it('are listed in Model.lossy and the writer refuses to drop them silently', () => {
    const m = readTflite(sparseModel());
    expect(m.subgraphs[0].tensors[0]).toMatchObject({ name: 'sparse', shape: [4], dtype: 'float32' });
    expect(m.lossy).toEqual(['subgraph 0 tensor 0: sparsity']);
    expect(() => writeTflite(m)).toThrow(
      'cannot write this model without losing data: subgraph 0 tensor 0: sparsity',
    );
    const dropped = readTflite(writeTflite(m, { allowLossy: true }));
    expect(dropped.lossy).toBeUndefined();
    expect(dropped.subgraphs[0].tensors[0].name).toBe('sparse');
  });
});

describe('work stays bounded by the file size', () => {
  it('one 60 KB name shared by 20,000 tensors is refused quickly, not decoded 20,000 times', () => {
    const b = new Builder(1 << 20);
    const name = b.createString('x'.repeat(60_000));
    b.startObject(4);
    b.addFieldOffset(3, name, 0);
    const tensor = b.endObject();
    b.startVector(4, 20000, 4);
    for (let i = 0; i < 20000; i++) b.addOffset(tensor);
    const tensors = b.endVector();
    b.startObject(5);
    b.addFieldOffset(0, tensors, 0);
    const sg = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(sg);
    const sgs = b.endVector();
    b.startObject(1);
    const buf0 = b.endObject();
    b.startVector(4, 1, 4);
    b.addOffset(buf0);
    const bufs = b.endVector();
    b.startObject(8);
    b.addFieldOffset(2, sgs, 0);
    b.addFieldOffset(4, bufs, 0);
    b.finish(b.endObject(), 'TFL3');
    const bytes = b.asUint8Array().slice();
    const t0 = performance.now();
    expect(() => readTflite(bytes)).toThrow(/absurd size, decoding exceeds the file's size budget/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
