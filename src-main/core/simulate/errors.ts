/** A model the simulator cannot run, or an input it cannot take. `message` names where and why. */
export class SimulateError extends Error {
  readonly code: string;

  constructor(message: string, code = 'SIMULATE') {
    super(message);
    this.name = 'SimulateError';
    this.code = code;
  }
}

/** An op the simulator has no kernel for (with the op and layer index in the message). */
export class UnsupportedOpError extends SimulateError {
  constructor(message: string) {
    super(message, 'UNSUPPORTED_OP');
    this.name = 'UnsupportedOpError';
  }
}
