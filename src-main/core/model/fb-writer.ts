/** Small helpers over the flatbuffers Builder for vectors of scalars, offsets and aligned bytes. */
import { Builder, type Offset } from 'flatbuffers';

export function int32Vector(b: Builder, v: readonly number[]): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addInt32(v[i]);
  return b.endVector();
}

export function float32Vector(b: Builder, v: readonly number[]): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addFloat32(v[i]);
  return b.endVector();
}

export function int64Vector(b: Builder, v: readonly number[]): Offset {
  b.startVector(8, v.length, 8);
  for (let i = v.length - 1; i >= 0; i--) b.addInt64(BigInt(Math.trunc(v[i])));
  return b.endVector();
}

export function boolVector(b: Builder, v: readonly boolean[]): Offset {
  b.startVector(1, v.length, 1);
  for (let i = v.length - 1; i >= 0; i--) b.addInt8(v[i] ? 1 : 0);
  return b.endVector();
}

export function offsetVector(b: Builder, v: readonly Offset[]): Offset {
  b.startVector(4, v.length, 4);
  for (let i = v.length - 1; i >= 0; i--) b.addOffset(v[i]);
  return b.endVector();
}

/**
 * A byte vector whose first data byte is `alignment`-aligned in the finished file. The Builder
 * writes back to front and pads the finished buffer to its largest alignment, so aligning the
 * position after the data (prep) aligns the data's offset from the start of the file as well.
 */
export function alignedBytes(b: Builder, data: Uint8Array, alignment: number): Offset {
  b.prep(alignment, data.length);
  return b.createByteVector(data);
}
