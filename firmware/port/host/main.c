/*
 * qs-board: the virtual board.
 *   qs-board            protocol over stdin/stdout
 *   qs-board --port P   protocol over the tty at path P (e.g. one end of a socat pty pair)
 *   qs-board --pty      creates a pseudo-terminal, prints "PTY <path>" on stdout, serves on it
 * Options: --model-cap BYTES, --arena BYTES (defaults 8 MiB each).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "port_host.h"
#include "qs_port.h"
#include "qs_server.h"

static qs_server_t g_server;

static void make_raw(int fd) {
  struct termios t;
  if (tcgetattr(fd, &t) != 0) return;
  cfmakeraw(&t);
  tcsetattr(fd, TCSANOW, &t);
}

static int open_pty(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) return -1;
  const char *name = ptsname(master);
  if (!name) return -1;
  /* Keep one slave descriptor open for our whole life: the master then never reads EIO when
   * the app closes and reopens the port, exactly like a board that stays powered. */
  int slave = open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) return -1;
  make_raw(slave);
  printf("PTY %s\n", name);
  fflush(stdout);
  return master;
}

int main(int argc, char **argv) {
  size_t model_cap = 8u << 20, arena_cap = 8u << 20;
  int fd = -1;
  signal(SIGPIPE, SIG_IGN);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--pty")) {
      fd = open_pty();
      if (fd < 0) { perror("qs-board: cannot create a pty"); return 2; }
    } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
      fd = open(argv[++i], O_RDWR | O_NOCTTY);
      if (fd < 0) { perror("qs-board: cannot open port"); return 2; }
      make_raw(fd);
    } else if (!strcmp(argv[i], "--model-cap") && i + 1 < argc) {
      model_cap = strtoul(argv[++i], 0, 0);
    } else if (!strcmp(argv[i], "--arena") && i + 1 < argc) {
      arena_cap = strtoul(argv[++i], 0, 0);
    } else {
      fprintf(stderr, "usage: qs-board [--pty | --port PATH] [--model-cap N] [--arena N]\n");
      return 2;
    }
  }
  if (fd >= 0) qs_port_host_set_fds(fd, fd);
  uint8_t *model = malloc(model_cap), *arena = malloc(arena_cap); /* host port only */
  if (!model || !arena) { fprintf(stderr, "qs-board: out of memory\n"); return 2; }
  qs_port_init();
  qs_server_init(&g_server, model, model_cap, arena, arena_cap, 0, 0);
  qs_server_run(&g_server);
  return 0;
}
