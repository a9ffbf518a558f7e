/*
 * The custom op TFLite_Detection_PostProcess (SSD models) as TFLite Micro's kernel
 * (micro/kernels/detection_postprocess.cc at 90b983c2): float32 box encodings [1, N, >= 4],
 * class scores [1, N, C or C + 1 with a background class first], anchors [N, 4]; four float32
 * outputs: boxes [1, D, 4], classes [1, D], scores [1, D], the detection count [1].
 * - Options: a FlexBuffers map (max_detections, max_classes_per_detection, detections_per_class
 *   (100 if absent), use_regular_nms (false if absent), nms_score_threshold, nms_iou_threshold,
 *   num_classes, y_scale, x_scale, h_scale, w_scale), read with flexbuf.c.
 * - Decode: y = ey / y_scale * anchor_h + anchor_y and half_h = 0.5 * exp(eh / h_scale) * anchor_h
 *   in double (C library exp), rounded to float32; corners = center -/+ half in float32.
 * - Single-class NMS: scores >= threshold kept, sorted by a stable merge sort (insertion sort
 *   below 20, as the reference: ties keep anchor order), greedy by IoU > threshold (float32,
 *   0 for an empty box).
 * - Fast NMS (default): per anchor its top classes (a partial sort: higher score first, then
 *   lower class index), NMS on each anchor's best score, then max_classes_per_detection entries
 *   per kept anchor at the reference's offsets (k * n + col).
 * - Regular NMS: NMS per class, merged into the running top max_detections (score, then position).
 * Entries the kernel does not write are 0 (TFLM leaves them as they were: 0 in a fresh arena).
 * TFLM takes float32 inputs only; quantized inputs are refused by name. Where a decoded box is
 * empty or inverted TFLM's Invoke fails; the core then reports no detections (count 0). Anchors
 * that are constant are checked at load instead (a height or width <= 0 fails every invoke).
 */
#include <string.h>

#include "flexbuf.h"
#include "k_signal.h"
#include "ops.h"

enum { OPR_CUSTOM_OPTIONS = 5, OPR_CUSTOM_OPTIONS_FORMAT = 6, OC_CUSTOM_CODE_FIELD = 1 };
static const char k_detect_name[] = "TFLite_Detection_PostProcess";

qs_status_t qs_custom_op(qs_model_t *m, int oi, const fb_table_t *opcode, const fb_table_t *ot, qs_op_t *op) {
  fb_t *fb = &m->fb;
  fb_vec_t name = fb_vector(fb, opcode, OC_CUSTOM_CODE_FIELD, 1), *opts;
  int32_t code = OP_DETECTION_POSTPROCESS;
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "custom operator name out of bounds");
  /* the signal library's ops (k_signal.c) read their options the same way */
  if ((name.n != sizeof(k_detect_name) - 1 || memcmp(fb->buf + name.pos, k_detect_name, name.n) != 0) &&
      (code = qs_signal_code(fb->buf + name.pos, name.n)) == 0)
    return QS_OK;
  op->code = code;
  if (fb_u8(fb, ot, OPR_CUSTOM_OPTIONS_FORMAT, 0) != 0)
    return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options are not FlexBuffers");
  /* kept until prepare in op->params (prepare replaces it with the op's parameters) */
  if (!(opts = (fb_vec_t *)qs_alloc(m, sizeof(*opts)))) return m->err->status;
  *opts = fb_vector(fb, ot, OPR_CUSTOM_OPTIONS, 1);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "custom options out of bounds");
  op->params = opts;
  return QS_OK;
}

#if QS_WITH_FLOAT
#include <math.h>

typedef struct {
  float ymin, xmin, ymax, xmax;
} corner_t;

typedef struct {
  corner_t b;
  float area;
} cand_t; /* a kept box in score order, contiguous for the suppression loop */

typedef struct {
  int n, nc, ncb, label_off, max_det, max_cls, det_per_class, regular, ncat, box_stride, cap;
  float score_thr, iou_thr, ys, xs, hs, ws;
  /* scratch layout (offsets in bytes into m->scratch) */
  uint32_t o_boxes, o_area, o_cand, o_active, o_keep_scores, o_keep_idx, o_sorted, o_after_idx, o_after_scores, o_sorted_vals,
      o_class_scores, o_selected, o_class_idx;
} detect_params_t;

/* ---- sorting, as the reference ---- */

/* The reference's stable merge sort of indices by descending value (insertion below 20). */
static void insertion_sort(int *v, int n, const float *val) {
  int i, j;
  for (i = 0; i < n; i++) {
    int x = v[i], at = 0;
    /* upper_bound: the first position whose element the new one sorts before */
    while (at < i && !(val[x] > val[v[at]])) at++;
    for (j = i; j > at; j--) v[j] = v[j - 1];
    v[at] = x;
  }
}

static void merge_sort(int *v, int *tmp, int n, const float *val) {
  int half, l, r, i;
  if (n < 20) {
    insertion_sort(v, n, val);
    return;
  }
  half = n / 2;
  merge_sort(v, tmp, half, val);
  merge_sort(v + half, tmp, n - half, val);
  for (i = 0, l = 0, r = half; i < n; i++)
    tmp[i] = (l >= half || (r < n && val[v[r]] > val[v[l]])) ? v[r++] : v[l++];
  memcpy(v, tmp, sizeof(int) * (size_t)n);
}

/* The first k of the indices 0..n-1 ordered by (value, index) descending-then-ascending: what
 * std::partial_sort with the reference's comparator puts first (for scores that are not NaN). */
static void partial_argsort(const float *val, int n, int k, int *idx) {
  int i, j;
  for (i = 0; i < n; i++) idx[i] = i;
  for (i = 0; i < k; i++) {
    int best = i;
    for (j = i + 1; j < n; j++) {
      int a = idx[j], b = idx[best];
      if (val[b] < val[a] || (!(val[a] < val[b]) && a < b)) best = j;
    }
    j = idx[i], idx[i] = idx[best], idx[best] = j;
  }
}

/* ---- NMS ---- */

static float fmaxf_ref(float a, float b) { return a < b ? b : a; } /* std::max */
static float fminf_ref(float a, float b) { return b < a ? b : a; } /* std::min */

/* ComputeIntersectionOverUnion(i, j) > threshold, with each box's area computed once (the same
 * float32 expression). Boxes that do not overlap have intersection 0 (or NaN), so an IoU of 0 (or
 * NaN), never above a threshold > 0: that comparison is decided without the division. */
static int iou_above(const cand_t *ci, const cand_t *cj, float thr) {
  float iy0, ix0, iy1, ix1, h, w, inter;
  if (ci->area <= 0 || cj->area <= 0) return 0;
  iy0 = fmaxf_ref(ci->b.ymin, cj->b.ymin), iy1 = fminf_ref(ci->b.ymax, cj->b.ymax);
  h = fmaxf_ref(iy1 - iy0, 0.0f);
  if (!(h > 0.0f)) return 0;
  ix0 = fmaxf_ref(ci->b.xmin, cj->b.xmin), ix1 = fminf_ref(ci->b.xmax, cj->b.xmax);
  w = fmaxf_ref(ix1 - ix0, 0.0f);
  if (!(w > 0.0f)) return 0;
  inter = h * w;
  return inter / (ci->area + cj->area - inter) > thr;
}

/* NonMaxSuppressionSingleClassHelper: selected anchors into sel, returns how many. */
static int nms_single(const detect_params_t *p, uint8_t *s, const float *scores, int *sel, int max_det) {
  const corner_t *boxes = (const corner_t *)(void *)(s + p->o_boxes);
  const float *area = (const float *)(void *)(s + p->o_area);
  cand_t *cand = (cand_t *)(void *)(s + p->o_cand);
  uint8_t *active = s + p->o_active;
  float *keep_scores = (float *)(void *)(s + p->o_keep_scores);
  int *keep_idx = (int *)(void *)(s + p->o_keep_idx), *sorted = (int *)(void *)(s + p->o_sorted);
  int kept = 0, i, j, n_sel = 0, out_size, n_active;
  for (i = 0; i < p->n; i++)
    if (scores[i] >= p->score_thr) keep_scores[kept++] = scores[i];
  for (i = 0; i < kept; i++) sorted[i] = i;
  merge_sort(sorted, keep_idx, kept, keep_scores); /* keep_idx is the merge scratch, as the reference */
  for (i = 0, j = 0; i < p->n; i++)
    if (scores[i] >= p->score_thr) keep_idx[j++] = i;
  out_size = kept < max_det ? kept : max_det;
  n_active = kept;
  for (i = 0; i < kept; i++) {
    int b = keep_idx[sorted[i]];
    active[i] = 1;
    cand[i].b = boxes[b], cand[i].area = area[b];
  }
  for (i = 0; i < kept; i++) {
    if (n_active == 0 || n_sel >= out_size) break;
    if (!active[i]) continue;
    sel[n_sel++] = keep_idx[sorted[i]];
    active[i] = 0;
    n_active--;
    for (j = i + 1; j < kept; j++)
      if (active[j] && iou_above(&cand[i], &cand[j], p->iou_thr)) {
        active[j] = 0;
        n_active--;
      }
  }
  return n_sel;
}

static void put_box(float *out_boxes, int at, const corner_t *b) {
  out_boxes[4 * at] = b->ymin, out_boxes[4 * at + 1] = b->xmin, out_boxes[4 * at + 2] = b->ymax, out_boxes[4 * at + 3] = b->xmax;
}

static void detect_eval(qs_model_t *m, const qs_op_t *op) {
  const detect_params_t *p = (const detect_params_t *)op->params;
  const float *enc = (const float *)(const void *)qs_tdata(m, op->in[0]);
  const float *scores = (const float *)(const void *)qs_tdata(m, op->in[1]);
  const float *anchors = (const float *)(const void *)qs_tdata(m, op->in[2]);
  float *o_boxes = (float *)(void *)qs_tdata(m, op->outs[0]), *o_cls = (float *)(void *)qs_tdata(m, op->outs[1]);
  float *o_scores = (float *)(void *)qs_tdata(m, op->outs[2]), *o_num = (float *)(void *)qs_tdata(m, op->outs[3]);
  uint8_t *s = m->scratch;
  corner_t *boxes = (corner_t *)(void *)(s + p->o_boxes);
  float *area = (float *)(void *)(s + p->o_area);
  int i, valid = 1, count = 0;
  memset(o_boxes, 0, m->slots[op->outs[0]].bytes);
  memset(o_cls, 0, m->slots[op->outs[1]].bytes);
  memset(o_scores, 0, m->slots[op->outs[2]].bytes);
  for (i = 0; i < p->n; i++) {
    const float *e = enc + (size_t)i * (size_t)p->box_stride, *a = anchors + 4 * i;
    float yc = (float)((double)e[0] / (double)p->ys * (double)a[2] + (double)a[0]);
    float xc = (float)((double)e[1] / (double)p->xs * (double)a[3] + (double)a[1]);
    float hh = (float)(0.5 * exp((double)e[2] / (double)p->hs) * (double)a[2]);
    float hw = (float)(0.5 * exp((double)e[3] / (double)p->ws) * (double)a[3]);
    boxes[i].ymin = yc - hh, boxes[i].xmin = xc - hw, boxes[i].ymax = yc + hh, boxes[i].xmax = xc + hw;
    if (boxes[i].ymin >= boxes[i].ymax || boxes[i].xmin >= boxes[i].xmax) valid = 0; /* ValidateBoxes */
    area[i] = (boxes[i].ymax - boxes[i].ymin) * (boxes[i].xmax - boxes[i].xmin);
  }
  if (valid && p->regular) {
    float *cls_scores = (float *)(void *)(s + p->o_class_scores), *after_s = (float *)(void *)(s + p->o_after_scores);
    float *sorted_v = (float *)(void *)(s + p->o_sorted_vals);
    int *after_i = (int *)(void *)(s + p->o_after_idx), *sorted = (int *)(void *)(s + p->o_sorted);
    int *sel = (int *)(void *)(s + p->o_selected), col, row;
    for (col = 0; col < p->nc; col++) {
      int n_sel, at = count, n_sort;
      for (row = 0; row < p->n; row++) cls_scores[row] = scores[(size_t)row * p->ncb + col + p->label_off];
      n_sel = nms_single(p, s, cls_scores, sel, p->det_per_class);
      for (i = 0; i < n_sel; i++, at++) {
        after_i[at] = sel[i] * p->ncb + col + p->label_off;
        after_s[at] = cls_scores[sel[i]];
      }
      n_sort = at < p->max_det ? at : p->max_det;
      partial_argsort(after_s, at, n_sort, sorted);
      for (row = 0; row < n_sort; row++) {
        int t = sorted[row];
        sorted[row] = after_i[t];
        sorted_v[row] = after_s[t];
      }
      for (row = 0; row < n_sort; row++) after_i[row] = sorted[row], after_s[row] = sorted_v[row];
      count = n_sort;
    }
    for (i = 0; i < count; i++) {
      int anchor = after_i[i] / p->ncb;
      put_box(o_boxes, i, &boxes[anchor]);
      o_cls[i] = (float)(after_i[i] - anchor * p->ncb - p->label_off);
      o_scores[i] = after_s[i];
    }
  } else if (valid) {
    float *max_scores = (float *)(void *)(s + p->o_class_scores);
    int *cls_idx = (int *)(void *)(s + p->o_class_idx), *sel = (int *)(void *)(s + p->o_selected), n_sel, col;
    for (i = 0; i < p->n; i++) {
      const float *bs = scores + (size_t)i * p->ncb + p->label_off;
      int *ci = cls_idx + (size_t)i * p->nc;
      partial_argsort(bs, p->nc, p->ncat, ci);
      max_scores[i] = bs[ci[0]];
    }
    n_sel = nms_single(p, s, max_scores, sel, p->max_det);
    for (i = 0; i < n_sel; i++) {
      const float *bs = scores + (size_t)sel[i] * p->ncb + p->label_off;
      const int *ci = cls_idx + (size_t)sel[i] * p->nc;
      for (col = 0; col < p->ncat; col++) {
        int at = p->ncat * count + col; /* the reference's offset: count grows per entry */
        put_box(o_boxes, at, &boxes[sel[i]]);
        o_cls[at] = (float)ci[col];
        o_scores[at] = bs[ci[col]];
        count++;
      }
    }
  }
  o_num[0] = (float)count;
}

static qs_status_t out_f32(qs_model_t *m, int oi, const qs_op_t *op, int k, uint32_t need, const char *what) {
  qs_tensor_t t;
  qs_status_t s = qs_out_k(m, op, k, &t);
  if (s) return s;
  if (t.dtype != QS_DT_FLOAT32) return qs_fail(m, QS_ERR_TYPE, oi, op->outs[k], "TFLite_Detection_PostProcess outputs are float32");
  if (qs_elems(&t) < need) return qs_fail(m, QS_ERR_SHAPE, oi, op->outs[k], what);
  return QS_OK;
}

static uint32_t take(uint32_t *at, uint64_t bytes) {
  uint32_t o = *at;
  *at = (uint32_t)(((uint64_t)*at + bytes + 7u) & ~(uint64_t)7u);
  return o;
}

qs_status_t qs_prep_detection(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *enc = qs_in(m, op, 0), *sc = qs_in(m, op, 1), *anc = qs_in(m, op, 2);
  const fb_vec_t *raw = (const fb_vec_t *)op->params;
  detect_params_t *p;
  fx_t fx;
  fx_ref_t root, v;
  qs_status_t s;
  uint32_t at = 0, n, need;
  uint64_t total;
  int i;
  if (op->n_in != 3 || !enc || !sc || !anc) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "TFLite_Detection_PostProcess needs 3 inputs (boxes, scores, anchors)");
  if (op->n_out != 4) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "TFLite_Detection_PostProcess needs 4 outputs");
  for (i = 0; i < 3; i++)
    if (qs_in(m, op, i)->dtype != QS_DT_FLOAT32)
      return qs_fail(m, QS_ERR_TYPE, oi, op->in[i],
                     "TFLite_Detection_PostProcess takes float32 inputs only (TFLite Micro's kernel decodes no "
                     "quantized boxes, scores or anchors): dequantize them first");
  if (enc->ndims != 3 || sc->ndims != 3 || anc->ndims != 2)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "boxes and scores need 3 dimensions, anchors 2");
  if (!raw) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options missing");
  if (!(p = (detect_params_t *)qs_alloc(m, sizeof(*p)))) return QS_ERR_ARENA;
  root = fx_root(&fx, raw->n ? m->model + raw->pos : NULL, raw->n);
#define OPT(key) (v = fx_map_get(&fx, &root, key), &v)
  p->max_det = (int32_t)fx_int(&fx, OPT("max_detections"));
  p->max_cls = (int32_t)fx_int(&fx, OPT("max_classes_per_detection"));
  v = fx_map_get(&fx, &root, "detections_per_class");
  p->det_per_class = v.type == 0 ? 100 : (int32_t)fx_int(&fx, &v);
  p->regular = fx_bool(&fx, OPT("use_regular_nms"));
  p->score_thr = (float)fx_double(&fx, OPT("nms_score_threshold"));
  p->iou_thr = (float)fx_double(&fx, OPT("nms_iou_threshold"));
  p->nc = (int32_t)fx_int(&fx, OPT("num_classes"));
  p->ys = (float)fx_double(&fx, OPT("y_scale"));
  p->xs = (float)fx_double(&fx, OPT("x_scale"));
  p->hs = (float)fx_double(&fx, OPT("h_scale"));
  p->ws = (float)fx_double(&fx, OPT("w_scale"));
#undef OPT
  if (fx.err) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options are not a valid FlexBuffers map of numbers");
  p->n = enc->dims[1];
  p->box_stride = enc->dims[2];
  p->ncb = sc->dims[2];
  p->label_off = p->ncb - p->nc;
  if (enc->dims[0] != 1 || sc->dims[0] != 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "TFLite_Detection_PostProcess takes a batch of 1");
  if (p->box_stride < 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "box encodings need at least 4 values per anchor");
  if (sc->dims[1] != p->n) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "scores and boxes differ in anchor count");
  if (anc->dims[0] < p->n || anc->dims[1] != 4) return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "anchors must be [anchors, 4]");
  if (p->nc < 1 || p->label_off < 0 || p->label_off > 1)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[1], "num_classes must be the score columns, or one fewer (a background class)");
  if (p->max_det < 0 || p->max_det > 65535) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "max_detections must be 0 to 65535");
  if (!(p->iou_thr > 0.0f && p->iou_thr <= 1.0f)) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "nms_iou_threshold must be in (0, 1] (as TFLite Micro)");
  if (p->regular && (p->det_per_class <= 0 || p->det_per_class > 65535))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "detections_per_class must be positive (as TFLite Micro)");
  if (!p->regular && (p->max_cls <= 0 || p->max_cls > 65535))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "max_classes_per_detection must be positive (as TFLite Micro)");
  if (!(p->ys != 0.0f && p->xs != 0.0f && p->hs != 0.0f && p->ws != 0.0f))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "y_scale, x_scale, h_scale and w_scale must be non-zero");
  p->ncat = p->max_cls < p->nc ? p->max_cls : p->nc;
  /* entries written: regular max_detections; fast at offsets up to ncat * (ncat * max_det - 1) + ncat - 1 */
  need = p->regular ? (uint32_t)p->max_det : (p->ncat == 1 ? (uint32_t)p->max_det : (uint32_t)(p->ncat * p->ncat) * (uint32_t)p->max_det);
  if ((s = out_f32(m, oi, op, 0, 4u * need, "detection boxes output smaller than the entries TFLite Micro writes")) ||
      (s = out_f32(m, oi, op, 1, need, "detection classes output smaller than the entries TFLite Micro writes")) ||
      (s = out_f32(m, oi, op, 2, need, "detection scores output smaller than the entries TFLite Micro writes")) ||
      (s = out_f32(m, oi, op, 3, 1, "the detection count output is empty")))
    return s;
  if (anc->data) {
    /* constant anchors: a non-positive height or width fails every TFLM invoke (ValidateBoxes) */
    for (i = 0; i < p->n; i++) {
      float h, w;
      memcpy(&h, anc->data + 16 * (size_t)i + 8, 4);
      memcpy(&w, anc->data + 16 * (size_t)i + 12, 4);
      if (!(h > 0.0f && w > 0.0f))
        return qs_fail(m, QS_ERR_SHAPE, oi, op->in[2], "an anchor has a height or width <= 0 (TFLite Micro's invoke fails on it)");
    }
  }
  n = (uint32_t)p->n;
  total = (uint64_t)n * 40u + (uint64_t)n * (p->regular ? 4u : 4u * (uint64_t)p->nc);
  if (total > 0x10000000u) return qs_fail(m, QS_ERR_LIMIT, oi, op->in[1], "too many anchors x classes");
  p->o_boxes = take(&at, 16u * (uint64_t)n);
  p->o_area = take(&at, 4u * (uint64_t)n);
  p->o_cand = take(&at, sizeof(cand_t) * (uint64_t)n);
  p->o_active = take(&at, n);
  p->o_keep_scores = take(&at, 4u * (uint64_t)n);
  p->o_keep_idx = take(&at, 4u * (uint64_t)n);
  p->o_sorted = take(&at, 4u * ((uint64_t)n + (uint64_t)p->max_det));
  p->o_after_idx = take(&at, 4u * ((uint64_t)n + (uint64_t)p->max_det));
  p->o_after_scores = take(&at, 4u * ((uint64_t)n + (uint64_t)p->max_det));
  p->o_sorted_vals = take(&at, 4u * ((uint64_t)n + (uint64_t)p->max_det));
  p->o_class_scores = take(&at, 4u * (uint64_t)n);
  p->o_selected = take(&at, 4u * (uint64_t)n);
  p->o_class_idx = take(&at, p->regular ? 0u : 4u * (uint64_t)n * (uint64_t)p->nc);
  qs_scratch(m, at);
  op->params = p;
  op->eval = detect_eval;
  return QS_OK;
}
#else
qs_status_t qs_prep_detection(qs_model_t *m, int oi, qs_op_t *op) {
  return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
}
#endif
