/** A file that is not a well-formed model. `message` names the problem and where it is. */
export class ModelFormatError extends Error {
  readonly code = 'MODEL_FORMAT';

  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}
