/**
 * A failure that retrying cannot fix (bad input, a forbidden transition). The runner records it and stops;
 * it never requeues. Mirrors controller-runtime's TerminalError.
 */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
  constructor(
    message: string,
    /** A CamelCase machine-readable reason, as Kubernetes conditions use. */
    readonly reason: string = "Terminal",
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
