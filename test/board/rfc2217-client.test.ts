/**
 * The RFC 2217 client's behaviours that ser2net on a pty cannot show: the DTR/RTS reset pulse (a pty
 * has no modem lines, so ser2net answers nothing), a server applying another value than asked, and
 * FLOWCONTROL-SUSPEND/RESUME. The peer here is a small RFC 2217 server on node:net that answers
 * like ser2net does (DO COM-PORT, each setting confirmed as command + 100) and records what it got.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openRemoteTransport } from '../../src-main/services/board/remote-transport.ts';
import { ComPortCmd, TelnetDecoder, subnegotiation } from '../../src-main/core/protocol/telnet.ts';

interface Peer {
  url: string;
  /** COM-PORT commands received, with when they came. */
  commands: { cmd: number; value: number[]; at: number }[];
  /** serial data received (telnet removed) */
  data: number[];
  socket: Promise<Socket>;
  close(): Promise<void>;
}

/** `answer(cmd, value)` gives the value to confirm (default: the one asked for). */
async function peer(answer: (cmd: number, value: number[]) => number[] = (_c, v) => v): Promise<Peer> {
  const commands: Peer['commands'] = [];
  const data: number[] = [];
  let gotSocket!: (s: Socket) => void;
  const socket = new Promise<Socket>((ok) => (gotSocket = ok));
  const server: Server = createServer((s) => {
    gotSocket(s);
    const d = new TelnetDecoder();
    s.write(Uint8Array.of(255, 253, 44)); // IAC DO COM-PORT-OPTION, as ser2net greets
    s.on('data', (b: Buffer) => {
      const r = d.push(new Uint8Array(b));
      data.push(...r.data);
      for (const ev of r.events) {
        if (ev.kind !== 'sub' || ev.option !== 44) continue;
        const [cmd, ...value] = ev.payload;
        commands.push({ cmd, value, at: Date.now() });
        if (cmd <= ComPortCmd.SET_STOPSIZE || (cmd === ComPortCmd.SET_CONTROL && value[0] <= 3))
          s.write(subnegotiation(44, [cmd + 100, ...answer(cmd, value)]));
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `rfc2217://127.0.0.1:${port}`,
    commands,
    data,
    socket,
    close: async () => {
      (await Promise.race([socket, Promise.resolve(null)]))?.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}

let open: Peer | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('RFC 2217 client', () => {
  // Rule: reset=dtr asserts DTR (SET-CONTROL 8), holds it 100 ms and releases it (9), after the
  // line settings and before the transport is handed to the link; reset=rts does the same with 11/12.
  it.each([
    ['dtr', 8, 9],
    ['rts', 11, 12],
  ])('reset=%s pulses the line for 100 ms after the settings', async (line, on, off) => {
    open = await peer();
    const t = await openRemoteTransport(`${open.url}?reset=${line}`);
    const cmds = open.commands;
    // the release is sent before openRemoteTransport resolves; allow for its trip to the peer
    for (let i = 0; i < 50 && cmds.length < 7; i++) await new Promise((ok) => setTimeout(ok, 10));
    expect(cmds.map((c) => c.cmd)).toEqual([1, 2, 3, 4, 5, 5, 5]);
    expect(cmds[0].value).toEqual([0, 1, 0xc2, 0]); // 115200, 4 bytes network order
    expect(cmds.slice(1, 5).map((c) => c.value[0])).toEqual([8, 1, 1, 1]); // 8 bits, no parity, 1 stop, no flow
    expect(cmds[5].value).toEqual([on]);
    expect(cmds[6].value).toEqual([off]);
    expect(cmds[6].at - cmds[5].at).toBeGreaterThanOrEqual(95);
    await t.close();
  });

  // Rule: what the server confirms must be what was asked: another value fails, naming both.
  it('a server applying another baud rate than asked is refused, naming both', async () => {
    open = await peer((cmd, v) => (cmd === ComPortCmd.SET_BAUDRATE ? [0, 0, 0x96, 0] : v)); // 38400
    await expect(openRemoteTransport(`${open.url}?baud=460800`)).rejects.toThrow(
      `remote board ${open.url}?baud=460800: asked for baudRate 460800, the server applied 38400`,
    );
  });

  // Rule: data bytes 0xFF are doubled on the wire, so the server's serial port gets them once.
  it('doubles 0xFF in data: the server decodes the bytes sent', async () => {
    open = await peer();
    const t = await openRemoteTransport(open.url);
    const sent = Uint8Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? 0xff : i & 0xff));
    await t.write(sent);
    for (let i = 0; i < 100 && open.data.length < sent.length; i++)
      await new Promise((ok) => setTimeout(ok, 10));
    expect(Uint8Array.from(open.data)).toEqual(sent);
    await t.close();
  });

  // Rule: FLOWCONTROL-SUSPEND (server 108) holds our writes until FLOWCONTROL-RESUME (109).
  it('holds writes while the server has suspended the flow', async () => {
    open = await peer();
    const t = await openRemoteTransport(open.url);
    const s = await open.socket;
    s.write(subnegotiation(44, [108]));
    await new Promise((ok) => setTimeout(ok, 50));
    let written = false;
    const w = t.write(Uint8Array.of(1, 2, 3)).then(() => (written = true));
    await new Promise((ok) => setTimeout(ok, 150));
    expect(written).toBe(false);
    expect(open.data).toEqual([]);
    s.write(subnegotiation(44, [109]));
    await w;
    for (let i = 0; i < 50 && open.data.length < 3; i++) await new Promise((ok) => setTimeout(ok, 10));
    expect(open.data).toEqual([1, 2, 3]);
    await t.close();
  });
});
