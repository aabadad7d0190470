/**
 * An error with an HTTP status. `expose` says whether `message` may be shown to the client (true for 4xx
 * by default, as in Koa); otherwise the client sees only the status title. `field` names the offending input.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  readonly expose: boolean;
  constructor(
    readonly status: number,
    message: string,
    options: { expose?: boolean; field?: string; type?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.expose = options.expose ?? status < 500;
    this.field = options.field;
    this.type = options.type;
    this.headers = options.headers ?? {};
  }
  readonly field: string | undefined;
  /** A problem+json `type` URI or short slug. */
  readonly type: string | undefined;
  readonly headers: Record<string, string>;
}
