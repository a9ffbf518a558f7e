/** A bounded pool for work that must not all start at once (several boards, several files): the CLI and the renderer use it alike. */

/** `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * How many boards to profile at once, given the machine's cores. Emulated boards are CPU-bound
 * (QEMU counting instructions) and each board's host side simulates too: more at once than there
 * are cores only makes each slower (7 QEMU boards on 2 cores ran into the boards' timeouts). Two
 * at least, so a real board and an emulated one still run side by side.
 */
export function boardsAtOnce(cores: number): number {
  return Math.max(2, Math.floor(cores) || 0);
}
