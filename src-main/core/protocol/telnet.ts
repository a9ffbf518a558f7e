/**
 * Telnet (RFC 854/855) framing and the COM-PORT-OPTION of RFC 2217, as spoken by ser2net's
 * `telnet(rfc2217)` accepter: pure encoders and an incremental decoder over untrusted bytes.
 *
 * On the wire, data byte 0xFF (IAC) is doubled both ways; `IAC <verb> <option>` negotiates an
 * option; `IAC SB <option> ... IAC SE` carries a subnegotiation (0xFF inside it doubled too).
 * RFC 2217 subnegotiations start with a command byte: the client sends 0..12, the server answers
 * with the same command + 100 and the value it applied.
 */

/** RFC 854 command bytes. */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export type Verb = typeof DO | typeof DONT | typeof WILL | typeof WONT;

/** Option numbers: BINARY RFC 856, ECHO RFC 857, SUPPRESS-GO-AHEAD RFC 858, COM-PORT RFC 2217. */
export const TelnetOption = { BINARY: 0, ECHO: 1, SGA: 3, COM_PORT: 44 } as const;

/** RFC 2217 client-to-server commands (a server's answer is the command + SERVER_REPLY). */
export const ComPortCmd = {
  SIGNATURE: 0,
  SET_BAUDRATE: 1,
  SET_DATASIZE: 2,
  SET_PARITY: 3,
  SET_STOPSIZE: 4,
  SET_CONTROL: 5,
  NOTIFY_LINESTATE: 6,
  NOTIFY_MODEMSTATE: 7,
  FLOWCONTROL_SUSPEND: 8,
  FLOWCONTROL_RESUME: 9,
  SET_LINESTATE_MASK: 10,
  SET_MODEMSTATE_MASK: 11,
  PURGE_DATA: 12,
} as const;
export const SERVER_REPLY = 100;

export type Parity = 'none' | 'odd' | 'even' | 'mark' | 'space';
export type StopBits = '1' | '2' | '1.5';
export type FlowControl = 'none' | 'xonxoff' | 'rtscts';

/** SET-PARITY values (0 asks for the current setting). */
export const PARITY_VALUE: Record<Parity, number> = { none: 1, odd: 2, even: 3, mark: 4, space: 5 };
/** SET-STOPSIZE values. */
export const STOPSIZE_VALUE: Record<StopBits, number> = { '1': 1, '2': 2, '1.5': 3 };

/** SET-CONTROL values used here (outbound flow control, DTR and RTS). */
export const Control = {
  FLOW_NONE: 1,
  FLOW_XONXOFF: 2,
  FLOW_HARDWARE: 3,
  DTR_ON: 8,
  DTR_OFF: 9,
  RTS_ON: 11,
  RTS_OFF: 12,
} as const;
export const FLOW_VALUE: Record<FlowControl, number> = {
  none: Control.FLOW_NONE,
  xonxoff: Control.FLOW_XONXOFF,
  rtscts: Control.FLOW_HARDWARE,
};

/** `data` with every 0xFF doubled (the same array when there is none). */
export function escapeIac(data: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of data) if (b === IAC) n++;
  if (n === 0) return data;
  const out = new Uint8Array(data.length + n);
  let j = 0;
  for (const b of data) {
    out[j++] = b;
    if (b === IAC) out[j++] = IAC;
  }
  return out;
}

export function negotiation(verb: Verb, option: number): Uint8Array {
  return Uint8Array.of(IAC, verb, option);
}

/** `IAC SB option payload IAC SE`, the payload escaped. */
export function subnegotiation(option: number, payload: ArrayLike<number>): Uint8Array {
  const body = escapeIac(Uint8Array.from(payload));
  const out = new Uint8Array(body.length + 5);
  out.set([IAC, SB, option]);
  out.set(body, 3);
  out.set([IAC, SE], 3 + body.length);
  return out;
}

/** One RFC 2217 command: SET-BAUDRATE takes a 4-byte big-endian rate, the others one byte. */
export function comPortCommand(cmd: number, value: number): Uint8Array {
  const payload =
    cmd === ComPortCmd.SET_BAUDRATE
      ? [cmd, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]
      : [cmd, value & 0xff];
  return subnegotiation(TelnetOption.COM_PORT, payload);
}

/** A server's answer to a COM-PORT command: which command, and the value it applied. */
export interface ComPortReply {
  cmd: number;
  value: number;
}

/** Decodes an RFC 2217 server subnegotiation payload; null for other commands or short payloads. */
export function parseComPortReply(payload: Uint8Array): ComPortReply | null {
  if (payload.length < 2 || payload[0] < SERVER_REPLY) return null;
  const cmd = payload[0] - SERVER_REPLY;
  if (cmd === ComPortCmd.SET_BAUDRATE) {
    if (payload.length < 5) return null;
    return { cmd, value: ((payload[1] << 24) | (payload[2] << 16) | (payload[3] << 8) | payload[4]) >>> 0 };
  }
  return { cmd, value: payload[1] };
}

export type TelnetEvent =
  | { kind: 'negotiate'; verb: Verb; option: number }
  | { kind: 'sub'; option: number; payload: Uint8Array }
  /** Any other two-byte command (NOP, GA, AYT...): no meaning on a serial link. */
  | { kind: 'command'; code: number };

/** Longest subnegotiation payload kept; the rest is dropped (the peer is untrusted). */
export const MAX_SUB_PAYLOAD = 256;

const enum State {
  Data,
  Iac,
  Option,
  SubOption,
  Sub,
  SubIac,
}

/**
 * Splits a received byte stream into serial data and telnet events. Sequences may be cut
 * anywhere between chunks: the state carries over. Every byte is untrusted: unknown commands
 * become events, over-long subnegotiations are truncated, nothing throws.
 */
export class TelnetDecoder {
  private state = State.Data;
  private verb = 0;
  private subOption = 0;
  private sub: number[] = [];

  push(chunk: Uint8Array): { data: Uint8Array; events: TelnetEvent[] } {
    const data = new Uint8Array(chunk.length);
    let n = 0;
    const events: TelnetEvent[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case State.Data:
          if (b === IAC) this.state = State.Iac;
          else data[n++] = b;
          break;
        case State.Iac:
          if (b === IAC) {
            data[n++] = IAC; // an escaped data byte
            this.state = State.Data;
          } else if (b === DO || b === DONT || b === WILL || b === WONT) {
            this.verb = b;
            this.state = State.Option;
          } else if (b === SB) {
            this.state = State.SubOption;
          } else {
            events.push({ kind: 'command', code: b });
            this.state = State.Data;
          }
          break;
        case State.Option:
          events.push({ kind: 'negotiate', verb: this.verb as Verb, option: b });
          this.state = State.Data;
          break;
        case State.SubOption:
          this.subOption = b;
          this.sub = [];
          this.state = State.Sub;
          break;
        case State.Sub:
          if (b === IAC) this.state = State.SubIac;
          else if (this.sub.length < MAX_SUB_PAYLOAD) this.sub.push(b);
          break;
        case State.SubIac:
          if (b === IAC) {
            if (this.sub.length < MAX_SUB_PAYLOAD) this.sub.push(IAC);
            this.state = State.Sub;
          } else {
            // IAC SE ends it; any other command after IAC also ends it (lenient, as most peers).
            events.push({ kind: 'sub', option: this.subOption, payload: Uint8Array.from(this.sub) });
            this.sub = [];
            this.state = State.Data;
          }
          break;
      }
    }
    return { data: data.subarray(0, n), events };
  }
}
