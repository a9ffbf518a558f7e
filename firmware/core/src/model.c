/*
 * .tflite -> internal tables. Reads the flatbuffer through fb.c (every access bounds-checked)
 * and checks everything the kernels later rely on: indices, dtypes, shapes, buffer sizes,
 * lifetimes (each activation written once, before it is read).
 */
#include <string.h>

#include "internal.h"

/* Schema field indices (tflite schema.fbs). */
enum { MODEL_VERSION = 0, MODEL_OPCODES = 1, MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4 };
enum { SG_TENSORS = 0, SG_INPUTS = 1, SG_OUTPUTS = 2, SG_OPERATORS = 3 };
enum { T_SHAPE = 0, T_TYPE = 1, T_BUFFER = 2, T_QUANT = 4, T_IS_VARIABLE = 5, T_SPARSITY = 6 };
enum { Q_SCALE = 2, Q_ZERO_POINT = 3, Q_DETAILS_TYPE = 4, Q_DIM = 6 };
enum { OC_DEPRECATED_CODE = 0, OC_BUILTIN_CODE = 3 };
enum { OPR_OPCODE = 0, OPR_INPUTS = 1, OPR_OUTPUTS = 2, OPR_OPTS_TYPE = 3, OPR_OPTS = 4 };
enum { BUF_DATA = 0, BUF_OFFSET = 1, BUF_SIZE = 2 };

static uint32_t dtype_size(uint8_t dt) {
  switch (dt) {
    case QS_DT_FLOAT32: case QS_DT_INT32: case QS_DT_UINT32: return 4;
    case QS_DT_INT64: case QS_DT_UINT64: return 8;
    case QS_DT_INT16: return 2;
    case QS_DT_UINT8: case QS_DT_INT8: case QS_DT_BOOL: return 1;
    case QS_DT_RESOURCE: return 4; /* VAR_HANDLE's output: the resource id, an int32 (k_var.c) */
    default: return 0;
  }
}

float qs_scale_at(const qs_model_t *m, const qs_tensor_t *t, uint32_t i) {
  uint32_t u;
  float f;
  if (i >= t->nscales) i = 0;
  u = fb_load_u32(m->model + t->scales_pos + 4 * i);
  memcpy(&f, &u, 4);
  return f;
}

static qs_status_t parse_quant(qs_model_t *m, int ti, const fb_table_t *tt, qs_tensor_t *t) {
  fb_t *fb = &m->fb;
  fb_table_t q = fb_table(fb, tt, T_QUANT);
  fb_vec_t sc, zp;
  uint32_t i;
  if (q.pos == 0) return QS_OK;
  if (fb_u8(fb, &q, Q_DETAILS_TYPE, 0) != 0)
    return qs_fail(m, QS_ERR_UNSUPPORTED, -1, ti, "custom quantization details");
  sc = fb_vector(fb, &q, Q_SCALE, 4);
  zp = fb_vector(fb, &q, Q_ZERO_POINT, 8);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, ti, "quantization parameters out of bounds");
  if (sc.n == 0) return QS_OK; /* min/max only: not quantized */
  if (zp.n != sc.n && zp.n != 0)
    return qs_fail(m, QS_ERR_QUANT, -1, ti, "zero_point count differs from scale count");
  t->quantized = 1;
  t->nscales = sc.n;
  t->scales_pos = sc.pos;
  t->qdim = fb_i32(fb, &q, Q_DIM, 0);
  if (sc.n > 1) {
    /* Per-channel: one scale per index of the quantized dimension. Converters write 1-D biases
     * with the filter's quantized_dimension (e.g. 3), which TFLite Micro ignores: a 1-D tensor's
     * only dimension is its channel dimension. */
    uint32_t want = t->ndims == 1                             ? (uint32_t)t->dims[0]
                    : t->qdim >= 0 && t->qdim < (int32_t)t->ndims ? (uint32_t)t->dims[t->qdim]
                                                                  : 0u;
    if (sc.n != want)
      return qs_fail(m, QS_ERR_QUANT, -1, ti, "scale count is neither 1 nor the size of the quantized dimension");
  }
  t->scale = fb_vec_f32(fb, &sc, 0);
  for (i = 0; i < sc.n; i++) {
    float s = fb_vec_f32(fb, &sc, i);
    /* NaN fails every comparison, so this also rejects NaN. */
    if (!(s >= 0.0f && s < 3.0e38f)) return qs_fail(m, QS_ERR_QUANT, -1, ti, "scale is negative, NaN or infinite");
  }
  for (i = 0; i < zp.n; i++) {
    int64_t z = fb_vec_i64(fb, &zp, i);
    if (z < -32768 || z > 65535) return qs_fail(m, QS_ERR_QUANT, -1, ti, "zero_point out of range");
    if (i == 0) t->zp = (int32_t)z;
  }
  if (t->dtype == QS_DT_INT8 && (t->zp < -128 || t->zp > 127))
    return qs_fail(m, QS_ERR_QUANT, -1, ti, "int8 zero_point outside [-128, 127]");
  return QS_OK;
}

static qs_status_t parse_tensor(qs_model_t *m, int ti, const fb_table_t *tt, const fb_vec_t *bufs, qs_tensor_t *t) {
  fb_t *fb = &m->fb;
  fb_vec_t shape = fb_vector(fb, tt, T_SHAPE, 4);
  uint32_t bi, i, esz;
  uint64_t n = 1, span = 1;
  memset(t, 0, sizeof(*t));
  t->dtype = fb_u8(fb, tt, T_TYPE, 0);
  bi = fb_u32(fb, tt, T_BUFFER, 0);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, ti, "tensor table out of bounds");
  if (shape.n > QS_MAX_DIMS) return qs_fail(m, QS_ERR_LIMIT, -1, ti, "tensor has more than QS_MAX_DIMS dimensions");
  t->ndims = (uint8_t)shape.n;
  for (i = 0; i < shape.n; i++) {
    int32_t d = fb_vec_i32(fb, &shape, i);
    if (d < 0) return qs_fail(m, QS_ERR_SHAPE, -1, ti, "dynamic or negative dimension");
    t->dims[i] = d;
    n *= (uint64_t)d;
    /* bound the product of the non-zero dims too, so stride products in kernels cannot
     * overflow even when a zero dimension makes the element count 0 */
    span *= (uint64_t)(d > 0 ? d : 1);
    if (span > 0x10000000u) return qs_fail(m, QS_ERR_LIMIT, -1, ti, "tensor too large");
  }
  esz = dtype_size(t->dtype);
  if (esz == 0 && t->dtype == 14) /* VARIANT: TFLM refuses the tensor type before the Flex ops */
    return qs_fail(m, QS_ERR_UNSUPPORTED, -1, ti, "tensor type not supported: variant (a TensorList of the Flex TensorList ops, which TFLite Micro does not have)");
  if (esz == 0) return qs_fail(m, QS_ERR_UNSUPPORTED, -1, ti, "tensor type not supported");
  t->bytes = (uint32_t)(n * esz);
  t->is_variable = fb_u8(fb, tt, T_IS_VARIABLE, 0) != 0;
  if (fb_has(fb, tt, T_SPARSITY)) return qs_fail(m, QS_ERR_UNSUPPORTED, -1, ti, "sparse tensors not supported");
  if (bi >= bufs->n) return qs_fail(m, QS_ERR_SCHEMA, -1, ti, "buffer index out of range");
  /* A variable tensor lives in the arena; TFLM ignores any buffer it names (reset fills it). */
  if (bi != 0 && !t->is_variable) {
    fb_table_t b = fb_vec_table(fb, bufs, bi);
    fb_vec_t data = fb_vector(fb, &b, BUF_DATA, 1);
    uint64_t off = fb_u64(fb, &b, BUF_OFFSET, 0), size = fb_u64(fb, &b, BUF_SIZE, 0);
    if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, ti, "buffer out of bounds");
    if (data.n > 0) {
      t->data = m->model + data.pos;
    } else if (off > 1) {
      /* Large-model layout: data outside the flatbuffer, offset from the file start. */
      if (off + size > m->model_len || size != t->bytes)
        return qs_fail(m, QS_ERR_FORMAT, -1, ti, "external buffer out of bounds");
      t->data = m->model + off;
      data.n = (uint32_t)size;
    }
    if (t->data && data.n != t->bytes)
      return qs_fail(m, QS_ERR_SHAPE, -1, ti, "constant buffer size does not match the tensor shape");
  }
  return parse_quant(m, ti, tt, t);
}

qs_status_t qs_get_tensor(qs_model_t *m, int ti, qs_tensor_t *out) {
  fb_table_t tt;
  const fb_vec_t *vec = &m->tensor_vec;
  uint32_t local = (uint32_t)ti, k;
  if (ti < 0 || (uint32_t)ti >= m->n_tensors_all) return qs_fail(m, QS_ERR_ARG, -1, ti, "tensor index out of range");
  for (k = 1; local >= m->n_tensors && k < m->n_subs; k++) /* a tensor of a later subgraph */
    if ((uint32_t)ti < m->subs[k].tensor_base + m->subs[k].n_tensors) {
      vec = &m->subs[k].tensor_vec;
      local = (uint32_t)ti - m->subs[k].tensor_base;
      break;
    }
  tt = fb_vec_table(&m->fb, vec, local);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, -1, ti, "tensor table out of bounds");
  return parse_tensor(m, ti, &tt, &m->buffer_vec, out);
}

static qs_status_t parse_io(qs_model_t *m, const fb_table_t *sg, int field, int16_t *dst, uint32_t *n) {
  fb_t *fb = &m->fb;
  fb_vec_t v = fb_vector(fb, sg, field, 4);
  uint32_t i;
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, -1, "graph inputs/outputs out of bounds");
  if (v.n == 0) return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "graph has no inputs or no outputs");
  if (v.n > QS_MAX_IO) return qs_fail(m, QS_ERR_LIMIT, -1, -1, "more graph inputs/outputs than QS_MAX_IO");
  for (i = 0; i < v.n; i++) {
    int32_t t = fb_vec_i32(fb, &v, i);
    /* an index that names no tensor is not reported as one: error records carry real tensor
     * numbers only (the board protocol sends them as int16, so 70000 would arrive as 4464) */
    if (t < 0 || (uint32_t)t >= m->n_tensors) return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "graph input/output index out of range");
    if (m->slots[t].is_const) return qs_fail(m, QS_ERR_SCHEMA, -1, t, "graph input/output is a constant");
    dst[i] = (int16_t)t;
  }
  *n = v.n;
  return QS_OK;
}

static qs_status_t parse_op(qs_model_t *m, int oi, const fb_table_t *ot, const fb_vec_t *codes) {
  fb_t *fb = &m->fb;
  qs_op_t *op = &m->ops[oi];
  uint32_t ci = fb_u32(fb, ot, OPR_OPCODE, 0), i;
  fb_vec_t ins = fb_vector(fb, ot, OPR_INPUTS, 4), outs = fb_vector(fb, ot, OPR_OUTPUTS, 4);
  fb_table_t oc;
  int32_t dep, code, t;
  memset(op, 0, sizeof(*op));
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "operator table out of bounds");
  if (ci >= codes->n) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "opcode index out of range");
  oc = fb_vec_table(fb, codes, ci);
  dep = fb_u8(fb, &oc, OC_DEPRECATED_CODE, 0);
  code = fb_i32(fb, &oc, OC_BUILTIN_CODE, 0);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "operator code out of bounds");
  /* Models written before schema v3a only set the deprecated int8 code. */
  if (code > dep && code > 0x7FFF) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "unknown builtin operator code (above 32767)");
  op->code = (int16_t)(code > dep ? code : dep);
  if (op->code == OP_CUSTOM && qs_custom_op(m, oi, &oc, ot, op) != QS_OK) return m->err->status;
  /* a custom op the core lacks is refused now (TFLM: no registration); a builtin one when its
   * turn comes to be prepared, after the refusals TFLM itself would give (tflm_gaps.c) */
  if (!qs_op_supported(op->code) && qs_refuse_unknown_op(m, oi, &oc, op->code) != QS_OK) return m->err->status;
  if (ins.n > QS_MAX_OP_INPUTS) return qs_fail(m, QS_ERR_LIMIT, oi, -1, "operator has more inputs than QS_MAX_OP_INPUTS");
  /* several outputs only for the ops that have them (qs_prepare_op checks which) */
  if (outs.n == 0 && op->code != OP_CALL_ONCE && op->code != OP_ASSIGN_VARIABLE)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "operator has no output");
  if (outs.n > QS_MAX_OP_OUTPUTS) return qs_fail(m, QS_ERR_LIMIT, oi, -1, "operator has more outputs than QS_MAX_OP_OUTPUTS");
  op->n_in = (uint8_t)ins.n;
  op->n_out = (uint8_t)outs.n;
  if (ins.n && !(op->in = (int16_t *)qs_alloc(m, sizeof(int16_t) * ins.n))) return m->err->status;
  for (i = 0; i < ins.n; i++) {
    t = fb_vec_i32(fb, &ins, i);
    if (t < -1 || t >= (int32_t)m->n_tensors) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "input tensor index out of range");
    op->in[i] = (int16_t)t;
  }
  if (outs.n > 1) {
    int16_t *o = (int16_t *)qs_alloc(m, sizeof(int16_t) * outs.n);
    if (!o) return m->err->status;
    op->outs = o;
  } else {
    op->outs = &op->out;
  }
  for (i = 0; i < outs.n; i++) {
    t = fb_vec_i32(fb, &outs, i);
    if (t < 0 || t >= (int32_t)m->n_tensors) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "output tensor index out of range");
    op->outs[i] = (int16_t)t;
  }
  op->out = outs.n ? op->outs[0] : (int16_t)-1; /* CALL_ONCE, ASSIGN_VARIABLE have none */
  op->opts_type = fb_u8(fb, ot, OPR_OPTS_TYPE, 0);
  op->opts = fb_table(fb, ot, OPR_OPTS);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "builtin options out of bounds");
  return QS_OK;
}

/* Subgraphs after the first (CALL_ONCE's init subgraphs): sizes first, so the slot and op tables
 * are allocated once for every subgraph. */
static qs_status_t count_subgraphs(qs_model_t *m, const fb_vec_t *sgs) {
  fb_t *fb = &m->fb;
  uint32_t k;
  if (!(m->subs = (qs_sub_t *)qs_alloc(m, sizeof(qs_sub_t) * sgs->n))) return m->err->status;
  m->n_subs = sgs->n;
  m->subs[0].tensor_vec = m->tensor_vec;
  m->subs[0].n_tensors = m->n_tensors, m->subs[0].op_end = m->n_ops;
  for (k = 1; k < sgs->n; k++) {
    qs_sub_t *sub = &m->subs[k];
    fb_table_t sg = fb_vec_table(fb, sgs, k);
    fb_vec_t ops = fb_vector(fb, &sg, SG_OPERATORS, 4), ins = fb_vector(fb, &sg, SG_INPUTS, 4);
    sub->tensor_vec = fb_vector(fb, &sg, SG_TENSORS, 4);
    sub->in_vec = ins, sub->out_vec = fb_vector(fb, &sg, SG_OUTPUTS, 4);
    if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, -1, "subgraph out of bounds");
    sub->tensor_base = m->n_tensors_all, sub->n_tensors = sub->tensor_vec.n, sub->n_inputs = ins.n;
    sub->op_begin = m->n_ops_all, sub->op_end = m->n_ops_all + ops.n;
    m->n_tensors_all += sub->tensor_vec.n;
    m->n_ops_all += ops.n;
    if (m->n_tensors_all > QS_MAX_TENSORS || m->n_ops_all > QS_MAX_OPS) break; /* refused by the caller */
  }
  return QS_OK;
}

/* Their tensors and ops (each op's tensor indices offset by its subgraph's base). Every tensor an
 * init subgraph writes is alive over the whole invocation (it runs inside CALL_ONCE's op); reads
 * come after writes within the subgraph. */
static qs_status_t parse_subgraphs(qs_model_t *m, const fb_vec_t *sgs, const fb_vec_t *codes) {
  fb_t *fb = &m->fb;
  uint32_t k, i, j, n0 = m->n_tensors;
  int16_t last = (int16_t)(m->n_ops > 0 ? m->n_ops - 1 : 0);
  qs_status_t s = QS_OK;
  for (k = 1; k < m->n_subs && s == QS_OK; k++) {
    const qs_sub_t *sub = &m->subs[k];
    fb_table_t sg = fb_vec_table(fb, sgs, k);
    fb_vec_t ops = fb_vector(fb, &sg, SG_OPERATORS, 4), ins = fb_vector(fb, &sg, SG_INPUTS, 4);
    for (i = 0; i < sub->n_tensors; i++) {
      qs_tensor_t t;
      qs_slot_t *sl = &m->slots[sub->tensor_base + i];
      if ((s = qs_get_tensor(m, (int)(sub->tensor_base + i), &t)) != QS_OK) return s;
      if (t.is_variable) return qs_fail(m, QS_ERR_UNSUPPORTED, -1, (int)(sub->tensor_base + i), "variable tensor outside the first subgraph");
      sl->bytes = t.bytes, sl->is_const = t.data != NULL, sl->first_op = sl->last_op = -2;
      sl->off = t.data ? (uint32_t)(t.data - m->model) & 0x7FFFFFFFu : 0;
    }
    for (i = 0; i < ins.n; i++) { /* written before the subgraph runs */
      int32_t t = fb_vec_i32(fb, &ins, i);
      if (t < 0 || (uint32_t)t >= sub->n_tensors) return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "subgraph input index out of range");
      m->slots[sub->tensor_base + (uint32_t)t].first_op = 0;
    }
    m->n_tensors = sub->n_tensors; /* parse_op checks indices against the subgraph's own count */
    for (i = 0; i < ops.n && s == QS_OK; i++) {
      uint32_t oi = sub->op_begin + i;
      qs_op_t *op = &m->ops[oi];
      fb_table_t ot = fb_vec_table(fb, &ops, i);
      if (fb->err) return qs_fail(m, QS_ERR_FORMAT, (int)oi, -1, "operator table out of bounds");
      if ((s = parse_op(m, (int)oi, &ot, codes)) != QS_OK) break;
      for (j = 0; j < op->n_in; j++) {
        qs_slot_t *t;
        if (op->in[j] < 0) continue;
        op->in[j] = (int16_t)(op->in[j] + (int32_t)sub->tensor_base);
        t = &m->slots[op->in[j]];
        if (!t->is_const && t->first_op == -2) s = qs_fail(m, QS_ERR_SCHEMA, (int)oi, op->in[j], "reads a tensor no earlier op writes");
      }
      for (j = 0; j < op->n_out && s == QS_OK; j++) {
        qs_slot_t *o;
        op->outs[j] = (int16_t)(op->outs[j] + (int32_t)sub->tensor_base);
        o = &m->slots[op->outs[j]];
        if (o->is_const || o->first_op != -2) s = qs_fail(m, QS_ERR_SCHEMA, (int)oi, op->outs[j], "writes a constant tensor or one written before");
        o->first_op = 0;
      }
      op->out = op->n_out ? op->outs[0] : (int16_t)-1;
    }
    m->n_tensors = n0;
    for (i = 0; i < sub->n_tensors; i++) { /* alive over the whole invocation */
      qs_slot_t *sl = &m->slots[sub->tensor_base + i];
      if (!sl->is_const && sl->first_op == 0) sl->last_op = last;
    }
  }
  return s;
}

qs_status_t qs_parse(qs_model_t *m) {
  fb_t *fb = &m->fb;
  fb_table_t root, sg;
  fb_vec_t sgs, codes, bufs, tensors, ops;
  uint32_t i;
  qs_status_t s;
  fb_init(fb, m->model, m->model_len);
  if (m->model_len < 8 || memcmp(m->model + 4, "TFL3", 4) != 0)
    return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "not a TFLite model (file identifier is not TFL3)");
  root = fb_root(fb);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, -1, "root table out of bounds");
  if (fb_u32(fb, &root, MODEL_VERSION, 0) != 3) return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "schema version is not 3");
  sgs = fb_vector(fb, &root, MODEL_SUBGRAPHS, 4);
  codes = fb_vector(fb, &root, MODEL_OPCODES, 4);
  bufs = fb_vector(fb, &root, MODEL_BUFFERS, 4);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, -1, "model vectors out of bounds");
  if (sgs.n < 1) return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "model has no subgraph");
  sg = fb_vec_table(fb, &sgs, 0);
  tensors = fb_vector(fb, &sg, SG_TENSORS, 4);
  ops = fb_vector(fb, &sg, SG_OPERATORS, 4);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, -1, -1, "subgraph out of bounds");
  if (tensors.n == 0 || ops.n == 0) return qs_fail(m, QS_ERR_SCHEMA, -1, -1, "subgraph has no tensors or no operators");
  m->n_tensors = m->n_tensors_all = tensors.n;
  m->n_ops = m->n_ops_all = ops.n;
  m->tensor_vec = tensors;
  m->buffer_vec = bufs;
  if (sgs.n > 1 && (s = count_subgraphs(m, &sgs)) != QS_OK) return s;
  if (m->n_tensors_all > QS_MAX_TENSORS) return qs_fail(m, QS_ERR_LIMIT, -1, -1, "more tensors than QS_MAX_TENSORS");
  if (m->n_ops_all > QS_MAX_OPS) return qs_fail(m, QS_ERR_LIMIT, -1, -1, "more operators than QS_MAX_OPS");
  m->slots = (qs_slot_t *)qs_alloc(m, sizeof(qs_slot_t) * m->n_tensors_all);
  m->ops = (qs_op_t *)qs_alloc(m, sizeof(qs_op_t) * m->n_ops_all);
  if (!m->slots || !m->ops) return m->err->status;
  for (i = 0; i < tensors.n; i++) {
    qs_tensor_t t;
    qs_slot_t *sl = &m->slots[i];
    if ((s = qs_get_tensor(m, (int)i, &t)) != QS_OK) return s;
    sl->bytes = t.bytes;
    sl->is_const = t.data != NULL;
    sl->off = t.data ? (uint32_t)(t.data - m->model) & 0x7FFFFFFFu : 0; /* model < 2 GiB */
    m->n_vars += t.is_variable;
  }
  if (m->n_vars) { /* second pass only for stateful models: the list of variable tensors */
    uint32_t k = 0;
    if (!(m->vars = (int16_t *)qs_alloc(m, sizeof(int16_t) * m->n_vars))) return m->err->status;
    for (i = 0; i < tensors.n && k < m->n_vars; i++) {
      qs_tensor_t t;
      if ((s = qs_get_tensor(m, (int)i, &t)) != QS_OK) return s;
      if (t.is_variable) m->vars[k++] = (int16_t)i;
    }
  }
  if ((s = parse_io(m, &sg, SG_INPUTS, m->inputs, &m->n_in)) != QS_OK) return s;
  if ((s = parse_io(m, &sg, SG_OUTPUTS, m->outputs, &m->n_out)) != QS_OK) return s;
  for (i = 0; i < ops.n; i++) {
    fb_table_t ot = fb_vec_table(fb, &ops, i);
    if (fb->err) return qs_fail(m, QS_ERR_FORMAT, (int)i, -1, "operator table out of bounds");
    if ((s = parse_op(m, (int)i, &ot, &codes)) != QS_OK) return s;
  }
  if ((s = qs_lifetimes(m)) != QS_OK) return s;
  return sgs.n > 1 ? parse_subgraphs(m, &sgs, &codes) : QS_OK;
}
