/**
 * Convert a Keras model (config + weights) to the float32 TFLite graph IR, the way the TFLite
 * converter lays it out: Conv2D → CONV_2D (kernel HWIO → OHWI), DepthwiseConv2D →
 * DEPTHWISE_CONV_2D ([kh,kw,in,mult] is already [1,kh,kw,in·mult] in memory), Dense →
 * FULLY_CONNECTED ([in,out] → [out,in]); BatchNormalization folded into the Conv/Dense before it;
 * relu/relu6 fused into that op; pools, Flatten/Reshape → RESHAPE, GlobalAveragePooling2D → MEAN
 * over axes [1,2] (keep_dims as keepdims, as the official converter lowers it, so the two
 * conversions pair op for op), softmax/sigmoid/tanh as ops; Dropout and friends vanish. The result
 * is what the quantizer works on, so Keras and .tflite float models take the same path.
 */
import type { Model, OptionValue } from '../ir.ts';
import { foldBatchNorm } from './bn-fold.ts';
import { flattenKeras, type KerasNode, type Shape } from './graph.ts';
import { IrBuilder } from './ir-builder.ts';
import {
  foldInputAffine,
  LAYER_LOWERINGS,
  lowerActivation,
  type InputAffine,
  type LayerContext,
} from './layers/index.ts';
import { outputShape } from './shapes.ts';
import { convertWeights } from './layers/conv-weights.ts';
import type { KerasModel, KerasWeight } from './types.ts';

const IDENTITY = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
]);
const FUSABLE = new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'SUB']);
const ACTIVATION_OPS: Record<string, string> = { softmax: 'SOFTMAX', sigmoid: 'LOGISTIC', tanh: 'TANH' };

type Cfg = Record<string, unknown>;

const pair = (v: unknown, d: number): [number, number] =>
  Array.isArray(v)
    ? [Number(v[0]), Number(v[v.length > 1 ? 1 : 0])]
    : typeof v === 'number'
      ? [v, v]
      : [d, d];
const padding = (cfg: Cfg) => (cfg.padding === 'same' ? 'SAME' : 'VALID');

export function kerasToTflite(model: KerasModel): Model {
  const graph = flattenKeras(model.config);
  const b = new IrBuilder();
  /** Keras tensor id → IR tensor index. */
  const ir = new Map<string, number>();
  const shapes = new Map<string, Shape | null>();
  const concrete = (s: Shape | null | undefined, who: string): number[] => {
    if (!s || s.slice(1).some((d) => d === null))
      throw new Error(`Keras layer ${who}: output shape unknown, cannot convert`);
    return [1, ...(s.slice(1) as number[])];
  };
  for (const input of graph.inputs) {
    shapes.set(input.id, input.shape);
    ir.set(input.id, b.activation(input.name, concrete(input.shape, input.name)));
  }
  const producer = new Map<number, ReturnType<IrBuilder['op']>>();
  const folded = new Map<number, { kernel: number; bias: number; outChannels: number; last: boolean }>();
  const consumers = countConsumers(graph.nodes, graph.outputs);
  /** Affine maps (Rescaling, Normalization) left for the next layer to fold, by Keras tensor id. */
  const pendingAffine = new Map<string, InputAffine>();

  const lowerings: { layer: string; ops: number[] }[] = [];
  for (const node of graph.nodes) {
    const firstOp = b.operators.length;
    const who = `${node.path} (${node.className})`;
    const cfg = node.config;
    if (cfg.data_format === 'channels_first')
      throw new Error(`Keras layer ${who}: channels_first is not supported`);
    const inShapes = node.inputs.map((id) => shapes.get(id) ?? null);
    const shape = outputShape(node.className, cfg, inShapes);
    if (shape === undefined && !IDENTITY.has(node.className)) {
      throw new Error(`Keras layer ${who} has no TFLite equivalent in QuantScope`);
    }
    const [outId] = node.outputs;
    shapes.set(outId, IDENTITY.has(node.className) ? inShapes[0] : (shape ?? null));
    const x = ir.get(node.inputs[0])!;
    // A nested model's later calls ("block_call1/dense") compute with its first call's weights.
    const weights =
      model.weights.get(node.path) ?? model.weights.get(node.path.replace(/_call\d+\//g, '/')) ?? [];
    const emit = (
      op: string,
      inputs: number[],
      options: Record<string, OptionValue> = {},
      name = node.path,
    ) => {
      const o = b.activation(name, concrete(shapes.get(outId), who));
      producer.set(o, b.op(op, inputs, [o], options));
      ir.set(outId, o);
      return o;
    };
    /**
     * Fuse relu/relu6 into the producing op when nobody else reads its output, else emit an op.
     * `own`: the layer's own activation (its pre-activation tensor is invisible to others).
     */
    const activate = (src: number, act: string, own = false) => {
      if (act === 'linear') return void ir.set(outId, src);
      const fused = act === 'relu' ? 'RELU' : act === 'relu6' ? 'RELU6' : null;
      const p = producer.get(src);
      const sole = own || consumers(node.inputs[0]) <= 1;
      if (fused && p && FUSABLE.has(p.op) && p.options.fused_activation_function === 'NONE' && sole) {
        p.options.fused_activation_function = fused;
        return void ir.set(outId, src);
      }
      const op = fused ?? ACTIVATION_OPS[act];
      if (op) emit(op, [src], op === 'SOFTMAX' ? { beta: 1 } : {});
      else if (!lowerActivation(ctx, src, act))
        throw new Error(`Keras layer ${who}: activation '${act}' has no int8 TFLite op in QuantScope`);
    };
    const ctx: LayerContext = {
      b,
      node,
      who,
      cfg,
      inputs: node.inputs.map((id) => ir.get(id)!),
      get inShapes() {
        return inShapes.map((s) => concrete(s, who));
      },
      get outShape() {
        return concrete(shapes.get(outId), who);
      },
      weights,
      kerasVersion: model.kerasVersion,
      emit,
      step: (op, inputs, shape, options, suffix) => {
        const t = b.activation(`${node.path}/${suffix}`, shape);
        producer.set(t, b.op(op, inputs, [t], options));
        return t;
      },
      constant: (suffix, shape, values) => b.constant(`${node.path}/${suffix}`, shape, values),
      activate: (src, a) => activate(src, a, true),
      setOutput: (t) => void ir.set(outId, t),
      foldable: (t, op, target) => {
        producer.set(t, b.operators[op]);
        folded.set(t, target);
      },
      producerOf: (t) => producer.get(t)?.index,
      readers: () => consumers(outId),
      nextLayers: () => graph.nodes.filter((n) => n.inputs.includes(outId)),
      inputAffine: () => pendingAffine.get(node.inputs[0]),
      deferAffine: (a) => {
        pendingAffine.set(outId, a);
        ir.set(outId, x);
      },
      fail: (message) => {
        throw new Error(`Keras layer ${who}: ${message}`);
      },
    };
    const act = String(cfg.activation ?? 'linear');
    switch (node.className) {
      case 'Conv2D':
      case 'DepthwiseConv2D':
      case 'Dense': {
        const conv = convertWeights(node, weights, inShapes[0], who);
        const affine = pendingAffine.get(node.inputs[0]);
        if (affine) {
          const kind =
            node.className === 'Dense'
              ? 'FULLY_CONNECTED'
              : node.className === 'Conv2D'
                ? 'CONV_2D'
                : 'DEPTHWISE_CONV_2D';
          Object.assign(conv, foldInputAffine(kind, conv, affine));
        }
        const k = b.constant(`${node.path}/kernel`, conv.kernelShape, conv.kernel);
        const bias = b.constant(`${node.path}/bias`, [conv.outChannels], conv.bias);
        const op =
          node.className === 'Conv2D'
            ? 'CONV_2D'
            : node.className === 'Dense'
              ? 'FULLY_CONNECTED'
              : 'DEPTHWISE_CONV_2D';
        const [sh, sw] = pair(cfg.strides, 1);
        const [dh, dw] = pair(cfg.dilation_rate, 1);
        const options: Record<string, OptionValue> =
          op === 'FULLY_CONNECTED'
            ? {
                fused_activation_function: 'NONE',
                weights_format: 'DEFAULT',
                keep_num_dims: false,
                asymmetric_quantize_inputs: false,
              }
            : {
                padding: padding(cfg),
                stride_w: sw,
                stride_h: sh,
                dilation_w_factor: dw,
                dilation_h_factor: dh,
                fused_activation_function: 'NONE',
              };
        if (op === 'DEPTHWISE_CONV_2D') options.depth_multiplier = Number(cfg.depth_multiplier ?? 1);
        const linearName =
          act === 'linear' || act === 'relu' || act === 'relu6' ? node.path : `${node.path}/linear`;
        const o = emit(op, [x, k, bias], options, linearName);
        folded.set(o, { kernel: k, bias, outChannels: conv.outChannels, last: op === 'DEPTHWISE_CONV_2D' });
        activate(o, act, true);
        break;
      }
      case 'BatchNormalization':
        foldInto(b, producer.get(x), folded.get(x), node, weights, consumers(node.inputs[0]) <= 1, who);
        ir.set(outId, x);
        break;
      case 'Activation':
        activate(x, act);
        break;
      case 'ReLU': {
        const slope = Number(cfg.negative_slope ?? 0);
        if (Number(cfg.threshold ?? 0) !== 0 || (slope !== 0 && cfg.max_value != null) || slope < 0) {
          throw new Error(
            `Keras layer ${who}: thresholded, capped leaky or negative-slope ReLU is not supported`,
          );
        }
        if (slope > 0) {
          emit('LEAKY_RELU', [x], { alpha: slope }); // tf.nn.leaky_relu, as Keras computes it
          break;
        }
        const max = cfg.max_value == null ? null : Number(cfg.max_value);
        if (max !== null && max !== 6)
          throw new Error(`Keras layer ${who}: ReLU max_value ${max} is not supported (only 6)`);
        activate(x, max === 6 ? 'relu6' : 'relu');
        break;
      }
      case 'Softmax':
        activate(x, 'softmax');
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const [fh, fw] = pair(cfg.pool_size, 2);
        const [sh, sw] = cfg.strides == null ? [fh, fw] : pair(cfg.strides, 1);
        const op = node.className === 'MaxPooling2D' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D';
        emit(op, [x], {
          padding: padding(cfg),
          stride_w: sw,
          stride_h: sh,
          filter_width: fw,
          filter_height: fh,
          fused_activation_function: 'NONE',
        });
        break;
      }
      case 'Flatten':
      case 'Reshape':
        emitReshape(b, emit, node.path, x, concrete(shapes.get(outId), who));
        break;
      case 'Add':
      case 'Subtract': {
        if (node.inputs.length !== 2)
          throw new Error(`Keras layer ${who}: only two-input ${node.className} is supported`);
        emit(
          node.className === 'Add' ? 'ADD' : 'SUB',
          node.inputs.map((id) => ir.get(id)!),
          { fused_activation_function: 'NONE' },
        );
        break;
      }
      default:
        if (IDENTITY.has(node.className)) ir.set(outId, x);
        else if (LAYER_LOWERINGS[node.className]) LAYER_LOWERINGS[node.className](ctx);
        else throw new Error(`Keras layer ${who} has no TFLite equivalent in QuantScope`);
    }
    if (b.operators.length - firstOp > 1)
      lowerings.push({
        layer: node.path,
        ops: Array.from({ length: b.operators.length - firstOp }, (_, k) => firstOp + k),
      });
  }
  const inputs = graph.inputs.map((i) => ir.get(i.id)!);
  const outputs = graph.outputs.map((id) => ir.get(id)!);
  const built = b.build(
    model.name,
    inputs,
    outputs,
    `Converted by QuantScope from Keras ${model.className} "${model.name}"`,
  );
  return lowerings.length > 0 ? { ...built, lowerings } : built;
}

function emitReshape(
  b: IrBuilder,
  emit: (op: string, inputs: number[], o: Record<string, OptionValue>) => number,
  path: string,
  x: number,
  shape: number[],
): void {
  const s = b.constant(`${path}/shape`, [shape.length], Int32Array.from(shape));
  emit('RESHAPE', [x, s], { new_shape: shape });
}

/**
 * How many layers (and graph outputs) read each Keras tensor, looking through identity layers
 * (Dropout…): fusing an activation or a BatchNorm into a tensor anyone else reads would change
 * what they see.
 */
function countConsumers(nodes: KerasNode[], outputs: string[]): (id: string) => number {
  const alias = new Map<string, string>();
  const resolve = (id: string): string => alias.get(id) ?? id;
  const count = new Map<string, number>();
  const read = (id: string) => count.set(resolve(id), (count.get(resolve(id)) ?? 0) + 1);
  for (const n of nodes) {
    if (IDENTITY.has(n.className)) alias.set(n.outputs[0], resolve(n.inputs[0]));
    else n.inputs.forEach(read);
  }
  outputs.forEach(read);
  return (id) => count.get(resolve(id)) ?? 0;
}

function foldInto(
  b: IrBuilder,
  op: ReturnType<IrBuilder['op']> | undefined,
  target: { kernel: number; bias: number; outChannels: number; last: boolean } | undefined,
  node: KerasNode,
  weights: KerasWeight[],
  soleReader: boolean,
  who: string,
): void {
  if (!op || !target || op.options.fused_activation_function !== 'NONE' || !soleReader) {
    throw new Error(
      `Keras layer ${who}: BatchNormalization must directly follow a Conv2D/DepthwiseConv2D/Dense without activation to be folded`,
    );
  }
  const cfg = node.config;
  const list = [...weights];
  const gamma = cfg.scale === false ? null : list.shift()!.data;
  const beta = cfg.center === false ? null : list.shift()!.data;
  const [mean, variance] = list.map((w) => w.data);
  if (!mean || !variance) throw new Error(`Keras layer ${who}: moving mean/variance missing`);
  const kernelTensor = b.tensors[target.kernel];
  const biasTensor = b.tensors[target.bias];
  const f32 = (t: typeof kernelTensor) => new Float32Array(t.data!.slice().buffer);
  const out = foldBatchNorm(
    {
      kernel: f32(kernelTensor),
      bias: f32(biasTensor),
      outChannels: target.outChannels,
      channelPosition: target.last ? 'last' : 'first',
    },
    { gamma, beta, mean, variance, epsilon: Number(cfg.epsilon ?? 1e-3) },
  );
  b.setConstant(target.kernel, out.kernel);
  b.setConstant(target.bias, out.bias);
}
