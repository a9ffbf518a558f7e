/** Little-endian body building and bounds-checked reading for protocol messages. */
import { ProtocolError } from './errors.ts';

export class BodyWriter {
  private bytes: number[] = [];
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  finish(tail?: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.bytes.length + (tail?.length ?? 0));
    out.set(this.bytes);
    if (tail) out.set(tail, this.bytes.length);
    return out;
  }
}

/** Reads a body received from a board; any short read is a BAD_REPLY naming the message. */
export class BodyReader {
  private pos = 0;
  private view: DataView;
  constructor(
    private body: Uint8Array,
    private what: string,
  ) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }
  private need(n: number): number {
    if (this.pos + n > this.body.length) {
      throw new ProtocolError(
        'BAD_REPLY',
        `${this.what}: body of ${this.body.length} B ends before byte ${this.pos + n}`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  i16(): number {
    return this.view.getInt16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.body.slice(at, at + n);
  }
  str(): string {
    return new TextDecoder().decode(this.bytes(this.u8()));
  }
  rest(): Uint8Array {
    return this.bytes(this.body.length - this.pos);
  }
  end(): void {
    if (this.pos !== this.body.length) {
      throw new ProtocolError(
        'BAD_REPLY',
        `${this.what}: ${this.body.length - this.pos} unexpected trailing bytes`,
      );
    }
  }
}
