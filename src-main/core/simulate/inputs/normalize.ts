/**
 * MLTK sample-wise input normalization for the simulator: the single shared definition lives in
 * src-main/core/normalize/ (mirrored bit for bit by firmware/params/qs_normalize.c; see
 * docs/normalization.md). Results are float32.
 */
export {
  normalizationOf,
  normalizeToFloat as normalizeSample,
  type Normalization,
} from '../../normalize/normalize.ts';
