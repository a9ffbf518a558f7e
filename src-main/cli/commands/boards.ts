/**
 * `quantscope boards [--json] [--path PORT|URL...]`: list the boards QuantScope can profile on —
 * USB serial ports of known dev-kit probes/bridges that answer the handshake, typed paths
 * (ptys) and remote boards (rfc2217://host:port, socket://host:port), the virtual board and the emulated boards (Cortex-M3, M4, M7, M33, M55, the NUCLEO port; when QEMU is installed).
 */
import type { Command } from 'commander';
import { BoardDiscovery, type DiscoveredBoard } from '../../services/board/discovery.ts';

interface BoardsOptions {
  json?: boolean;
  path?: string[];
  all?: boolean;
}

function describe(b: DiscoveredBoard): string {
  const id = b.identity;
  const what = id
    ? `${id.board} (${id.cpu}${id.cpuHz ? ` @ ${+(id.cpuHz / 1e6).toFixed(3)} MHz` : ''}, arena ${Math.round(id.arenaBytes / 1024)} KiB, firmware ${id.firmware})`
    : b.kind === 'virtual'
      ? 'QuantScope virtual board (host build of the firmware, started on demand)'
      : b.emulated
        ? b.status === 'not-a-board'
          ? `${b.emulated.label}: ${b.error ?? 'cannot run'}`
          : `${b.emulated.label}, started on demand`
        : (b.error ?? '');
  const usb = b.usb
    ? ` [${b.usb.vendor}${b.usb.product ? ` ${b.usb.product}` : ''} ${b.usb.vendorId}:${b.usb.productId ?? '????'}]`
    : '';
  const remote = b.remote
    ? ` [remote ${b.remote.host.includes(':') ? `[${b.remote.host}]` : b.remote.host}:${b.remote.port}, ${b.remote.scheme === 'rfc2217' ? 'RFC 2217' : 'raw TCP'}]`
    : '';
  return `${b.id.padEnd(22)} ${b.status.padEnd(12)} ${what}${usb}${remote}`;
}

export async function boardsCommand(opts: BoardsOptions): Promise<void> {
  const d = new BoardDiscovery();
  for (const p of opts.path ?? []) await d.addPath(p);
  const all = await d.scan();
  // an emulated board this QEMU cannot run stays listed, with the reason
  const boards = opts.all ? all : all.filter((b) => b.status !== 'not-a-board' || b.emulated);
  if (opts.json) {
    process.stdout.write(JSON.stringify(boards, null, 1) + '\n');
    return;
  }
  const lines = [`${'board'.padEnd(22)} ${'status'.padEnd(12)} description`, ...boards.map(describe)];
  const hidden = all.length - boards.length;
  if (hidden)
    lines.push(
      '',
      `${hidden} USB serial port(s) of known probes did not answer the handshake (--all shows them)`,
    );
  process.stdout.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  program
    .command('boards')
    .description(
      'List boards: USB dev kits that answer the QuantScope handshake, typed ports, virtual, the emulated boards (QEMU)',
    )
    .option(
      '--path <port...>',
      'also probe these port paths (ptys are not listed by the OS) or remote boards (rfc2217://host:port, socket://host:port)',
    )
    .option('--all', 'also list candidate ports that did not answer')
    .option('--json', 'machine-readable output')
    .action((opts: BoardsOptions) => boardsCommand(opts));
}
