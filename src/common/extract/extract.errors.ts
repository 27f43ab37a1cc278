/** The extract is unusable as a whole (as opposed to a per-line reject). */
export class ExtractFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractFormatError';
  }
}
