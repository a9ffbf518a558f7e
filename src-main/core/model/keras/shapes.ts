/**
 * Output shape rules for the Keras layers QuantScope knows. Shapes include the batch dimension
 * (null = any). A layer class without a rule returns `undefined` (unknown layer); a known layer
 * whose input shape is unknown returns null.
 */
import type { Shape } from './graph.ts';

type Cfg = Record<string, unknown>;
type Rule = (cfg: Cfg, inputs: Shape[]) => Shape | null;

function pair(v: unknown, fallback: number): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length >= 2) return [Number(v[0]), Number(v[1])];
  if (Array.isArray(v) && v.length === 1) return [Number(v[0]), Number(v[0])];
  return [fallback, fallback];
}

function single(v: unknown, fallback: number): number {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length >= 1) return Number(v[0]);
  return fallback;
}

/** Output length of a sliding window (conv or pool) along one axis. */
export function windowOut(
  n: number | null,
  k: number,
  s: number,
  d: number,
  padding: unknown,
): number | null {
  if (n === null) return null;
  const span = (k - 1) * d + 1;
  // 'causal' (Conv1D) pads span - 1 zeros on the left: the length of 'same' at stride 1
  if (padding === 'same' || padding === 'causal') return Math.ceil(n / s);
  return Math.max(0, Math.floor((n - span) / s) + 1);
}

/** Spatial axes and channel axis of a rank-`rank` tensor for this data_format. */
function axes(cfg: Cfg, rank: number): { spatial: number[]; channel: number } {
  const first = cfg.data_format === 'channels_first';
  const spatial = Array.from({ length: rank - 2 }, (_, i) => (first ? i + 2 : i + 1));
  return { spatial, channel: first ? 1 : rank - 1 };
}

function windowed(cfg: Cfg, x: Shape, k: number[], s: number[], d: number[], channels: number | null): Shape {
  const { spatial, channel } = axes(cfg, x.length);
  const out = [...x];
  spatial.forEach((ax, i) => (out[ax] = windowOut(x[ax], k[i], s[i], d[i], cfg.padding)));
  if (channels !== undefined) out[channel] = channels;
  return out;
}

function conv2d(channels: (cfg: Cfg, inC: number | null) => number | null): Rule {
  return (cfg, [x]) => {
    if (!x || x.length !== 4) return null;
    const k = pair(cfg.kernel_size, 1);
    const c = x[axes(cfg, 4).channel];
    return windowed(cfg, x, k, pair(cfg.strides, 1), pair(cfg.dilation_rate, 1), channels(cfg, c));
  };
}

const pool2d: Rule = (cfg, [x]) => {
  if (!x || x.length !== 4) return null;
  const k = pair(cfg.pool_size, 2);
  const s = cfg.strides == null ? k : pair(cfg.strides, 1);
  return windowed(cfg, x, k, s, [1, 1], x[axes(cfg, 4).channel]);
};

const pool1d: Rule = (cfg, [x]) => {
  if (!x || x.length !== 3) return null;
  const k = single(cfg.pool_size, 2);
  const s = cfg.strides == null ? k : single(cfg.strides, 1);
  return windowed(cfg, x, [k], [s], [1], x[axes(cfg, 3).channel]);
};

const globalPool: Rule = (cfg, [x]) => {
  if (!x) return null;
  const { spatial, channel } = axes(cfg, x.length);
  if (cfg.keepdims === true) return x.map((d, i) => (spatial.includes(i) ? 1 : d));
  return [x[0], x[channel]];
};

const identity: Rule = (_cfg, [x]) => (x ? [...x] : null);

function product(dims: Shape): number | null {
  return dims.every((d) => d !== null) ? (dims as number[]).reduce((a, b) => a * b, 1) : null;
}

const reshape: Rule = (cfg, [x]) => {
  const target = (cfg.target_shape as number[] | undefined) ?? [];
  if (!x) return null;
  const total = product(x.slice(1));
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return [x[0], ...target.map((d) => (d === -1 ? (total === null ? null : total / known) : d))];
};

/** Elementwise merge layers broadcast their inputs. */
const broadcast: Rule = (_cfg, xs) => {
  if (xs.length === 0 || xs.some((x) => !x)) return null;
  const rank = Math.max(...xs.map((x) => x.length));
  return Array.from({ length: rank }, (_, i) => {
    const dims = xs.map((x) => x[x.length - rank + i] ?? 1);
    if (dims.some((d) => d === null)) return null;
    return Math.max(...(dims as number[]));
  });
};

const concatenate: Rule = (cfg, xs) => {
  if (xs.length === 0 || xs.some((x) => !x)) return null;
  const rank = xs[0].length;
  const axis = (((cfg.axis as number | undefined) ?? -1) + rank) % rank;
  const out = [...xs[0]];
  const sizes = xs.map((x) => x[axis]);
  out[axis] = sizes.some((d) => d === null) ? null : (sizes as number[]).reduce((a, b) => a + b, 0);
  return out;
};

function padding2d(cfg: Cfg, key: string): [[number, number], [number, number]] {
  const p = cfg[key];
  if (typeof p === 'number')
    return [
      [p, p],
      [p, p],
    ];
  if (Array.isArray(p) && typeof p[0] === 'number')
    return [
      [p[0], p[0]],
      [p[1], p[1]],
    ];
  if (Array.isArray(p)) return [pair(p[0], 0), pair(p[1], 0)];
  return [
    [1, 1],
    [1, 1],
  ];
}

function resize2d(grow: (n: number, i: number, cfg: Cfg) => number): Rule {
  return (cfg, [x]) => {
    if (!x || x.length !== 4) return null;
    const out = [...x];
    axes(cfg, 4).spatial.forEach(
      (ax, i) => (out[ax] = x[ax] === null ? null : grow(x[ax] as number, i, cfg)),
    );
    return out;
  };
}

const IDENTITY = [
  'Activation',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'Softmax',
  'ThresholdedReLU',
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'BatchNormalization',
  'LayerNormalization',
  'Rescaling',
  'Normalization',
  'ActivityRegularization',
  'Masking',
];

export const SHAPE_RULES: Record<string, Rule> = {
  ...Object.fromEntries(IDENTITY.map((c) => [c, identity])),
  Conv2D: conv2d((cfg) => Number(cfg.filters)),
  SeparableConv2D: conv2d((cfg) => Number(cfg.filters)),
  DepthwiseConv2D: conv2d((cfg, c) => (c === null ? null : c * Number(cfg.depth_multiplier ?? 1))),
  Conv2DTranspose: (cfg, [x]) => {
    if (!x || x.length !== 4) return null;
    const [k, s] = [pair(cfg.kernel_size, 1), pair(cfg.strides, 1)];
    const out = resize2d((n, i) => (cfg.padding === 'same' ? n * s[i] : n * s[i] + Math.max(k[i] - s[i], 0)))(
      cfg,
      [x],
    );
    if (out) out[axes(cfg, 4).channel] = Number(cfg.filters);
    return out;
  },
  Conv1D: (cfg, [x]) => {
    if (!x || x.length !== 3) return null;
    const args = [[single(cfg.kernel_size, 1)], [single(cfg.strides, 1)], [single(cfg.dilation_rate, 1)]];
    return windowed(cfg, x, args[0], args[1], args[2], Number(cfg.filters));
  },
  MaxPooling2D: pool2d,
  AveragePooling2D: pool2d,
  MaxPooling1D: pool1d,
  AveragePooling1D: pool1d,
  GlobalAveragePooling2D: globalPool,
  GlobalMaxPooling2D: globalPool,
  GlobalAveragePooling1D: globalPool,
  GlobalMaxPooling1D: globalPool,
  Dense: (cfg, [x]) => (x ? [...x.slice(0, -1), Number(cfg.units)] : null),
  Flatten: (_cfg, [x]) => (x ? [x[0], product(x.slice(1))] : null),
  Reshape: reshape,
  Permute: (cfg, [x]) => (x ? [x[0], ...((cfg.dims as number[]) ?? []).map((d) => x[d])] : null),
  ZeroPadding2D: resize2d(
    (n, i, cfg) => n + padding2d(cfg, 'padding')[i][0] + padding2d(cfg, 'padding')[i][1],
  ),
  Cropping2D: resize2d(
    (n, i, cfg) => n - padding2d(cfg, 'cropping')[i][0] - padding2d(cfg, 'cropping')[i][1],
  ),
  UpSampling2D: resize2d((n, i, cfg) => n * pair(cfg.size, 2)[i]),
  ZeroPadding1D: (cfg, [x]) => {
    if (!x || x.length !== 3) return null;
    const [l, r] = pair(cfg.padding, 1);
    return [x[0], x[1] === null ? null : x[1] + l + r, x[2]];
  },
  Resizing: resize2d((_n, i, cfg) => Number(i === 0 ? cfg.height : cfg.width)),
  RepeatVector: (cfg, [x]) => (x && x.length === 2 ? [x[0], Number(cfg.n), x[1]] : null),
  Embedding: (cfg, [x]) => (x ? [...x, Number(cfg.output_dim)] : null),
  MultiHeadAttention: (cfg, [q]) => {
    if (!q) return null;
    const out = cfg.output_shape;
    const last = Array.isArray(out)
      ? Number(out[out.length - 1])
      : typeof out === 'number'
        ? out
        : q[q.length - 1];
    return [...q.slice(0, -1), last];
  },
  Add: broadcast,
  Subtract: broadcast,
  Multiply: broadcast,
  Average: broadcast,
  Maximum: broadcast,
  Minimum: broadcast,
  Concatenate: concatenate,
  // Recurrent layers (shape only: the converter does not lower them yet): [batch, steps, units]
  // with return_sequences, else [batch, units].
  LSTM: recurrent,
  GRU: recurrent,
  SimpleRNN: recurrent,
};

function recurrent(cfg: Cfg, [x]: Shape[]): Shape | null {
  if (x.length !== 3) return null;
  const units = Number(cfg.units);
  return cfg.return_sequences === true ? [x[0], x[1], units] : [x[0], units];
}

/** Output shape of one layer call; `undefined` when the layer class has no rule. */
export function outputShape(className: string, cfg: Cfg, inputs: (Shape | null)[]): Shape | null | undefined {
  const rule = SHAPE_RULES[className];
  if (!rule) return undefined;
  if (inputs.some((s) => s === null)) return null;
  return rule(cfg, inputs as Shape[]);
}
