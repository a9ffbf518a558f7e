/**
 * Remote boards through the real ser2net (Debian): the virtual board serves on its own pty (it keeps
 * one end of the pty pair, ser2net opens the other as its serial device) and ser2net exposes that
 * device on a telnet/RFC 2217 port and on a raw TCP port. QuantScope connects with
 * rfc2217://127.0.0.1:P and socket://127.0.0.1:P exactly as to a lab machine. The emulated
 * Cortex-M3 (QEMU's UART pty) is served the same way.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, createServices } from '../../src-main/services/api/handlers.ts';
import { BoardLink } from '../../src-main/services/board/board-link.ts';
import { openBoard } from '../../src-main/services/board/open-board.ts';
import { profileAndCompare } from '../../src-main/services/board/profile-compare.ts';
import { QemuBoard } from '../../src-main/services/board/qemu-board.ts';
import { openRemoteTransport } from '../../src-main/services/board/remote-transport.ts';
import { BoardSession } from '../../src-main/services/board/session.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { cli } from '../helpers/cli.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { freePort, Ser2net, stty } from '../helpers/ser2net.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

const profileOpts = (name: string) => ({
  modelName: name,
  modelBytes: readFixture('models', `${name}.tflite`),
  input: { seed: 1 } as const,
});

describe('remote boards through ser2net', () => {
  let vb: VirtualBoard;
  let ser: Ser2net;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
    ser = await Ser2net.start({ device: vb.portPath, plainTelnet: true });
  }, 300_000);
  afterAll(async () => {
    await ser?.stop();
    await vb?.stop();
  });

  const url = (mode: 'rfc2217' | 'socket') => (mode === 'rfc2217' ? ser.rfc2217Url : ser.socketUrl);

  // Rule: a remote board runs the same handshake, chunked upload and CRC as a local port, and its
  // per-layer outputs are bit-exact with the host simulator (and the TFLite Micro goldens).
  it.each([
    ['rfc2217', 'hello_world_int8'],
    ['rfc2217', 'person_detect'],
    ['socket', 'keyword_spotting_on_off'],
    ['socket', 'person_detect'],
  ] as const)(
    'profiles through ser2net in %s mode bit-exact with the host simulation: %s',
    async (mode, name) => {
      const ob = await openBoard(url(mode));
      try {
        expect(ob.session.info.board).toBe('QuantScope virtual board');
        const r = await profileAndCompare(ob.session, { ...profileOpts(name), port: ob.port });
        expect(r.compare.allMatch).toBe(true);
        expect(r.compare.firstDivergent).toBeNull();
        expect(r.compare.board.port).toBe(url(mode));
        expect(r.profile.upload.bytes).toBe(profileOpts(name).modelBytes.length);
        // the device side alone, against TFLite Micro's goldens
        const c = goldenCase(name);
        expectMatchesGolden(await ob.session.profile(c.model, c.inputs), name);
      } finally {
        await ob.close();
      }
    },
    120_000,
  );

  // Rule: rfc2217:// sets baud, data bits, parity, stop bits and flow control on the server's port
  // (SET-BAUDRATE/DATASIZE/PARITY/STOPSIZE/CONTROL): the server confirms each value, and what a pty
  // can hold (speed, stop bits, RTS/CTS; Linux ptys force cs8 and no parity) reads back with stty.
  it('negotiates baud, data bits, parity, stop bits and flow: ser2net applies them to the pty', async () => {
    const cases = [
      {
        q: 'baud=57600&databits=7&parity=even&stopbits=2',
        want: { baudRate: 57600, dataBits: 7, parity: 'even', stopBits: '2', flow: 'none' },
        stty: [/speed 57600 baud/, /(^|\s)cstopb(\s|$)/m, /-crtscts/],
      },
      {
        q: 'baud=230400&parity=odd&flow=rtscts',
        want: { baudRate: 230400, dataBits: 8, parity: 'odd', stopBits: '1', flow: 'rtscts' },
        stty: [/speed 230400 baud/, /-cstopb/, /(^|\s)crtscts(\s|$)/m],
      },
    ];
    for (const c of cases) {
      const t = await openRemoteTransport(`${ser.rfc2217Url}?${c.q}`);
      try {
        expect(t.applied).toEqual(c.want);
        const s = stty(vb.portPath, '-a');
        for (const re of c.stty) expect(s).toMatch(re);
      } finally {
        await t.close();
      }
    }
  }, 30_000);

  // Rule: the CLI takes remote board URLs wherever it takes a port: `boards --path` lists the
  // board with its host and mode, `profile --board` profiles on it (all layers match).
  it('CLI: boards --path URL shows the remote board with its host; profile --board URL matches', async () => {
    const b = await cli('boards', '--path', ser.rfc2217Url, ser.socketUrl, '--json');
    expect(b.code).toBe(0);
    const listed = JSON.parse(b.out) as { id: string; source: string; status: string; remote?: object }[];
    expect(listed.find((x) => x.id === ser.rfc2217Url)).toMatchObject({
      source: 'remote',
      status: 'ready',
      remote: { scheme: 'rfc2217', host: '127.0.0.1', port: ser.rfc2217Port },
    });
    expect(listed.find((x) => x.id === ser.socketUrl)).toMatchObject({
      source: 'remote',
      status: 'ready',
      remote: { scheme: 'socket', host: '127.0.0.1', port: ser.rawPort },
    });
    const table = await cli('boards', '--path', ser.rfc2217Url);
    expect(table.out).toContain(`[remote 127.0.0.1:${ser.rfc2217Port}, RFC 2217]`);
    const p = await cli(
      'profile',
      fixturePath('models', 'hello_world_int8.tflite'),
      '--board',
      ser.rfc2217Url,
    );
    expect(p.err).toBe('');
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/all \d+ layers match/);
  }, 60_000);

  // Rule: a remote board takes part in a several-board profile like a local one (same model and
  // input on every board at once, each compared with the host and with the others).
  it('CLI: profile --board virtual --board rfc2217://… compares the local and the remote board', async () => {
    const p = await cli(
      'profile',
      fixturePath('models', 'hello_world_int8.tflite'),
      '--board',
      'virtual',
      '--board',
      ser.rfc2217Url,
    );
    expect(p.err).toBe('');
    expect(p.code).toBe(0);
    expect(p.out).toMatch(
      new RegExp(`${ser.rfc2217Url.replace(/[.]/g, '\\.')}: .* all layers match the host`),
    );
    expect(p.out).toContain(`virtual vs ${ser.rfc2217Url}: identical`);
  }, 60_000);

  // Rule: a remote board that cannot be reached is one clear line naming it (exit 1, no stack trace).
  it('CLI: profile on an unreachable remote board is one clear error line', async () => {
    const port = await freePort();
    const p = await cli(
      'profile',
      fixturePath('models', 'hello_world_int8.tflite'),
      '--board',
      `rfc2217://127.0.0.1:${port}`,
    );
    expect(p.code).toBe(1);
    expect(p.err).toContain(`cannot connect to remote board rfc2217://127.0.0.1:${port}: connection refused`);
    expect(p.err).not.toMatch(/\n\s+at /);
  });

  // Rule: in the app, a remote board added by URL is listed with its host, profiles like any
  // board, and is remembered in the config folder: the next start offers it without typing.
  it('API: boards.list adds a remote board by URL, boards.profile runs on it, the next start remembers it', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'qs-config-'));
    const start = () => {
      const services = createServices({ configDir, grantRead: [fixturePath('models')] });
      return { services, h: createHandlers(services, { host: 'web', startupModel: null }) };
    };
    const typed = ser.rfc2217Url.replace('rfc2217', 'RFC2217'); // one normal form for the id
    const first = start();
    try {
      const boards = await first.h['boards.list']({ paths: [typed] });
      expect(boards.find((b) => b.id === ser.rfc2217Url)).toMatchObject({
        source: 'remote',
        status: 'ready',
        remote: { scheme: 'rfc2217', host: '127.0.0.1', port: ser.rfc2217Port },
        identity: { board: 'QuantScope virtual board' },
      });
      const m = await first.h['model.open']({ path: fixturePath('models', 'hello_world_int8.tflite') });
      const r = await first.h['boards.profile']({
        jobId: 'remote-1',
        board: typed,
        modelId: m.id,
        input: { seed: 1 },
      });
      expect(r.compare.allMatch).toBe(true);
      await expect(first.h['boards.list']({ paths: ['rfc2217://lab'] })).rejects.toMatchObject({
        code: 'BAD_ARGUMENT',
        message: 'rfc2217://lab: no port (expected rfc2217://lab:PORT)',
      });
    } finally {
      await first.services.close();
    }
    const stored = JSON.parse(readFileSync(join(configDir, 'remote-boards.json'), 'utf8')) as {
      boards: string[];
    };
    expect(stored.boards).toEqual([ser.rfc2217Url]);
    const second = start();
    try {
      const boards = await second.h['boards.list']({ paths: [] });
      expect(boards.find((b) => b.id === ser.rfc2217Url)).toMatchObject({
        source: 'remote',
        status: 'ready',
      });
    } finally {
      await second.services.close();
      rmSync(configDir, { recursive: true, force: true });
    }
  }, 60_000);

  // Rule: a raw port opened as rfc2217:// (or a server that never answers telnet) fails with a
  // clear message naming the remote and the fix, within the negotiation timeout, not a hang.
  it('rfc2217:// on a raw TCP port says to use socket://', async () => {
    const t0 = Date.now();
    await expect(openRemoteTransport(`rfc2217://127.0.0.1:${ser.rawPort}`)).rejects.toThrow(
      `remote board rfc2217://127.0.0.1:${ser.rawPort}: no RFC 2217 answer within 3 s; is it a raw TCP port? (then use socket://127.0.0.1:${ser.rawPort})`,
    );
    expect(Date.now() - t0).toBeLessThan(6000);
  }, 20_000);

  // Rule: a telnet port without the COM-PORT option (ser2net's plain 'telnet,tcp' accepter) is
  // refused at once with a message saying what the server lacks.
  it('rfc2217:// on a plain telnet port: the server refused the COM-PORT option', async () => {
    await expect(openRemoteTransport(`rfc2217://127.0.0.1:${ser.telnetPort}`)).rejects.toThrow(
      `remote board rfc2217://127.0.0.1:${ser.telnetPort}: the server refused the RFC 2217 COM-PORT option`,
    );
  });

  // Rule: nobody listening is a clear "connection refused" naming the URL, not a stack trace.
  it('a port nobody listens on: connection refused, naming the remote', async () => {
    const port = await freePort();
    await expect(openBoard(`socket://127.0.0.1:${port}`)).rejects.toThrow(
      `cannot connect to remote board socket://127.0.0.1:${port}: connection refused (is ser2net running and listening on port ${port}?)`,
    );
  });

  // Rule: ser2net going away mid-profile (killed, restarted) ends the profile with a clear error
  // naming the remote board, promptly (no hang); once ser2net is back, the same URL works again.
  it('ser2net killed mid-upload: a clear error naming the remote, no hang; restarted: profiles again', async () => {
    const remote = ser.rfc2217Url;
    const ob = await openBoard(remote);
    let killedAt = 0;
    const run = profileAndCompare(ob.session, {
      ...profileOpts('person_detect'),
      onProgress: (fraction) => {
        if (fraction > 0.05 && !killedAt) {
          killedAt = Date.now();
          void ser.stop('SIGKILL');
        }
      },
    });
    // a FIN ("closed the connection") or an RST ("lost: read ECONNRESET"), depending on timing
    await expect(run).rejects.toThrow(
      new RegExp(`remote board ${remote.replace(/[.]/g, '\\.')} (closed the connection|lost: )`),
    );
    expect(killedAt).toBeGreaterThan(0);
    expect(Date.now() - killedAt).toBeLessThan(5000);
    await ob.close();
    ser = await Ser2net.start({ device: vb.portPath, rfc2217Port: ser.rfc2217Port, rawPort: ser.rawPort });
    const again = await openBoard(remote);
    try {
      const r = await profileAndCompare(again.session, profileOpts('micro_speech_quantized'));
      expect(r.compare.allMatch).toBe(true);
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe('the emulated Cortex-M3 (QEMU) through ser2net', () => {
  // Rule: a Cortex-M board behind ser2net (QEMU's UART pty as ser2net's serial device) profiles
  // bit-exact with the host over RFC 2217 at QEMU's slow UART rate, with the same link settings.
  it.each(['rfc2217', 'socket'] as const)(
    'profiles hello_world_int8 over %s:// bit-exact with the host simulation',
    async (mode) => {
      const q = await QemuBoard.launch();
      const ser = await Ser2net.start({ device: q.portPath });
      try {
        const url = mode === 'rfc2217' ? ser.rfc2217Url : ser.socketUrl;
        const transport = await openRemoteTransport(url);
        q.resume(); // the CPU starts once ser2net holds the UART, so no boot byte is lost
        const session = new BoardSession(
          await BoardLink.open(transport, { minBytesPerSec: 2000, timeoutMs: 3000 }),
        );
        try {
          expect(session.info.cpu).toBe('cortex-m3');
          const r = await profileAndCompare(session, {
            ...profileOpts('hello_world_int8'),
            port: url,
          });
          expect(r.compare.allMatch).toBe(true);
          expect(r.compare.board.port).toBe(url);
        } finally {
          await session.link.close();
        }
      } finally {
        await ser.stop();
        await q.stop();
      }
    },
    180_000,
  );
});
