/** Types the API's parts share (api.ts re-exports them; api-boards/api-quantize import them from here). */

export interface JobArgs {
  /** Caller-chosen id (e.g. `crypto.randomUUID()`), 1–64 chars of [A-Za-z0-9_-]. */
  jobId: string;
}

/** What to feed the model: xorshift32 bytes from a seed, or files (.npy, PNG/JPEG/BMP, one raw .bin). */
export type SimulateInput = { seed: number } | { files: { name: string; bytes: Uint8Array }[] };
