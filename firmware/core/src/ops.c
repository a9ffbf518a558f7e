/* Op table (code -> name, prepare) and helpers shared by the prepare functions. */
#include "ops.h"

typedef struct {
  int32_t code;
  const char *name;
  qs_prepare_fn prepare;
} op_entry_t;

static const op_entry_t k_ops[] = {
    {OP_ADD, "ADD", qs_prep_add},
    {OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", qs_prep_pool},
    {OP_CONV_2D, "CONV_2D", qs_prep_conv},
    {OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", qs_prep_dwconv},
    {OP_DEQUANTIZE, "DEQUANTIZE", qs_prep_dequantize},
    {OP_FULLY_CONNECTED, "FULLY_CONNECTED", qs_prep_fc},
    {OP_LOGISTIC, "LOGISTIC", qs_prep_logistic},
    {OP_MAX_POOL_2D, "MAX_POOL_2D", qs_prep_pool},
    {OP_RESHAPE, "RESHAPE", qs_prep_reshape},
    {OP_SOFTMAX, "SOFTMAX", qs_prep_softmax},
    {OP_SQUEEZE, "SQUEEZE", qs_prep_reshape},
    {OP_EXPAND_DIMS, "EXPAND_DIMS", qs_prep_reshape},
    {OP_SUB, "SUB", qs_prep_add},
    {OP_QUANTIZE, "QUANTIZE", qs_prep_quantize},
    {OP_MUL, "MUL", qs_prep_add},
    {OP_RELU, "RELU", qs_prep_act},
    {OP_RELU6, "RELU6", qs_prep_act},
    {OP_LEAKY_RELU, "LEAKY_RELU", qs_prep_act},
    {OP_TANH, "TANH", qs_prep_act},
    {OP_HARD_SWISH, "HARD_SWISH", qs_prep_act},
    {OP_PAD, "PAD", qs_prep_pad},
    {OP_PADV2, "PADV2", qs_prep_pad},
    {OP_CONCATENATION, "CONCATENATION", qs_prep_concat},
    {OP_PACK, "PACK", qs_prep_concat},
    {OP_TRANSPOSE, "TRANSPOSE", qs_prep_transpose},
    {OP_SHAPE, "SHAPE", qs_prep_shape},
    {OP_ARG_MAX, "ARG_MAX", qs_prep_argmax},
    {OP_MEAN, "MEAN", qs_prep_mean},
    {OP_STRIDED_SLICE, "STRIDED_SLICE", qs_prep_strided_slice},
    {OP_RESIZE_NEAREST_NEIGHBOR, "RESIZE_NEAREST_NEIGHBOR", qs_prep_resize_nn},
};
#define N_OPS (sizeof(k_ops) / sizeof(k_ops[0]))

static const op_entry_t *find(int32_t code) {
  size_t i;
  for (i = 0; i < N_OPS; i++)
    if (k_ops[i].code == code) return &k_ops[i];
  return NULL;
}

int qs_op_supported(int32_t code) { return find(code) != NULL; }
const char *qs_op_name(int32_t code) {
  const op_entry_t *e = find(code);
  return e ? e->name : "UNKNOWN";
}

size_t qs_supported_ops(int32_t *codes, size_t max) {
  size_t i;
  for (i = 0; i < N_OPS && codes && i < max; i++) codes[i] = k_ops[i].code;
  return N_OPS;
}

qs_status_t qs_prepare_op(qs_model_t *m, int oi) {
  qs_op_t *op = &m->ops[oi];
  const op_entry_t *e = find(op->code);
  qs_status_t s;
  qs_tensor_t cache[QS_MAX_IO + 1]; /* decoded once per op, on the stack, not in the arena */
  int i;
  if (!e) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator not supported");
  for (i = 0; i < op->n_in; i++)
    if (op->in[i] >= 0 && (s = qs_get_tensor(m, op->in[i], &cache[i])) != QS_OK) return s;
  if ((s = qs_get_tensor(m, op->out, &cache[QS_MAX_IO])) != QS_OK) return s;
  m->tc = cache;
  s = e->prepare(m, oi, op);
  m->tc = NULL;
  if (s == QS_OK && !op->eval) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator variant not supported");
  return s;
}

const qs_tensor_t *qs_in(qs_model_t *m, const qs_op_t *op, int i) {
  if (i >= op->n_in || op->in[i] < 0) return NULL;
  return &m->tc[i];
}

const qs_tensor_t *qs_out(qs_model_t *m) { return &m->tc[QS_MAX_IO]; }

void qs_scratch(qs_model_t *m, size_t bytes) {
  if (bytes > m->scratch_need) m->scratch_need = bytes;
}

const int32_t *qs_const_i32(qs_model_t *m, const qs_tensor_t *t) {
  int32_t *copy;
  uint32_t i, n = t->bytes / 4;
  if (((uintptr_t)t->data & 3u) == 0) return (const int32_t *)(const void *)t->data;
  /* misaligned in the model file: keep an aligned copy (rare; converters align buffers) */
  if (!(copy = (int32_t *)qs_alloc(m, t->bytes))) return NULL;
  for (i = 0; i < n; i++) copy[i] = (int32_t)fb_load_u32(t->data + 4 * i);
  return copy;
}

qs_status_t qs_opts(qs_model_t *m, int oi, const qs_op_t *op, uint8_t type, int required) {
  if (op->opts.pos != 0 && op->opts_type != type)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "builtin options of the wrong type");
  if (required && op->opts.pos == 0) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "builtin options missing");
  return QS_OK;
}

qs_status_t qs_need_q8(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what) {
  const qs_tensor_t *t = which == QS_OUT ? qs_out(m) : qs_in(m, op, which);
  int ti = which == QS_OUT ? op->out : (which < op->n_in ? op->in[which] : -1);
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_INT8) return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected an int8 tensor");
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int8 tensor without a positive scale");
  return QS_OK;
}

static int32_t quantize_act(const qs_tensor_t *t, float f) {
  float q = qs_roundf(f / t->scale);
  if (q > 1.0e9f) return INT32_MAX / 2;
  if (q < -1.0e9f) return INT32_MIN / 2;
  return t->zp + (int32_t)q;
}

qs_status_t qs_act_range(qs_model_t *m, int oi, int act, const qs_tensor_t *out, int32_t *mn, int32_t *mx) {
  int32_t lo = -128, hi = 127, z;
  switch (act) {
    case ACT_NONE: break;
    case ACT_RELU:
      z = quantize_act(out, 0.0f);
      lo = z > lo ? z : lo;
      break;
    case ACT_RELU6:
      z = quantize_act(out, 0.0f);
      lo = z > lo ? z : lo;
      z = quantize_act(out, 6.0f);
      hi = z < hi ? z : hi;
      break;
    case ACT_RELU_N1_TO_1:
      z = quantize_act(out, -1.0f);
      lo = z > lo ? z : lo;
      z = quantize_act(out, 1.0f);
      hi = z < hi ? z : hi;
      break;
    default: return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
  }
  *mn = lo;
  *mx = hi;
  return QS_OK;
}

qs_status_t qs_multiplier(qs_model_t *m, int oi, int ti, double real, int32_t *mult, int32_t *shift) {
  int sh;
  if (!(real >= 0.0 && real < 1.0e300)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "rescale factor is negative or not finite");
  qs_quantize_multiplier(real, mult, &sh);
  if (sh > 30 || sh < -31) return qs_fail(m, QS_ERR_QUANT, oi, ti, "rescale factor out of range (scale ratio above 2^30)");
  *shift = sh;
  return QS_OK;
}

int qs_out_size(int padding, int in, int filter, int stride, int dilation) {
  int eff = (filter - 1) * dilation + 1;
  if (padding == PAD_SAME) return (in + stride - 1) / stride;
  return (in + stride - eff) / stride;
}

int qs_padding(int stride, int dilation, int in, int filter, int out) {
  int eff = (filter - 1) * dilation + 1;
  int total = (out - 1) * stride + eff - in;
  return total > 0 ? total / 2 : 0;
}
