import { ApiException } from "@kubernetes/client-node";
import { TerminalError, TransientError } from "../errors/index.js";

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

/** The apiserver's Status body (reason, message) when the error carries one. */
function statusBody(err: unknown): { reason?: unknown; message?: unknown } | undefined {
  const body = err instanceof ApiException ? (err.body as unknown) : undefined;
  const parsed = typeof body === "string" ? safeJson(body) : body;
  return typeof parsed === "object" && parsed !== null ? parsed : undefined;
}

/** Status.reason ("AlreadyExists", "Conflict", "Expired", "Invalid", ...). */
export function statusReason(err: unknown): string | undefined {
  const r = statusBody(err)?.reason;
  return typeof r === "string" && r ? r : undefined;
}

function statusMessage(err: unknown): string | undefined {
  const m = statusBody(err)?.message;
  return typeof m === "string" && m ? m : undefined;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

export function isNotFound(err: unknown): boolean {
  return statusOf(err) === 404;
}

/**
 * A create refused because the object exists. Both are 409: AlreadyExists (a create) and Conflict (a write with a
 * stale resourceVersion, worth retrying after a fresh read). The reason tells them apart; a create whose Status
 * body was lost is still an AlreadyExists.
 */
export function isAlreadyExists(err: unknown, onCreate = false): boolean {
  if (statusOf(err) !== 409) return false;
  const reason = statusReason(err);
  return reason === "AlreadyExists" || (onCreate && reason === undefined);
}

/** Retry-After in ms (seconds form only, as the apiserver sends it). */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const headers = err.headers as Record<string, string | undefined> | undefined;
  const raw = headers?.["retry-after"] ?? headers?.["Retry-After"];
  const secs = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(secs) && secs >= 0 ? secs * 1000 : undefined;
}

const REASON_BY_STATUS: Record<number, string> = { 400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "AlreadyExists", 410: "Expired", 422: "Invalid" };

/**
 * The one mapping of apiserver failures, for every caller: a Conflict (409), throttling (429), a 5xx or a network
 * failure is a TransientError (with Retry-After); everything else (400, 401, 403, 404, AlreadyExists, 410, 422)
 * is a TerminalError whose reason is the Status reason. 401 is terminal too: a rejected credential does not get
 * better by retrying the same request (client-node re-reads rotated tokens on the next one). The message names
 * the operation and the server's own words, never the request headers (ApiException's message includes them).
 */
export function mapKubeError(err: unknown, what: string): TransientError | TerminalError {
  if (err instanceof TransientError || err instanceof TerminalError) return err;
  const status = statusOf(err);
  const detail = statusMessage(err) ?? (err instanceof ApiException ? `HTTP ${err.code}` : err instanceof Error ? networkDetail(err) : String(err));
  const message = `${what}: ${detail}`;
  const conflict = status === 409 && statusReason(err) !== "AlreadyExists";
  if (status === undefined || conflict || status === 429 || status >= 500) return new TransientError(message, retryAfterMs(err), { cause: err });
  return new TerminalError(message, statusReason(err) ?? REASON_BY_STATUS[status] ?? `Http${status}`, { cause: err });
}

function networkDetail(err: Error): string {
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return `${err.message}${code}`;
}
