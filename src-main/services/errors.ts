/**
 * Typed service errors and their conversion to the contract's `ApiError`.
 * Services throw `ServiceError`; the hosts (IPC, WebSocket) turn anything thrown into an ApiError.
 */
import type { ApiError, ErrorCode } from '../shared/api.ts';

export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly detail: unknown;
  constructor(code: ErrorCode, message: string, detail?: unknown) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.detail = detail;
  }
}

const NODE_FS_CODES: Record<string, ErrorCode> = {
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'NOT_FOUND',
  EISDIR: 'BAD_ARGUMENT',
  EACCES: 'IO',
  EPERM: 'IO',
};

/** Any thrown value → ApiError. Unknown errors become INTERNAL with their message kept. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ServiceError) {
    return e.detail === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, detail: e.detail };
  }
  if (e instanceof Error) {
    const sys = (e as NodeJS.ErrnoException).code;
    if (sys && NODE_FS_CODES[sys]) return { code: NODE_FS_CODES[sys], message: e.message };
    return { code: 'INTERNAL', message: e.message || String(e) };
  }
  return { code: 'INTERNAL', message: String(e) };
}
