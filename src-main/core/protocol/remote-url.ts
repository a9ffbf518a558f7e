/**
 * Remote board addresses in pyserial's URL forms: `rfc2217://host:port` (telnet with the RFC 2217
 * COM-PORT option: the client sets baud, data bits, parity, stop bits and flow control) and
 * `socket://host:port` (raw TCP: the line settings are whatever the server was configured with).
 *
 * rfc2217 query options: baud=N, databits=5..8, parity=none|odd|even|mark|space,
 * stopbits=1|1.5|2, flow=none|xonxoff|rtscts, reset=none|dtr|rts (the line is asserted for
 * 100 ms, then released, before the handshake: for boards wired to reset on DTR or RTS).
 */
import type { FlowControl, Parity, StopBits } from './telnet.ts';

export type RemoteScheme = 'rfc2217' | 'socket';

export interface SerialSettings {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: Parity;
  stopBits: StopBits;
  flow: FlowControl;
  reset: 'none' | 'dtr' | 'rts';
}

export interface RemoteBoardUrl {
  scheme: RemoteScheme;
  /** Host name or address (IPv6 without brackets). */
  host: string;
  port: number;
  /** Options given in the URL (rfc2217 only); defaults are filled in when the port is opened. */
  options: Partial<SerialSettings>;
  /** The URL in one normal form (scheme lower-case, options in a fixed order): the board's id. */
  url: string;
}

export const DEFAULT_SERIAL: SerialSettings = {
  baudRate: 115200,
  dataBits: 8,
  parity: 'none',
  stopBits: '1',
  flow: 'none',
  reset: 'none',
};

export class RemoteUrlError extends Error {
  override readonly name = 'RemoteUrlError';
}

const SCHEME = /^(rfc2217|socket):\/\//i;

/** Whether `spec` is meant as a remote board (then parseRemoteBoardUrl says what is wrong, if anything). */
export function isRemoteBoardUrl(spec: string): boolean {
  return SCHEME.test(spec);
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

const CHOICES = {
  parity: ['none', 'odd', 'even', 'mark', 'space'],
  stopbits: ['1', '1.5', '2'],
  flow: ['none', 'xonxoff', 'rtscts'],
  reset: ['none', 'dtr', 'rts'],
} as const;

function choice<K extends keyof typeof CHOICES>(url: string, key: K, v: string): (typeof CHOICES)[K][number] {
  const list = CHOICES[key] as readonly string[];
  if (!list.includes(v.toLowerCase()))
    throw new RemoteUrlError(`${url}: ${key}=${v} is not one of ${list.join(', ')}`);
  return v.toLowerCase() as (typeof CHOICES)[K][number];
}

/** Parses and checks a remote board URL; every problem is a RemoteUrlError naming it. */
export function parseRemoteBoardUrl(spec: string): RemoteBoardUrl {
  const text = spec.trim();
  const m = SCHEME.exec(text);
  if (!m)
    throw new RemoteUrlError(`${text}: not a remote board URL (rfc2217://host:port or socket://host:port)`);
  const scheme = m[1].toLowerCase() as RemoteScheme;
  let u: URL;
  try {
    u = new URL(`${scheme}://${text.slice(m[0].length)}`);
  } catch {
    const p = /:(\d+)(?=[/?#]|$)/.exec(text.slice(m[0].length));
    if (p && Number(p[1]) > 65535) throw new RemoteUrlError(`${text}: port ${p[1]} is out of range`);
    throw new RemoteUrlError(`${text}: not a valid URL (expected ${scheme}://host:port)`);
  }
  if (u.username || u.password)
    throw new RemoteUrlError(`${text}: user names and passwords are not supported`);
  if (u.pathname && u.pathname !== '/') throw new RemoteUrlError(`${text}: a remote board URL has no path`);
  if (u.hash) throw new RemoteUrlError(`${text}: a remote board URL has no #fragment`);
  const bracketed = u.hostname.startsWith('[');
  const host = bracketed ? u.hostname.slice(1, -1) : u.hostname;
  if (!host) throw new RemoteUrlError(`${text}: no host (expected ${scheme}://host:port)`);
  if (bracketed ? !IPV6.test(host) : !HOST.test(host))
    throw new RemoteUrlError(`${text}: '${host}' is not a host name or address`);
  // WHATWG URL drops a port it considers default only for special schemes; ours are not.
  if (!u.port) throw new RemoteUrlError(`${text}: no port (expected ${scheme}://${host}:PORT)`);
  const port = Number(u.port);
  if (!(port >= 1 && port <= 65535)) throw new RemoteUrlError(`${text}: port ${u.port} is out of range`);

  const options: Partial<SerialSettings> = {};
  for (const [key, value] of u.searchParams) {
    if (scheme === 'socket')
      throw new RemoteUrlError(
        `${text}: socket:// is a raw TCP port, its line settings come from the server's configuration (use rfc2217:// to set ${key})`,
      );
    switch (key.toLowerCase()) {
      case 'baud': {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 50 || n > 0xffffffff)
          throw new RemoteUrlError(`${text}: baud=${value} is not a baud rate`);
        options.baudRate = n;
        break;
      }
      case 'databits': {
        if (!/^[5-8]$/.test(value))
          throw new RemoteUrlError(`${text}: databits=${value} is not 5, 6, 7 or 8`);
        options.dataBits = Number(value) as SerialSettings['dataBits'];
        break;
      }
      case 'parity':
        options.parity = choice(text, 'parity', value);
        break;
      case 'stopbits':
        options.stopBits = choice(text, 'stopbits', value);
        break;
      case 'flow':
        options.flow = choice(text, 'flow', value);
        break;
      case 'reset':
        options.reset = choice(text, 'reset', value);
        break;
      default:
        throw new RemoteUrlError(
          `${text}: unknown option '${key}' (known: baud, databits, parity, stopbits, flow, reset)`,
        );
    }
  }
  const query = [
    options.baudRate !== undefined && `baud=${options.baudRate}`,
    options.dataBits !== undefined && `databits=${options.dataBits}`,
    options.parity && `parity=${options.parity}`,
    options.stopBits && `stopbits=${options.stopBits}`,
    options.flow && `flow=${options.flow}`,
    options.reset && `reset=${options.reset}`,
  ].filter(Boolean);
  const hostPart = bracketed ? `[${host.toLowerCase()}]` : host.toLowerCase();
  const url = `${scheme}://${hostPart}:${port}${query.length ? `?${query.join('&')}` : ''}`;
  return { scheme, host: host.toLowerCase(), port, options, url };
}

/** "host:port" as shown next to a remote board. */
export function remoteLabel(r: RemoteBoardUrl): string {
  return r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}
