/* Registry lookups (the table: ops_table.c) and helpers shared by the prepare functions. */
#include "k_signal.h" /* qs_prep_no_signal: a build without the signal ops */
#include "ops_table.h"
#include <string.h> /* memset: the no-output ops' empty output record */

#if QS_WITH_FLOAT
#include <math.h>
#include <string.h>
#endif

static const op_entry_t *find(int32_t code) {
  size_t i;
  for (i = 0; i < qs_n_ops; i++)
    if (qs_k_ops[i].code == code) return &qs_k_ops[i];
  return NULL;
}

int qs_op_supported(int32_t code) { return find(code) != NULL; }
const char *qs_op_name(int32_t code) {
  const op_entry_t *e = find(code);
  return e ? e->name : "UNKNOWN";
}

uint8_t qs_op_dtypes(int32_t code) {
  const op_entry_t *e = find(code);
  return e ? e->dtypes : 0;
}

int qs_registry_entry(size_t i, qs_op_entry_info_t *out) {
  if (i >= qs_n_ops || !out) return 0;
  out->code = qs_k_ops[i].code;
  out->name = qs_k_ops[i].name;
  out->dtypes = qs_k_ops[i].dtypes;
  return 1;
}

uint8_t qs_build_families(void) {
  return (uint8_t)(QS_FAM_INT8 | (QS_WITH_INT16 ? QS_FAM_INT16 : 0) | (QS_WITH_FLOAT ? QS_FAM_FLOAT32 : 0));
}

static uint8_t family(uint8_t dtype) {
  return dtype == QS_DT_INT8 ? QS_FAM_INT8 : dtype == QS_DT_INT16 ? QS_FAM_INT16 : dtype == QS_DT_FLOAT32 ? QS_FAM_FLOAT32 : 0;
}

/* An op whose input 0 or output is of a family this build leaves out of the op (declared in the
 * high nibble of its entry) is refused naming the build option, before its prepare runs. */
static qs_status_t build_has(qs_model_t *m, int oi, const qs_op_t *op, const op_entry_t *e) {
  uint8_t off = (uint8_t)(e->dtypes >> 4);
  const qs_tensor_t *in0 = qs_in(m, op, 0);
  uint8_t fin = in0 ? family(in0->dtype) : 0, fout = family(qs_out(m)->dtype);
  uint8_t miss = (uint8_t)(off & (fin | fout));
  if (!miss) return QS_OK;
  return qs_fail(m, QS_ERR_UNSUPPORTED, oi, (off & fin) ? op->in[0] : op->out,
                 (miss & QS_FAM_FLOAT32) ? "float32 kernels are not in this build (QS_WITH_FLOAT=0)"
                                         : "int16 kernels are not in this build (QS_WITH_INT16=0)");
}

size_t qs_supported_ops(int32_t *codes, size_t max) {
  size_t i;
  for (i = 0; i < qs_n_ops && codes && i < max; i++) codes[i] = qs_k_ops[i].code;
  return qs_n_ops;
}

/* Ops without outputs (k_var.c). */
static int no_output(int32_t code) { return code == OP_CALL_ONCE || code == OP_ASSIGN_VARIABLE; }

/* Ops with several outputs; their prepare decodes outputs past the first with qs_out_k. */
static int multi_output(int32_t code) {
  return code == OP_SPLIT || code == OP_SPLIT_V || code == OP_UNPACK || code == OP_DETECTION_POSTPROCESS ||
         code == OP_SIGNAL_FFT_AUTO_SCALE || code == OP_SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION ||
         code == OP_SIGNAL_FRAMER || code == OP_SIGNAL_STACKER || code == OP_WHILE || code == OP_IF;
}

qs_status_t qs_prepare_op(qs_model_t *m, int oi) {
  qs_op_t *op = &m->ops[oi];
  const op_entry_t *e = find(op->code);
  qs_prepare_fn prepare;
  qs_status_t s;
  qs_tensor_t cache[QS_MAX_IO + 1]; /* decoded once per op, on the stack, not in the arena */
  int i;
  if (!e) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator not supported");
#if !QS_WITH_SIGNAL
  if (e->prepare == qs_prep_no_signal) return qs_prep_no_signal(m, oi, op); /* the build, not a family, lacks it */
#endif
  if (op->n_out != 1 && !multi_output(op->code) && !(op->n_out == 0 && no_output(op->code)))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator must have exactly one output");
  for (i = 0; i < op->n_in && i < QS_MAX_IO; i++) /* more inputs: qs_in_k decodes them */
    if (op->in[i] >= 0 && (s = qs_get_tensor(m, op->in[i], &cache[i])) != QS_OK) return s;
  if (op->n_out == 0) { /* CALL_ONCE, ASSIGN_VARIABLE: an output of no family */
    memset(&cache[QS_MAX_IO], 0, sizeof(cache[QS_MAX_IO]));
    cache[QS_MAX_IO].dtype = 255;
  } else if ((s = qs_get_tensor(m, op->out, &cache[QS_MAX_IO])) != QS_OK) {
    return s;
  }
  m->tc = cache;
  if ((s = build_has(m, oi, op, e)) != QS_OK) {
    m->tc = NULL;
    return s;
  }
  prepare = e->prepare;
#if QS_WITH_FLOAT
  if (e->prepare_f32 && op->n_in > 0 && op->in[0] >= 0 && cache[0].dtype == QS_DT_FLOAT32) prepare = e->prepare_f32;
#endif
  s = prepare(m, oi, op);
  m->tc = NULL;
  if (s == QS_OK && !op->eval) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "operator variant not supported");
  return s;
}

const qs_tensor_t *qs_in(qs_model_t *m, const qs_op_t *op, int i) {
  if (i >= op->n_in || i >= QS_MAX_IO || op->in[i] < 0) return NULL;
  return &m->tc[i];
}

int qs_in_k(qs_model_t *m, const qs_op_t *op, int i, qs_tensor_t *t) {
  if (i < 0 || i >= op->n_in || op->in[i] < 0) return 0;
  if (i < QS_MAX_IO && m->tc) {
    *t = m->tc[i];
    return 1;
  }
  return qs_get_tensor(m, op->in[i], t) == QS_OK;
}

const qs_tensor_t *qs_out(qs_model_t *m) { return &m->tc[QS_MAX_IO]; }

qs_status_t qs_out_k(qs_model_t *m, const qs_op_t *op, int k, qs_tensor_t *t) {
  if (k == 0) {
    *t = m->tc[QS_MAX_IO];
    return QS_OK;
  }
  return qs_get_tensor(m, op->outs[k], t);
}

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
  if (t->dtype != QS_DT_INT8) {
    /* without float kernels, a float32 op (input 0 float32) is unsupported rather than mistyped */
    int no_float = !QS_WITH_FLOAT && which == 0 && t->dtype == QS_DT_FLOAT32;
    if (!QS_WITH_INT16 && t->dtype == QS_DT_INT16) /* input or output: the family is left out */
      return qs_fail(m, QS_ERR_UNSUPPORTED, oi, ti, "int16 kernels are not in this build (QS_WITH_INT16=0)");
    return qs_fail(m, no_float ? QS_ERR_UNSUPPORTED : QS_ERR_TYPE, oi, ti,
                   no_float ? "float32 kernels are not in this build (QS_WITH_FLOAT=0)" : "expected an int8 tensor");
  }
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int8 tensor without a positive scale");
  return QS_OK;
}

qs_status_t qs_need_q16(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what, int symmetric) {
  const qs_tensor_t *t = which == QS_OUT ? qs_out(m) : qs_in(m, op, which);
  int ti = which == QS_OUT ? op->out : (which < op->n_in ? op->in[which] : -1);
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected an int16 tensor (an int16x8 op has int16 inputs and output)");
  if (!t->quantized || !(t->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int16 tensor without a positive scale");
  if (symmetric && t->zp != 0)
    return qs_fail(m, QS_ERR_QUANT, oi, ti, "int16 tensor with a nonzero zero point (16x8 quantization is symmetric)");
  return QS_OK;
}

qs_status_t qs_need_w8(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what) {
  const qs_tensor_t *t = qs_in(m, op, which);
  int ti = which < op->n_in ? op->in[which] : -1;
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_INT8) return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected int8 weights");
  /* the loader refuses negative and non-finite scales; 0 is allowed (TFLM: a zero multiplier) */
  if (!t->quantized) return qs_fail(m, QS_ERR_QUANT, oi, ti, "int8 weights without quantization parameters");
  return QS_OK;
}

static int32_t quantize_act(const qs_tensor_t *t, float f) {
  float q = qs_roundf(f / t->scale);
  if (q > 1.0e9f) return INT32_MAX / 2;
  if (q < -1.0e9f) return INT32_MIN / 2;
  return t->zp + (int32_t)q;
}

qs_status_t qs_act_range(qs_model_t *m, int oi, int act, const qs_tensor_t *out, int32_t *mn, int32_t *mx) {
  /* the activation's real bounds (RELU [0, inf), RELU6 [0, 6], RELU_N1_TO_1 [-1, 1]),
   * quantized and intersected with the output type's range ([-128, 127] or [-32768, 32767]) */
  int32_t lo = out->dtype == QS_DT_INT16 ? -32768 : -128, hi = out->dtype == QS_DT_INT16 ? 32767 : 127, z;
  if (act < ACT_NONE || act > ACT_RELU6) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
  if (act != ACT_NONE) {
    /* quantize(0) is the zero point: the callers checked that the scale is positive */
    z = act == ACT_RELU_N1_TO_1 ? quantize_act(out, -1.0f) : out->zp;
    lo = z > lo ? z : lo;
  }
  if (act == ACT_RELU6 || act == ACT_RELU_N1_TO_1) {
    z = quantize_act(out, act == ACT_RELU6 ? 6.0f : 1.0f);
    hi = z < hi ? z : hi;
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

#if QS_WITH_FLOAT
qs_status_t qs_need_f32(qs_model_t *m, int oi, const qs_op_t *op, int which, const char *what) {
  const qs_tensor_t *t = which == QS_OUT ? qs_out(m) : qs_in(m, op, which);
  int ti = which == QS_OUT ? op->out : (which < op->n_in ? op->in[which] : -1);
  if (!t) return qs_fail(m, QS_ERR_SCHEMA, oi, ti, what);
  if (t->dtype != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_TYPE, oi, ti, "expected a float32 tensor (float32 and int8 do not mix in one op)");
  return QS_OK;
}

qs_status_t qs_act_range_f32(qs_model_t *m, int oi, int act, float *lo, float *hi) {
  switch (act) {
    case ACT_NONE: *lo = -INFINITY, *hi = INFINITY; break;
    case ACT_RELU: *lo = 0.0f, *hi = INFINITY; break;
    case ACT_RELU6: *lo = 0.0f, *hi = 6.0f; break;
    case ACT_RELU_N1_TO_1: *lo = -1.0f, *hi = 1.0f; break;
    default: return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "fused activation not supported");
  }
  return QS_OK;
}

qs_status_t qs_const_f32(qs_model_t *m, const qs_op_t *op, int i, const float **out) {
  const qs_tensor_t *t = qs_in(m, op, i);
  float *copy;
  *out = NULL;
  if (!t || !t->data) return QS_OK;
  if (((uintptr_t)t->data & 3u) == 0) {
    *out = (const float *)(const void *)t->data;
    return QS_OK;
  }
  /* misaligned in the model file: keep an aligned copy (rare; converters align buffers) */
  if (!(copy = (float *)qs_alloc(m, t->bytes))) return QS_ERR_ARENA;
  memcpy(copy, t->data, t->bytes);
  *out = copy;
  return QS_OK;
}
#endif
