/**
 * ByteTransport to a board on another machine, behind ser2net (or any RFC 2217 / raw TCP serial
 * server): `rfc2217://host:port` (telnet + COM-PORT option: baud, data bits, parity, stop bits,
 * flow control and a DTR/RTS reset pulse are set by us) or `socket://host:port` (raw TCP).
 * The BoardLink above is the same as for a local port: handshake, chunking, CRC and resume.
 *
 * Written on node:net rather than taken from npm: the telnet packages there (telnet-client,
 * telnet-stream, ...) are line-oriented shell clients or bare option parsers; none implements the
 * RFC 2217 COM-PORT option, so they would add a dependency without the part we need.
 */
import { connect, type Socket } from 'node:net';
import { ProtocolError } from '../../core/protocol/errors.ts';
import {
  DEFAULT_SERIAL,
  parseRemoteBoardUrl,
  RemoteUrlError,
  type RemoteBoardUrl,
  type SerialSettings,
} from '../../core/protocol/remote-url.ts';
import {
  ComPortCmd,
  comPortCommand,
  Control,
  DO,
  DONT,
  escapeIac,
  FLOW_VALUE,
  negotiation,
  PARITY_VALUE,
  parseComPortReply,
  SERVER_REPLY,
  STOPSIZE_VALUE,
  TelnetDecoder,
  TelnetOption,
  WILL,
  WONT,
  type TelnetEvent,
} from '../../core/protocol/telnet.ts';
import { CloseNotice, writeInPieces, type ByteTransport, type WriteData } from './transport.ts';

export interface RemoteTransportOptions {
  /** Baud rate when the URL gives none (rfc2217 only; a raw socket's rate is the server's). */
  baudRate?: number;
  /** TCP connect timeout. */
  connectMs?: number;
  /** How long the server may take to accept the COM-PORT option and confirm each setting. */
  negotiateMs?: number;
}

export interface RemoteTransport extends ByteTransport {
  readonly remote: RemoteBoardUrl;
  /** What the server confirmed it applied to its serial port (rfc2217), null for socket://. */
  readonly applied: Omit<SerialSettings, 'reset'> | null;
}

const OUR_OPTIONS = new Set<number>([TelnetOption.BINARY, TelnetOption.SGA, TelnetOption.COM_PORT]);
/** Options we let the server enable on its side (never ECHO: it would send our frames back). */
const THEIR_OPTIONS = new Set<number>([TelnetOption.BINARY, TelnetOption.SGA, TelnetOption.COM_PORT]);
const RESET_PULSE_MS = 100;

const CMD_NAMES: Record<number, string> = {
  [ComPortCmd.SET_BAUDRATE]: 'SET-BAUDRATE',
  [ComPortCmd.SET_DATASIZE]: 'SET-DATASIZE',
  [ComPortCmd.SET_PARITY]: 'SET-PARITY',
  [ComPortCmd.SET_STOPSIZE]: 'SET-STOPSIZE',
  [ComPortCmd.SET_CONTROL]: 'SET-CONTROL',
};

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

function connectError(r: RemoteBoardUrl, e: NodeJS.ErrnoException): ProtocolError {
  const why =
    e.code === 'ECONNREFUSED'
      ? `connection refused (is ser2net running and listening on port ${r.port}?)`
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
        ? `unknown host '${r.host}'`
        : e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH'
          ? `host ${r.host} is unreachable`
          : e.message;
  return new ProtocolError('DISCONNECTED', `cannot connect to remote board ${r.url}: ${why}`);
}

async function openSocket(r: RemoteBoardUrl, timeoutMs: number): Promise<Socket> {
  const socket = connect({ host: r.host, port: r.port });
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () =>
          fail(
            new ProtocolError(
              'DISCONNECTED',
              `cannot connect to remote board ${r.url}: no answer from ${r.host} within ${timeoutMs / 1000} s`,
            ),
          ),
        timeoutMs,
      );
      socket.once('connect', () => (clearTimeout(timer), ok()));
      socket.once('error', (e) => (clearTimeout(timer), fail(connectError(r, e))));
    });
  } catch (e) {
    socket.destroy();
    throw e;
  }
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 5000);
  return socket;
}

/** The server closed the connection while it was being opened (e.g. "device already in use"). */
class ClosedWhileOpening extends ProtocolError {}

/** How long a server that closes new connections at once (its port still busy) is retried. */
const BUSY_RETRY_MS = 2000;
/** A raw socket is handed out only after this long without the server hanging up. */
const RAW_SETTLE_MS = 150;

/**
 * Opens `spec` (a remote board URL) and, for rfc2217, negotiates and applies the line settings.
 * ser2net turns a connection away ("Port's device already in use") while it is still releasing
 * the port of a connection that just closed: such a connection is retried for BUSY_RETRY_MS.
 */
export async function openRemoteTransport(
  spec: string | RemoteBoardUrl,
  opts: RemoteTransportOptions = {},
): Promise<RemoteTransport> {
  let remote: RemoteBoardUrl;
  try {
    remote = typeof spec === 'string' ? parseRemoteBoardUrl(spec) : spec;
  } catch (e) {
    if (e instanceof RemoteUrlError) throw new ProtocolError('BAD_ARG', e.message);
    throw e;
  }
  const until = Date.now() + BUSY_RETRY_MS;
  for (;;) {
    try {
      return await openOnce(remote, opts);
    } catch (e) {
      if (!(e instanceof ClosedWhileOpening) || Date.now() > until) throw e;
      await sleep(100);
    }
  }
}

async function openOnce(remote: RemoteBoardUrl, opts: RemoteTransportOptions): Promise<RemoteTransport> {
  const url = remote.url;
  const telnet = remote.scheme === 'rfc2217';
  const socket = await openSocket(remote, opts.connectMs ?? 5000);
  const negotiateMs = opts.negotiateMs ?? 3000;

  // Data that arrives before the link listens (e.g. a board's boot text) is kept for it.
  let dataCb: ((b: Uint8Array) => void) | null = null;
  const early: Uint8Array[] = [];
  const deliver = (b: Uint8Array) => {
    if (b.length === 0) return;
    if (dataCb) dataCb(b);
    else early.push(b);
  };

  const closed = new CloseNotice();
  let lastError: Error | null = null;
  socket.on('error', (e) => (lastError = e));
  socket.on('close', () => {
    // What the server said before hanging up on a new connection (ser2net: "Port's device already in use").
    const said = dataCb
      ? ''
      : Buffer.concat(early)
          .toString('latin1')
          .replace(/[^\x20-\x7e]+/g, ' ')
          .trim()
          .slice(0, 200);
    closed.fire(
      lastError
        ? `connection to remote board ${url} lost: ${lastError.message}`
        : `remote board ${url} closed the connection${said ? ` ("${said}")` : ''}`,
    );
  });

  // Telnet option state (RFC 1143 in short: answer a request only when it changes our state).
  const weWill = new Set<number>();
  const theyWill = new Set<number>();
  const refused = new Set<string>();
  let comPort: 'pending' | 'on' | 'refused' = 'pending';
  let onComPort: (() => void) | null = null;
  const replies = new Map<number, (value: number) => void>();
  // RFC 2217 FLOWCONTROL-SUSPEND: the server's buffer is full; writes wait for RESUME.
  let resumed: Promise<void> | null = null;
  let resume: (() => void) | null = null;

  const send = (bytes: Uint8Array) => {
    if (closed.reason === null) socket.write(bytes);
  };
  const refuse = (verb: typeof WONT | typeof DONT, option: number) => {
    const key = `${verb}:${option}`;
    if (refused.has(key)) return;
    refused.add(key);
    send(negotiation(verb, option));
  };
  const onEvent = (ev: TelnetEvent) => {
    if (ev.kind === 'negotiate') {
      const { verb, option } = ev;
      if (verb === DO) {
        if (OUR_OPTIONS.has(option)) {
          if (!weWill.has(option)) (weWill.add(option), send(negotiation(WILL, option)));
          if (option === TelnetOption.COM_PORT && comPort === 'pending') ((comPort = 'on'), onComPort?.());
        } else refuse(WONT, option);
      } else if (verb === DONT) {
        if (weWill.delete(option)) send(negotiation(WONT, option));
        if (option === TelnetOption.COM_PORT) ((comPort = 'refused'), onComPort?.());
      } else if (verb === WILL) {
        if (THEIR_OPTIONS.has(option)) {
          if (!theyWill.has(option)) (theyWill.add(option), send(negotiation(DO, option)));
        } else refuse(DONT, option);
      } else if (theyWill.delete(option)) send(negotiation(DONT, option));
      return;
    }
    if (ev.kind === 'sub' && ev.option === TelnetOption.COM_PORT) {
      // FLOWCONTROL-SUSPEND/RESUME carry no value: the command byte alone
      const code = ev.payload[0];
      if (code === SERVER_REPLY + ComPortCmd.FLOWCONTROL_SUSPEND) {
        resumed ??= new Promise<void>((ok) => (resume = ok));
        return;
      }
      if (code === SERVER_REPLY + ComPortCmd.FLOWCONTROL_RESUME) {
        resume?.();
        resume = null;
        resumed = null;
        return;
      }
      const reply = parseComPortReply(ev.payload);
      const r = reply && replies.get(reply.cmd);
      if (reply && r) (replies.delete(reply.cmd), r(reply.value));
    }
    // line/modem state notifications, SIGNATURE and other commands mean nothing to the link
  };

  const decoder = telnet ? new TelnetDecoder() : null;
  socket.on('data', (b: Buffer) => {
    const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (!decoder) return deliver(bytes);
    const { data, events } = decoder.push(bytes);
    for (const ev of events) onEvent(ev);
    deliver(data);
  });

  // Rejects once the connection is gone: negotiation steps race it instead of waiting out their timeouts.
  const gone = new Promise<never>((_, fail) =>
    closed.onClose((reason) => fail(new ProtocolError('DISCONNECTED', reason))),
  );
  gone.catch(() => undefined);

  let applied: Omit<SerialSettings, 'reset'> | null = null;
  try {
    if (telnet) {
      const want: SerialSettings = { ...DEFAULT_SERIAL, baudRate: opts.baudRate ?? DEFAULT_SERIAL.baudRate };
      Object.assign(want, remote.options);
      applied = await negotiate(want);
    } else await Promise.race([gone, sleep(RAW_SETTLE_MS)]);
  } catch (e) {
    socket.destroy();
    if (closed.reason !== null && !dataCb) throw new ClosedWhileOpening('DISCONNECTED', closed.reason);
    throw e;
  }

  async function negotiate(want: SerialSettings): Promise<Omit<SerialSettings, 'reset'>> {
    for (const o of [TelnetOption.BINARY, TelnetOption.SGA]) {
      (weWill.add(o), send(negotiation(WILL, o)));
      (theyWill.add(o), send(negotiation(DO, o)));
    }
    weWill.add(TelnetOption.COM_PORT);
    send(negotiation(WILL, TelnetOption.COM_PORT));
    if (comPort === 'pending')
      await Promise.race([
        gone,
        new Promise<void>((ok, fail) => {
          const timer = setTimeout(
            () =>
              fail(
                new ProtocolError(
                  'NOT_A_BOARD',
                  `remote board ${url}: no RFC 2217 answer within ${negotiateMs / 1000} s; is it a raw TCP port? (then use socket://${remote.host.includes(':') ? `[${remote.host}]` : remote.host}:${remote.port})`,
                ),
              ),
            negotiateMs,
          );
          onComPort = () => (clearTimeout(timer), ok());
        }),
      ]);
    closed.check();
    if (comPort === 'refused')
      throw new ProtocolError(
        'NOT_A_BOARD',
        `remote board ${url}: the server refused the RFC 2217 COM-PORT option (ser2net needs the accepter 'telnet(rfc2217),tcp,PORT'; for a raw TCP port use socket://)`,
      );
    const ask = async (cmd: number, value: number): Promise<number> => {
      const answer = new Promise<number>((ok, fail) => {
        const timer = setTimeout(
          () =>
            fail(
              new ProtocolError(
                'NOT_A_BOARD',
                `remote board ${url}: the server did not confirm ${CMD_NAMES[cmd]} within ${negotiateMs / 1000} s`,
              ),
            ),
          negotiateMs,
        );
        replies.set(cmd, (v) => (clearTimeout(timer), ok(v)));
      });
      send(comPortCommand(cmd, value));
      return answer;
    };
    const [baud, size, parity, stop, flow] = await Promise.race([
      gone,
      Promise.all([
        ask(ComPortCmd.SET_BAUDRATE, want.baudRate),
        ask(ComPortCmd.SET_DATASIZE, want.dataBits),
        ask(ComPortCmd.SET_PARITY, PARITY_VALUE[want.parity]),
        ask(ComPortCmd.SET_STOPSIZE, STOPSIZE_VALUE[want.stopBits]),
        ask(ComPortCmd.SET_CONTROL, FLOW_VALUE[want.flow]),
      ]),
    ]);
    const name = <T extends string>(table: Record<T, number>, v: number) =>
      (Object.keys(table) as T[]).find((k) => table[k] === v);
    const got = {
      baudRate: baud,
      dataBits: size as SerialSettings['dataBits'],
      parity: name(PARITY_VALUE, parity) ?? (`#${parity}` as SerialSettings['parity']),
      stopBits: name(STOPSIZE_VALUE, stop) ?? (`#${stop}` as SerialSettings['stopBits']),
      flow: name(FLOW_VALUE, flow) ?? (`#${flow}` as SerialSettings['flow']),
    };
    for (const k of ['baudRate', 'dataBits', 'parity', 'stopBits', 'flow'] as const)
      if (got[k] !== want[k])
        throw new ProtocolError(
          'NOT_A_BOARD',
          `remote board ${url}: asked for ${k} ${want[k]}, the server applied ${got[k]}`,
        );
    if (want.reset !== 'none') {
      // A reset pulse: assert the line, hold, release. Servers on ports without modem lines
      // (ptys) do not answer SET-CONTROL for DTR/RTS, so no answer is awaited.
      const [on, off] =
        want.reset === 'dtr' ? [Control.DTR_ON, Control.DTR_OFF] : [Control.RTS_ON, Control.RTS_OFF];
      send(comPortCommand(ComPortCmd.SET_CONTROL, on));
      await sleep(RESET_PULSE_MS);
      send(comPortCommand(ComPortCmd.SET_CONTROL, off));
    }
    return got;
  }

  const writePiece = (piece: Uint8Array) =>
    new Promise<void>((ok, fail) => {
      socket.write(piece, (err) =>
        err
          ? fail(new ProtocolError('DISCONNECTED', `write to remote board ${url} failed: ${err.message}`))
          : ok(),
      );
    });
  function* escaped(data: WriteData): Iterable<Uint8Array> {
    if (data instanceof Uint8Array) yield escapeIac(data);
    else for (const part of data) yield escapeIac(part);
  }

  return {
    remote,
    applied,
    description: url,
    async write(data) {
      closed.check();
      if (resumed) await resumed;
      await writeInPieces(telnet ? escaped(data) : data, writePiece);
    },
    onData(cb) {
      dataCb = cb;
      for (const b of early.splice(0)) cb(b);
    },
    onClose: (cb) => closed.onClose(cb),
    close() {
      return new Promise<void>((ok) => {
        if (socket.destroyed) return ok();
        const timer = setTimeout(() => socket.destroy(), 1000);
        socket.once('close', () => (clearTimeout(timer), ok()));
        socket.end();
      });
    },
  };
}
