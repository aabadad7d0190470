import { randomUUID } from "node:crypto";
import type { Context, Next } from "koa";
import type { Logger } from "../../lib/log.js";

const SAFE_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id (a caller's X-Request-Id when it is a safe token, else a new UUID), echoes it in
 * the response and writes one pino line per request when the response is finished.
 */
export function requestIdMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const incoming = ctx.get("x-request-id");
    const requestId = SAFE_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set("X-Request-Id", requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const route = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
      log.info(
        {
          requestId,
          method: ctx.method,
          path: ctx.path,
          route: typeof route === "string" ? route : undefined,
          status: ctx.status,
          ms: Math.round(ms * 10) / 10,
          ip: ctx.ip,
          userId: (ctx.state.user as { id?: string } | undefined)?.id,
        },
        "request",
      );
    }
  };
}
