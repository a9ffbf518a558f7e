/**
 * A bounds-checked flatbuffer reader over untrusted bytes.
 *
 * Every offset is checked against the file length before it is followed, vector lengths are
 * checked against the bytes left in the file, and a global work budget bounds the total number of
 * elements decoded, so a crafted file whose tables share or overlap cannot make decoding take more
 * than linear time. All failures are `ModelFormatError`s that name the location (`where`).
 */
import { ByteBuffer } from 'flatbuffers';
import { ModelFormatError } from './errors.ts';

export class FbReader {
  readonly bb: ByteBuffer;
  readonly length: number;
  private budget: number;

  constructor(
    readonly bytes: Uint8Array,
    private readonly prefix: string,
  ) {
    this.bb = new ByteBuffer(bytes);
    this.length = bytes.length;
    // Real models decode far fewer elements than 8 per file byte; more means shared/overlapping data.
    this.budget = bytes.length * 8 + 100_000;
  }

  fail(message: string): never {
    throw new ModelFormatError(`${this.prefix}${message}`);
  }

  /** Charge `n` decoded elements against the work budget. */
  spend(n: number, where: string): void {
    this.budget -= n;
    if (this.budget < 0)
      this.fail(`${where}: absurd size, decoding exceeds the file's size budget (shared or cyclic tables)`);
  }

  check(pos: number, size: number, where: string): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.length) {
      this.fail(`${where} points past end of file (offset ${pos + size} > ${this.length})`);
    }
  }

  u8(pos: number, where: string): number {
    this.check(pos, 1, where);
    return this.bb.readUint8(pos);
  }
  i8(pos: number, where: string): number {
    this.check(pos, 1, where);
    return this.bb.readInt8(pos);
  }
  u16(pos: number, where: string): number {
    this.check(pos, 2, where);
    return this.bb.readUint16(pos);
  }
  i32(pos: number, where: string): number {
    this.check(pos, 4, where);
    return this.bb.readInt32(pos);
  }
  u32(pos: number, where: string): number {
    this.check(pos, 4, where);
    return this.bb.readUint32(pos);
  }
  f32(pos: number, where: string): number {
    this.check(pos, 4, where);
    return this.bb.readFloat32(pos);
  }
  f64(pos: number, where: string): number {
    this.check(pos, 8, where);
    return this.bb.readFloat64(pos);
  }
  /** int64 as a JS number (exact up to 2^53). */
  i64(pos: number, where: string): number {
    this.check(pos, 8, where);
    // lo + hi·2^32 without BigInt (hot for per-channel zero points); exact below 2^53.
    return this.bb.readUint32(pos) + this.bb.readInt32(pos + 4) * 4294967296;
  }
  u64(pos: number, where: string): number {
    this.check(pos, 8, where);
    return this.bb.readUint32(pos) + this.bb.readUint32(pos + 4) * 4294967296;
  }

  /** Follow a uoffset stored at `pos`. */
  indirect(pos: number, where: string): number {
    const target = pos + this.u32(pos, where);
    this.check(target, 1, where);
    return target;
  }

  /** Validate the table at `pos` and return a handle for its fields. */
  table(pos: number, where: string): Table {
    this.spend(1, where);
    const soff = this.i32(pos, where);
    const vt = pos - soff;
    this.check(vt, 4, `${where} vtable`);
    const vtSize = this.u16(vt, `${where} vtable`);
    const tableSize = this.u16(vt + 2, `${where} vtable`);
    if (vtSize < 4 || vtSize % 2 !== 0) this.fail(`${where}: corrupt vtable (size ${vtSize})`);
    this.check(vt, vtSize, `${where} vtable`);
    this.check(pos, Math.max(tableSize, 4), where);
    return new Table(this, pos, vt, vtSize, tableSize, where);
  }

  /** The root table of a buffer (uoffset at byte 0). */
  root(where: string): Table {
    return this.table(this.indirect(0, where), where);
  }

  /** A vector at `pos` (after following the offset): [start of elements, count]. */
  vector(offsetPos: number, elemSize: number, where: string): { start: number; count: number } {
    const at = this.indirect(offsetPos, where);
    const count = this.u32(at, where);
    const start = at + 4;
    if (count * elemSize > this.length - start) {
      this.fail(
        `${where}: absurd vector length ${count} (needs ${count * elemSize} bytes, ${Math.max(0, this.length - start)} left in file)`,
      );
    }
    return { start, count };
  }
}

/** A validated table: reads fields by id, returning defaults for absent ones. */
export class Table {
  constructor(
    readonly r: FbReader,
    readonly pos: number,
    private readonly vt: number,
    private readonly vtSize: number,
    private readonly tableSize: number,
    readonly where: string,
  ) {}

  /** Absolute position of field `id`, or 0 when absent. */
  field(id: number, size: number, name: string): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtSize) return 0;
    const off = this.r.u16(this.vt + slot, this.where);
    if (off === 0) return 0;
    if (off + size > this.tableSize) this.r.fail(`${this.where}.${name}: field lies outside its table`);
    return this.pos + off;
  }

  has(id: number): boolean {
    const slot = 4 + 2 * id;
    return slot + 2 <= this.vtSize && this.r.u16(this.vt + slot, this.where) !== 0;
  }

  u8(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 1, name);
    return p ? this.r.u8(p, `${this.where}.${name}`) : dflt;
  }
  i8(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 1, name);
    return p ? this.r.i8(p, `${this.where}.${name}`) : dflt;
  }
  bool(id: number, name: string, dflt = false): boolean {
    const p = this.field(id, 1, name);
    return p ? this.r.u8(p, `${this.where}.${name}`) !== 0 : dflt;
  }
  i32(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.r.i32(p, `${this.where}.${name}`) : dflt;
  }
  u32(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.r.u32(p, `${this.where}.${name}`) : dflt;
  }
  f32(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.r.f32(p, `${this.where}.${name}`) : dflt;
  }
  i64(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 8, name);
    return p ? this.r.i64(p, `${this.where}.${name}`) : dflt;
  }
  u64(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 8, name);
    return p ? this.r.u64(p, `${this.where}.${name}`) : dflt;
  }
  f64(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 8, name);
    return p ? this.r.f64(p, `${this.where}.${name}`) : dflt;
  }

  table(id: number, name: string): Table | null {
    const p = this.field(id, 4, name);
    return p ? this.r.table(this.r.indirect(p, `${this.where}.${name}`), `${this.where}.${name}`) : null;
  }

  string(id: number, name: string): string | null {
    const bytes = this.bytes(id, name);
    if (!bytes) return null;
    // Decoding costs its length: a long name shared by many tables must not multiply the work.
    this.r.spend(bytes.length / 8, `${this.where}.${name}`);
    return utf8.decode(bytes);
  }

  /** A byte vector as a view into the file (no copy). */
  bytes(id: number, name: string): Uint8Array | null {
    const p = this.field(id, 4, name);
    if (!p) return null;
    const { start, count } = this.r.vector(p, 1, `${this.where}.${name}`);
    this.r.spend(1, `${this.where}.${name}`);
    return this.r.bytes.subarray(start, start + count);
  }

  /** A vector of scalars decoded to numbers. */
  numbers(id: number, name: string, kind: ScalarKind): number[] | null {
    const p = this.field(id, 4, name);
    if (!p) return null;
    const w = `${this.where}.${name}`;
    const size = SCALAR_SIZE[kind];
    const { start, count } = this.r.vector(p, size, w);
    this.r.spend(count, w);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = readScalar(this.r, start + i * size, kind, w);
    return out;
  }

  /** A vector of tables. */
  tables(id: number, name: string, itemName: string): Table[] {
    const p = this.field(id, 4, name);
    if (!p) return [];
    const { start, count } = this.r.vector(p, 4, `${this.where}.${name}`);
    this.r.spend(count, `${this.where}.${name}`);
    const out: Table[] = [];
    for (let i = 0; i < count; i++) {
      const w = `${itemName} ${i}`;
      out.push(this.r.table(this.r.indirect(start + i * 4, w), w));
    }
    return out;
  }

  /** A vector of strings. */
  strings(id: number, name: string): string[] {
    const p = this.field(id, 4, name);
    if (!p) return [];
    const w = `${this.where}.${name}`;
    const { start, count } = this.r.vector(p, 4, w);
    this.r.spend(count, w);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const { start: s, count: n } = this.r.vector(start + i * 4, 1, `${w}[${i}]`);
      this.r.spend(n / 8, w);
      out.push(utf8.decode(this.r.bytes.subarray(s, s + n)));
    }
    return out;
  }
}

export type ScalarKind = 'u8' | 'i8' | 'bool' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32' | 'i64' | 'u64' | 'f64';

export const SCALAR_SIZE: Record<ScalarKind, number> = {
  u8: 1,
  i8: 1,
  bool: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
  f32: 4,
  i64: 8,
  u64: 8,
  f64: 8,
};

export function readScalar(r: FbReader, pos: number, kind: ScalarKind, where: string): number {
  switch (kind) {
    case 'u8':
    case 'bool':
      return r.u8(pos, where);
    case 'i8':
      return r.i8(pos, where);
    case 'i16':
      r.check(pos, 2, where);
      return r.bb.readInt16(pos);
    case 'u16':
      return r.u16(pos, where);
    case 'i32':
      return r.i32(pos, where);
    case 'u32':
      return r.u32(pos, where);
    case 'f32':
      return r.f32(pos, where);
    case 'i64':
      return r.i64(pos, where);
    case 'u64':
      return r.u64(pos, where);
    case 'f64':
      return r.f64(pos, where);
  }
}

const utf8 = new TextDecoder('utf-8');
