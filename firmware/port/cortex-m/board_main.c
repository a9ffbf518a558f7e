/*
 * main() for the Arm ports: static model buffer and arena sized by the port's Makefile flags
 * (QS_MODEL_CAP, QS_ARENA_CAP), then serve the protocol forever.
 */
#include <stdint.h>

#include "qs_port.h"
#include "qs_server.h"

static uint8_t g_model[QS_MODEL_CAP] __attribute__((aligned(16)));
static uint8_t g_arena[QS_ARENA_CAP] __attribute__((aligned(16)));
static qs_server_t g_server;

int main(void) {
  qs_port_init();
  qs_server_init(&g_server, g_model, sizeof g_model, g_arena, sizeof g_arena, 0, 0);
  for (;;) qs_server_run(&g_server);
}
