/** A model the simulator cannot run, or an input it cannot take. `message` names where and why. */
export class SimulateError extends Error {
  readonly code: string;
  /** Where the interpreter core refused the model (operator / tensor index, -1 when not named). */
  readonly where?: { op: number; tensor: number };

  constructor(message: string, code = 'SIMULATE', where?: { op: number; tensor: number }) {
    super(message);
    this.name = 'SimulateError';
    this.code = code;
    if (where) this.where = where;
  }
}

/** An op the simulator has no kernel for (with the op and layer index in the message). */
export class UnsupportedOpError extends SimulateError {
  constructor(message: string, where?: { op: number; tensor: number }) {
    super(message, 'UNSUPPORTED_OP', where);
    this.name = 'UnsupportedOpError';
  }
}
