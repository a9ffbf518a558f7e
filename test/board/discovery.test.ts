/**
 * Discovery with a real board on a pty: the virtual board (host firmware on stdio) behind a
 * socat pseudo-terminal, reached by its typed path; USB VID/PID matching and hotplug through a
 * fake port list (the OS list is the one part that needs real USB hardware).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BoardDiscovery,
  handshakeProbe,
  qemuInstalled,
  qemuMachines,
  type DiscoveredBoard,
  type PortInfo,
} from '../../src-main/services/board/discovery.ts';
import { EMULATED_BOARDS } from '../../src-main/services/board/emulated-boards.ts';
import { buildFirmware } from '../../src-main/services/board/firmware.ts';
import { matchUsb } from '../../src-main/services/board/usb-ids.ts';

const MACHINES = EMULATED_BOARDS.map((e) => e.machine);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** qs-board on stdio behind `socat pty,link=PATH`. */
async function socatBoard(path: string): Promise<ChildProcess> {
  const exe = await buildFirmware('host');
  const child = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${exe}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(path); i++) await sleep(20);
  if (!existsSync(path)) throw new Error('socat did not create its pty');
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await exited;
}

describe('USB VID/PID matching', () => {
  it.each([
    ['1366', '0105', 'SEGGER J-Link', 'J-Link CDC'],
    ['0483', '374B', 'STMicroelectronics ST-LINK', 'ST-LINK/V2-1'],
    ['10C4', 'EA60', 'Silicon Labs CP210x', 'CP2102/CP2104'],
    ['2e8a', '000c', 'Raspberry Pi', 'Debug Probe'],
    ['1fc9', '0143', 'NXP MCU-Link / LPC-Link2', 'MCU-Link'],
    ['1915', '520f', 'Nordic Semiconductor', 'nRF52840 Dongle'],
    ['0403', '6001', 'FTDI', 'FT232R'],
    ['303a', '1001', 'Espressif', 'USB JTAG/serial'],
    ['1a86', '7523', 'WCH', 'CH340'],
  ])('%s:%s is %s', (vid, pid, vendor, product) => {
    expect(matchUsb(vid, pid)).toMatchObject({ vendor, product });
  });

  it('unknown vendors, missing or malformed ids do not match; unknown products of known vendors do', () => {
    expect(matchUsb('8087', '0aaa')).toBeNull(); // Intel Bluetooth
    expect(matchUsb(undefined)).toBeNull();
    expect(matchUsb('zz12')).toBeNull();
    expect(matchUsb('0x0403', 'ffff')).toEqual({ vendor: 'FTDI', kind: 'bridge' });
    expect(matchUsb(0x1366)).toMatchObject({ vendor: 'SEGGER J-Link', kind: 'debugger' });
  });
});

describe('discovery with the virtual board behind a socat pty', () => {
  let dir: string;
  let socat: ChildProcess | undefined;
  let path: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qs-disc-'));
    path = join(dir, 'ttyBOARD');
    socat = await socatBoard(path);
  }, 300_000);
  afterAll(async () => {
    await stop(socat);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a typed path is probed with HELLO: name, CPU, clock and arena', async () => {
    const d = new BoardDiscovery({ list: async () => [], qemu: false });
    const b = await d.addPath(path);
    expect(b).toMatchObject({ id: path, kind: 'serial', source: 'typed', status: 'ready' });
    expect(b.identity).toMatchObject({
      board: 'QuantScope virtual board',
      cpu: 'host',
      cpuHz: 0,
      tickHz: 1e9,
      arenaBytes: 8 << 20,
      protocol: 1,
    });
    // the builtins are always offered, and the typed path stays listed while it exists
    const all = await d.scan();
    expect(all.map((x) => x.id)).toEqual(['virtual', path]);
  }, 30_000);

  // rule: with QEMU installed every emulated board (emulated-boards.ts) is offered, started on demand
  it('the emulated boards are offered when QEMU is installed', async () => {
    const d = new BoardDiscovery({
      list: async () => [],
      qemu: true,
      machines: async () => new Set(MACHINES),
    });
    expect((await d.scan()).map((x) => [x.id, x.status, x.emulated?.machine])).toEqual([
      ['virtual', 'available', undefined],
      ['qemu', 'available', 'mps2-an385'],
      ['qemu-m4', 'available', 'mps2-an386'],
      ['qemu-m7', 'available', 'mps2-an500'],
      ['qemu-m33', 'available', 'mps2-an505'],
      ['qemu-m55', 'available', 'mps3-an547'],
      ['qemu-nucleo', 'available', 'netduinoplus2'],
    ]);
  });

  // rule: a core this QEMU cannot run is listed as such, with the reason (not left out silently)
  it('an emulated board whose machine this QEMU lacks is listed as not runnable, naming the machine', async () => {
    const d = new BoardDiscovery({
      list: async () => [],
      qemu: true,
      machines: async () => new Set(MACHINES.filter((m) => m !== 'mps3-an547')),
    });
    const m55 = (await d.scan()).find((b) => b.id === 'qemu-m55')!;
    expect(m55.status).toBe('not-a-board');
    expect(m55.error).toMatch(
      /cannot run the cortex-m55 board: qemu-system-arm -M help does not list mps3-an547/,
    );
  });

  // rule: the machine list comes from the installed QEMU itself
  it.runIf(qemuInstalled())('asks the installed qemu-system-arm for its machines', async () => {
    const machines = await qemuMachines();
    for (const m of ['mps2-an385', 'mps2-an386', 'mps2-an500', 'mps2-an505', 'mps3-an547', 'netduinoplus2'])
      expect(machines.has(m), m).toBe(true);
    expect((await qemuMachines('qemu-system-arm-that-does-not-exist')).size).toBe(0);
  });

  it('USB candidates are probed, other ports left alone; a silent port is "not-a-board" with a reason', async () => {
    const probed: string[] = [];
    const probe = handshakeProbe(300);
    const ports: PortInfo[] = [
      { path, vendorId: '1366', productId: '0105', manufacturer: 'SEGGER' },
      { path: '/dev/ttyS0' }, // a built-in UART: never opened
      { path: join(dir, 'gone'), vendorId: '0403', productId: '6001' },
    ];
    const d = new BoardDiscovery({
      list: async () => ports,
      qemu: false,
      probe: (p) => (probed.push(p), probe(p)),
    });
    const boards = await d.scan();
    expect(probed.sort()).toEqual([path, join(dir, 'gone')].sort());
    const b = boards.find((x) => x.id === path)!;
    expect(b).toMatchObject({
      status: 'ready',
      source: 'usb',
      usb: { vendor: 'SEGGER J-Link', product: 'J-Link CDC', vendorId: '1366' },
    });
    const bad = boards.find((x) => x.id === join(dir, 'gone'))!;
    expect(bad.status).toBe('not-a-board');
    expect(bad.error).toMatch(/cannot open serial port/);
    // a second pass does not probe again (once per plug-in)
    await d.scan();
    expect(probed).toHaveLength(2);
  }, 30_000);

  it('hotplug: a board appears within 2 s of being plugged in and disappears when unplugged; busy ports are not probed', async () => {
    let ports: PortInfo[] = [];
    let busy = false;
    const d = new BoardDiscovery({
      list: async () => ports,
      qemu: false,
      isBusy: () => busy,
      intervalMs: 500,
    });
    const seen: DiscoveredBoard[][] = [];
    const off = d.watch((b) => seen.push(b));
    try {
      await sleep(700);
      const plugged = Date.now();
      ports = [{ path, vendorId: '2e8a', productId: '000c' }];
      let appeared = 0;
      while (Date.now() - plugged < 5000) {
        if (seen.at(-1)?.some((b) => b.id === path && b.status === 'ready')) {
          appeared = Date.now() - plugged;
          break;
        }
        await sleep(20);
      }
      expect(appeared).toBeGreaterThan(0);
      expect(appeared).toBeLessThan(2000);
      busy = true;
      await sleep(700);
      expect(seen.at(-1)!.find((b) => b.id === path)).toMatchObject({
        status: 'busy',
        identity: { board: 'QuantScope virtual board' },
      });
      busy = false;
      ports = [];
      await sleep(700);
      expect(seen.at(-1)!.map((b) => b.id)).toEqual(['virtual']);
    } finally {
      off();
    }
  }, 30_000);
});
