export class EmbeddedDatabaseError extends Error {
  constructor(
    readonly code: 'NO_DATABASE_AVAILABLE' | 'DATABASE_START_FAILED' | 'DATABASE_BUILD_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddedDatabaseError';
  }
}
