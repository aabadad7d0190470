import { STATUS_CODES } from "node:http";
import type { Context, Next } from "koa";
import { HttpError } from "../../lib/errors/index.js";
import type { Logger } from "../../lib/log.js";
import { isUnavailable } from "./unavailable.js";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
  requestId: string;
}

export function problemBody(status: number, requestId: string, detail?: string, field?: string, type?: string): Problem {
  const title = STATUS_CODES[status] ?? "Error";
  const p: Problem = { type: type ?? "about:blank", title, status, requestId };
  if (detail !== undefined) p.detail = detail;
  if (field !== undefined) p.field = field;
  return p;
}

function writeProblem(ctx: Context, problem: Problem): void {
  ctx.status = problem.status;
  ctx.type = "application/problem+json";
  ctx.body = problem;
}

/**
 * The one place errors become responses. HttpErrors with `expose` show their message; everything else is a
 * 500 whose detail is logged under the request id and never sent. Empty 4xx/5xx responses (unmatched routes,
 * 405 from allowedMethods) become problems too, so every error a client sees has the same shape.
 */
export function problemMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const requestId = String(ctx.state.requestId ?? "");
    try {
      await next();
      if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null)) {
        writeProblem(ctx, problemBody(ctx.status, requestId));
      }
    } catch (err) {
      if (err instanceof HttpError) {
        for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
        if (err.status >= 500) log.error({ err, requestId }, "request failed");
        writeProblem(ctx, problemBody(err.status, requestId, err.expose ? err.message : undefined, err.expose ? err.field : undefined, err.type));
        return;
      }
      const e = err as { status?: unknown; expose?: unknown; message?: unknown };
      // Koa/http-errors style errors (e.g. ctx.throw) carry status + expose.
      if (typeof e.status === "number" && e.status >= 400 && e.status < 500) {
        writeProblem(ctx, problemBody(e.status, requestId, e.expose === true && typeof e.message === "string" ? e.message : undefined));
        return;
      }
      if (isUnavailable(err)) {
        log.warn({ err, requestId }, "a backing service is unavailable");
        ctx.set("Retry-After", "1");
        writeProblem(ctx, problemBody(503, requestId, "a backing service is temporarily unavailable; retry shortly", undefined, "unavailable"));
        return;
      }
      log.error({ err, requestId }, "unhandled error");
      writeProblem(ctx, problemBody(500, requestId, "an internal error occurred; quote the request id when reporting it"));
    }
  };
}
