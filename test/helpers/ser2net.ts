/**
 * Runs Debian's ser2net in the foreground for a test: one serial device (a pty whose other end is a
 * board) exposed on free local ports, in telnet/RFC 2217 mode and in raw TCP mode. The YAML config
 * goes to a temp folder; `stop()` kills the process (SIGKILL too, to simulate a crash).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SER2NET = '/usr/sbin/ser2net';

/** A port the kernel just handed out (free again once we close it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

/** Whether something listens on 127.0.0.1:port (from /proc/net/tcp: no connection is made). */
function listening(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const text = readFileSync('/proc/net/tcp', 'utf8');
  return text.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) && f[3] === '0A';
  });
}

export interface Ser2netOptions {
  device: string;
  /** ports to serve on; fresh free ones when omitted (give the old ones to restart in place) */
  rfc2217Port?: number;
  rawPort?: number;
  /** also serve plain telnet (no RFC 2217) on a fresh port */
  plainTelnet?: boolean;
}

export class Ser2net {
  private constructor(
    readonly child: ChildProcess,
    readonly dir: string,
    readonly rfc2217Port: number,
    readonly rawPort: number,
    readonly log: () => string,
    /** plain telnet, without the COM-PORT option (0 unless asked for) */
    readonly telnetPort: number,
  ) {}

  get rfc2217Url(): string {
    return `rfc2217://127.0.0.1:${this.rfc2217Port}`;
  }
  get socketUrl(): string {
    return `socket://127.0.0.1:${this.rawPort}`;
  }

  static installed(): boolean {
    return spawnSync(SER2NET, ['-v']).status === 0;
  }

  static async start(o: Ser2netOptions): Promise<Ser2net> {
    if (!Ser2net.installed())
      throw new Error(`${SER2NET} is missing: install Debian's ser2net (scripts/install-test-deps.sh)`);
    const rfc2217Port = o.rfc2217Port ?? (await freePort());
    const rawPort = o.rawPort ?? (await freePort());
    const telnetPort = o.plainTelnet ? await freePort() : 0;
    const dir = mkdtempSync(join(tmpdir(), 'qs-ser2net-'));
    const config = join(dir, 'ser2net.yaml');
    // "local": no modem-control lines (a pty has none); the serial settings are the defaults a
    // raw client gets, an RFC 2217 client sets its own.
    writeFileSync(
      config,
      [
        '%YAML 1.1',
        '---',
        'connection: &board2217',
        `    accepter: telnet(rfc2217),tcp,127.0.0.1,${rfc2217Port}`,
        `    connector: serialdev,${o.device},115200n81,local`,
        '    options:',
        '      kickolduser: true',
        'connection: &boardraw',
        `    accepter: tcp,127.0.0.1,${rawPort}`,
        `    connector: serialdev,${o.device},115200n81,local`,
        '    options:',
        '      kickolduser: true',
        ...(telnetPort
          ? [
              'connection: &boardtelnet',
              `    accepter: telnet,tcp,127.0.0.1,${telnetPort}`,
              `    connector: serialdev,${o.device},115200n81,local`,
            ]
          : []),
        '',
      ].join('\n'),
    );
    // -u: no UUCP lock files in /var/lock (a killed ser2net would leave one behind)
    const child = spawn(SER2NET, ['-n', '-d', '-u', '-c', config, '-P', join(dir, 'ser2net.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const s = new Ser2net(child, dir, rfc2217Port, rawPort, () => out, telnetPort);
    for (let i = 0; i < 250; i++) {
      if (listening(rfc2217Port) && listening(rawPort)) return s;
      if (child.exitCode !== null) break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    await s.stop();
    throw new Error(`ser2net did not listen on ${rfc2217Port} and ${rawPort} within 5 s:\n${out}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((ok) => this.child.once('exit', ok));
      this.child.kill(signal);
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `stty -F device [args]` (the settings ser2net applied to the pty). */
export function stty(device: string, ...args: string[]): string {
  const r = spawnSync('stty', ['-F', device, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`stty -F ${device} failed: ${r.stderr}`);
  return r.stdout;
}
