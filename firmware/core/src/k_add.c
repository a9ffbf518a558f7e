/*
 * ADD, SUB and MUL int8 with broadcasting, bit-exact with TFLite Micro (add_common /
 * sub_common: both inputs are shifted left by 20, rescaled to twice the larger input scale,
 * summed, and the sum rescaled to the output; mul_common: the product of the offset inputs is
 * rescaled by in1_scale * in2_scale / out_scale).
 */
#include "k_params.h"

/* One output value, clamped to the activation range (which lies inside the output type's). The
 * inputs are shifted left by 20 (int8) or 15 (int16) before the rescale: TFLM's left_shift. */
static int32_t add_one(const add_params_t *p, int32_t x, int32_t y) {
  int32_t v;
  if (p->is_mul) {
    v = qs_mbqm((x + p->in1_off) * (y + p->in2_off), p->mo, p->so) + p->out_zp;
  } else {
    int32_t a = qs_mbqm((x + p->in1_off) * (1 << p->left_shift), p->m1, p->s1);
    int32_t b = qs_mbqm((y + p->in2_off) * (1 << p->left_shift), p->m2, p->s2);
    v = qs_mbqm_pos(p->is_sub ? a - b : a + b, p->mo, p->so) + p->out_zp;
  }
  v = v < p->act_min ? p->act_min : v;
  return v > p->act_max ? p->act_max : v;
}

static void add_eval(qs_model_t *m, const qs_op_t *op) {
  const add_params_t *p = (const add_params_t *)op->params;
  const int8_t *x = (const int8_t *)qs_tdata(m, op->in[0]), *y = (const int8_t *)qs_tdata(m, op->in[1]);
  int8_t *out = (int8_t *)qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, o1 = 0, o2 = 0;
  int d;
  if (p->same_shape && p->t1) {
    /* the per-input rescale depends on one int8 value only: tabulated exactly at prepare */
    for (i = 0; i < p->n; i++) {
      int32_t a = p->t1[x[i] + 128], b = p->t2[y[i] + 128];
      int32_t v = qs_mbqm_pos(p->is_sub ? a - b : a + b, p->mo, p->so) + p->out_zp;
      v = v < p->act_min ? p->act_min : v;
      out[i] = (int8_t)(v > p->act_max ? p->act_max : v);
    }
    return;
  }
  if (p->same_shape) {
    for (i = 0; i < p->n; i++) out[i] = (int8_t)add_one(p, x[i], y[i]);
    return;
  }
  for (i = 0; i < p->n; i++) {
    out[i] = (int8_t)add_one(p, x[o1], y[o2]);
    /* odometer over the output index, innermost dimension last */
    for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
      o1 += (uint32_t)p->st1[d];
      o2 += (uint32_t)p->st2[d];
      if (++idx[d] < p->dims[d]) break;
      o1 -= (uint32_t)p->st1[d] * (uint32_t)p->dims[d];
      o2 -= (uint32_t)p->st2[d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
}

#if QS_WITH_INT16
/* int16 ADD/SUB/MUL: TFLM's int16 paths use the int8 arithmetic with left_shift 15 (ADD, SUB) and
 * zero offsets (MUL: the zero points are checked to be 0 at prepare). */
static void add16_eval(qs_model_t *m, const qs_op_t *op) {
  const add_params_t *p = (const add_params_t *)op->params;
  const int16_t *x = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  const int16_t *y = (const int16_t *)(const void *)qs_tdata(m, op->in[1]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  int32_t idx[QS_MAX_DIMS] = {0, 0, 0, 0, 0, 0};
  uint32_t i, o1 = 0, o2 = 0;
  int d;
  for (i = 0; i < p->n; i++) {
    out[i] = (int16_t)add_one(p, x[o1], y[o2]);
    for (d = QS_MAX_DIMS - 1; d >= 0; d--) { /* odometer over the output index (as add_eval) */
      o1 += (uint32_t)p->st1[d];
      o2 += (uint32_t)p->st2[d];
      if (++idx[d] < p->dims[d]) break;
      o1 -= (uint32_t)p->st1[d] * (uint32_t)p->dims[d];
      o2 -= (uint32_t)p->st2[d] * (uint32_t)p->dims[d];
      idx[d] = 0;
    }
  }
}
#endif

/* Right-align a shape to QS_MAX_DIMS and compute element strides, 0 where broadcast. */
static int strides(const qs_tensor_t *t, const int32_t *odims, int32_t *st) {
  int32_t dims[QS_MAX_DIMS];
  int d, off = QS_MAX_DIMS - t->ndims;
  int32_t s = 1;
  for (d = 0; d < QS_MAX_DIMS; d++) dims[d] = d < off ? 1 : t->dims[d - off];
  for (d = QS_MAX_DIMS - 1; d >= 0; d--) {
    if (dims[d] != odims[d] && dims[d] != 1) return 0;
    st[d] = dims[d] == 1 ? 0 : s;
    s *= dims[d];
  }
  return 1;
}

static qs_status_t smaller_than_one(qs_model_t *m, int oi, double real, int32_t *mult, int *shift) {
  qs_quantize_multiplier(real, mult, shift);
  if (!(real > 0.0 && real < 1.0) || *shift > 0)
    return qs_fail(m, QS_ERR_QUANT, oi, -1, "ADD/SUB rescale factor outside (0, 1)");
  return QS_OK;
}

qs_status_t qs_prep_add(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *a = qs_in(m, op, 0), *b = qs_in(m, op, 1), *out = qs_out(m);
  add_params_t *p;
  qs_status_t s;
  double twice_max;
  int d, off;
  /* int16 (TFLM's 16x8 ADD/SUB/MUL): same arithmetic, left_shift 15; MUL needs zero points 0 */
  const int i16 = QS_WITH_INT16 && a && a->dtype == QS_DT_INT16;
  if (a && a->dtype == QS_DT_INT32) return qs_prep_arith_i32(m, oi, op); /* raw integers (k_int32.c) */
  if (op->n_in != 2) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "ADD/SUB/MUL needs 2 inputs");
  if ((s = qs_opts(m, oi, op, op->code == OP_SUB ? OPT_SUB : (op->code == OP_MUL ? OPT_MUL : OPT_ADD), 0)) != QS_OK)
    return s;
  if (i16 ? ((s = qs_need_q16(m, oi, op, 0, "input 1", op->code == OP_MUL)) ||
             (s = qs_need_q16(m, oi, op, 1, "input 2", op->code == OP_MUL)) ||
             (s = qs_need_q16(m, oi, op, QS_OUT, "output", op->code == OP_MUL)))
          : ((s = qs_need_q8(m, oi, op, 0, "input 1")) || (s = qs_need_q8(m, oi, op, 1, "input 2")) ||
             (s = qs_need_q8(m, oi, op, QS_OUT, "output"))))
    return s;
  if (!(p = (add_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  off = QS_MAX_DIMS - out->ndims;
  for (d = 0; d < QS_MAX_DIMS; d++) p->dims[d] = d < off ? 1 : out->dims[d - off];
  if (a->ndims > out->ndims || b->ndims > out->ndims || !strides(a, p->dims, p->st1) || !strides(b, p->dims, p->st2))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "input shapes do not broadcast to the output shape");
  p->n = qs_elems(out);
  p->same_shape = qs_elems(a) == p->n && qs_elems(b) == p->n;
  p->is_sub = op->code == OP_SUB;
  p->in1_off = -a->zp;
  p->in2_off = -b->zp;
  p->out_zp = out->zp;
  p->is_mul = op->code == OP_MUL;
  p->left_shift = i16 ? 15 : 20;
  if (p->is_mul) {
    int32_t sh;
    if ((s = qs_multiplier(m, oi, op->out, (double)a->scale * (double)b->scale / (double)out->scale, &p->mo, &sh)))
      return s;
    p->so = sh;
  } else if (p->is_sub) {
    /* sub_common.cc computes the ratios in float, then widens them (add_common.cc: in double) */
    float tmf = 2.0f * (a->scale > b->scale ? a->scale : b->scale);
    if ((s = smaller_than_one(m, oi, (double)(a->scale / tmf), &p->m1, &p->s1)) ||
        (s = smaller_than_one(m, oi, (double)(b->scale / tmf), &p->m2, &p->s2)) ||
        (s = smaller_than_one(m, oi, (double)(tmf / ((float)(1 << p->left_shift) * out->scale)), &p->mo, &p->so)))
      return s;
  } else {
    twice_max = 2.0 * (double)(a->scale > b->scale ? a->scale : b->scale);
    if ((s = smaller_than_one(m, oi, (double)a->scale / twice_max, &p->m1, &p->s1)) ||
        (s = smaller_than_one(m, oi, (double)b->scale / twice_max, &p->m2, &p->s2)) ||
        (s = smaller_than_one(m, oi, twice_max / ((double)(1 << p->left_shift) * (double)out->scale), &p->mo, &p->so)))
      return s;
  }
  if ((s = qs_act_range(m, oi, fb_u8(&m->fb, &op->opts, 0, 0), out, &p->act_min, &p->act_max))) return s;
#if QS_WITH_INT16
  if (i16) {
    op->params = p;
    op->eval = add16_eval;
    return QS_OK;
  }
#endif
  if (!p->is_mul && p->same_shape && p->n >= 4096) { /* 2 KB of tables for >= 4096 elements */
    int v;
    p->t1 = (int32_t *)qs_alloc(m, 256 * sizeof(int32_t));
    p->t2 = (int32_t *)qs_alloc(m, 256 * sizeof(int32_t));
    if (!p->t1 || !p->t2) return QS_ERR_ARENA;
    for (v = -128; v < 128; v++) {
      p->t1[v + 128] = qs_mbqm((v + p->in1_off) * (1 << 20), p->m1, p->s1);
      p->t2[v + 128] = qs_mbqm((v + p->in2_off) * (1 << 20), p->m2, p->s2);
    }
  }
  op->params = p;
  op->eval = add_eval;
#if QS_WASM_SIMD
  return qs_add_wasm_prepare(m, op, p);
#else
  return QS_OK;
#endif
}
