/*
 * BATCH_MATMUL as TFLite Micro (micro/kernels/batch_matmul.cc, reference/batch_matmul.h):
 * out[..., i, j] = sum_k L[..., i, k] * R[..., k, j] with adj_x / adj_y reading L / R transposed,
 * ranks 2 to 5, batch dimensions broadcast (a dimension of 1 repeats), output rank at least the
 * larger input rank and the element count of the broadcast result.
 * - int8: int32 sums of (R - R_zp) * (L - L_zp) (wrapping, as the reference's int32), then
 *   MultiplyByQuantizedMultiplier of (double)(float)(L_scale * R_scale) / out_scale, plus the
 *   output zero point, clamped to int8 (no fused activation).
 * - int16: zero points must be 0; int64 sums and the 64-bit MultiplyByQuantizedMultiplier.
 * - float32: float32 products added in k order from 0.
 * L and R have the same type as the output (TFLM refuses hybrid and int32-output models).
 */
#include "ops.h"

typedef struct {
  int nb, rows, cols, depth, is16;
  int32_t lsi, lsk, rsk, rsj;        /* element strides: L row i / step k, R step k / column j */
  int32_t bdims[3], lst[3], rst[3];  /* batch dims (broadcast) and each input's stride (0 = repeat) */
  int32_t l_off, r_off, out_zp, mult, shift, lo, hi;
} bmm_params_t;

/* Batch b's element offsets into L and R. */
static void batch_offsets(const bmm_params_t *p, int b, int32_t *lo, int32_t *ro) {
  int d;
  *lo = *ro = 0;
  for (d = 2; d >= 0; d--) {
    int32_t i = b % p->bdims[d];
    b /= p->bdims[d];
    *lo += i * p->lst[d];
    *ro += i * p->rst[d];
  }
}

static void bmm_q_eval(qs_model_t *m, const qs_op_t *op) {
  const bmm_params_t *p = (const bmm_params_t *)op->params;
  const void *lv = qs_tdata(m, op->in[0]), *rv = qs_tdata(m, op->in[1]);
  void *ov = qs_tdata(m, op->out);
  int b, i, j, k;
  size_t o = 0;
  for (b = 0; b < p->nb; b++) {
    int32_t lb, rb;
    batch_offsets(p, b, &lb, &rb);
    for (i = 0; i < p->rows; i++)
      for (j = 0; j < p->cols; j++, o++) {
        int32_t li = lb + i * p->lsi, rj = rb + j * p->rsj, v;
        if (p->is16) {
          const int16_t *l = (const int16_t *)lv, *r = (const int16_t *)rv;
          int64_t acc = 0;
          for (k = 0; k < p->depth; k++) acc += (int64_t)l[li + k * p->lsk] * r[rj + k * p->rsk]; /* zero points are 0 */
          v = qs_mbqm64(acc, p->mult, (int)p->shift);
          ((int16_t *)ov)[o] = (int16_t)(v < p->lo ? p->lo : (v > p->hi ? p->hi : v));
        } else {
          const int8_t *l = (const int8_t *)lv, *r = (const int8_t *)rv;
          uint32_t acc = 0;
          for (k = 0; k < p->depth; k++)
            acc += (uint32_t)((r[rj + k * p->rsk] + p->r_off) * (l[li + k * p->lsk] + p->l_off));
          v = qs_mbqm((int32_t)acc, p->mult, (int)p->shift) + p->out_zp;
          ((int8_t *)ov)[o] = (int8_t)(v < p->lo ? p->lo : (v > p->hi ? p->hi : v));
        }
      }
  }
}

#if QS_WITH_FLOAT
static void bmm_f32_eval(qs_model_t *m, const qs_op_t *op) {
  const bmm_params_t *p = (const bmm_params_t *)op->params;
  const float *l = (const float *)(const void *)qs_tdata(m, op->in[0]);
  const float *r = (const float *)(const void *)qs_tdata(m, op->in[1]);
  float *out = (float *)(void *)qs_tdata(m, op->out);
  int b, i, j, k;
  for (b = 0; b < p->nb; b++) {
    int32_t lb, rb;
    batch_offsets(p, b, &lb, &rb);
    for (i = 0; i < p->rows; i++)
      for (j = 0; j < p->cols; j++) {
        const float *li = l + lb + i * p->lsi, *rj = r + rb + j * p->rsj;
        float total = 0.0f;
        for (k = 0; k < p->depth; k++) total += rj[k * p->rsk] * li[k * p->lsk];
        *out++ = total;
      }
  }
}
#endif

qs_status_t qs_prep_batch_matmul(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *l = qs_in(m, op, 0), *r = qs_in(m, op, 1), *out = qs_out(m);
  bmm_params_t *p;
  int32_t ld[5], rd[5], lst = 1, rst = 1;
  int rank, d, adj_x, adj_y, m_, k_, k2, n_;
  uint64_t count;
  qs_status_t s;
  if (op->n_in != 2 || !l || !r) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "BATCH_MATMUL needs 2 inputs");
  if (l->dtype == QS_DT_FLOAT32 && !QS_WITH_FLOAT)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
  if (l->dtype != QS_DT_FLOAT32 && l->dtype != QS_DT_INT8 && l->dtype != QS_DT_INT16)
    return qs_fail(m, QS_ERR_TYPE, oi, op->in[0], "BATCH_MATMUL takes float32, int8 or int16 (as TFLite Micro)");
  if (r->dtype != l->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->in[1], "BATCH_MATMUL inputs differ in type (hybrid models are not supported)");
  if (out->dtype != l->dtype) return qs_fail(m, QS_ERR_TYPE, oi, op->out, "output type differs from the inputs'");
  if (l->ndims < 2 || l->ndims > 5 || r->ndims < 2 || r->ndims > 5)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "BATCH_MATMUL inputs need 2 to 5 dimensions");
  if ((s = qs_opts(m, oi, op, OPT_BATCH_MATMUL, 0)) != QS_OK) return s;
  adj_x = fb_u8(&m->fb, &op->opts, 0, 0);
  adj_y = fb_u8(&m->fb, &op->opts, 1, 0);
  if (m->fb.err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "options out of bounds");
  if (!(p = (bmm_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  rank = l->ndims > r->ndims ? l->ndims : r->ndims;
  /* both shapes extended to 5 dimensions with leading 1s */
  for (d = 0; d < 5; d++) {
    ld[d] = d < 5 - l->ndims ? 1 : l->dims[d - (5 - l->ndims)];
    rd[d] = d < 5 - r->ndims ? 1 : r->dims[d - (5 - r->ndims)];
  }
  m_ = adj_x ? ld[4] : ld[3];
  k_ = adj_x ? ld[3] : ld[4];
  k2 = adj_y ? rd[4] : rd[3];
  n_ = adj_y ? rd[3] : rd[4];
  if (k_ != k2) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "BATCH_MATMUL inner dimensions differ");
  p->rows = m_, p->cols = n_, p->depth = k_;
  p->lsi = adj_x ? 1 : k_, p->lsk = adj_x ? m_ : 1;
  p->rsk = adj_y ? 1 : n_, p->rsj = adj_y ? k_ : 1;
  lst = ld[3] * ld[4], rst = rd[3] * rd[4];
  count = (uint64_t)m_ * (uint64_t)n_;
  p->nb = 1;
  for (d = 2; d >= 0; d--) {
    if (ld[d] != rd[d] && ld[d] != 1 && rd[d] != 1)
      return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "BATCH_MATMUL batch dimensions do not broadcast");
    p->bdims[d] = ld[d] > rd[d] ? ld[d] : rd[d];
    p->lst[d] = ld[d] == 1 ? 0 : lst;
    p->rst[d] = rd[d] == 1 ? 0 : rst;
    lst *= ld[d], rst *= rd[d];
    p->nb *= p->bdims[d];
    count *= (uint64_t)p->bdims[d];
  }
  if (out->ndims < rank || count != qs_elems(out))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "output shape is not the broadcast batch dimensions x rows x columns");
  op->params = p;
  op->macs = count * (uint64_t)k_;
#if QS_WITH_FLOAT
  if (l->dtype == QS_DT_FLOAT32) {
    op->eval = bmm_f32_eval;
    return QS_OK;
  }
#endif
  p->is16 = l->dtype == QS_DT_INT16;
#if defined(QS_WITH_INT16) && !QS_WITH_INT16
  if (p->is16) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "int16 kernels are not in this build (QS_WITH_INT16=0)");
#endif
  if (!l->quantized || !(l->scale > 0.0f) || !r->quantized || !(r->scale > 0.0f))
    return qs_fail(m, QS_ERR_QUANT, oi, op->in[l->quantized && l->scale > 0.0f ? 1 : 0], "quantized input without a positive scale");
  if (!out->quantized || !(out->scale > 0.0f)) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "quantized output without a positive scale");
  if (p->is16 && (l->zp != 0 || r->zp != 0 || out->zp != 0))
    return qs_fail(m, QS_ERR_QUANT, oi, op->out, "int16 BATCH_MATMUL needs zero points of 0 (as TFLite Micro)");
  {
    float prod = l->scale * r->scale; /* TFLite multiplies the two scales in float32 */
    if ((s = qs_multiplier(m, oi, op->out, (double)prod / (double)out->scale, &p->mult, &p->shift))) return s;
  }
  if (p->is16 && p->shift > 14) return qs_fail(m, QS_ERR_QUANT, oi, op->out, "rescale factor out of range for int16 (above 2^14)");
  p->l_off = -l->zp, p->r_off = -r->zp, p->out_zp = out->zp;
  p->lo = p->is16 ? -32768 : -128;
  p->hi = p->is16 ? 32767 : 127;
  op->eval = bmm_q_eval;
  return QS_OK;
}
