/** Protocol error codes (firmware/PROTOCOL.md §5) plus host-side link failures. */

/** Codes a board sends in an ERROR frame; the numbers are the wire values. */
export const BOARD_ERROR_CODES = {
  BAD_FRAME: 1,
  BAD_CRC: 2,
  BAD_VERSION: 3,
  TOO_LARGE: 4,
  UNKNOWN_CMD: 5,
  BAD_LENGTH: 6,
  BAD_STATE: 7,
  BAD_OFFSET: 8,
  CHUNK_CRC: 9,
  MODEL_CRC: 10,
  MODEL_INVALID: 11,
  INVOKE_FAILED: 12,
  BAD_ARG: 13,
  UNSUPPORTED: 14,
  NO_PARAMS: 15,
  NORMALIZE_FAILED: 16,
} as const;

export type BoardErrorCode = keyof typeof BOARD_ERROR_CODES;

/** Failures detected on the host side of the link. */
export type LinkErrorCode =
  | 'TIMEOUT' // no reply in time (after retries)
  | 'DISCONNECTED' // port closed, unplugged
  | 'BOARD_RESET' // the board forgot state mid-transfer (e.g. upload restarted from 0)
  | 'ABORTED' // cancelled through an AbortSignal
  | 'BAD_REPLY' // a reply whose body does not match its type
  | 'NOT_A_BOARD' // handshake failed
  | 'LACKS_OPS' // the board's build lacks ops (or dtype families of ops) of the model: found before uploading
  | 'UNKNOWN_BOARD_ERROR';

export type ProtocolErrorCode = BoardErrorCode | LinkErrorCode;

export interface BoardErrorDetail {
  cmd: number;
  op: number;
  tensor: number;
  coreStatus: number;
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly detail?: BoardErrorDetail,
  ) {
    super(message);
  }
}

export function boardErrorName(code: number): ProtocolErrorCode {
  for (const [name, value] of Object.entries(BOARD_ERROR_CODES))
    if (value === code) return name as BoardErrorCode;
  return 'UNKNOWN_BOARD_ERROR';
}
