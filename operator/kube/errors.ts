import { ApiException } from "@kubernetes/client-node";
import { TerminalError, TransientError } from "../../lib/errors/index.js";

/** The HTTP status of a failed apiserver call, or undefined for a network-level failure. */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (typeof err === "object" && err !== null) {
    const e = err as { code?: unknown; statusCode?: unknown };
    if (typeof e.statusCode === "number") return e.statusCode;
    if (typeof e.code === "number" && e.code >= 100 && e.code < 600) return e.code;
  }
  return undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/** The apiserver's Status.reason ("AlreadyExists", "Conflict", "Expired", ...) when the body carries one. */
export function statusReason(err: unknown): string | undefined {
  const body = err instanceof ApiException ? (err.body as unknown) : undefined;
  const parsed = typeof body === "string" ? safeJson(body) : body;
  if (typeof parsed === "object" && parsed !== null && "reason" in parsed && typeof parsed.reason === "string") return parsed.reason;
  return undefined;
}

function statusMessage(err: unknown): string | undefined {
  const body = err instanceof ApiException ? (err.body as unknown) : undefined;
  const parsed = typeof body === "string" ? safeJson(body) : body;
  if (typeof parsed === "object" && parsed !== null && "message" in parsed && typeof parsed.message === "string") return parsed.message;
  return undefined;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Retry-After in ms (seconds form only, as the apiserver sends it). */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const headers = err.headers as Record<string, string | undefined> | undefined;
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const secs = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(secs) && secs >= 0 ? secs * 1000 : undefined;
}

/**
 * One mapping for every apiserver call: 409/429/5xx/network -> TransientError (retryAfterMs from
 * Retry-After), everything else -> TerminalError. The message names the operation and the server's
 * own message, never the request headers (ApiException's own message includes them).
 */
export function mapKubeError(err: unknown, what: string): TransientError | TerminalError {
  if (err instanceof TransientError || err instanceof TerminalError) return err;
  const status = statusOf(err);
  const detail = statusMessage(err) ?? (err instanceof ApiException ? `HTTP ${err.code}` : err instanceof Error ? networkDetail(err) : String(err));
  const message = `${what}: ${detail}`;
  if (status === undefined || status === 409 || status === 429 || status >= 500) {
    return new TransientError(message, retryAfterMs(err), { cause: err });
  }
  const reason = statusReason(err) ?? (status === 403 ? "Forbidden" : status === 422 ? "Invalid" : status === 400 ? "BadRequest" : `Http${status}`);
  return new TerminalError(message, reason, { cause: err });
}

function networkDetail(err: Error): string {
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return `${err.message}${code}`;
}
