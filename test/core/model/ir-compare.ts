import { createHash } from 'node:crypto';

/**
 * A copy of a value with every Uint8Array replaced by a digest of its contents, so deep equality
 * of big models compares bytes exactly but fast (vitest's element-wise typed-array diff is slow).
 */
export function digestBytes(v: unknown): unknown {
  if (v instanceof Uint8Array) return `bytes[${v.length}]:${createHash('sha256').update(v).digest('hex')}`;
  if (Array.isArray(v)) return v.map(digestBytes);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, digestBytes(x)]),
    );
  }
  return v;
}
