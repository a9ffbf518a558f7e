/*
 * Port for the virtual board: the firmware built natively, speaking the protocol over stdio, a
 * tty path, or a pseudo-terminal it creates itself (so the app opens it like a real board).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "port_host.h"
#include "qs_port.h"

static int g_in = 0, g_out = 1;

void qs_port_host_set_fds(int in_fd, int out_fd) {
  g_in = in_fd;
  g_out = out_fd;
}

static const qs_port_info_t k_info = {"QuantScope virtual board", "host", 0, "CLOCK_MONOTONIC"};

void qs_port_init(void) {}
const qs_port_info_t *qs_port_info(void) { return &k_info; }

/* Nanoseconds of CLOCK_MONOTONIC, wrapping modulo 2^32 (differences stay right for ops < 4.29 s). */
uint32_t qs_port_ticks(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}
uint32_t qs_port_tick_hz(void) { return 1000000000u; }

void qs_port_log(const char *msg) { fprintf(stderr, "[board] %s\n", msg); }

size_t qs_port_read(uint8_t *buf, size_t max) {
  for (;;) {
    ssize_t n = read(g_in, buf, max);
    if (n > 0) return (size_t)n;
    if (n < 0 && errno == EINTR) continue;
    return 0; /* EOF or error: the link is closed */
  }
}

int qs_port_write(const uint8_t *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(g_out, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}
