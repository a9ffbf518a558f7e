/**
 * The model input a run uses, shared by the Simulate and Board views: a xorshift seed or files
 * (.npy, .bin, PNG/JPEG/BMP), and how a uint8 .npy feeds an int8 input.
 */
import type { SimulateInput } from '../../src-main/shared/api.ts';

/** Pixel values through the input's scale/zero point, or the file's bytes read as int8. */
export type Uint8Mode = 'affine' | 'bytes';

export class InputChoice {
  seed = $state(1);
  files = $state.raw<{ name: string; bytes: Uint8Array }[]>([]);
  useFiles = $state(false);
  uint8Mode = $state<Uint8Mode>('affine');

  /** What to send with the call, or null while "files" is chosen but none is picked. */
  input = $derived<SimulateInput | null>(
    this.useFiles ? (this.files.length > 0 ? { files: this.files } : null) : { seed: this.seed },
  );

  async pickFiles(list: FileList): Promise<void> {
    this.files = await Promise.all(
      Array.from(list, async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
    );
    this.useFiles = this.files.length > 0;
  }

  /** The input or a clear error for the app's banner. */
  require(): SimulateInput {
    if (!this.input) throw new Error('Choose input files (.npy, .bin, PNG/JPEG/BMP) or a seed first');
    return this.input;
  }
}
