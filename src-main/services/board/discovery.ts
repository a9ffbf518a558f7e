/**
 * Board discovery: serial ports from the OS list, matched by USB VID/PID to known dev-kit
 * probes and bridges (usb-ids.ts), each candidate probed once with the HELLO handshake (short
 * timeout); typed paths (ptys never show in listings) and remote board URLs (rfc2217://,
 * socket://) probed on request; the virtual board and, when qemu-system-arm is on PATH, the
 * emulated boards (emulated-boards.ts: Cortex-M3, M4, M7, M33, M55, the NUCLEO port) always
 * offered — one whose machine this QEMU lacks is listed as not runnable, with the reason. watch() polls the list every ~500 ms, so a board
 * plugged in shows up with its name, CPU, clock and arena well within 2 s, and disappears when
 * unplugged.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BoardLink } from './board-link.ts';
import { openPortTransport } from './port-transport.ts';
import type { BoardIdentity, DiscoveredBoard } from '../../shared/api.ts';
import { EMULATED_BOARDS } from './emulated-boards.ts';
import { matchUsb } from './usb-ids.ts';
import { isRemoteBoardUrl, parseRemoteBoardUrl } from '../../core/protocol/remote-url.ts';

export type { BoardIdentity, DiscoveredBoard } from '../../shared/api.ts';

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  serialNumber?: string;
}

export type ListPorts = () => Promise<PortInfo[]>;

export type ProbePort = (path: string) => Promise<BoardIdentity>;

/** The OS list through serialport (the one part that needs real USB hardware). */
export const serialPortList: ListPorts = async () => {
  const { SerialPort } = await import('serialport');
  return (await SerialPort.list()).map((p) => ({
    path: p.path,
    vendorId: p.vendorId,
    productId: p.productId,
    manufacturer: p.manufacturer,
    serialNumber: p.serialNumber,
  }));
};

/** Opens `path`, performs HELLO within `timeoutMs`, closes again. */
export function handshakeProbe(timeoutMs = 400, baudRate = 115200): ProbePort {
  return async (path) => {
    const link = await BoardLink.open(await openPortTransport(path, baudRate), {
      timeoutMs,
      retries: 1,
      handshakeMs: 2 * timeoutMs, // a port spewing garbage is not a board worth waiting for
    });
    const h = link.hello;
    await link.close();
    return {
      board: h.board,
      cpu: h.cpu,
      cpuHz: h.cpuHz,
      tickHz: h.tickHz,
      arenaBytes: h.arenaBytes,
      firmware: h.firmware,
      protocol: h.protocol,
    };
  };
}

export function qemuInstalled(exe = 'qemu-system-arm'): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, exe)));
}

/** The machines `qemu-system-arm -M help` lists (none when it cannot run). */
export function qemuMachines(exe = 'qemu-system-arm'): Promise<ReadonlySet<string>> {
  return new Promise((ok) =>
    execFile(exe, ['-M', 'help'], { timeout: 10_000 }, (err, out) =>
      ok(
        new Set(
          err
            ? []
            : out
                .split('\n')
                .map((l) => l.split(/\s+/)[0])
                .filter(Boolean),
        ),
      ),
    ),
  );
}

export interface DiscoveryOptions {
  list?: ListPorts;
  probe?: ProbePort;
  intervalMs?: number;
  /** Paths a session holds open right now: listed as busy, never probed (registry.ts). */
  isBusy?: (path: string) => boolean;
  qemu?: boolean;
  /** The QEMU machines there are (default: asked of qemu-system-arm once, when `qemu`). */
  machines?: () => Promise<ReadonlySet<string>>;
}

const RETRY_MS = 3000;

/** A typed port path, or a remote board URL (offered with its host; never "gone" like a path). */
function typedBoard(path: string): DiscoveredBoard {
  if (!isRemoteBoardUrl(path))
    return { id: path, kind: 'serial', source: 'typed', path, status: 'not-a-board' };
  let remote: DiscoveredBoard['remote'];
  try {
    const r = parseRemoteBoardUrl(path);
    remote = { scheme: r.scheme, host: r.host, port: r.port };
  } catch {
    remote = undefined; // the probe says what is wrong with the URL
  }
  return {
    id: path,
    kind: 'serial',
    source: 'remote',
    path,
    ...(remote ? { remote } : {}),
    status: 'not-a-board',
  };
}

export class BoardDiscovery {
  private readonly list: ListPorts;
  private readonly probe: ProbePort;
  private readonly intervalMs: number;
  private readonly isBusy: (path: string) => boolean;
  private readonly qemu: boolean;
  private readonly machinesFn: () => Promise<ReadonlySet<string>>;
  private machines: Promise<ReadonlySet<string>> | null = null;
  /** Probe results per port path, kept while the port stays listed (probed once per plug-in). */
  private readonly found = new Map<string, DiscoveredBoard>();
  private readonly probing = new Map<string, Promise<DiscoveredBoard>>();
  private readonly typed = new Set<string>();
  /** When each path was last probed: a port that did not answer is tried again after RETRY_MS
   * (a board just plugged in may still be booting when the OS lists its port). */
  private readonly probedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<DiscoveredBoard[]> | null = null;
  private listeners = new Set<(boards: DiscoveredBoard[]) => void>();
  private lastKey = '';

  constructor(opts: DiscoveryOptions = {}) {
    this.list = opts.list ?? serialPortList;
    this.probe = opts.probe ?? handshakeProbe();
    this.intervalMs = opts.intervalMs ?? 500;
    this.isBusy = opts.isBusy ?? (() => false);
    this.qemu = opts.qemu ?? qemuInstalled();
    this.machinesFn = opts.machines ?? (() => qemuMachines());
  }

  private async builtins(): Promise<DiscoveredBoard[]> {
    const out: DiscoveredBoard[] = [
      { id: 'virtual', kind: 'virtual', source: 'builtin', status: 'available' },
    ];
    if (!this.qemu) return out;
    const machines = await (this.machines ??= this.machinesFn());
    for (const e of EMULATED_BOARDS) {
      const runs = machines.has(e.machine);
      out.push({
        id: e.id,
        kind: 'qemu',
        source: 'builtin',
        emulated: { machine: e.machine, cpu: e.cpu, label: e.label },
        status: runs ? 'available' : 'not-a-board',
        ...(runs
          ? {}
          : {
              error: `this QEMU cannot run the ${e.cpu} board: qemu-system-arm -M help does not list ${e.machine} (a newer QEMU has it)`,
            }),
      });
    }
    return out;
  }

  private async probeOnce(base: DiscoveredBoard): Promise<DiscoveredBoard> {
    const path = base.path!;
    let p = this.probing.get(path);
    if (!p) {
      this.probedAt.set(path, Date.now());
      p = this.probe(path).then(
        (identity): DiscoveredBoard => ({ ...base, status: 'ready', identity }),
        (e: unknown): DiscoveredBoard => ({
          ...base,
          status: 'not-a-board',
          error: e instanceof Error ? e.message : String(e),
        }),
      );
      this.probing.set(path, p);
    }
    try {
      const r = await p;
      this.found.set(path, r);
      return r;
    } finally {
      this.probing.delete(path);
    }
  }

  /** Probes a typed path now and keeps offering it while it exists. */
  async addPath(path: string): Promise<DiscoveredBoard> {
    this.typed.add(path);
    this.found.delete(path);
    if (this.isBusy(path)) return { ...typedBoard(path), status: 'busy' };
    return this.probeOnce(typedBoard(path));
  }

  /** One pass: list ports, probe new candidates (in parallel), forget vanished ones. */
  scan(): Promise<DiscoveredBoard[]> {
    this.scanning ??= this.scanNow().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scanNow(): Promise<DiscoveredBoard[]> {
    const ports = await this.list().catch(() => [] as PortInfo[]);
    const present = new Set(ports.map((p) => p.path));
    for (const t of this.typed) if (!isRemoteBoardUrl(t) && !existsSync(t)) this.typed.delete(t);
    for (const path of [...this.found.keys()])
      if (!present.has(path) && !this.typed.has(path)) this.found.delete(path);
    const candidates: DiscoveredBoard[] = [];
    for (const p of ports) {
      const usb = matchUsb(p.vendorId, p.productId);
      if (!usb) continue;
      candidates.push({
        id: p.path,
        kind: 'serial',
        source: 'usb',
        path: p.path,
        usb: {
          ...usb,
          vendorId: p.vendorId!.toLowerCase(),
          ...(p.productId ? { productId: p.productId.toLowerCase() } : {}),
        },
        status: 'not-a-board',
      });
    }
    for (const t of this.typed) if (!present.has(t)) candidates.push(typedBoard(t));
    const result = await Promise.all(
      candidates.map(async (c): Promise<DiscoveredBoard> => {
        if (this.isBusy(c.path!))
          return {
            ...c,
            status: 'busy',
            ...(this.found.get(c.path!)?.identity ? { identity: this.found.get(c.path!)!.identity } : {}),
          };
        const known = this.found.get(c.path!);
        const stale =
          known?.status === 'not-a-board' && Date.now() - (this.probedAt.get(c.path!) ?? 0) > RETRY_MS;
        return known && !stale ? { ...known, ...(c.usb ? { usb: c.usb } : {}) } : this.probeOnce(c);
      }),
    );
    const boards = [...(await this.builtins()), ...result];
    const key = JSON.stringify(boards);
    if (key !== this.lastKey) {
      this.lastKey = key;
      for (const l of this.listeners) l(boards);
    }
    return boards;
  }

  /** Hotplug watch: scans every intervalMs until stop(); listeners get the list when it changes. */
  watch(listener: (boards: DiscoveredBoard[]) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      const tick = () => {
        void this.scan().finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
        });
      };
      this.timer = setTimeout(tick, 0);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
