/**
 * The verdicts compared on the mutant corpus: the native core (firmware/tests/qs_verdict.c, built
 * like the virtual board), the WebAssembly core (the host simulator), and the app's own refusal
 * (readTflite + prepare, which hands the bytes to the WebAssembly core), and a board's, over the
 * protocol (upload + LOAD_COMMIT).
 */
import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { prepare } from '../../src-main/core/simulate/interpreter.ts';
import { CORE_STATUS, CoreEngine } from '../../src-main/core/simulate/engine/core-engine.ts';
import type { BoardSession } from '../../src-main/services/board/session.ts';

export interface Verdict {
  /** qs_status_t name without QS_ERR_: 'OK', 'FORMAT', 'SCHEMA', ... */
  status: string;
  op: number;
  tensor: number;
  message: string;
}

const run = promisify(execFile);

/** make -C firmware <target> (verdict, verdict-san, host): a no-op when up to date. */
export async function buildFirmware(firmware: string, target: string): Promise<void> {
  await run('make', ['-s', '-C', firmware, target], { timeout: 300_000 });
}

/** The native tool's verdict on every *.tflite of `dir`, by file name; with `arena`, the verdict of a
 * board with that fixed arena (else the arena grows as the host's does). */
export async function nativeVerdicts(
  tool: string,
  dir: string,
  arena?: number,
): Promise<Map<string, Verdict>> {
  const args = arena ? ['--arena', String(arena), dir] : [dir];
  const { stdout } = await run(tool, args, { maxBuffer: 1 << 28, timeout: 600_000 });
  const out = new Map<string, Verdict>();
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [file, status, op, tensor, message] = line.split('\t');
    out.set(basename(file), { status, op: Number(op), tensor: Number(tensor), message });
  }
  return out;
}

export function wasmVerdict(bytes: Uint8Array): Verdict {
  const v = CoreEngine.verdict(bytes);
  return v.ok
    ? { status: 'OK', op: -1, tensor: -1, message: 'ok' }
    : { status: v.statusName, op: v.op, tensor: v.tensor, message: v.message };
}

/** The board's load verdict: LOAD_COMMIT's model info, or its MODEL_INVALID error with the core's
 * status, op and tensor. */
export async function boardVerdict(board: BoardSession, bytes: Uint8Array): Promise<Verdict> {
  try {
    // the board core's own verdict, not the host's pre-upload op-group check
    await board.load(bytes, { boardVerdictOnly: true });
    return { status: 'OK', op: -1, tensor: -1, message: 'ok' };
  } catch (e) {
    if (!(e instanceof ProtocolError) || e.code !== 'MODEL_INVALID' || !e.detail) throw e;
    const { coreStatus, op, tensor } = e.detail;
    return { status: CORE_STATUS[coreStatus] ?? 'UNKNOWN', op, tensor, message: e.message };
  }
}

export const sameVerdict = (a: Verdict, b: Verdict): boolean =>
  a.status === b.status && a.op === b.op && a.tensor === b.tensor;

export const show = (v: Verdict): string => `${v.status} op ${v.op} tensor ${v.tensor} (${v.message})`;

/** What the app says about a model: refused by the reader, refused by prepare(), or prepared. */
export type AppVerdict = { by: 'reader' | 'prepare'; message: string } | { by: 'accepted' };

export function appVerdict(bytes: Uint8Array): AppVerdict {
  let model;
  try {
    model = readTflite(bytes);
  } catch (e) {
    return { by: 'reader', message: (e as Error).message };
  }
  try {
    prepare(model, 0, { bytes });
    return { by: 'accepted' };
  } catch (e) {
    return { by: 'prepare', message: (e as Error).message };
  }
}

/** Why the app's refusal does not match the core's (null when it does): a refused model must be
 * refused, and prepare's message must name the layer and tensor the core names. */
export function appMismatch(core: Verdict, app: AppVerdict): string | null {
  if (app.by === 'accepted') return `prepare() accepted a model the core refuses: ${show(core)}`;
  if (app.by === 'reader') return null; // the reader refuses it before the core sees it
  const missing: string[] = [];
  if (core.op >= 0 && !app.message.includes(`layer ${core.op} (`)) missing.push(`layer ${core.op}`);
  if (core.tensor >= 0 && !app.message.includes(`tensor ${core.tensor}`))
    missing.push(`tensor ${core.tensor}`);
  return missing.length
    ? `prepare()'s message "${app.message}" does not name ${missing.join(' and ')}`
    : null;
}
