/* Minimal port for the host core tests: a monotonic microsecond clock, no serial link. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>

#include "qs_port.h"

static const qs_port_info_t k_info = {"core-test", "host", 0, "CLOCK_MONOTONIC"};

void qs_port_init(void) {}
const qs_port_info_t *qs_port_info(void) { return &k_info; }
uint32_t qs_port_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}
uint32_t qs_port_tick_hz(void) { return 1000000u; }
void qs_port_log(const char *msg) { fprintf(stderr, "%s\n", msg); }
size_t qs_port_read(uint8_t *buf, size_t max) {
  (void)buf;
  (void)max;
  return 0;
}
int qs_port_write(const uint8_t *buf, size_t len) {
  (void)buf;
  (void)len;
  return -1;
}
