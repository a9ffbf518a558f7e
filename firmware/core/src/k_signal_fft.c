/*
 * TFLite Micro's signal library, part 3: SignalRfft and SignalIrfft for int16, which TFLM computes
 * with kiss_fft v130 built with FIXED_POINT=16 (TFLM's patch: no malloc; the generic-radix
 * butterfly would need a temporary buffer the patch replaces by NULL, so only lengths whose halves
 * factor into 4, 2, 3 and 5 work there, and only those load here).
 * Fixed point, as kiss_fft's macros define it (Q15, samples int16):
 * - twiddle = floor(0.5 + 32767 * cos/sin(phase)) in double, phase = -2*pi*i/n (forward) or
 *   +2*pi*i/n (inverse); the real-FFT post-twiddles use phase = -pi*((i+1)/n + 0.5) (inverse: +);
 * - product a*b is rounded: (a*b + 2^14) >> 15; a complex product rounds each part's sum;
 * - each radix-p stage first divides its inputs by p: x = round(x * (32767 / p) / 2^15);
 * - sums and differences are int16 stores of int arithmetic (they wrap), halving is >> 1.
 * The complex FFT of n/2 points is mixed radix: 4 while it divides, then 2, 3, 5, ...; each
 * stage splits the input into p decimated sub-sequences, transforms them recursively and
 * recombines them with the stage's butterfly.
 * RFFT: each frame (the input's last axis, zero-padded to fft_length) gives fft_length/2 + 1
 * complex bins (re, im interleaved); IRFFT: fft_length/2 + 1 bins give fft_length samples.
 */
#include <math.h>
#include <string.h>

#include "k_signal.h"
#if QS_WITH_SIGNAL /* else: left out of the image (k_signal.h) */

typedef struct {
  int16_t r, i;
} cpx_t;

enum { MAX_STAGES = 32 };

typedef struct {
  int32_t nfft; /* complex points: fft_length / 2 */
  int inverse, n_stages;
  int32_t radix[MAX_STAGES], rest[MAX_STAGES]; /* stage k: radix p, sub-transform length m */
  cpx_t *tw;                                   /* nfft twiddles */
  cpx_t *super_tw;                             /* nfft / 2 real-FFT post-twiddles */
  int32_t in_len, in_step, out_step, frames;   /* per frame: samples read, strides in int16 */
} fft_params_t;

static int16_t w16(int32_t v) { return (int16_t)(uint16_t)(uint32_t)v; }
static int16_t sround(int32_t x) { return w16((x + (1 << 14)) >> 15); }
static cpx_t cadd(cpx_t a, cpx_t b) {
  cpx_t c;
  c.r = w16(a.r + b.r), c.i = w16(a.i + b.i);
  return c;
}
static cpx_t csub(cpx_t a, cpx_t b) {
  cpx_t c;
  c.r = w16(a.r - b.r), c.i = w16(a.i - b.i);
  return c;
}
static cpx_t cmul(cpx_t a, cpx_t b) {
  cpx_t c;
  c.r = sround((int32_t)a.r * b.r - (int32_t)a.i * b.i);
  c.i = sround((int32_t)a.r * b.i + (int32_t)a.i * b.r);
  return c;
}
static int16_t smul(int16_t a, int16_t b) { return sround((int32_t)a * b); }
/* divide by p the way a stage scales its inputs */
static void fixdiv(cpx_t *c, int p) {
  c->r = smul(c->r, (int16_t)(32767 / p));
  c->i = smul(c->i, (int16_t)(32767 / p));
}

static cpx_t cexp16(double phase) {
  cpx_t c;
  c.r = (int16_t)floor(.5 + 32767 * cos(phase));
  c.i = (int16_t)floor(.5 + 32767 * sin(phase));
  return c;
}

static void bfly2(cpx_t *f, size_t fstride, const fft_params_t *st, int m) {
  const cpx_t *tw = st->tw;
  int k;
  for (k = 0; k < m; k++, tw += fstride) {
    cpx_t t;
    fixdiv(&f[k], 2), fixdiv(&f[k + m], 2);
    t = cmul(f[k + m], *tw);
    f[k + m] = csub(f[k], t);
    f[k] = cadd(f[k], t);
  }
}

static void bfly4(cpx_t *f, size_t fstride, const fft_params_t *st, int m) {
  const cpx_t *tw1 = st->tw, *tw2 = st->tw, *tw3 = st->tw;
  int k;
  for (k = 0; k < m; k++, f++) {
    cpx_t s0, s1, s2, s3, s4, s5;
    fixdiv(&f[0], 4), fixdiv(&f[m], 4), fixdiv(&f[2 * m], 4), fixdiv(&f[3 * m], 4);
    s0 = cmul(f[m], *tw1), s1 = cmul(f[2 * m], *tw2), s2 = cmul(f[3 * m], *tw3);
    s5 = csub(f[0], s1);
    f[0] = cadd(f[0], s1);
    s3 = cadd(s0, s2), s4 = csub(s0, s2);
    f[2 * m] = csub(f[0], s3);
    tw1 += fstride, tw2 += 2 * fstride, tw3 += 3 * fstride;
    f[0] = cadd(f[0], s3);
    if (st->inverse) {
      f[m].r = w16(s5.r - s4.i), f[m].i = w16(s5.i + s4.r);
      f[3 * m].r = w16(s5.r + s4.i), f[3 * m].i = w16(s5.i - s4.r);
    } else {
      f[m].r = w16(s5.r + s4.i), f[m].i = w16(s5.i - s4.r);
      f[3 * m].r = w16(s5.r - s4.i), f[3 * m].i = w16(s5.i + s4.r);
    }
  }
}

static void bfly3(cpx_t *f, size_t fstride, const fft_params_t *st, int m) {
  const cpx_t *tw1 = st->tw, *tw2 = st->tw;
  int16_t e = st->tw[fstride * (size_t)m].i; /* sin of the third of a turn */
  int k;
  for (k = 0; k < m; k++, f++) {
    cpx_t s0, s1, s2, s3;
    fixdiv(&f[0], 3), fixdiv(&f[m], 3), fixdiv(&f[2 * m], 3);
    s1 = cmul(f[m], *tw1), s2 = cmul(f[2 * m], *tw2);
    s3 = cadd(s1, s2), s0 = csub(s1, s2);
    tw1 += fstride, tw2 += 2 * fstride;
    f[m].r = w16(f[0].r - (s3.r >> 1)), f[m].i = w16(f[0].i - (s3.i >> 1));
    s0.r = smul(s0.r, e), s0.i = smul(s0.i, e);
    f[0] = cadd(f[0], s3);
    f[2 * m].r = w16(f[m].r + s0.i), f[2 * m].i = w16(f[m].i - s0.r);
    f[m].r = w16(f[m].r - s0.i), f[m].i = w16(f[m].i + s0.r);
  }
}

static void bfly5(cpx_t *f, size_t fstride, const fft_params_t *st, int m) {
  cpx_t ya = st->tw[fstride * (size_t)m], yb = st->tw[fstride * 2 * (size_t)m];
  cpx_t *f0 = f, *f1 = f + m, *f2 = f + 2 * m, *f3 = f + 3 * m, *f4 = f + 4 * m;
  int u;
  for (u = 0; u < m; ++u, f0++, f1++, f2++, f3++, f4++) {
    cpx_t s[13];
    fixdiv(f0, 5), fixdiv(f1, 5), fixdiv(f2, 5), fixdiv(f3, 5), fixdiv(f4, 5);
    s[0] = *f0;
    s[1] = cmul(*f1, st->tw[u * fstride]);
    s[2] = cmul(*f2, st->tw[2 * u * fstride]);
    s[3] = cmul(*f3, st->tw[3 * u * fstride]);
    s[4] = cmul(*f4, st->tw[4 * u * fstride]);
    s[7] = cadd(s[1], s[4]), s[10] = csub(s[1], s[4]);
    s[8] = cadd(s[2], s[3]), s[9] = csub(s[2], s[3]);
    f0->r = w16(f0->r + (s[7].r + s[8].r));
    f0->i = w16(f0->i + (s[7].i + s[8].i));
    s[5].r = w16(s[0].r + smul(s[7].r, ya.r) + smul(s[8].r, yb.r));
    s[5].i = w16(s[0].i + smul(s[7].i, ya.r) + smul(s[8].i, yb.r));
    s[6].r = w16(smul(s[10].i, ya.i) + smul(s[9].i, yb.i));
    s[6].i = w16(-smul(s[10].r, ya.i) - smul(s[9].r, yb.i));
    *f1 = csub(s[5], s[6]);
    *f4 = cadd(s[5], s[6]);
    s[11].r = w16(s[0].r + smul(s[7].r, yb.r) + smul(s[8].r, ya.r));
    s[11].i = w16(s[0].i + smul(s[7].i, yb.r) + smul(s[8].i, ya.r));
    s[12].r = w16(-smul(s[10].i, yb.i) + smul(s[9].i, ya.i));
    s[12].i = w16(smul(s[10].r, yb.i) - smul(s[9].r, ya.i));
    *f2 = cadd(s[11], s[12]);
    *f3 = csub(s[11], s[12]);
  }
}

/* Stage `k`: out[0 .. p*m) from in read every fstride points. */
static void work(cpx_t *out, const cpx_t *in, size_t fstride, int k, const fft_params_t *st) {
  int p = st->radix[k], m = st->rest[k], j;
  if (m == 1) {
    for (j = 0; j < p; j++) out[j] = in[(size_t)j * fstride];
  } else {
    for (j = 0; j < p; j++) work(out + (size_t)j * m, in + (size_t)j * fstride, fstride * p, k + 1, st);
  }
  switch (p) {
    case 2: bfly2(out, fstride, st, m); break;
    case 3: bfly3(out, fstride, st, m); break;
    case 4: bfly4(out, fstride, st, m); break;
    default: bfly5(out, fstride, st, m); break;
  }
}

/* kiss_fft's factorization: 4s, then 2s, then odd numbers up to sqrt(n), then what is left. */
static int factor(fft_params_t *st) {
  int32_t n = st->nfft, p = 4, root = 0;
  while ((root + 1) * (root + 1) <= n) root++;
  st->n_stages = 0;
  do {
    while (n % p) {
      p = p == 4 ? 2 : p == 2 ? 3 : p + 2;
      if (p > root) p = n;
    }
    n /= p;
    /* radix 1 (fft_length 2) or a prime above 5: kiss_fft's generic butterfly, which TFLM's
     * build runs without its scratch buffer */
    if (p < 2 || p > 5 || st->n_stages == MAX_STAGES) return 0;
    st->radix[st->n_stages] = p, st->rest[st->n_stages] = n, st->n_stages++;
  } while (n > 1);
  return 1;
}

static void rfft_frame(const fft_params_t *st, const cpx_t *time, cpx_t *tmp, cpx_t *freq) {
  int32_t n = st->nfft, k;
  cpx_t dc = {0, 0};
  work(tmp, time, 1, 0, st);
  dc = tmp[0];
  fixdiv(&dc, 2);
  freq[0].r = w16(dc.r + dc.i), freq[n].r = w16(dc.r - dc.i);
  freq[0].i = freq[n].i = 0;
  for (k = 1; k <= n / 2; k++) {
    cpx_t pk = tmp[k], pnk, f1, f2, t;
    pnk.r = tmp[n - k].r, pnk.i = w16(-tmp[n - k].i);
    fixdiv(&pk, 2), fixdiv(&pnk, 2);
    f1 = cadd(pk, pnk), f2 = csub(pk, pnk);
    t = cmul(f2, st->super_tw[k - 1]);
    freq[k].r = w16((f1.r + t.r) >> 1), freq[k].i = w16((f1.i + t.i) >> 1);
    freq[n - k].r = w16((f1.r - t.r) >> 1), freq[n - k].i = w16((t.i - f1.i) >> 1);
  }
}

static void irfft_frame(const fft_params_t *st, const cpx_t *freq, cpx_t *tmp, cpx_t *time) {
  int32_t n = st->nfft, k;
  tmp[0].r = w16(freq[0].r + freq[n].r), tmp[0].i = w16(freq[0].r - freq[n].r);
  fixdiv(&tmp[0], 2);
  for (k = 1; k <= n / 2; k++) {
    cpx_t fk = freq[k], fnkc, fek, d, fok;
    fnkc.r = freq[n - k].r, fnkc.i = w16(-freq[n - k].i);
    fixdiv(&fk, 2), fixdiv(&fnkc, 2);
    fek = cadd(fk, fnkc), d = csub(fk, fnkc);
    fok = cmul(d, st->super_tw[k - 1]);
    tmp[k] = cadd(fek, fok);
    tmp[n - k] = csub(fek, fok);
    tmp[n - k].i = w16(-tmp[n - k].i);
  }
  work(time, tmp, 1, 0, st);
}

static void fft_eval(qs_model_t *m, const qs_op_t *op) {
  const fft_params_t *st = (const fft_params_t *)op->params;
  const int16_t *x = (const int16_t *)(const void *)qs_tdata(m, op->in[0]);
  int16_t *out = (int16_t *)(void *)qs_tdata(m, op->out);
  /* scratch: the complex transform (nfft points), then one frame (fft_length + 2 int16) */
  cpx_t *tmp = (cpx_t *)(void *)m->scratch, *frame = tmp + st->nfft;
  int32_t f;
  for (f = 0; f < st->frames; f++, x += st->in_step, out += st->out_step) {
    if (st->inverse) {
      memcpy(frame, x, 4 * ((size_t)st->nfft + 1));
      irfft_frame(st, frame, tmp, (cpx_t *)(void *)out);
    } else {
      memset(frame, 0, 4 * (size_t)st->nfft);
      memcpy(frame, x, 2 * (size_t)st->in_len); /* zero-padded to fft_length */
      rfft_frame(st, frame, tmp, (cpx_t *)(void *)out);
    }
  }
}

qs_status_t qs_prep_sig_rfft(qs_model_t *m, int oi, qs_op_t *op) {
  const qs_tensor_t *in = qs_in(m, op, 0), *out = qs_out(m);
  int inverse = op->code == OP_SIGNAL_IRFFT;
  fft_params_t *st;
  fx_t fx;
  fx_ref_t root;
  int32_t len, type, i, half, bins_in, bins_out;
  const double pi = 3.14159265358979323846;
  qs_status_t s;
  if ((s = qs_sig_arity(m, oi, op, 1, 1, "SignalRfft / SignalIrfft need 1 input and 1 output")) ||
      (s = qs_sig_opts(m, oi, op, &fx, &root)) || (s = qs_sig_int(m, oi, &fx, &root, "T", 0, 255, &type,
                      "custom option 'T' out of range")) ||
      (s = qs_sig_int(m, oi, &fx, &root, "fft_length", 2, 0x10000, &len,
                      "custom option 'fft_length' out of range")))
    return s;
  if (type != QS_DT_INT16)
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, op->in[0], "SignalRfft / SignalIrfft: only the int16 variant is in this core (not int32, float32)");
  if ((s = qs_sig_need(m, oi, op->in[0], in, QS_DT_INT16, -1, "SignalRfft / SignalIrfft: int16 input and output of equal rank")) ||
      (s = qs_sig_need(m, oi, op->out, out, QS_DT_INT16, in->ndims, "SignalRfft / SignalIrfft: int16 input and output of equal rank")))
    return s;
  if (len & 1) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "SignalRfft / SignalIrfft: fft_length must be even");
  half = len / 2;
  /* RFFT frames: up to fft_length samples in, fft_length + 2 out; IRFFT the other way round */
  bins_in = qs_sig_inner(in), bins_out = qs_sig_inner(out);
  if (inverse ? (bins_in != len + 2 || bins_out != len) : (bins_in > len || bins_in < 1 || bins_out != len + 2))
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, inverse ? "SignalIrfft: the last axis must be fft_length + 2 in, fft_length out"
                                                         : "SignalRfft: the last axis must be at most fft_length in, fft_length + 2 out");
  if (qs_elems(in) / (uint32_t)bins_in != qs_elems(out) / (uint32_t)bins_out)
    return qs_fail(m, QS_ERR_SHAPE, oi, op->out, "SignalRfft / SignalIrfft: input and output frame counts differ");
  if (!(st = (fft_params_t *)qs_alloc(m, sizeof(*st)))) return QS_ERR_ARENA;
  st->nfft = half, st->inverse = inverse;
  if (!factor(st))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, "SignalRfft / SignalIrfft: fft_length / 2 must be 2 or more with no prime factor above 5 (TFLM's kiss_fft cannot run others)");
  if (!(st->tw = (cpx_t *)qs_alloc(m, sizeof(cpx_t) * (size_t)half)) ||
      !(st->super_tw = (cpx_t *)qs_alloc(m, sizeof(cpx_t) * (size_t)(half / 2 + 1))))
    return QS_ERR_ARENA;
  for (i = 0; i < half; i++) {
    double phase = -2 * pi * i / half;
    st->tw[i] = cexp16(inverse ? -phase : phase);
  }
  for (i = 0; i < half / 2; i++) {
    double phase = -pi * ((double)(i + 1) / half + .5);
    st->super_tw[i] = cexp16(inverse ? -phase : phase);
  }
  st->in_len = bins_in, st->in_step = bins_in, st->out_step = bins_out;
  st->frames = (int32_t)(qs_elems(in) / (uint32_t)bins_in);
  qs_scratch(m, sizeof(cpx_t) * (2 * (size_t)half + 1));
  op->params = st;
  op->eval = fft_eval;
  return QS_OK;
}
#endif /* QS_WITH_SIGNAL */
