#include "tfl_build.h"

#include <string.h>

#define CAP (1 << 18)
typedef struct {
  uint8_t buf[CAP];
  size_t head; /* next write goes below head */
  int err;
} tb_t;

/* An object's reference: its distance from the end of the buffer (stable while growing). */
typedef uint32_t ref_t;

static ref_t here(const tb_t *b) { return (ref_t)(CAP - b->head); }

static uint8_t *reserve(tb_t *b, size_t n, size_t align) {
  size_t pad = (b->head - n) % align;
  if (n + pad > b->head) {
    b->err = 1;
    b->head = CAP;
  }
  b->head -= n + pad;
  memset(b->buf + b->head, 0, n + pad);
  return b->buf + b->head;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

/* vector of n elements of size es (raw little-endian bytes) */
static ref_t vec(tb_t *b, const void *data, uint32_t n, size_t es) {
  uint8_t *p = reserve(b, n * es + 4, 4); /* the core reads unaligned, alignment is moot */
  put32(p, n);
  if (n) memcpy(p + 4, data, n * es);
  return here(b);
}

/* string: its length, the bytes, a NUL (reserve zeroes it) */
static ref_t str(tb_t *b, const char *s) {
  size_t n = strlen(s);
  uint8_t *p = reserve(b, n + 5, 4);
  put32(p, (uint32_t)n);
  memcpy(p + 4, s, n);
  return here(b);
}

static ref_t vec_i32(tb_t *b, const int32_t *v, int n) {
  uint8_t tmp[4 * 64];
  int i;
  for (i = 0; i < n; i++) put32(tmp + 4 * i, (uint32_t)v[i]);
  return vec(b, tmp, (uint32_t)n, 4);
}

/* Table field: scalar (size 1/4/8) or an offset (is_ref) to an earlier-built object. */
typedef struct {
  int field, size, is_ref;
  uint64_t val;
} fld_t;

static ref_t table(tb_t *b, const fld_t *f, int n) {
  int i, maxf = -1;
  uint16_t off[32] = {0};
  size_t body = 4;
  uint8_t *t, *vt;
  ref_t tref;
  for (i = 0; i < n; i++) {
    size_t a = f[i].size;
    body = (body + a - 1) / a * a;
    off[f[i].field] = (uint16_t)body;
    body += a;
    if (f[i].field > maxf) maxf = f[i].field;
  }
  t = reserve(b, body, 8);
  tref = here(b);
  for (i = 0; i < n; i++) {
    uint8_t *p = t + off[f[i].field];
    if (f[i].is_ref) {
      ref_t loc = tref - off[f[i].field];
      put32(p, loc - (ref_t)f[i].val);
    } else if (f[i].size == 1) {
      p[0] = (uint8_t)f[i].val;
    } else if (f[i].size == 4) {
      put32(p, (uint32_t)f[i].val);
    } else {
      put32(p, (uint32_t)f[i].val);
      put32(p + 4, (uint32_t)(f[i].val >> 32));
    }
  }
  /* vtable right below the table: soffset = table - vtable > 0 */
  vt = reserve(b, 4 + 2 * (size_t)(maxf + 1), 2);
  vt[0] = (uint8_t)(4 + 2 * (maxf + 1)), vt[1] = 0;
  vt[2] = (uint8_t)body, vt[3] = (uint8_t)(body >> 8);
  for (i = 0; i <= maxf; i++) vt[4 + 2 * i] = (uint8_t)off[i], vt[5 + 2 * i] = (uint8_t)(off[i] >> 8);
  put32(b->buf + (CAP - tref), (uint32_t)((CAP - tref) - b->head));
  return tref;
}

static ref_t refvec(tb_t *b, const ref_t *r, int n) {
  uint8_t *p = reserve(b, 4 + 4 * (size_t)n, 4);
  ref_t me = here(b);
  int i;
  put32(p, (uint32_t)n);
  for (i = 0; i < n; i++) put32(p + 4 + 4 * i, (me - 4 - 4 * (ref_t)i) - r[i]);
  return me;
}

/* One subgraph: its tensors use buffers buf_base.., its ops opcodes op_base.. (codes[] filled). */
static ref_t write_sg(tb_t *bp, const tb_model_t *m, int buf_base, int op_base, ref_t *codes) {
  tb_t *pb = bp;
  ref_t tens[32], ops[8];
  int i, j;
#define b (*pb)
  for (i = 0; i < m->ntensors; i++) {
    const tb_tensor_t *t = &m->t[i];
    fld_t f[7];
    int nf = 0;
    ref_t shape = vec_i32(&b, t->dims, t->ndims);
    if (t->nscales) {
      fld_t q[3];
      ref_t sc = vec(&b, t->scales, (uint32_t)t->nscales, 4), zp = vec(&b, t->zps, (uint32_t)t->nscales, 8);
      q[0].field = 2, q[0].size = 4, q[0].is_ref = 1, q[0].val = sc;
      q[1].field = 3, q[1].size = 4, q[1].is_ref = 1, q[1].val = zp;
      q[2].field = 6, q[2].size = 4, q[2].is_ref = 0, q[2].val = (uint32_t)t->qdim;
      f[nf].field = 4, f[nf].size = 4, f[nf].is_ref = 1, f[nf].val = table(&b, q, 3), nf++;
    }
    f[nf].field = 0, f[nf].size = 4, f[nf].is_ref = 1, f[nf].val = shape, nf++;
    f[nf].field = 1, f[nf].size = 1, f[nf].is_ref = 0, f[nf].val = (uint8_t)t->type, nf++;
    f[nf].field = 2, f[nf].size = 4, f[nf].is_ref = 0, f[nf].val = (uint32_t)(buf_base + i), nf++;
    if (t->is_variable) f[nf].field = 5, f[nf].size = 1, f[nf].is_ref = 0, f[nf].val = 1, nf++;
    tens[i] = table(&b, f, nf);
  }
  for (i = 0; i < m->nops; i++) {
    const tb_op_t *o = &m->op[i];
    fld_t f[6], of[8];
    int nf = 0;
    /* nout < 0: no outputs (CALL_ONCE, ASSIGN_VARIABLE) */
    ref_t ins = vec_i32(&b, o->in, o->nin),
          outs = o->nout > 0 ? vec_i32(&b, o->outs, o->nout) : vec_i32(&b, &o->out, o->nout < 0 ? 0 : 1);
    fld_t oc[3];
    oc[0].field = 0, oc[0].size = 1, oc[0].is_ref = 0, oc[0].val = (uint8_t)(o->code < 127 ? o->code : 127);
    oc[1].field = 3, oc[1].size = 4, oc[1].is_ref = 0, oc[1].val = (uint32_t)o->code;
    if (o->custom_code) oc[2].field = 1, oc[2].size = 4, oc[2].is_ref = 1, oc[2].val = str(&b, o->custom_code);
    codes[op_base + i] = table(&b, oc, o->custom_code ? 3 : 2);
    if (o->custom_opts)
      f[nf].field = 5, f[nf].size = 4, f[nf].is_ref = 1, f[nf].val = vec(&b, o->custom_opts, (uint32_t)o->custom_opts_len, 1), nf++;
    for (j = 0; j < o->nopt; j++) {
      uint32_t v = (uint32_t)o->opts[j].ival;
      if (o->opts[j].is_float) memcpy(&v, &o->opts[j].fval, 4);
      of[j].field = o->opts[j].field, of[j].size = o->opts[j].size, of[j].is_ref = 0, of[j].val = v;
      if (o->opts[j].sval) of[j].size = 4, of[j].is_ref = 1, of[j].val = str(&b, o->opts[j].sval);
    }
    if (o->opt_type) {
      f[nf].field = 4, f[nf].size = 4, f[nf].is_ref = 1, f[nf].val = table(&b, of, o->nopt), nf++;
      f[nf].field = 3, f[nf].size = 1, f[nf].is_ref = 0, f[nf].val = (uint8_t)o->opt_type, nf++;
    }
    f[nf].field = 0, f[nf].size = 4, f[nf].is_ref = 0, f[nf].val = (uint32_t)(op_base + i), nf++;
    f[nf].field = 1, f[nf].size = 4, f[nf].is_ref = 1, f[nf].val = ins, nf++;
    f[nf].field = 2, f[nf].size = 4, f[nf].is_ref = 1, f[nf].val = outs, nf++;
    ops[i] = table(&b, f, nf);
  }
  {
    fld_t f[4];
    ref_t tv = refvec(&b, tens, m->ntensors), ov = refvec(&b, ops, m->nops);
    ref_t iv = vec_i32(&b, m->inputs, m->nin), outv = vec_i32(&b, m->outputs, m->nout);
    f[0].field = 0, f[0].size = 4, f[0].is_ref = 1, f[0].val = tv;
    f[1].field = 1, f[1].size = 4, f[1].is_ref = 1, f[1].val = iv;
    f[2].field = 2, f[2].size = 4, f[2].is_ref = 1, f[2].val = outv;
    f[3].field = 3, f[3].size = 4, f[3].is_ref = 1, f[3].val = ov;
    return table(&b, f, 4);
  }
#undef b
}

size_t tb_write(const tb_model_t *m, uint8_t *out, size_t cap) {
  static tb_t b;
  const tb_model_t *g[6];
  ref_t bufs[193], codes[48], sg[6], root;
  int i, k, ng = 1, nb = 1, no = 0;
  b.head = CAP;
  b.err = 0;
  g[0] = m; /* then m->sub, its sub...: subgraphs 1 to 5 */
  while (ng < 6 && g[ng - 1]->sub) g[ng] = (const tb_model_t *)g[ng - 1]->sub, ng++;
  /* buffers: 0 is the empty sentinel, then one per tensor, subgraph after subgraph */
  for (k = 0; k < ng; k++)
    for (i = 0; i < g[k]->ntensors; i++) {
      fld_t f[1];
      int nf = 0;
      if (g[k]->t[i].data) {
        ref_t d = vec(&b, g[k]->t[i].data, (uint32_t)g[k]->t[i].data_len, 1);
        f[0].field = 0, f[0].size = 4, f[0].is_ref = 1, f[0].val = d, nf = 1;
      }
      bufs[nb++] = table(&b, f, nf);
    }
  bufs[0] = table(&b, NULL, 0);
  for (k = 0, nb = 1; k < ng; k++) {
    sg[k] = write_sg(&b, g[k], nb, no, codes);
    nb += g[k]->ntensors, no += g[k]->nops;
  }
  {
    fld_t f[4];
    ref_t cv = refvec(&b, codes, no), sv = refvec(&b, sg, ng), bv = refvec(&b, bufs, nb);
    f[0].field = 0, f[0].size = 4, f[0].is_ref = 0, f[0].val = 3;
    f[1].field = 1, f[1].size = 4, f[1].is_ref = 1, f[1].val = cv;
    f[2].field = 2, f[2].size = 4, f[2].is_ref = 1, f[2].val = sv;
    f[3].field = 4, f[3].size = 4, f[3].is_ref = 1, f[3].val = bv;
    root = table(&b, f, 4);
  }
  {
    /* header: root uoffset + "TFL3" */
    uint8_t *h = reserve(&b, 8, 8);
    put32(h, (uint32_t)((CAP - root) - b.head));
    memcpy(h + 4, "TFL3", 4);
  }
  if (b.err || CAP - b.head > cap) return 0;
  memcpy(out, b.buf + b.head, CAP - b.head);
  return CAP - b.head;
}

/* FlexBuffers layout (the format's spec): the key strings, the keys vector ([size] then one
 * offset per key, back to its string), the map ([keys offset, keys width, size] then one value per
 * key, then one packed type per value), and the root (offset to the map, its packed type, width). */
size_t tb_flex_map(const tb_flex_kv_t *kv, int n, uint8_t *out, size_t cap) {
  enum { INT = 1, MAP = 9, BOOL = 26, W32 = 2 };
  uint32_t kpos[16], at = 0, keys, map, i, j;
  int order[16];
  if (n > 16) return 0;
  memset(out, 0, cap); /* the alignment padding */
  for (i = 0; i < (uint32_t)n; i++) order[i] = (int)i;
  for (i = 1; i < (uint32_t)n; i++) /* insertion sort by key */
    for (j = i; j > 0 && strcmp(kv[order[j - 1]].key, kv[order[j]].key) > 0; j--) {
      int t = order[j];
      order[j] = order[j - 1], order[j - 1] = t;
    }
  for (i = 0; i < (uint32_t)n; i++) {
    size_t len = strlen(kv[order[i]].key) + 1;
    if (at + len > cap) return 0;
    kpos[i] = at;
    memcpy(out + at, kv[order[i]].key, len);
    at += (uint32_t)len;
  }
  at = (at + 3u) & ~3u;
  if (at + 4 * (uint32_t)n + 4 + 12 + 5 * (uint32_t)n + 6 > cap) return 0;
  put32(out + at, (uint32_t)n);
  keys = at + 4;
  for (i = 0; i < (uint32_t)n; i++) put32(out + keys + 4 * i, keys + 4 * i - kpos[i]);
  at = keys + 4 * (uint32_t)n;
  put32(out + at, at - keys); /* keys offset, from its own slot */
  put32(out + at + 4, 4);
  put32(out + at + 8, (uint32_t)n);
  map = at + 12;
  for (i = 0; i < (uint32_t)n; i++) {
    put32(out + map + 4 * i, (uint32_t)kv[order[i]].val);
    out[map + 4 * (uint32_t)n + i] = (uint8_t)((kv[order[i]].is_bool ? BOOL : INT) << 2 | W32);
  }
  at = map + 5 * (uint32_t)n;
  at = (at + 3u) & ~3u;
  put32(out + at, at - map);
  out[at + 4] = (uint8_t)(MAP << 2 | W32);
  out[at + 5] = 4;
  return at + 6;
}
