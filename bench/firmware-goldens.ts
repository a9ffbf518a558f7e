/**
 * The MUST_RUN goldens (test/helpers/golden-must-run.txt) on each emulated Arm core, in-image
 * (`make -C firmware core-goldens-<core>`, firmware/port/goldens.mk, tests/golden_arm.c): the models
 * and their goldens are linked into the firmware image, so nothing crosses QEMU's slow UART. The
 * goldens are split into images that fit the board's flash; a golden whose model and golden data
 * alone exceed it is reported too big, with the sizes. Every op output is compared byte for byte.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firmwareDir } from '../src-main/services/board/firmware.ts';

export interface GoldenCore {
  /** make core-goldens-<core> */
  core: string;
  label: string;
  /** bytes of the memory the image's code and constants live in (port/mps2-an385/*.ld) */
  flashBytes: number;
}

export const GOLDEN_CORES: GoldenCore[] = [
  { core: 'm3', label: 'Cortex-M3 (mps2-an385)', flashBytes: 4 << 20 },
  { core: 'm4', label: 'Cortex-M4F (mps2-an386)', flashBytes: 4 << 20 },
  { core: 'm7', label: 'Cortex-M7 (mps2-an500)', flashBytes: 4 << 20 },
  { core: 'm33', label: 'Cortex-M33 (mps2-an505)', flashBytes: 4 << 20 },
  { core: 'm55', label: 'Cortex-M55 (mps3-an547)', flashBytes: 2 << 20 },
];

/** Flash kept for the code (the core, the port and the checker: ~170 KB measured on the M4). */
export const CODE_RESERVE = 256 << 10;

export type Verdict = 'bit-exact' | 'refused' | 'mismatch' | 'too-big';

export interface GoldenResult {
  id: string;
  verdict: Verdict;
  /** the firmware's line after "ID: ", or the size reason for too-big */
  detail: string;
}

export interface GoldenItem {
  id: string;
  /** bytes of the model and of its converted golden (firmware/build/golden/...bin) */
  modelBytes: number;
  goldenBytes: number;
}

/** Path of a golden's QSG1 conversion (scripts/golden-to-bin.mjs) under firmware/build/golden. */
export function goldenBinPath(id: string): string {
  const m = id.match(/^(golden|field)\/([^/]+)\.json$/);
  if (!m) throw new Error(`${id}: not a golden id`);
  return join(firmwareDir(), 'build', 'golden', ...(m[1] === 'field' ? ['field'] : []), `${m[2]}.bin`);
}

/** Size of a golden's QSG1 conversion; the file is made by `make -C firmware build/golden/.stamp`. */
export function goldenItem(id: string, modelBytes: number): GoldenItem {
  return { id, modelBytes, goldenBytes: readFileSync(goldenBinPath(id)).length };
}

const mb = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;

/**
 * Splits goldens into images of at most flashBytes − CODE_RESERVE of model + golden bytes, in list
 * order (first fit); a golden larger than that alone is too big for the board, with the reason.
 */
export function planImages(
  items: GoldenItem[],
  core: GoldenCore,
): { images: string[][]; tooBig: GoldenResult[] } {
  const budget = core.flashBytes - CODE_RESERVE;
  const images: { ids: string[]; bytes: number }[] = [];
  const tooBig: GoldenResult[] = [];
  for (const it of items) {
    const bytes = it.modelBytes + it.goldenBytes + 32; // .balign padding
    if (bytes > budget) {
      tooBig.push({
        id: it.id,
        verdict: 'too-big',
        detail:
          `model ${it.modelBytes} B + golden ${it.goldenBytes} B = ${mb(bytes)} > ${mb(budget)} ` +
          `(${core.label}: ${mb(core.flashBytes)} of code memory less ${mb(CODE_RESERVE)} for the firmware)` +
          (it.modelBytes > budget ? '; the model alone does not fit' : ''),
      });
      continue;
    }
    const img = images.find((x) => x.bytes + bytes <= budget);
    if (img) (img.ids.push(it.id), (img.bytes += bytes));
    else images.push({ ids: [it.id], bytes });
  }
  return { images: images.map((x) => x.ids), tooBig };
}

/** Parses golden_arm.c's report: one line per golden; throws when the run did not finish. */
export function parseGoldenReport(text: string, ids: string[]): GoldenResult[] {
  if (!/^goldens: (done|FAIL)$/m.test(text))
    throw new Error(`golden image did not finish:\n${text.slice(-3000)}`);
  return ids.map((id) => {
    const line = text.split('\n').find((l) => l.startsWith(`${id}: `));
    if (!line) throw new Error(`golden image printed nothing for ${id}:\n${text.slice(-3000)}`);
    const detail = line.slice(id.length + 2);
    const verdict: Verdict = detail.startsWith('bit-exact')
      ? 'bit-exact'
      : detail.startsWith('refused:')
        ? 'refused'
        : 'mismatch';
    return { id, verdict, detail };
  });
}

/** Builds one image of these goldens for a core and runs it under QEMU (make's exit code is not
 * used: a mismatch ends the image with a failing semihosting exit, the report says which). */
export function runGoldenImage(core: string, ids: string[]): Promise<GoldenResult[]> {
  const args = ['-s', '-C', firmwareDir(), `core-goldens-${core}`, `GOLDEN_IDS=${ids.join(' ')}`];
  return new Promise((ok, fail) =>
    execFile('make', args, { timeout: 900_000, maxBuffer: 1 << 24 }, (err, out, stderr) => {
      try {
        ok(parseGoldenReport(out, ids));
      } catch (e) {
        fail(
          new Error(`make core-goldens-${core}: ${(e as Error).message}\n${stderr || err?.message || ''}`),
        );
      }
    }),
  );
}

export interface CoreGoldens {
  core: GoldenCore;
  results: GoldenResult[];
  /** wall time of the core's images, ms */
  ms: number;
  images: number;
}

/** Every golden of `items` on one core: planned into images, each built and run in turn. */
export async function runCoreGoldens(core: GoldenCore, items: GoldenItem[]): Promise<CoreGoldens> {
  const t0 = performance.now();
  const { images, tooBig } = planImages(items, core);
  const results: GoldenResult[] = [...tooBig];
  for (const ids of images) results.push(...(await runGoldenImage(core.core, ids)));
  const order = new Map(items.map((x, i) => [x.id, i]));
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { core, results, ms: performance.now() - t0, images: images.length };
}
