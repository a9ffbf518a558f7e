/**
 * Builtin-option values that say "nothing special": TFLite schema defaults (DEFAULT weights format,
 * FLOAT32 = unset bias type, no fused activation) and Keras defaults. Listings (the layer table,
 * `quantscope summary`) leave them out, with false flags; details panels still show everything.
 */
export const QUIET_DEFAULTS: Readonly<Record<string, unknown>> = {
  weights_format: 'DEFAULT',
  quantized_bias_type: 'FLOAT32',
  fused_activation_function: 'NONE',
  data_format: 'channels_last',
  groups: 1,
  use_bias: true,
  activation: 'linear',
};

/** True for an option a listing should not print: a false flag or a quiet default. */
export function isQuietOption(key: string, value: unknown): boolean {
  return value === false || QUIET_DEFAULTS[key] === value;
}
