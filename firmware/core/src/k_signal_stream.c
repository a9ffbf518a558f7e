/*
 * TFLite Micro's signal library, part 4: the streaming ops, whose state carries over from one
 * invocation to the next (in qs_state_alloc memory: zeroed at load and by qs_reset_state, which
 * here means "as TFLM's Prepare / Reset leave it"). Each keeps int16 FIFOs (TFLM: circular buffers;
 * the same samples come out):
 * - SignalDelay: per row of the last axis, a FIFO primed with delay_length zeros; each invocation
 *   pushes the frame and pops one frame: the output is the input delay_length samples late.
 * - SignalFramer: per row, push frame_step samples at a time; whenever frame_size are buffered,
 *   output them as a frame and drop frame_step. prefill starts the FIFO with frame_size -
 *   frame_step zeros. output_valid (bool) is false if some frame was not complete; TFLM leaves
 *   such a frame's output as the arena held it, the core writes zeros (a fresh arena).
 * - SignalStacker: push num_channels values; the first frame is repeated stacker_left_context
 *   more times; once (left + right + 1) frames are buffered, output them all and drop
 *   stacker_step frames, output_valid true; otherwise output_valid false (output: zeros, as above).
 * - SignalOverlapAdd: per row, add each input frame (frame_size) into a frame_size accumulator
 *   (int16: saturating; float32: float adds), output its first frame_step values, shift it left by
 *   frame_step and zero the tail.
 */
#include <string.h>

#include "k_signal.h"
#if QS_WITH_SIGNAL /* else: left out of the image (k_signal.h) */

/* One FIFO in state memory: `primed` is 0 after a reset (the op then sets its initial content),
 * `count` samples are buffered at data[0 .. count). */
typedef struct {
  uint32_t primed, count;
} fifo_t;

typedef struct {
  int32_t rows, step, size, extra; /* rows of the last axis; op-specific sizes (see each op) */
  int32_t frames;                  /* frames per row (framer, overlap-add) */
  uint32_t fifo_bytes;             /* bytes per FIFO (header + data, 8-aligned) */
  uint8_t *state;
  int is_float;
} stream_params_t;

static fifo_t *fifo_at(const stream_params_t *p, int32_t r) { return (fifo_t *)(void *)(p->state + (size_t)r * p->fifo_bytes); }
static int16_t *fifo_data(fifo_t *f) { return (int16_t *)(void *)(f + 1); }
static void fifo_push(fifo_t *f, const int16_t *v, uint32_t n) {
  memcpy(fifo_data(f) + f->count, v, 2 * (size_t)n);
  f->count += n;
}
static void fifo_drop(fifo_t *f, uint32_t n) {
  memmove(fifo_data(f), fifo_data(f) + n, 2 * (size_t)(f->count - n));
  f->count -= n;
}
/* Prime after a reset: `zeros` samples of silence (the data area is already zero). */
static void fifo_prime(fifo_t *f, uint32_t zeros) {
  if (f->primed) return;
  f->primed = 1;
  f->count = zeros;
}

/* State for `rows` FIFOs of `cap` samples each. */
static qs_status_t alloc_fifos(qs_model_t *m, int oi, stream_params_t *p, int32_t rows, uint32_t cap) {
  p->rows = rows;
  p->fifo_bytes = (uint32_t)((sizeof(fifo_t) + 2 * (size_t)cap + 7u) & ~(size_t)7u);
  if ((uint64_t)p->fifo_bytes * (uint64_t)rows > 0x10000000u) return qs_fail(m, QS_ERR_LIMIT, oi, -1, "signal op state too large");
  p->state = (uint8_t *)qs_state_alloc(m, (size_t)p->fifo_bytes * (size_t)rows);
  return p->state ? QS_OK : QS_ERR_ARENA;
}

static stream_params_t *new_params(qs_model_t *m) { return (stream_params_t *)qs_alloc(m, sizeof(stream_params_t)); }

/* ---- SignalDelay: size = frame (last axis), extra = delay_length ---- */

static void delay_eval(qs_model_t *m, const qs_op_t *op) {
  const stream_params_t *p = (const stream_params_t *)op->params;
  const int16_t *x = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  int32_t r;
  for (r = 0; r < p->rows; r++, x += p->size, out += p->size) {
    fifo_t *f = fifo_at(p, r);
    fifo_prime(f, (uint32_t)p->extra);
    fifo_push(f, x, (uint32_t)p->size);
    memcpy(out, fifo_data(f), 2 * (size_t)p->size);
    fifo_drop(f, (uint32_t)p->size);
  }
}

qs_status_t qs_prep_sig_delay(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalDelay takes and outputs int16 of the same shape";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  stream_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t delay, frame;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 1, "SignalDelay needs 1 input and 1 output")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, -1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, -1, msg)) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "delay_length", 0, 0x100000, &delay,
                      "custom option 'delay_length' out of range")))
    return s;
  frame = qs_sig_inner(in);
  if (frame < 1 || qs_elems(out) != qs_elems(in)) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalDelay: output size differs from input");
  if (!(p = new_params(m))) return QS_ERR_ARENA;
  p->size = frame, p->extra = delay;
  if ((s = alloc_fifos(m, oi, p, (int32_t)(qs_elems(in) / (uint32_t)frame), (uint32_t)(frame + delay)))) return s;
  op->params = p;
  op->eval = delay_eval;
  return QS_OK;
}

/* ---- SignalFramer: size = frame_size, step = frame_step, extra = prefill zeros ---- */

static void framer_eval(qs_model_t *m, const qs_op_t *op) {
  const stream_params_t *p = (const stream_params_t *)op->params;
  const int16_t *x = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  uint8_t valid = 1;
  int32_t r, k;
  for (r = 0; r < p->rows; r++) {
    fifo_t *f = fifo_at(p, r);
    fifo_prime(f, (uint32_t)p->extra);
    for (k = 0; k < p->frames; k++, x += p->step, out += p->size) {
      fifo_push(f, x, (uint32_t)p->step);
      if (f->count >= (uint32_t)p->size) {
        memcpy(out, fifo_data(f), 2 * (size_t)p->size);
        fifo_drop(f, (uint32_t)p->step);
      } else {
        memset(out, 0, 2 * (size_t)p->size);
        valid = 0;
      }
    }
  }
  *qs_tdata(m, op->outs[1]) = valid;
}

/* output_valid: a bool scalar (output 1 of the framer and the stacker) */
static qs_status_t valid_out(qs_model_t *m, int oi, const qs_op_t *op, const char *msg) {
  qs_tensor_t t;
  qs_status_t s = qs_out_k(m, op, 1, &t);
  return s ? s : qs_sig_need(m, oi, op->outs[1], &t, QS_DT_BOOL, 0, msg);
}

qs_status_t qs_prep_sig_framer(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalFramer takes int16 [..., n]; outputs int16 [..., frames, frame_size] and a bool scalar";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  stream_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t size, step, inner, rows;
  fx_ref_t r;
  int prefill;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 2, "SignalFramer needs 1 input and 2 outputs")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, -1, msg)) ||
      (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, in->ndims + 1, msg)) || (s = valid_out(m, oi, op, msg)) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "frame_size", 1, 0x100000, &size,
                      "custom option 'frame_size' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "frame_step", 1, 0x100000, &step,
                      "custom option 'frame_step' out of range")))
    return s;
  r = fx_map_get(&fx, &root, "prefill");
  prefill = fx_bool(&fx, &r);
  if (fx.err) return qs_fail(m, QS_ERR_SCHEMA, oi, -1, "custom options are not a valid FlexBuffers map of numbers");
  inner = qs_sig_inner(in);
  if (inner < step || inner % step != 0)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "SignalFramer: the last axis must be a multiple of frame_step (TFLM's check)");
  if (step > size) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "SignalFramer: frame_step larger than frame_size");
  rows = (int32_t)(qs_elems(in) / (uint32_t)inner);
  if (qs_elems(out) != (uint32_t)rows * (uint32_t)(inner / step) * (uint32_t)size)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalFramer: output is not [..., last axis / frame_step, frame_size]");
  if (!(p = new_params(m))) return QS_ERR_ARENA;
  p->size = size, p->step = step, p->frames = inner / step, p->extra = prefill ? size - step : 0;
  /* capacity: frame_size rounded up to whole steps, as TFLM's */
  if ((s = alloc_fifos(m, oi, p, rows, (uint32_t)((size + step - 1) / step * step)))) return s;
  op->params = p;
  op->eval = framer_eval;
  return QS_OK;
}

/* ---- SignalStacker: step = num_channels, size = stacked values, extra = left context,
 *      frames = values dropped per output ---- */

static void stacker_eval(qs_model_t *m, const qs_op_t *op) {
  const stream_params_t *p = (const stream_params_t *)op->params;
  const int16_t *x = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  fifo_t *f = fifo_at(p, 0);
  uint8_t valid = 0;
  int32_t k;
  fifo_push(f, x, (uint32_t)p->step);
  if (!f->primed) { /* the first frame pads the left context */
    f->primed = 1;
    for (k = 0; k < p->extra; k++) fifo_push(f, fifo_data(f) + f->count - p->step, (uint32_t)p->step);
  }
  if (f->count >= (uint32_t)p->size) {
    memcpy(out, fifo_data(f), 2 * (size_t)p->size);
    fifo_drop(f, (uint32_t)p->frames);
    valid = 1;
  } else {
    memset(out, 0, 2 * (size_t)p->size);
  }
  *qs_tdata(m, op->outs[1]) = valid;
}

qs_status_t qs_prep_sig_stacker(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalStacker takes 1-D int16; outputs 1-D int16 and a bool scalar";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  stream_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t ch, left, right, step;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 2, "SignalStacker needs 1 input and 2 outputs")) ||
      (s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, 1, msg)) || (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, 1, msg)) ||
      (s = valid_out(m, oi, op, msg)) || (s = qs_sig_opts(m, oi, op, &fx, &root)) ||
      (s = qs_sig_int(m, oi, &fx, &root, "num_channels", 1, 0x10000, &ch,
                      "custom option 'num_channels' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "stacker_left_context", 0, 0x1000, &left,
                      "custom option 'stacker_left_context' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "stacker_right_context", 0, 0x1000, &right,
                      "custom option 'stacker_right_context' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "stacker_step", 0, 0x1000, &step,
                      "custom option 'stacker_step' out of range")))
    return s;
  /* TFLM's circular buffer asserts (compiled out) on these: it would overflow or underflow */
  if (step < 1 || step > left + right + 1)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "SignalStacker: stacker_step must be 1 .. left + right context + 1");
  if (in->dims[0] != ch || out->dims[0] != ch * (left + right + 1))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalStacker: input must be num_channels, output num_channels * (left + right + 1)");
  if (!(p = new_params(m))) return QS_ERR_ARENA;
  p->step = ch, p->size = ch * (left + right + 1), p->extra = left, p->frames = ch * step;
  if ((s = alloc_fifos(m, oi, p, 1, (uint32_t)p->size))) return s;
  op->params = p;
  op->eval = stacker_eval;
  return QS_OK;
}

/* ---- SignalOverlapAdd: size = frame_size, step = frame_step, frames per row ---- */

static void overlap_add_eval(qs_model_t *m, const qs_op_t *op) {
  const stream_params_t *p = (const stream_params_t *)op->params;
  const uint8_t *x = qs_tdata(m, op->in[0]);
  uint8_t *out = qs_tdata(m, op->out);
  size_t es = p->is_float ? 4 : 2, keep = (size_t)(p->size - p->step);
  int32_t r, k, j;
  for (r = 0; r < p->rows; r++) {
    uint8_t *acc = p->state + (size_t)r * p->fifo_bytes;
    for (k = 0; k < p->frames; k++, x += es * (size_t)p->size, out += es * (size_t)p->step) {
      for (j = 0; j < p->size; j++) {
#if QS_WITH_FLOAT
        if (p->is_float) {
          float a, b;
          memcpy(&a, acc + 4 * (size_t)j, 4);
          memcpy(&b, x + 4 * (size_t)j, 4);
          a += b;
          memcpy(acc + 4 * (size_t)j, &a, 4);
          continue;
        }
#endif
        {
          int16_t a, b;
          int32_t v;
          memcpy(&a, acc + 2 * (size_t)j, 2);
          memcpy(&b, x + 2 * (size_t)j, 2);
          v = (int32_t)a + b;
          a = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
          memcpy(acc + 2 * (size_t)j, &a, 2);
        }
      }
      memcpy(out, acc, es * (size_t)p->step);
      memmove(acc, acc + es * (size_t)p->step, es * keep);
      memset(acc + es * keep, 0, es * (size_t)p->step);
    }
  }
}

qs_status_t qs_prep_sig_overlap_add(qs_model_t *m, int oi, qs_op_t *op) {
  static const char msg[] = "SignalOverlapAdd takes [..., frames, frame_size] and outputs [..., frames * frame_step] of its type";
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  stream_params_t *p;
  fx_t fx;
  fx_ref_t root;
  int32_t type, step, size, frames, rows;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 1, "SignalOverlapAdd needs 1 input and 1 output")) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "T", 0, 255, &type,
                      "custom option 'T' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "frame_step", 1, 0x100000, &step,
                      "custom option 'frame_step' out of range")))
    return s;
  if (type != QS_DT_INT16 && type != QS_DT_FLOAT32)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "SignalOverlapAdd: T must be int16 or float32 (as TFLite Micro)");
  if (type == QS_DT_FLOAT32 && !QS_WITH_FLOAT)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "float32 kernels are not in this build (QS_WITH_FLOAT=0)");
  if ((s = qs_sig_need(m, oi, op->in[0], in, (uint8_t)type, -1, msg)) || (s = qs_sig_need(m, oi, op->out, out, (uint8_t)type, -1, msg)))
    return s;
  if (in->ndims < 2 || in->ndims != out->ndims + 1) return qs_fail(m, QS_ERR_SHAPE, oi, op->out, msg);
  size = in->dims[in->ndims - 1], frames = in->dims[in->ndims - 2];
  if (size < 1 || frames < 1 || step > size)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->in[0], "SignalOverlapAdd: frame_step must be at most the frame size");
  rows = (int32_t)(qs_elems(in) / ((uint32_t)size * (uint32_t)frames));
  if (qs_elems(out) != (uint32_t)rows * (uint32_t)frames * (uint32_t)step)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalOverlapAdd: output is not [..., frames * frame_step]");
  if (!(p = new_params(m))) return QS_ERR_ARENA;
  p->size = size, p->step = step, p->frames = frames, p->rows = rows, p->is_float = type == QS_DT_FLOAT32;
  p->fifo_bytes = (uint32_t)(((size_t)size * (p->is_float ? 4 : 2) + 7u) & ~(size_t)7u);
  if (!(p->state = (uint8_t *)qs_state_alloc(m, (size_t)p->fifo_bytes * (size_t)rows))) return QS_ERR_ARENA;
  op->params = p;
  op->eval = overlap_add_eval;
  return QS_OK;
}
#endif /* QS_WITH_SIGNAL */
