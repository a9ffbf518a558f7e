/**
 * The model input a run uses: ONE choice per model, shared by the Simulate and Board views (and so
 * by the comparison a profile makes): a xorshift seed or files (.npy, .bin, PNG/JPEG/BMP), how a
 * uint8 .npy feeds an int8 input, the reading stated in words, and a check of each picked file
 * against the model's input when it is picked.
 */
import type { OpenedModel, SimulateInput } from '../../src-main/shared/api.ts';
import type { TensorSummary } from '../../src-main/shared/summary.ts';
import { keepForModel } from './model-session.svelte.ts';
import { hasNormalization } from '../../src-main/core/simulate/inputs/uint8-reading.ts';
import type { ParamValue } from '../../src-main/core/model/ir.ts';
import { isNpy, parseNpy, type NpyArray } from '../../src-main/core/simulate/inputs/npy.ts';

/** Pixel values through the input's scale/zero point, or the file's bytes read as int8. */
export type Uint8Mode = 'affine' | 'bytes';

/** What a picked file turned out to be. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
  /** Parsed .npy (dtype, shape, values); absent for images and raw .bin. */
  npy?: NpyArray;
  kind: 'npy' | 'image' | 'bin';
}

const IMAGE = /\.(png|jpe?g|bmp)$/i;

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class InputChoice {
  seed = $state(1);
  files = $state.raw<PickedFile[]>([]);
  useFiles = $state(false);
  uint8Mode = $state<Uint8Mode>('affine');
  /** The user picked the uint8 reading for this model: remembered, never overridden by a default. */
  uint8Chosen = $state(false);
  /** Why the picked files do not fit the model's input, or null. */
  fileProblem = $state<string | null>(null);
  /** Why the seed cannot be used (the host takes 1 … 2³²−1; an emptied box binds null), or null. */
  seedProblem = $derived.by((): string | null => {
    const seed = this.seed as number | null;
    if (typeof seed === 'number' && Number.isInteger(seed) && seed >= 1 && seed <= 0xffffffff) return null;
    const now = seed === null || Number.isNaN(seed) ? 'the box is empty' : `not ${seed}`;
    return `the seed must be a whole number from 1 to 4294967295 (${now})`;
  });
  /** What is wrong with the chosen input (the files, or the seed), said where it is chosen. */
  problem = $derived(this.useFiles ? this.fileProblem : this.seedProblem);

  readonly modelInputs: readonly TensorSummary[];
  readonly normalized: boolean;

  constructor(modelInputs: readonly TensorSummary[] = [], parameters: Record<string, unknown> = {}) {
    this.modelInputs = modelInputs;
    this.normalized = hasNormalization(parameters as Record<string, ParamValue>);
  }

  /** What to send with the call, or null while "files" is chosen but none is picked. */
  input = $derived<SimulateInput | null>(
    this.useFiles
      ? this.files.length > 0
        ? { files: this.files.map((f) => ({ name: f.name, bytes: f.bytes })) }
        : null
      : this.seedProblem
        ? null
        : { seed: this.seed },
  );

  /** A uint8 .npy feeds an int8 input: the case where the reading changes the answer. */
  uint8OnInt8 = $derived(
    this.useFiles &&
      this.files.some((f, i) => f.npy?.dtype === 'uint8' && this.modelInputs[i]?.dtype === 'int8'),
  );

  /** The exact reading of the data, in words ("int8 bytes", "pixels 0–255 → scale/zp", …). */
  reading = $derived.by((): string => {
    const t = this.modelInputs[0];
    if (!this.useFiles || this.files.length === 0)
      return this.seedProblem
        ? `random ${t?.dtype ?? ''} values (no valid seed)`
        : `random ${t?.dtype ?? ''} values (seed ${this.seed})`;
    const f = this.files[0];
    if (f.kind === 'bin') return 'raw tensor bytes, as stored';
    const dtype = f.kind === 'image' ? 'uint8' : f.npy!.dtype;
    if (t?.dtype === 'int8' && dtype === 'uint8' && f.kind === 'npy' && this.uint8Mode === 'bytes')
      return 'int8 bytes (each uint8 byte read as two’s complement)';
    if (this.normalized && dtype !== 'int8' && (t?.dtype === 'float32' || t?.dtype === 'int8'))
      return `float, normalized by model parameters${t.dtype === 'int8' ? ', then quantized with scale/zp' : ''}`;
    if (t?.dtype === 'int8' && dtype === 'uint8') return 'pixels 0–255 → scale/zp (q = p − 128)';
    if (t?.dtype === 'int8' && (dtype === 'float32' || dtype === 'float64'))
      return 'float, quantized with the input scale/zp';
    return `${dtype} values, as stored`;
  });

  /** The user's choice of uint8 reading; kept for this model from now on. */
  chooseUint8Mode(mode: Uint8Mode): void {
    this.uint8Mode = mode;
    this.uint8Chosen = true;
  }

  async pickFiles(list: FileList): Promise<void> {
    const files = await Promise.all(
      Array.from(list, async (f): Promise<PickedFile> => {
        const bytes = new Uint8Array(await f.arrayBuffer());
        if (isNpy(bytes)) return { name: f.name, bytes, kind: 'npy', npy: parseNpy(bytes, f.name) };
        return { name: f.name, bytes, kind: IMAGE.test(f.name) ? 'image' : 'bin' };
      }),
    ).catch((e: unknown) => {
      // files were chosen and cannot be read: that is the input's problem now, not the seed
      this.files = [];
      this.useFiles = true;
      this.fileProblem = e instanceof Error ? e.message : String(e);
      return null;
    });
    if (!files) return;
    this.files = files;
    this.useFiles = files.length > 0;
    this.fileProblem = this.check(files);
    // A uint8 .npy on an int8 input is a tensor dump: TFLite Micro's own test data (the person
    // images) stores the int8 input bytes that way. Default to that reading unless the model
    // normalizes its input from raw samples, or the user already chose for this model.
    if (!this.uint8Chosen && files.some((f) => f.npy?.dtype === 'uint8'))
      this.uint8Mode = this.normalized ? 'affine' : 'bytes';
  }

  /** The files against the model's inputs (count, element count, dtype), as one clear message. */
  private check(files: PickedFile[]): string | null {
    if (files.length === 1 && files[0].kind === 'bin') return null; // raw bytes: checked by size at run
    if (this.modelInputs.length && files.length !== this.modelInputs.length)
      return `the model has ${this.modelInputs.length} input(s), ${files.length} file(s) picked`;
    for (const [i, f] of files.entries()) {
      const t = this.modelInputs[i];
      if (!t || !f.npy) continue;
      const n = elementCount(t.shape);
      if (f.npy.data.length !== n)
        return `${f.name}: shape (${f.npy.shape.join(', ')}) has ${f.npy.data.length} values; input '${t.name}' is [${t.shape.join(', ')}] (${n} values)`;
      const intData = !/^float/.test(f.npy.dtype);
      if (t.dtype !== 'float32' && t.dtype !== 'int8' && intData && f.npy.dtype !== t.dtype)
        return `${f.name}: ${f.npy.dtype} data cannot feed input '${t.name}' of type ${t.dtype}`;
    }
    return null;
  }

  /** The input or a clear error for the app's banner. */
  require(): SimulateInput {
    if (this.problem) throw new Error(this.problem);
    if (!this.input) throw new Error('Choose input files (.npy, .bin, PNG/JPEG/BMP) or a seed first');
    return this.input;
  }
}

/** One input choice per model for the session (a reopened model keeps it). */
export function inputChoiceFor(model: Pick<OpenedModel, 'name' | 'sizeBytes' | 'summary'>): InputChoice {
  return keepForModel(
    model,
    'input',
    () => new InputChoice(model.summary.inputs, model.summary.metadata.parameters),
  );
}
