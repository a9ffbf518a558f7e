/*
 * QuantScope board protocol v1: constants shared by the framing code and the dispatcher.
 * The normative description is firmware/PROTOCOL.md; src-main/core/protocol/ mirrors it.
 */
#ifndef QS_PROTO_H
#define QS_PROTO_H

#include <stdint.h>

#define QS_PROTO_VERSION 1

#ifndef QS_MAX_BODY
#define QS_MAX_BODY 4128u
#endif
#define QS_FRAME_HEADER 4u /* ver, type, seq:u16 */
#define QS_FRAME_CRC 4u
#define QS_MAX_RAW (QS_FRAME_HEADER + QS_MAX_BODY + QS_FRAME_CRC)
/* COBS adds one byte per started 254-byte block, plus the leading code byte. */
#define QS_MAX_ENCODED (QS_MAX_RAW + QS_MAX_RAW / 254u + 1u)
#define QS_SEQ_UNKNOWN 0xFFFFu

enum qs_cmd {
  QS_CMD_HELLO = 0x01,
  QS_CMD_LOAD_BEGIN = 0x02,
  QS_CMD_LOAD_CHUNK = 0x03,
  QS_CMD_LOAD_STATUS = 0x04,
  QS_CMD_LOAD_COMMIT = 0x05,
  QS_CMD_SET_INPUT = 0x06,
  QS_CMD_INVOKE = 0x07,
  QS_CMD_READ_TICKS = 0x08,
  QS_CMD_READ_OUTPUT = 0x09,
  QS_CMD_ARENA_STATS = 0x0A,
  QS_CMD_RESET = 0x0B,
  QS_CMD_SET_INPUT_RAW = 0x0C,
  QS_CMD_ECHO = 0x0D,
  QS_CMD_LINK_STATS = 0x0E,
  QS_CMD_READ_INPUT = 0x0F
};

#define QS_REPLY(cmd) ((uint8_t)((cmd) | 0x80u))
#define QS_MSG_OP_OUTPUT 0x90u
#define QS_MSG_ERROR 0xFFu

#define QS_CHUNK_ACK 0x01u
#define QS_CHUNK_RANGES 0x02u /* the ACK reply lists the ranges held beyond `have` (§4) */
#define QS_INVOKE_STREAM 0x01u
/* INVOKE, extended form only (§3): restore the inputs saved at the last plain run first */
#define QS_INVOKE_REUSE_INPUTS 0x02u
/* INVOKE, extended form only (§3): bits 2-3 = extra copies of every OP_OUTPUT piece (0..3) */
#define QS_INVOKE_COPIES_SHIFT 2u
/* INVOKE, extended form only (§8): the body ends with frame:u32, the stream frame this run is; the
 * board keeps the model's state across frames and re-runs a repeated frame from the same state */
#define QS_INVOKE_FRAME 0x10u
/* INVOKE with QS_INVOKE_FRAME (§8): a new frame starts from the reset state (TFLM's Reset) */
#define QS_INVOKE_RESET_STATE 0x20u
/* INVOKE (§3, any form; boards with QS_FEATURE_ALL_OUTPUTS): stream every output of an op as one
 * concatenated byte range (older boards ignore the bit and stream the first output only) */
#define QS_INVOKE_ALL_OUTPUTS 0x40u
/* HELLO `features` bits (§3) */
#define QS_FEATURE_STREAM_STATE 0x01u
#define QS_FEATURE_ALL_OUTPUTS 0x02u

enum qs_load_state { QS_LOAD_IDLE = 0, QS_LOAD_RECEIVING = 1, QS_LOAD_LOADED = 2 };

typedef enum {
  QS_E_NONE = 0,
  QS_E_BAD_FRAME = 1,
  QS_E_BAD_CRC = 2,
  QS_E_BAD_VERSION = 3,
  QS_E_TOO_LARGE = 4,
  QS_E_UNKNOWN_CMD = 5,
  QS_E_BAD_LENGTH = 6,
  QS_E_BAD_STATE = 7,
  QS_E_BAD_OFFSET = 8,
  QS_E_CHUNK_CRC = 9,
  QS_E_MODEL_CRC = 10,
  QS_E_MODEL_INVALID = 11,
  QS_E_INVOKE_FAILED = 12,
  QS_E_BAD_ARG = 13,
  QS_E_UNSUPPORTED = 14,
  QS_E_NO_PARAMS = 15,        /* raw input, but the model has no samplewise_norm parameters */
  QS_E_NORMALIZE_FAILED = 16  /* bad parameters or raw samples (msg says which) */
} qs_proto_error_t;

#endif
