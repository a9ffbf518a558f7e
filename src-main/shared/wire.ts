/**
 * The WebSocket wire format of the API contract: JSON in which Uint8Array travels as base64.
 */

/** JSON.stringify that encodes Uint8Array as `{"$bytes": base64}`. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return { $bytes: bytesToBase64(v) };
    return v;
  });
}

/** JSON.parse that restores `{"$bytes": base64}` to Uint8Array. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === '$bytes' && typeof o.$bytes === 'string') {
        return base64ToBytes(o.$bytes);
      }
    }
    return v;
  });
}

// Works in Node and browsers alike (btoa/atob exist in both since Node 16).
function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000; // keep String.fromCharCode's argument list bounded
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
