/**
 * Profiles over a noisy line: socat pty ⇄ test/board/fault-proxy.mjs ⇄ virtual board, the proxy
 * flipping or dropping each byte in both directions with probability `rate` (seeded). The app side
 * opens the pty exactly like the CLI opens a serial port (default link options). Each run is timed
 * from opening the port (handshake included) to the profile's last reply, and accepted data is
 * checked byte for byte against the TFLite Micro golden: a wrong result is never "ok".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProtocolError } from '../src-main/core/protocol/errors.ts';
import { BoardLink, type LinkOptions } from '../src-main/services/board/board-link.ts';
import { buildFirmware } from '../src-main/services/board/firmware.ts';
import { BoardSession } from '../src-main/services/board/session.ts';
import { openSerialTransport } from '../src-main/services/board/transport.ts';
import { FIXTURES, median, model } from './link-measure.ts';

const PROXY = resolve(import.meta.dirname, '../test/board/fault-proxy.mjs');

export interface NoisyRun {
  ms: number;
  ok: boolean;
  /** ProtocolError code and message of a failed run */
  error?: string;
  /** where the time went: handshake and profile phases (ms), timeouts waited, damaged frames */
  detail?: string;
}

/** socat pty ⇄ fault-proxy ⇄ qs-board; resolves with the pty path and the socat process. */
export async function faultyLine(
  exe: string,
  dir: string,
  rate: number,
  seed: number,
): Promise<{ path: string; proc: ChildProcess }> {
  const path = join(dir, `tty-${rate}-${seed}`);
  const cmd = [process.execPath, PROXY, exe, rate, seed].join(' ');
  const proc = spawn('socat', [`pty,link=${path},raw,echo=0`, `EXEC:${cmd}`], { stdio: 'ignore' });
  for (let i = 0; i < 500 && !existsSync(path); i++) await new Promise((ok) => setTimeout(ok, 10));
  if (!existsSync(path)) throw new Error('socat did not create its pty');
  await new Promise((ok) => setTimeout(ok, 50)); // let the proxy start the board
  return { path, proc };
}

export async function stopProc(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((ok) => p.once('exit', ok));
  p.kill('SIGTERM');
  await exited;
}

interface GoldenOps {
  inputs: Uint8Array[];
  outputs: Map<number, Uint8Array>;
}

function goldenOps(name: string): GoldenOps {
  const g = JSON.parse(readFileSync(join(FIXTURES, 'golden', `${name}.json`), 'utf8')) as {
    inputs: { data_b64: string }[];
    op_outputs: { tensor: number; data_b64: string }[];
  };
  const b = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
  return {
    inputs: g.inputs.map((t) => b(t.data_b64)),
    outputs: new Map(g.op_outputs.map((t) => [t.tensor, b(t.data_b64)])),
  };
}

/** One profile over a line of byte error rate `rate`; throws if accepted data differs from the golden. */
export async function noisyProfile(
  exe: string,
  dir: string,
  name: string,
  rate: number,
  seed: number,
  linkOpts: LinkOptions = {},
): Promise<NoisyRun> {
  const m = model(name);
  const g = goldenOps(name);
  const line = await faultyLine(exe, dir, rate, seed);
  const t0 = performance.now();
  let link: BoardLink | undefined;
  try {
    link = await BoardLink.open(await openSerialTransport(line.path), linkOpts);
    const hello = performance.now() - t0;
    const r = await new BoardSession(link).profile(m, g.inputs, { maxRefetch: 8 }); // as profileAndCompare (the CLI)
    for (const op of r.ops) {
      const want = g.outputs.get(op.tensor);
      if (!want || Buffer.compare(Buffer.from(want), Buffer.from(op.data)) !== 0)
        throw new Error(`WRONG DATA ACCEPTED: op ${op.index} (tensor ${op.tensor}) differs from the golden`);
    }
    const q = link.quality.totals;
    const phases = Object.entries({ hello, ...r.phases })
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ');
    const detail = `${phases}; ${r.upload.bursts} bursts (${r.upload.failedBursts} short), ${r.refetchedOps.length} ops re-fetched; ${q.damaged} damaged frames, ${q.timeouts} timeouts (${q.timeoutMs.toFixed(0)} ms: ${JSON.stringify(q.timeoutsBy)})`;
    return { ms: performance.now() - t0, ok: true, detail };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    const q = link?.quality.totals;
    const detail = q && `${q.damaged} damaged frames, ${q.timeouts} timeouts (${q.timeoutMs.toFixed(0)} ms)`;
    return { ms: performance.now() - t0, ok: false, error: `${e.code}: ${e.message}`, detail };
  } finally {
    await link?.close().catch(() => undefined);
    await stopProc(line.proc);
  }
}

export interface NoisySummary {
  rate: number;
  runs: NoisyRun[];
  medianMs: number;
  okRate: number;
  maxMs: number;
}

/** `runs` profiles of `name` at each byte error rate, seeds 1..runs (the same seeds per rate). */
export async function noisyReport(
  name: string,
  rates: number[],
  runs: number,
  log: (line: string) => void = console.log,
): Promise<NoisySummary[]> {
  const exe = await buildFirmware('host');
  const dir = mkdtempSync(join(tmpdir(), 'qs-noisy-'));
  const out: NoisySummary[] = [];
  try {
    // Seed by seed, every rate in turn: on a shared machine the load drifts, and the ratio of
    // noisy to clean times should compare runs made under the same load.
    const byRate = rates.map(() => [] as NoisyRun[]);
    for (let seed = 1; seed <= runs; seed++) {
      for (const [k, rate] of rates.entries()) {
        const r = await noisyProfile(exe, dir, name, rate, seed * 7919);
        byRate[k].push(r);
        if (process.env.QS_BENCH_VERBOSE)
          log(
            `  rate ${rate} seed ${seed}: ${r.ok ? 'ok' : 'FAILED'} ${r.ms.toFixed(0)} ms ${r.error ?? ''}\n    ${r.detail ?? ''}`,
          );
      }
    }
    for (const [k, rate] of rates.entries()) {
      const rs = byRate[k];
      const s: NoisySummary = {
        rate,
        runs: rs,
        medianMs: median(rs.map((r) => r.ms)),
        okRate: rs.filter((r) => r.ok).length / rs.length,
        maxMs: Math.max(...rs.map((r) => r.ms)),
      };
      out.push(s);
      const errors = [...new Set(rs.filter((r) => !r.ok).map((r) => r.error))];
      log(
        `noisy line ${rate === 0 ? 'clean' : rate.toExponential(0)}: ${name} profile median ${s.medianMs.toFixed(0)} ms of ${runs}, max ${s.maxMs.toFixed(0)} ms, ${rs.filter((r) => r.ok).length}/${runs} completed golden-exact${errors.length ? `; failures: ${errors.slice(0, 3).join(' | ')}` : ''}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** The noisy-line summaries as a markdown table: median and slowest time, success rate, the ratio
 * to the clean line (the first summary when it is rate 0) and the failures' messages. */
export function noisyTable(name: string, rows: NoisySummary[]): string {
  const clean = rows.find((r) => r.rate === 0);
  const lines = [
    `| line (${name} profile) | median ms | slowest ms | completed golden-exact | median vs clean | failures |`,
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const ok = r.runs.filter((x) => x.ok).length;
    const errors = [...new Set(r.runs.filter((x) => !x.ok).map((x) => x.error))];
    lines.push(
      `| ${r.rate === 0 ? 'clean' : `${r.rate.toExponential(0)} byte errors`} | ${r.medianMs.toFixed(0)} | ${r.maxMs.toFixed(0)} | ${ok}/${r.runs.length} (${Math.round(100 * r.okRate)}%) | ${clean ? `${(r.medianMs / clean.medianMs).toFixed(2)}×` : 'n/a'} | ${errors.slice(0, 2).join(' / ').slice(0, 300)} |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2] ?? 'person_detect';
  const runs = Number(process.argv[3] ?? 20);
  const rates = (process.argv[4] ?? '0,1e-3,1e-2').split(',').map(Number);
  console.log(noisyTable(name, await noisyReport(name, rates, runs)));
}
