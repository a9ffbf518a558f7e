/*
 * The core built with QS_WITH_SIGNAL=0 (a Cortex-M image without TFLite Micro's signal library:
 * `make <board> QS_NO_SIGNAL=1`): a model using a signal op is refused naming the build, the
 * registry declares the signal ops' families as not built (a board's HELLO), other models still run.
 * Built only with -DQS_WITH_SIGNAL=0 (Makefile core-nosignal).
 */
#include "kernel_harness.h"

#if !defined(QS_WITH_SIGNAL) || QS_WITH_SIGNAL
#error "test_nosignal is built with -DQS_WITH_SIGNAL=0"
#endif

enum { I16 = 7, CUSTOM = 32, OP_ADD = 0, OPT_ADD = 11 };
static const int32_t k_d[2] = {2, 4};
static uint8_t g_opts[128];

int main(void) {
  static const tb_flex_kv_t kv[] = {{"delay_length", 2, 0}};
  tb_model_t m;
  qs_interp_t ip;
  qs_op_entry_info_t e;
  qs_status_t s;
  size_t i, len;
  int sig = 0;
  (void)run, (void)opt;
  /* SignalDelay over int16 [2, 4] (test_signal.c runs the same model in the full build) */
  memset(&m, 0, sizeof(m));
  m.ntensors = 2;
  m.t[0] = q8(2, k_d, 1.0f, 0, NULL, 0), m.t[0].type = I16, m.t[0].nscales = 0;
  m.t[1] = m.t[0];
  m.nops = 1, m.nin = 1, m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
  m.op[0].code = CUSTOM, m.op[0].custom_code = "SignalDelay", m.op[0].nin = 1, m.op[0].in[0] = 0, m.op[0].out = 1;
  m.op[0].custom_opts = g_opts, m.op[0].custom_opts_len = tb_flex_map(kv, 1, g_opts, sizeof(g_opts));
  len = tb_write(&m, g_model, sizeof(g_model));
  s = qs_load(&ip, g_model, len, g_arena, sizeof(g_arena));
  /* rule: without the signal library the op is refused at its layer, naming the build option */
  CHECK(s == QS_ERR_UNSUPPORTED && ip.err.op == 0 && strstr(ip.err.msg, "built without the signal ops") &&
            strstr(ip.err.msg, "QS_WITH_SIGNAL=0"),
        "SignalDelay refused naming the build: %s", ip.err.msg);
  /* rule: the registry keeps the 14 signal ops with every family in the high nibble (declared, not
   * built), so a board's HELLO tells the host what it lacks */
  for (i = 0; qs_registry_entry(i, &e); i++)
    if (strncmp(e.name, "Signal", 6) == 0) {
      sig++;
      CHECK(e.dtypes != 0 && (e.dtypes & 0x0F) == 0, "%s dtypes 0x%02x: declared, not built", e.name, e.dtypes);
    }
  CHECK(sig == 14, "%d signal ops in the registry, want 14", sig);
  /* rule: other ops are untouched: an int8 ADD loads and runs (x + x at scale 1) */
  {
    static const int8_t x[8] = {1, -2, 3, -4, 50, 60, 70, -128};
    int8_t want[8];
    const int8_t *got;
    memset(&m, 0, sizeof(m));
    m.ntensors = 2;
    m.t[0] = q8(2, k_d, 1.0f, 0, NULL, 0), m.t[1] = m.t[0];
    m.nops = 1, m.nin = 1, m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 1;
    m.op[0].code = OP_ADD, m.op[0].opt_type = OPT_ADD, m.op[0].nin = 2, m.op[0].out = 1;
    len = tb_write(&m, g_model, sizeof(g_model));
    CHECK(qs_load(&ip, g_model, len, g_arena, sizeof(g_arena)) == QS_OK, "ADD loads: %s", ip.err.msg);
    memcpy(qs_input_data(&ip, 0), x, 8);
    CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "ADD runs");
    got = (const int8_t *)qs_output_data(&ip, 0);
    for (i = 0; i < 8; i++) want[i] = (int8_t)(2 * x[i] < -128 ? -128 : 2 * x[i] > 127 ? 127 : 2 * x[i]);
    expect8("ADD", got, want, 8);
  }
  printf("nosignal: %s (%d failures)\n", failures ? "FAIL" : "ok", failures);
  return failures ? 1 : 0;
}
