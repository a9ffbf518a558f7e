/**
 * Runs the in-image core benchmark on the emulated Cortex-M3 (`make -C firmware core-bench-m3`:
 * every fixture model linked into one image, run once on its golden input under QEMU
 * `-icount shift=0`) and parses its report. Under icount shift=0 one SysTick tick at the board's
 * 25 MHz is 40 ns of virtual time = 40 executed instructions, so ticks x 40 = instructions.
 */
import { execFile } from 'node:child_process';
import { firmwareDir } from '../src-main/services/board/firmware.ts';

export const INSTR_PER_TICK = 40;

export interface OpTicks {
  index: number;
  op: string;
  ticks: number;
  macs: number;
}

export interface ModelBench {
  name: string;
  /** Instructions per tick on the core that ran it (the report's cpu_hz / tick_hz; 40 on the M3). */
  insnPerTick: number;
  arena: number;
  ops: OpTicks[];
  totalTicks: number;
  bitExact: boolean;
}

/** instructions per MAC of one op type (undefined when the model has no MACs of that type) */
export function instrPerMac(m: ModelBench, op: string): number | undefined {
  let ticks = 0;
  let macs = 0;
  for (const o of m.ops) if (o.op === op) ((ticks += o.ticks), (macs += o.macs));
  return macs ? (ticks * m.insnPerTick) / macs : undefined;
}

export function parseCoreBench(text: string): ModelBench[] {
  const models: ModelBench[] = [];
  let cur: ModelBench | undefined;
  let insnPerTick = INSTR_PER_TICK;
  for (const line of text.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^bench on [\w-]+: cpu_hz (\d+) tick_hz (\d+)$/))) {
      insnPerTick = Number(m[1]) / Number(m[2]);
    } else if ((m = line.match(/^([\w./-]+): arena (\d+)$/))) {
      cur = { name: m[1], insnPerTick, arena: Number(m[2]), ops: [], totalTicks: 0, bitExact: false };
      models.push(cur);
    } else if ((m = line.match(/^([\w./-]+): load failed: (.*)$/))) {
      throw new Error(`core-bench-m3: ${m[1]} did not load on the Cortex-M3: ${m[2]}`);
    } else if (cur && (m = line.match(/^ {2}op (\d+) (\w+) ticks (\d+) macs (\d+)$/))) {
      cur.ops.push({ index: Number(m[1]), op: m[2], ticks: Number(m[3]), macs: Number(m[4]) });
    } else if (cur && (m = line.match(/^ {2}total ticks (\d+) {2}(bit-exact|MISMATCH vs golden)$/))) {
      cur.totalTicks = Number(m[1]);
      cur.bitExact = m[2] === 'bit-exact';
    }
  }
  if (!models.length) throw new Error(`core-bench-m3 printed no model results:\n${text.slice(0, 2000)}`);
  return models;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((ok, fail) =>
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 24 }, (err, out, stderr) =>
      err ? fail(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}\n${out}`)) : ok(out),
    ),
  );
}

/** Builds and runs the in-image benchmark (bounded: QEMU gets 10 minutes, as in the Makefile) on
 * one emulated core: m3 (default), m4, m7, m33, m55 or nucleo (port/ports.mk); `vars` are make
 * variables (NUCLEO_BENCH_MODELS=person_detect). */
export async function runCoreBench(core = 'm3', vars: string[] = []): Promise<ModelBench[]> {
  const out = await run('make', ['-s', '-C', firmwareDir(), `core-bench-${core}`, ...vars], 900_000);
  return parseCoreBench(out);
}

export interface CodeSize {
  text: number;
  data: number;
  bss: number;
}

/** `arm-none-eabi-size` (Berkeley format) of an ELF image. */
export async function codeSize(elf: string): Promise<CodeSize> {
  const out = await run('arm-none-eabi-size', [elf], 60_000);
  const row = out.trim().split('\n')[1]?.trim().split(/\s+/).map(Number);
  if (!row || row.length < 3 || row.slice(0, 3).some((n) => !Number.isFinite(n)))
    throw new Error(`cannot read arm-none-eabi-size output for ${elf}:\n${out}`);
  return { text: row[0], data: row[1], bss: row[2] };
}
