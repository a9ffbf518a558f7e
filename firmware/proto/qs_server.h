/*
 * The board side of protocol v1: feeds received bytes through the frame decoder and runs each
 * command against the core interpreter (firmware/core/include/qs_interp.h).
 * Storage (model buffer, arena) comes from the port; the server itself never allocates.
 */
#ifndef QS_SERVER_H
#define QS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "qs_frame.h"
#include "qs_interp.h"

#define QS_FW_VERSION "0.1.0"

/* Out-of-order upload ranges the board remembers (8 bytes each): chunks past a gap are kept, so
 * after a lost chunk the host re-sends only what is missing (PROTOCOL.md §4). */
#ifndef QS_LOAD_RANGES
#define QS_LOAD_RANGES 64
#endif

/* Sends bytes to the host; returns 0 on success. */
typedef int (*qs_write_fn)(void *ctx, const uint8_t *buf, size_t len);

typedef struct {
  uint32_t rx_bytes, rx_frames, dropped, bad_crc, too_large;
} qs_link_stats_t;

typedef struct {
  qs_frame_rx_t rx;
  uint8_t tx[QS_MAX_ENCODED + 1];
  uint8_t body[QS_MAX_BODY]; /* reply bodies are assembled here */
  qs_write_fn write;
  void *write_ctx;

  uint8_t *model;
  size_t model_cap;
  uint8_t *arena;
  size_t arena_cap;

  /* upload (PROTOCOL.md §4) */
  uint32_t have, size, crc;
  /* chunks received beyond a gap: sorted, disjoint [start, end) ranges, all above `have` */
  uint32_t ranges[QS_LOAD_RANGES][2];
  uint8_t n_ranges;
  uint8_t state;
  uint16_t last_error;
  uint32_t raw_have; /* SET_INPUT_RAW bytes received contiguously */
  /* 1 while the free tail of the model buffer holds the inputs as the last run without
   * REUSE_INPUTS started with (PROTOCOL.md §3); any input write or upload step clears it */
  uint8_t inputs_saved;
  /* stream frames (PROTOCOL.md §8): the frame the state snapshot was taken for (valid while
   * frame_valid; any upload step or RESET clears it). The snapshot lives in the model buffer's
   * free tail at qs_state_at(), the input staging area after it (qs_stage_at()). */
  uint8_t frame_valid;
  uint32_t frame;

  qs_interp_t ip;
  qs_link_stats_t stats;
} qs_server_t;

void qs_server_init(qs_server_t *s, uint8_t *model, size_t model_cap, uint8_t *arena,
                    size_t arena_cap, qs_write_fn write, void *write_ctx);

/* Consumes received (UNTRUSTED) bytes; answers every complete frame through write. */
void qs_server_feed(qs_server_t *s, const uint8_t *data, size_t n);

/* Serves the port's serial link (qs_port_read/qs_port_write) until it closes. */
void qs_server_run(qs_server_t *s);

/* Optional port function (weak default: nothing). Called right before qs_invoke and after every
 * op's hook, i.e. never inside an op's measurement. A port whose counter is coarser than an
 * instruction re-phases it here so per-op ticks do not depend on how long the link I/O between
 * ops took (mps2-an385: SysTick restarted, making ticks identical run to run under icount). */
void qs_port_tick_sync(void);

/* ---- internal, shared by the qs_server*.c files ---- */
typedef struct {
  uint8_t cmd;
  uint16_t seq;
  const uint8_t *body;
  size_t len;
} qs_request_t;

void qs_send(qs_server_t *s, uint8_t type, uint16_t seq, const uint8_t *head, size_t head_len,
             const uint8_t *data, size_t data_len);
void qs_send_error(qs_server_t *s, uint16_t seq, qs_proto_error_t code, uint8_t cmd, int op,
                   int tensor, int core_status, const char *msg);
void qs_cmd_load(qs_server_t *s, const qs_request_t *r);
void qs_cmd_run(qs_server_t *s, const qs_request_t *r);
void qs_cmd_raw(qs_server_t *s, const qs_request_t *r); /* SET_INPUT_RAW, READ_INPUT */
void qs_send_model_info(qs_server_t *s, const qs_request_t *r);
/* Free tail of the model buffer (§3, §8): the state snapshot at qs_state_at (qs_state_bytes long,
 * 0 for a stateless model), then the saved inputs and raw samples at qs_stage_at. */
size_t qs_state_at(const qs_server_t *s);
size_t qs_stage_at(const qs_server_t *s);

#endif
