/*
 * Stream state API (qs_state_bytes / qs_state_save / qs_state_restore): what a board snapshots
 * before a stream frame and puts back when the same frame is asked again (PROTOCOL.md §8).
 * Model: out = ADD(in, var), int8 scale 0.5, var a variable tensor with zero point 5.
 */
#include <stdio.h>
#include <string.h>

#include "../core/src/internal.h"
#include "qs_interp.h"
#include "tfl_build.h"

static int failures = 0;
#define CHECK(cond, ...)                          \
  do {                                            \
    if (!(cond)) {                                \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);                        \
      printf("\n");                               \
      failures++;                                 \
    }                                             \
  } while (0)

static uint8_t g_model[1 << 14], g_arena[1 << 16];

static size_t add_model(int variable) {
  tb_model_t m;
  int i;
  memset(&m, 0, sizeof(m));
  m.ntensors = 3;
  for (i = 0; i < 3; i++) {
    m.t[i].ndims = 2, m.t[i].dims[0] = 1, m.t[i].dims[1] = 4, m.t[i].type = 9;
    m.t[i].nscales = 1, m.t[i].scales[0] = 0.5f;
  }
  m.t[1].zps[0] = 5, m.t[1].is_variable = variable;
  m.nops = 1;
  m.op[0].code = 0, m.op[0].nin = 2, m.op[0].in[0] = 0, m.op[0].in[1] = 1, m.op[0].out = 2;
  m.nin = m.nout = 1, m.inputs[0] = 0, m.outputs[0] = 2;
  if (!variable) { /* a stateless twin: the second ADD input is a graph input */
    m.nin = 2, m.inputs[1] = 1;
  }
  return tb_write(&m, g_model, sizeof(g_model));
}

/* Rule: the state bytes are exactly the variable tensors' bytes; save copies them out, restore puts
 * them back so the next invocation sees the snapshot, not what later runs left. */
static void test_save_restore(void) {
  qs_interp_t ip;
  uint8_t snap[8], big[16];
  size_t len = add_model(1), i;
  CHECK(qs_load(&ip, g_model, len, g_arena, sizeof(g_arena)) == QS_OK, "load: %s", ip.err.msg);
  if (!ip.m) return;
  CHECK(qs_state_bytes(&ip) == 4, "state bytes %zu, want 4 (one int8 [1,4] variable)", qs_state_bytes(&ip));
  CHECK(qs_state_save(&ip, snap, sizeof snap) == QS_OK, "save");
  for (i = 0; i < 4; i++) CHECK((int8_t)snap[i] == 5, "snapshot byte %zu = %d, want the zero point 5", i, (int8_t)snap[i]);
  memset(qs_tdata(ip.m, 1), 9, 4); /* what a stateful op would leave after a frame */
  memset(qs_input_data(&ip, 0), 0, 4);
  CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "invoke");
  CHECK((int8_t)qs_output_data(&ip, 0)[0] == 4, "advanced state: out %d, want (9-5) steps of 0.5 = 2.0 = 4", (int8_t)qs_output_data(&ip, 0)[0]);
  CHECK(qs_state_restore(&ip, snap, 4) == QS_OK, "restore");
  memset(qs_input_data(&ip, 0), 0, 4);
  CHECK(qs_invoke(&ip, NULL, NULL) == QS_OK, "invoke after restore");
  CHECK((int8_t)qs_output_data(&ip, 0)[0] == 0, "restored state: out %d, want 0", (int8_t)qs_output_data(&ip, 0)[0]);
  /* Rule: a buffer that cannot hold the state, or a snapshot of another size, is refused (no partial copy). */
  CHECK(qs_state_save(&ip, big, 3) == QS_ERR_ARG, "save into 3 bytes must fail");
  memset(big, 1, sizeof big);
  CHECK(qs_state_restore(&ip, big, 5) == QS_ERR_ARG, "restore of 5 bytes must fail");
  CHECK((int8_t)qs_tdata(ip.m, 1)[0] == 5, "a refused restore left the state unchanged");
  CHECK(qs_state_save(&ip, NULL, 8) == QS_ERR_ARG, "save to NULL must fail");
}

/* Rule: a stateless model has 0 state bytes, and saving/restoring nothing succeeds; before a load
 * the calls say no model is loaded. */
static void test_stateless_and_unloaded(void) {
  qs_interp_t ip;
  uint8_t b[1];
  size_t len = add_model(0);
  memset(&ip, 0, sizeof ip);
  CHECK(qs_state_bytes(&ip) == 0, "unloaded: 0 bytes");
  CHECK(qs_state_save(&ip, b, 1) == QS_ERR_STATE, "unloaded save: QS_ERR_STATE");
  CHECK(qs_state_restore(&ip, b, 0) == QS_ERR_STATE, "unloaded restore: QS_ERR_STATE");
  CHECK(qs_load(&ip, g_model, len, g_arena, sizeof(g_arena)) == QS_OK, "stateless load: %s", ip.err.msg);
  CHECK(qs_state_bytes(&ip) == 0, "stateless: %zu state bytes, want 0", qs_state_bytes(&ip));
  CHECK(qs_state_save(&ip, b, 0) == QS_OK, "stateless save of nothing");
  CHECK(qs_state_restore(&ip, b, 0) == QS_OK, "stateless restore of nothing");
}

int main(void) {
  test_save_restore();
  test_stateless_and_unloaded();
  if (failures) {
    printf("test_stream: %d failure(s)\n", failures);
    return 1;
  }
  printf("test_stream: ok\n");
  return 0;
}
