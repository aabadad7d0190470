import { TerminalError, TransientError } from "../../../lib/errors/index.js";

const TRANSIENT_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServerException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "InternalFailure",
  "LimitExceededException",
  "PlatformTaskDefinitionIncompatibilityException",
  "TimeoutError",
]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_SOCKET"]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Maps an ECS SDK failure onto the project's two error classes. Throttling, 5xx, capacity and network errors
 * are transient (the job keeps its place and is retried with backoff); anything else is a configuration or
 * request problem that retrying cannot fix.
 */
export function mapEcsError(err: unknown, what: string): Error {
  if (err instanceof TransientError || err instanceof TerminalError) return err;
  const e = (err ?? {}) as AwsLikeError;
  const status = e.$metadata?.httpStatusCode;
  const msg = `${what}: ${e.name ?? "Error"}: ${e.message ?? String(err)}`;
  if (
    (e.name && TRANSIENT_NAMES.has(e.name)) ||
    (e.code && NETWORK_CODES.has(e.code)) ||
    e.$retryable !== undefined ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (status === undefined && !e.name?.endsWith("Exception"))
  ) {
    return new TransientError(msg, undefined, { cause: err });
  }
  return new TerminalError(msg, "EcsRequestRejected", { cause: err });
}

/** RunTask `failures` reasons that mean "no capacity right now" rather than a broken request. */
export function isCapacityFailure(reason: string | undefined): boolean {
  if (!reason) return true;
  return /capacity|RESOURCE:|AGENT|throttl|unavailable|ATTRIBUTE/i.test(reason);
}
