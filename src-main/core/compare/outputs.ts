/** Agreement of the final model outputs: RMSE and cosine over real values, top-1 class. */
import { dequantize, elementReader } from './elements.ts';
import type { HostTensor, OutputComparison } from './types.ts';

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return v.length ? best : -1;
}

export function compareOutput(host: HostTensor, deviceBytes: Uint8Array): OutputComparison {
  const { read } = elementReader(host.dtype);
  const h = dequantize(read(host.bytes), host.quant);
  const d = dequantize(read(deviceBytes), host.quant);
  if (h.length !== d.length)
    throw new Error(`output '${host.name}': ${h.length} host vs ${d.length} device elements`);
  let se = 0;
  let dot = 0;
  let nh = 0;
  let nd = 0;
  for (let i = 0; i < h.length; i++) {
    se += (h[i] - d[i]) ** 2;
    dot += h[i] * d[i];
    nh += h[i] * h[i];
    nd += d[i] * d[i];
  }
  // Two all-zero vectors point the same way as far as a user is concerned: cosine 1.
  const cosine = nh === 0 && nd === 0 ? 1 : nh === 0 || nd === 0 ? 0 : dot / Math.sqrt(nh * nd);
  const top1Host = argmax(h);
  const top1Device = argmax(d);
  return {
    tensor: host.tensor,
    name: host.name,
    rmse: h.length ? Math.sqrt(se / h.length) : 0,
    cosine,
    top1Host,
    top1Device,
    top1Agree: top1Host === top1Device,
  };
}
