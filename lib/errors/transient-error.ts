/**
 * A failure expected to pass (throttling, a server restarting, a conflict). The runner retries with backoff,
 * after `retryAfterMs` when the cause said how long to wait.
 */
export class TransientError extends Error {
  override readonly name = "TransientError";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
