/*
 * Models TFLite Micro itself cannot run, refused with the reason instead of a generic message.
 *
 * The rule of this core is "what TFLite Micro's reference kernels run, we run, bit-exact": a
 * model TFLM refuses is refused here too, with TFLM's reason and what to do about it. TFLM
 * fails in three phases, and the checks below keep its order, so the first failure named is
 * the one TFLM would report:
 *   1. resolving every op's registration (AllocateTensors): custom ops it has no kernel for —
 *      vendor-compiled graphs (Vela's `ethos-u`, the Coral compiler's `edgetpu-custom-op`) and
 *      other custom ops, and the recurrent builtins TFLM has no kernel for (LSTM, RNN and the
 *      bidirectional ones) (qs_refuse_unknown_op, called by the parser). A builtin op this core
 *      lacks, or a custom op TFLM registers (TFLite_Detection_PostProcess, the signal ops), is
 *      not refused here but when qs_prepare_op reaches it, after checks 2 and 3: TFLM has it, so
 *      TFLM's own refusal of the model, if any, comes first;
 *   2. each op's Prepare, in op order: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
 *      TRANSPOSE_CONV on uint8 tensors (TFLite's legacy uint8 scheme: TFLM dropped those kernels
 *      and says "Hybrid models are not supported") or on float32 activations with integer weights
 *      (hybrid models); CONCATENATION of uint8 (concatenation.cc's type check);
 *   3. each op's Eval, in op order: CAST, SPLIT, SPLIT_V, PACK and UNPACK have no uint8 case
 *      (cast.cc: "Input type UINT8 (3) not supported.").
 * Checks 2 and 3 run before the kernels' own prepare (qs_tflm_gaps), so the verdict does not
 * depend on whether this core has the op or how its prepare words a dtype refusal. Their status
 * is QS_ERR_TYPE (a tensor type the op does not take); unknown custom ops are QS_ERR_UNSUPPORTED.
 */
#include <string.h>

#include "internal.h"

/* TFLite BuiltinOperator codes, named here so this file does not depend on which ops the core has. */
enum {
  GAP_CUSTOM = 32, GAP_CAST = 53, GAP_SPLIT = 49, GAP_SPLIT_V = 102, GAP_PACK = 83, GAP_UNPACK = 88,
  GAP_TRANSPOSE_CONV = 67
};
enum { OC_CUSTOM_CODE = 1 };

/* Recurrent builtins TFLite Micro registers no kernel for (micro_mutable_op_resolver.h at 90b983c2 has
 * UNIDIRECTIONAL_SEQUENCE_LSTM and SVDF only): AllocateTensors fails on them before any Prepare. */
static const struct {
  int32_t code;
  const char *msg;
} k_tflm_lacks[] = {
    {16, "LSTM (the single-step op): TFLite Micro has no kernel for it (it registers UNIDIRECTIONAL_SEQUENCE_LSTM "
         "only) \xe2\x80\x94 convert the layer as a sequence LSTM (the TFLite converter's default for Keras LSTM)"},
    {52, "BIDIRECTIONAL_SEQUENCE_LSTM: TFLite Micro has no kernel for it (only UNIDIRECTIONAL_SEQUENCE_LSTM) "
         "\xe2\x80\x94 build the model from two unidirectional LSTMs, one over the reversed sequence"},
    {24, "RNN: TFLite Micro has no RNN kernels \xe2\x80\x94 use an LSTM (UNIDIRECTIONAL_SEQUENCE_LSTM) or SVDF"},
    {35, "UNIDIRECTIONAL_SEQUENCE_RNN: TFLite Micro has no RNN kernels \xe2\x80\x94 use an LSTM "
         "(UNIDIRECTIONAL_SEQUENCE_LSTM) or SVDF"},
    {46, "BIDIRECTIONAL_SEQUENCE_RNN: TFLite Micro has no RNN kernels \xe2\x80\x94 use unidirectional LSTMs"},
};

static int custom_is(const fb_t *fb, fb_vec_t name, const char *want) {
  size_t n = strlen(want);
  return name.n == n && memcmp(fb->buf + name.pos, want, n) == 0;
}

/* The custom ops TFLite Micro registers (micro_mutable_op_resolver.h AddCustom at 90b983c2): a
 * model using one that this core lacks is not a model TFLM refuses. */
static const char *const k_tflm_custom[] = {
    "TFLite_Detection_PostProcess", "CIRCULAR_BUFFER", "TFLM_DECODE", "SignalDelay", "SignalEnergy",
    "SignalFftAutoScale", "SignalFilterBank", "SignalFilterBankLog", "SignalFilterBankSquareRoot",
    "SignalFramer", "SignalIrfft", "SignalOverlapAdd", "SignalPCAN", "SignalRfft", "SignalStacker",
    "SignalWindow"};

qs_status_t qs_refuse_unknown_op(qs_model_t *m, int oi, const fb_table_t *opcode, int32_t code) {
  fb_t *fb = &m->fb;
  fb_vec_t name;
  size_t i;
  for (i = 0; i < sizeof(k_tflm_lacks) / sizeof(k_tflm_lacks[0]); i++)
    if (code == k_tflm_lacks[i].code) return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1, k_tflm_lacks[i].msg);
  if (code != GAP_CUSTOM) return QS_OK; /* another builtin: qs_prepare_op refuses it in op order */
  name = fb_vector(fb, opcode, OC_CUSTOM_CODE, 1);
  if (fb->err) return qs_fail(m, QS_ERR_FORMAT, oi, -1, "custom operator name out of bounds");
  for (i = 0; i < sizeof(k_tflm_custom) / sizeof(k_tflm_custom[0]); i++)
    if (custom_is(fb, name, k_tflm_custom[i])) return QS_OK; /* TFLM has it: refused in op order */
  if (custom_is(fb, name, "ethos-u"))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1,
                   "compiled by Vela for an Arm Ethos-U NPU \xe2\x80\x94 open the model from before Vela "
                   "(TFLite Micro runs the ethos-u op only on an Ethos-U)");
  if (custom_is(fb, name, "edgetpu-custom-op"))
    return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1,
                   "compiled for a Coral Edge TPU \xe2\x80\x94 open the CPU model (the one without _edgetpu)");
  return qs_fail(m, QS_ERR_UNSUPPORTED, oi, -1,
                 "custom op that TFLite Micro does not have (it registers no kernel of that name)");
}

/* Tensor index of input i of op, or -1; its dtype in *dt. */
static int input_dtype(qs_model_t *m, const qs_op_t *op, int i, uint8_t *dt, qs_status_t *s) {
  qs_tensor_t t;
  if (i >= op->n_in || op->in[i] < 0) return -1;
  if ((*s = qs_get_tensor(m, op->in[i], &t)) != QS_OK) return -1;
  *dt = t.dtype;
  return op->in[i];
}

/* Phase 2: Prepare-time refusals. */
static qs_status_t prepare_gap(qs_model_t *m, int oi, const qs_op_t *op) {
  qs_status_t s = QS_OK;
  uint8_t in_dt = 0, w_dt = 0;
  int in_i = 0, ti, wi;
  switch (op->code) {
    case OP_CONV_2D: case OP_DEPTHWISE_CONV_2D: case OP_FULLY_CONNECTED: break;
    case GAP_TRANSPOSE_CONV: in_i = 2; break; /* inputs: output shape, weights, input, bias */
    case OP_CONCATENATION:
      ti = input_dtype(m, op, 0, &in_dt, &s);
      if (s != QS_OK) return s;
      if (ti >= 0 && in_dt == QS_DT_UINT8)
        return qs_fail(m, QS_ERR_TYPE, oi, ti,
                       "uint8 CONCATENATION: TFLite Micro concatenates float32, int8, int16, int32, int64 "
                       "and bool only (concatenation.cc) \xe2\x80\x94 quantize the model to int8");
      return QS_OK;
    default: return QS_OK;
  }
  ti = input_dtype(m, op, in_i, &in_dt, &s);
  if (s == QS_OK) wi = input_dtype(m, op, 1, &w_dt, &s);
  else wi = -1;
  if (s != QS_OK || ti < 0 || wi < 0) return s; /* missing inputs: the kernel's prepare names them */
  if (in_dt == QS_DT_UINT8 || w_dt == QS_DT_UINT8)
    return qs_fail(m, QS_ERR_TYPE, oi, in_dt == QS_DT_UINT8 ? ti : wi,
                   "uint8-quantized model (TFLite's legacy scheme): TFLite Micro dropped its uint8 kernels "
                   "(it reports 'Hybrid models are not supported') \xe2\x80\x94 quantize the float model to int8");
  if (in_dt == QS_DT_FLOAT32 && (w_dt == QS_DT_INT8 || w_dt == QS_DT_INT16))
    return qs_fail(m, QS_ERR_TYPE, oi, wi,
                   "hybrid model (int8 weights, float32 activations): TFLite Micro does not run hybrid "
                   "models \xe2\x80\x94 quantize the activations too (full-integer int8) or keep float32 weights");
  return QS_OK;
}

/* Phase 3: Eval-time refusals (TFLM prepares these ops, then fails when they run). */
static qs_status_t eval_gap(qs_model_t *m, int oi, const qs_op_t *op) {
  qs_status_t s = QS_OK;
  uint8_t dt = 0;
  int ti;
  const char *msg;
  switch (op->code) {
    case GAP_CAST:
      msg = "Input type UINT8 not supported (TFLite Micro's CAST converts from int8, int16, int32, uint32, "
            "float32 and bool only)";
      break;
    case GAP_SPLIT: case GAP_SPLIT_V:
      msg = "uint8 input not supported (TFLite Micro splits float32, int8, int16 and int32 only)";
      break;
    case GAP_PACK: msg = "uint8 input not supported (TFLite Micro packs float32, int8, int16, int32 and int64 only)"; break;
    case GAP_UNPACK: msg = "uint8 input not supported (TFLite Micro unpacks float32, int8, int16 and int32 only)"; break;
    default: return QS_OK;
  }
  /* SPLIT's inputs are (axis, input); the others take the data as input 0 */
  ti = input_dtype(m, op, op->code == GAP_SPLIT ? 1 : 0, &dt, &s);
  if (s != QS_OK) return s;
  if (ti >= 0 && dt == QS_DT_UINT8) return qs_fail(m, QS_ERR_TYPE, oi, ti, msg);
  return QS_OK;
}

qs_status_t qs_tflm_gaps(qs_model_t *m) {
  qs_status_t s;
  uint32_t i;
  for (i = 0; i < m->n_ops; i++)
    if ((s = prepare_gap(m, (int)i, &m->ops[i])) != QS_OK) return s;
  for (i = 0; i < m->n_ops; i++)
    if ((s = eval_gap(m, (int)i, &m->ops[i])) != QS_OK) return s;
  return QS_OK;
}
